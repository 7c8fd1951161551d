#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "shell.hpp"

namespace pgfo::test {

inline constexpr const char* k_pg_image = "pgfo/postgres:15";
inline constexpr const char* k_compose_command = "/usr/bin/docker-compose";
// Password of the superuser postgres and of the replicator role in the compose tests.
inline constexpr const char* k_compose_password = "pgfo-test-S3cret";

// BASE + this process's pid + "x" + a random number: a compose project name of this test run,
// which the cleanup of leftover projects recognizes (and removes once the pid is gone).
std::string unique_project(const std::string& base);

// Runs scripts/docker-up and scripts/build-pg-image (both cheap once done); throws when either fails.
void ensure_docker();

enum class ComposeRole { primary, standby };

struct ComposeOptions {
    // Each file sets PGFO_IMAGE_ROLE (primary|standby): the image then takes its role from the
    // environment at every start, as bitnami's does (standby.signal deleted or created).
    bool role_from_env = false;
    std::vector<std::string> settings;  // more "name=value" server settings for the command line
};

// One host of the classic layout on the local Docker engine: DIR/primary.yaml and
// DIR/standby.yaml define service "postgresql" (image pgfo/postgres:15, network_mode host,
// its own port, restart: always, DIR/data bind-mounted at /var/lib/postgresql/data) of
// compose project PROJECT. The primary's init script adds the replicator role and a
// `host replication` pg_hba line, as the official image needs. Destroying it removes the
// project's containers (the data stays in DIR). Harness failures throw std::runtime_error.
class ComposeNode {
public:
    ComposeNode(const std::string& dir, const std::string& project, ComposeOptions options = {});
    ComposeNode(const ComposeNode&) = delete;
    ComposeNode& operator=(const ComposeNode&) = delete;
    ~ComposeNode();

    // A fresh primary: up with the primary file on an empty data dir; the entrypoint runs initdb.
    void init_primary();
    // pg_basebackup -R from PRIMARY in a one-off container, then up with the standby file and
    // until it streams (how a standby is seeded with the official image).
    void init_standby_of(const ComposeNode& primary);
    // `up -d` with the file of ROLE, then until the server accepts connections.
    void up(ComposeRole role);
    // `kill -s SIGNAL` of the service, then until it is no longer running.
    void kill(const std::string& signal = "SIGKILL");

    // docker-compose -f FILE(ROLE) -p PROJECT ARGS, as root, bounded by TIMEOUT.
    ShellResult compose(ComposeRole role, const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;
    // Id of the service's (non one-off) container; "" when there is none.
    std::string container_id() const;
    // Whether that container runs.
    bool container_running() const;
    // The compose file that created the container (its com.docker.compose.project.config_files label).
    std::string container_file() const;
    // Containers of this project that a `run` left behind (label com.docker.compose.oneoff=True).
    std::vector<std::string> one_off_containers() const;

    const std::string& dir() const { return m_dir; }
    const std::string& project() const { return m_project; }
    std::string data_dir() const { return m_dir + "/data"; }
    std::string file(ComposeRole role) const;
    int port() const { return m_port; }
    std::string address() const;
    // host=127.0.0.1 port=P user=postgres dbname=postgres password=...
    std::string conninfo() const;

    std::vector<std::vector<std::string>> exec(const std::string& sql) const;
    std::string scalar(const std::string& sql) const;
    bool in_recovery() const { return scalar("SELECT pg_is_in_recovery()") == "t"; }
    // Polls until SQL returns "t"; connection errors meanwhile are retried.
    void wait_until(const std::string& sql, std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
    void wait_for_replay_of(const ComposeNode& primary) const;

    // Writes DIR/pgfo.conf (0600) for this node with PEERS; EXTRA lines "section.key = value"
    // override or add keys. Returns its path.
    std::string write_pgfo_config(const std::string& name, const std::vector<std::string>& peers,
                                  const std::vector<std::string>& extra = {}) const;
    std::string pgfo_config() const { return m_dir + "/pgfo.conf"; }
    std::string pgfo_log() const { return m_dir + "/pgfo.log"; }
    // Lines of pgfo's log whose event= is EVENT.
    std::vector<std::string> events(const std::string& event) const;
    bool has_event(const std::string& event) const { return !events(event).empty(); }
    // Runs the pgfo binary with this node's config and ENV set on top of the environment.
    ShellResult pgfo(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(300)) const;

private:
    void write_compose_files() const;

    std::string m_dir;
    std::string m_project;
    ComposeOptions m_options;
    int m_port = 0;
};

}  // namespace pgfo::test
