#include "compose_node.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg/connection.hpp"
#include "pgfo_node.hpp"

namespace pgfo::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string k_service = "postgresql";

std::string docker_binary()
{
    for (const char* candidate : {"/usr/local/bin/docker", "/usr/bin/docker"})
        if (::access(candidate, X_OK) == 0)
            return candidate;
    throw std::runtime_error("docker CLI not found; hint: run scripts/install-deps");
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            lines.push_back(line);
    return lines;
}

bool is_container_id(const std::string& word)
{
    return word.size() >= 12 && word.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::vector<std::string> container_ids(const std::string& output)
{
    std::vector<std::string> ids;
    for (const auto& line : lines_of(output))
        if (is_container_id(line))
            ids.push_back(line);
    return ids;
}

void write_text(const std::string& path, const std::string& text, mode_t mode)
{
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    ::chmod(path.c_str(), mode);
}

std::string quote(const std::string& value)
{
    return "\"" + value + "\"";
}

// Containers of test projects ("<name><pid>x<n>") whose process is gone: a run killed before its
// destructors ran. Removing them keeps ports and disk free for the next runs.
void remove_orphaned_projects()
{
    const std::string docker = docker_binary();
    auto listed =
        run_as("", {docker, "ps", "-a", "--format", "{{.ID}} {{.Label \"com.docker.compose.project\"}}"}, 60s);
    std::vector<std::string> argv = {docker, "rm", "-f"};
    for (const auto& line : lines_of(listed.output)) {
        std::istringstream in(line);
        std::string id;
        std::string project;
        in >> id >> project;
        const auto digits = project.find_first_of("0123456789");
        const auto x = project.find('x', digits);
        if (!is_container_id(id) || digits == std::string::npos || x == std::string::npos)
            continue;
        const std::string prefix = project.substr(0, digits);
        if (prefix != "pgfoa" && prefix != "pgfob" && prefix != "benchpa" && prefix != "benchpb")
            continue;
        const int pid = std::atoi(project.substr(digits, x - digits).c_str());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
            argv.push_back(id);
    }
    if (argv.size() > 3)
        (void)run_as("", argv, 120s);
}

}  // namespace

void ensure_docker()
{
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char* script : {"/scripts/docker-up", "/scripts/build-pg-image"})
            run_checked("", {std::string(PGFO_SOURCE_DIR) + script}, 600s);
        remove_orphaned_projects();
    });
}

ComposeNode::ComposeNode(const std::string& dir, const std::string& project, ComposeOptions options)
    : m_dir(dir), m_project(project), m_options(std::move(options)), m_port(free_port())
{
    std::filesystem::create_directories(m_dir + "/initdb");
    ::chmod(m_dir.c_str(), 0755);
    write_compose_files();
}

ComposeNode::~ComposeNode()
{
    const std::string docker = docker_binary();
    auto listed = run_as("", {docker, "ps", "-aq", "--filter", "label=com.docker.compose.project=" + m_project}, 60s);
    std::vector<std::string> argv = {docker, "rm", "-f"};
    for (const auto& id : container_ids(listed.output))
        argv.push_back(id);
    if (argv.size() > 3)
        (void)run_as("", argv, 60s);
}

std::string ComposeNode::file(ComposeRole role) const
{
    return m_dir + (role == ComposeRole::primary ? "/primary.yaml" : "/standby.yaml");
}

void ComposeNode::write_compose_files() const
{
    for (ComposeRole role : {ComposeRole::primary, ComposeRole::standby}) {
        const std::string name = role == ComposeRole::primary ? "primary" : "standby";
        std::ostringstream yaml;
        yaml << "# Test host " << m_project << ", service postgresql as " << name << " (pgfo compose tests).\n"
             << "services:\n"
             << "  postgresql:\n"
             << "    image: " << k_pg_image << "\n"
             << "    restart: always\n"
             << "    network_mode: host\n"
             << "    environment:\n"
             << "      POSTGRES_PASSWORD: \"" << k_compose_password << "\"\n"
             << "      POSTGRES_INITDB_ARGS: \"--no-sync\"\n"
             << "      " << (m_options.role_from_env ? "PGFO_IMAGE_ROLE" : "PGFO_TEST_ROLE") << ": \"" << name << "\"\n"
             << "    command: [\"postgres\", \"-c\", \"port=" << m_port
             << "\", \"-c\", \"fsync=off\", \"-c\", \"wal_keep_size=256MB\"";
        for (const auto& setting : m_options.settings)
            yaml << ", \"-c\", \"" << setting << "\"";
        yaml << "]\n"
             << "    volumes:\n"
             << "      - \"" << data_dir() << ":/var/lib/postgresql/data\"\n"
             << "      - \"" << m_dir << "/initdb:/docker-entrypoint-initdb.d:ro\"\n";
        write_text(file(role), yaml.str(), 0644);
    }
    write_text(m_dir + "/initdb/10-replication.sh",
               std::string("psql -v ON_ERROR_STOP=1 -q -c \"CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '") +
                   k_compose_password + "'\"\n" +
                   "echo 'host replication replicator all scram-sha-256' >>\"$PGDATA/pg_hba.conf\"\n",
               0644);
}

ShellResult ComposeNode::compose(ComposeRole role, const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) const
{
    std::vector<std::string> argv = {k_compose_command, "-f", file(role), "-p", m_project};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as("", argv, timeout);
}

void ComposeNode::up(ComposeRole role)
{
    auto result = compose(role, {"up", "-d", "--no-deps", k_service});
    if (!result.succeeded())
        throw std::runtime_error("compose up of " + file(role) + " " + result.describe());
    wait_until("SELECT true", 90s);
}

void ComposeNode::init_primary()
{
    up(ComposeRole::primary);
}

void ComposeNode::init_standby_of(const ComposeNode& primary)
{
    std::filesystem::create_directories(data_dir());
    ::chown(data_dir().c_str(), 999, 999);
    ::chmod(data_dir().c_str(), 0700);
    std::vector<std::string> argv = {"/usr/bin/env",
                                     std::string("PGPASSWORD=") + k_compose_password,
                                     k_compose_command,
                                     "-f",
                                     file(ComposeRole::standby),
                                     "-p",
                                     m_project,
                                     "run",
                                     "--rm",
                                     "--no-deps",
                                     "-T",
                                     "--user",
                                     "999:999",
                                     "-e",
                                     "PGPASSWORD",
                                     "--entrypoint",
                                     "pg_basebackup",
                                     k_service,
                                     "-h",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(primary.port()),
                                     "-U",
                                     "replicator",
                                     "-D",
                                     "/var/lib/postgresql/data",
                                     "-R",
                                     "-X",
                                     "stream",
                                     "-c",
                                     "fast"};
    auto copied = run_as("", argv, 300s);
    if (!copied.succeeded())
        throw std::runtime_error("pg_basebackup into " + data_dir() + " " + copied.describe());
    up(ComposeRole::standby);
    wait_until("SELECT status = 'streaming' FROM pg_stat_wal_receiver", 60s);
}

void ComposeNode::kill(const std::string& signal)
{
    auto result = compose(ComposeRole::primary, {"kill", "-s", signal, k_service});
    if (!result.succeeded())
        throw std::runtime_error("compose kill of " + m_project + " " + result.describe());
    const auto deadline = Clock::now() + 60s;
    while (container_running()) {
        if (Clock::now() > deadline)
            throw std::runtime_error("container of " + m_project + " still runs 60s after kill -s " + signal);
        std::this_thread::sleep_for(100ms);
    }
}

std::string ComposeNode::container_id() const
{
    auto listed =
        run_as("",
               {docker_binary(), "ps", "-aq", "--no-trunc", "--filter", "label=com.docker.compose.project=" + m_project,
                "--filter", "label=com.docker.compose.service=" + k_service, "--filter",
                "label=com.docker.compose.oneoff=False"},
               60s);
    if (!listed.succeeded())
        throw std::runtime_error("docker ps " + listed.describe());
    auto ids = container_ids(listed.output);
    return ids.empty() ? "" : ids.front();
}

bool ComposeNode::container_running() const
{
    const std::string id = container_id();
    if (id.empty())
        return false;
    auto inspected = run_as("", {docker_binary(), "inspect", "-f", "{{.State.Running}}", id}, 60s);
    return inspected.succeeded() && inspected.output.rfind("true", 0) == 0;
}

std::string ComposeNode::container_file() const
{
    const std::string id = container_id();
    if (id.empty())
        return "";
    auto inspected = run_as(
        "",
        {docker_binary(), "inspect", "-f", "{{index .Config.Labels \"com.docker.compose.project.config_files\"}}", id},
        60s);
    auto lines = lines_of(inspected.output);
    return lines.empty() ? "" : lines.front();
}

std::vector<std::string> ComposeNode::one_off_containers() const
{
    auto listed = run_as("",
                         {docker_binary(), "ps", "-aq", "--filter", "label=com.docker.compose.project=" + m_project,
                          "--filter", "label=com.docker.compose.oneoff=True"},
                         60s);
    return container_ids(listed.output);
}

std::string ComposeNode::address() const
{
    return "127.0.0.1:" + std::to_string(m_port);
}

std::string ComposeNode::conninfo() const
{
    return "host=127.0.0.1 port=" + std::to_string(m_port) +
           " user=postgres dbname=postgres password=" + k_compose_password;
}

std::vector<std::vector<std::string>> ComposeNode::exec(const std::string& sql) const
{
    auto conn = pg::Connection::open(conninfo(), 10s);
    if (!conn.ok())
        throw std::runtime_error("connect to " + address() + ": " + conn.error().message);
    auto result = conn->query(sql, 60s);
    if (!result.ok())
        throw std::runtime_error("query on " + address() + ": " + sql + ": " + result.error().message);
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : result->rows) {
        rows.emplace_back();
        for (const auto& value : row)
            rows.back().push_back(value.value_or(""));
    }
    return rows;
}

std::string ComposeNode::scalar(const std::string& sql) const
{
    auto rows = exec(sql);
    if (rows.empty() || rows.front().empty())
        throw std::runtime_error("no row from " + address() + " for " + sql);
    return rows.front().front();
}

void ComposeNode::wait_until(const std::string& sql, std::chrono::milliseconds timeout) const
{
    const auto deadline = Clock::now() + timeout;
    std::string last = "no answer";
    while (Clock::now() < deadline) {
        try {
            if (scalar(sql) == "t")
                return;
            last = "not yet true";
        } catch (const std::exception& e) {
            last = e.what();
        }
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("on " + address() + " (" + m_project + "), " + sql + " did not become true: " + last);
}

void ComposeNode::wait_for_replay_of(const ComposeNode& primary) const
{
    const std::string lsn = primary.scalar("SELECT pg_current_wal_lsn()");
    wait_until("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn");
}

std::string ComposeNode::write_pgfo_config(const std::string& name, const std::vector<std::string>& peers,
                                           const std::vector<std::string>& extra) const
{
    std::string peer_list;
    for (const auto& peer : peers)
        peer_list += (peer_list.empty() ? "" : ", ") + quote(peer);
    std::map<std::string, std::map<std::string, std::string>> sections;
    sections["node"] = {
        {"name", quote(name)}, {"peers", "[" + peer_list + "]"}, {"state_dir", quote(m_dir + "/state")}};
    sections["postgres"] = {
        {"runtime", quote("compose")},
        {"data_dir", quote(data_dir())},
        {"bin_dir", quote("/usr/lib/postgresql/15/bin")},
        {"os_user", quote("999")},
        {"conninfo", quote(conninfo())},
        {"replication_conninfo", quote(std::string("user=replicator password=") + k_compose_password)}};
    sections["compose"] = {{"command", quote("docker-compose")},
                           {"primary_file", quote(file(ComposeRole::primary))},
                           {"standby_file", quote(file(ComposeRole::standby))},
                           {"service", quote(k_service)},
                           {"project", quote(m_project)}};
    sections["failover"] = {{"peer_wait", quote("3s")}};
    sections["timeouts"] = {{"connect", quote("2s")}, {"promote", quote("30s")}, {"stop", quote("60s")},
                            {"start", quote("90s")},  {"resync", quote("5m")},   {"lock", quote("2m")}};
    sections["log"] = {{"file", quote(pgfo_log())}, {"level", quote("debug")}};
    for (const auto& line : extra) {
        const auto eq = line.find(" = ");
        const auto dot = line.find('.');
        if (eq == std::string::npos || dot == std::string::npos || dot > eq)
            throw std::runtime_error("write_pgfo_config: extra line is not \"section.key = value\": " + line);
        sections[line.substr(0, dot)][line.substr(dot + 1, eq - dot - 1)] = line.substr(eq + 3);
    }
    std::ostringstream text;
    for (const auto& [section, keys] : sections) {
        text << "[" << section << "]\n";
        for (const auto& [key, value] : keys)
            text << key << " = " << value << "\n";
        text << "\n";
    }
    write_text(pgfo_config(), text.str(), 0600);
    return pgfo_config();
}

ShellResult ComposeNode::pgfo(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                              std::chrono::milliseconds timeout) const
{
    std::vector<std::string> argv = {"/usr/bin/env"};
    for (const auto& [key, value] : env)
        argv.push_back(key + "=" + value);
    argv.insert(argv.end(), {PGFO_BINARY, "-c", pgfo_config()});
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as("", argv, timeout);
}

std::string unique_project(const std::string& base)
{
    std::random_device random;
    return base + std::to_string(::getpid()) + "x" + std::to_string(random() % 100000);
}

std::vector<std::string> ComposeNode::events(const std::string& event) const
{
    return log_events(pgfo_log(), event);
}

}  // namespace pgfo::test
