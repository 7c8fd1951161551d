#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/units.hpp"

namespace pgfo {

enum class RuntimeKind { pg_ctl, compose, systemd };
enum class ResyncMode { rewind, basebackup };
enum class SyncMode { off, on, strict };

struct NodeConfig {
    std::string name;                 // default: hostname
    std::vector<std::string> peers;   // host[:port] of the other PostgreSQL nodes
    std::string state_dir = "/var/lib/pgfo";
    std::string vip;                  // optional: the keepalived virtual IP, for status
};

struct PostgresConfig {
    RuntimeKind runtime = RuntimeKind::pg_ctl;
    std::string data_dir;
    std::string bin_dir;
    std::string os_user = "postgres";
    std::string conninfo = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";
    std::string replication_conninfo = "user=replicator";
    std::string start_options;
    std::string server_log;  // pg_ctl -l; default: pgfo-server.log beside data_dir
};

struct FailoverConfig {
    ResyncMode resync = ResyncMode::rewind;
    bool keep_old_data = true;
    std::uint64_t max_lag = 16ull * 1024 * 1024;
    bool split_brain_guard = true;
    std::string witness;  // host:port that must answer before promoting
    SyncMode synchronous = SyncMode::off;
    util::Millis peer_wait{10000};  // a primary told BACKUP waits this long for a peer primary before fencing
};

struct TimeoutsConfig {
    util::Millis connect{2000};
    util::Millis promote{30000};
    util::Millis stop{60000};
    util::Millis start{60000};
    util::Millis resync{3600000};
    util::Millis lock{300000};
};

struct CheckConfig {
    std::string track_file;
};

struct ComposeConfig {
    std::string command = "docker compose";
    std::string primary_file = "/opt/docker/postgresql/docker-compose-postgresql-master.yaml";
    std::string standby_file = "/opt/docker/postgresql/docker-compose-postgresql-slave.yaml";
    std::string service = "postgresql";
    std::string project;            // -p; default: compose's own choice
    std::string project_directory;  // --project-directory; default: the file's folder
    std::string tools = "container";  // container | host
    bool recreate_after_promote = true;
};

struct SystemdConfig {
    std::string unit = "postgresql@15-main";
};

struct TelegramConfig {
    std::string token_file;
    std::string token;  // inline; only when the config file is not group/other readable
    std::string chat_id;
    std::string api_url = "https://api.telegram.org";
    std::string thread_id;
    bool silent = false;
    util::Millis timeout{10000};
    bool enabled() const { return !chat_id.empty(); }
};

struct WebhookConfig {
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    util::Millis timeout{10000};
    bool enabled() const { return !url.empty(); }
};

struct LogConfig {
    std::string file = "/var/log/pgfo/pgfo.log";
    std::string level = "info";
};

struct Config {
    std::string path;  // the file it was read from
    NodeConfig node;
    PostgresConfig postgres;
    FailoverConfig failover;
    TimeoutsConfig timeouts;
    CheckConfig check;
    ComposeConfig compose;
    SystemdConfig systemd;
    TelegramConfig telegram;
    WebhookConfig webhook;
    LogConfig log;
};

struct ConfigProblem {
    std::string file;
    int line = 0;  // 0 when the problem is not tied to a line
    std::string message;
    std::string to_string() const;  // "FILE:LINE: message" or "FILE: message"
};

struct LoadedConfig {
    Config config;
    std::vector<ConfigProblem> problems;  // empty when the config is valid
};

// Parses the TOML subset of the design. Every problem is collected, never just the first.
LoadedConfig parse_config(std::string_view text, const std::string& path);

// Reads PATH, checks its permissions (and the token file's), and parses it.
LoadedConfig load_config(const std::string& path);

// Which file to use: -c FILE, else $PGFO_CONFIG, else /etc/pgfo/pgfo.conf.
std::string resolve_config_path(const std::string& cli_path);

// Every key the parser accepts, as "section.key", in the order of its key table.
std::vector<std::string> config_key_names();

// The conventional names of the enums, as written in the config.
std::string to_string(RuntimeKind kind);
std::string to_string(ResyncMode mode);
std::string to_string(SyncMode mode);

}  // namespace pgfo
