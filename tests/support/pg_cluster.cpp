#include "pg_cluster.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg/connection.hpp"
#include "shell.hpp"

namespace pgfo::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_os_user = "postgres";

std::string bin(const std::string& tool)
{
    return std::string(k_pg_bin_dir) + "/" + tool;
}

std::string read_text(const std::string& path)
{
    std::ifstream stream(path, std::ios::binary);
    std::stringstream content;
    content << stream.rdbuf();
    return content.str();
}

void append_text(const std::string& path, const std::string& text)
{
    std::ofstream stream(path, std::ios::app);
    stream << text;
    if (!stream)
        throw std::runtime_error("could not append to " + path);
}

int read_postmaster_pid(const std::string& data_dir)
{
    std::ifstream stream(data_dir + "/postmaster.pid");
    int pid = 0;
    if (!(stream >> pid))
        return 0;
    return pid;
}

bool is_live_postgres(int pid)
{
    if (!process_alive(pid))
        return false;
    auto comm = read_text("/proc/" + std::to_string(pid) + "/comm");
    return comm.rfind("postgres", 0) == 0;
}

void wait_for_exit(int pid, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
}

// Data directories of servers this process may have left running, shut down at exit
// in case a test ends without running destructors.
class Registry {
public:
    static Registry& instance()
    {
        static Registry* registry = [] {
            auto* created = new Registry;
            std::atexit([] { Registry::instance().stop_all(); });
            return created;
        }();
        return *registry;
    }

    void add(const std::string& data_dir)
    {
        std::lock_guard lock(m_mutex);
        m_data_dirs.insert(data_dir);
    }

    void remove(const std::string& data_dir)
    {
        std::lock_guard lock(m_mutex);
        m_data_dirs.erase(data_dir);
    }

private:
    void stop_all()
    {
        std::lock_guard lock(m_mutex);
        std::vector<int> pids;
        for (const auto& data_dir : m_data_dirs) {
            int pid = read_postmaster_pid(data_dir);
            if (is_live_postgres(pid)) {
                ::kill(pid, SIGQUIT);
                pids.push_back(pid);
            }
        }
        for (int round = 0; round < 100; ++round) {
            std::erase_if(pids, [](int pid) { return !is_live_postgres(pid); });
            if (pids.empty())
                return;
            std::this_thread::sleep_for(50ms);
        }
        for (int pid : pids)
            ::kill(pid, SIGKILL);
    }

    std::mutex m_mutex;
    std::set<std::string> m_data_dirs;
};

}  // namespace

bool process_alive(int pid)
{
    if (pid <= 0)
        return false;
    auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

PgCluster::PgCluster(const std::string& dir, ClusterOptions options)
    : m_dir(dir), m_data_dir(dir + "/data"), m_options(std::move(options)), m_port(free_port()), m_needs_roles(true)
{
    make_dir();
    std::vector<std::string> argv{bin("initdb"), "-D", m_data_dir, "-U",         "postgres", "-A",
                                  "trust",       "-E", "UTF8",     "--locale=C", "-N"};
    if (m_options.data_checksums)
        argv.push_back("--data-checksums");
    run_checked(k_os_user, argv, 120s);
    Registry::instance().add(m_data_dir);
    write_settings();
    std::ofstream hba(m_data_dir + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n"
           "local replication all trust\n"
           "host all all 127.0.0.1/32 trust\n"
           "host replication all 127.0.0.1/32 trust\n";
    if (!hba)
        fail("could not write pg_hba.conf");
}

PgCluster::PgCluster(StandbyTag, const std::string& dir, ClusterOptions options)
    : m_dir(dir), m_data_dir(dir + "/data"), m_options(std::move(options)), m_port(free_port())
{
}

PgCluster PgCluster::started(const std::string& dir, ClusterOptions options)
{
    PgCluster cluster(dir, options);
    cluster.start();
    return cluster;
}

PgCluster PgCluster::make_standby_of(const PgCluster& primary, const std::string& dir,
                                     const std::string& application_name)
{
    PgCluster standby(StandbyTag{}, dir, primary.m_options);
    standby.make_dir();
    std::string upstream = primary.replication_conninfo() + " application_name=" + application_name;
    run_checked(
        k_os_user,
        {bin("pg_basebackup"), "-D", standby.m_data_dir, "-d", upstream, "-X", "stream", "-c", "fast", "-R", "-N"},
        120s);
    Registry::instance().add(standby.m_data_dir);
    standby.write_settings();
    append_text(standby.m_data_dir + "/postgresql.auto.conf", "primary_conninfo = '" + upstream + "'\n");
    standby.start();
    standby.wait_for_streaming();
    return standby;
}

PgCluster::PgCluster(PgCluster&& other) noexcept
    : m_dir(std::move(other.m_dir)), m_data_dir(std::move(other.m_data_dir)), m_options(std::move(other.m_options)),
      m_port(other.m_port), m_needs_roles(other.m_needs_roles)
{
    other.m_dir.clear();
    other.m_data_dir.clear();
}

PgCluster::~PgCluster()
{
    if (m_data_dir.empty())
        return;
    try {
        if (is_running())
            stop(StopMode::immediate);
        Registry::instance().remove(m_data_dir);
    } catch (const std::exception&) {
        // Left registered: the exit handler stops it.
    }
}

void PgCluster::make_dir() const
{
    // The socket path DIR/.s.PGSQL.NNNNN must fit in sun_path (108 bytes).
    if (m_dir.size() > 90)
        throw std::runtime_error("cluster directory " + m_dir +
                                 " is too long for a socket path; hint: set a short TMPDIR");
    std::filesystem::create_directories(m_dir);
    ::chmod(m_dir.c_str(), 0755);
    chown_to(m_dir, k_os_user);
}

void PgCluster::write_settings() const
{
    auto on_off = [](bool on) { return on ? "on" : "off"; };
    std::vector<std::string> lines{
        "",
        "# pgfo test harness",
        "listen_addresses = '127.0.0.1'",
        "port = " + std::to_string(m_port),
        "unix_socket_directories = '" + m_dir + "'",
        "wal_level = replica",
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        "hot_standby = on",
        "wal_keep_size = '256MB'",
        "wal_receiver_status_interval = '1s'",
        "wal_retrieve_retry_interval = '1s'",
        "shared_buffers = '16MB'",
        "max_connections = 30",
        "log_line_prefix = '%m [%p] %a: '",
        std::string("fsync = ") + on_off(m_options.fsync),
        std::string("wal_log_hints = ") + on_off(m_options.wal_log_hints),
    };
    lines.insert(lines.end(), m_options.settings.begin(), m_options.settings.end());
    std::string block;
    for (const auto& line : lines)
        block += line + "\n";
    append_text(m_data_dir + "/postgresql.conf", block);
}

void PgCluster::append_conf(const std::string& line) const
{
    append_text(m_data_dir + "/postgresql.conf", line + "\n");
}

void PgCluster::start(std::chrono::seconds timeout)
{
    for (int attempt = 1;; ++attempt) {
        auto log_size = std::filesystem::exists(log_file()) ? std::filesystem::file_size(log_file()) : 0;
        auto result = run_as(k_os_user,
                             {bin("pg_ctl"), "start", "-D", m_data_dir, "-l", log_file(), "-w", "-t",
                              std::to_string(timeout.count()), "-s"},
                             timeout + 10s);
        if (result.succeeded())
            break;
        // Another process took the port since free_port() picked it: pick another.
        if (attempt < 4 && read_text(log_file()).substr(log_size).find("Address already in use") != std::string::npos &&
            !is_running()) {
            m_port = free_port();
            append_conf("port = " + std::to_string(m_port));
            continue;
        }
        fail("pg_ctl start " + result.describe());
    }
    if (m_needs_roles) {
        exec("CREATE ROLE replicator WITH REPLICATION LOGIN");
        m_needs_roles = false;
    }
}

void PgCluster::stop(StopMode mode, std::chrono::seconds timeout)
{
    if (!is_running())
        return;
    int pid = postmaster_pid();
    auto result = run_as(k_os_user,
                         {bin("pg_ctl"), "stop", "-D", m_data_dir, "-m", mode == StopMode::fast ? "fast" : "immediate",
                          "-w", "-t", std::to_string(timeout.count()), "-s"},
                         timeout + 10s);
    if (!result.succeeded())
        fail("pg_ctl stop " + result.describe());
    wait_for_exit(pid, 5s);
}

void PgCluster::restart()
{
    stop();
    start();
}

bool PgCluster::is_running() const
{
    return run_as(k_os_user, {bin("pg_ctl"), "status", "-D", m_data_dir}, 30s).code == 0;
}

void PgCluster::reload() const
{
    run_checked(k_os_user, {bin("pg_ctl"), "reload", "-D", m_data_dir, "-s"}, 30s);
}

std::string PgCluster::log_tail(std::size_t lines) const
{
    std::string text = read_text(log_file());
    std::size_t pos = text.size();
    for (std::size_t seen = 0; pos > 0 && seen <= lines; --pos)
        if (text[pos - 1] == '\n')
            ++seen;
    return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string PgCluster::conninfo() const
{
    return "host=127.0.0.1 port=" + std::to_string(m_port) + " user=postgres dbname=postgres";
}

std::string PgCluster::replication_conninfo() const
{
    return "host=127.0.0.1 port=" + std::to_string(m_port) + " user=replicator";
}

std::string PgCluster::address() const
{
    return "127.0.0.1:" + std::to_string(m_port);
}

int PgCluster::postmaster_pid() const
{
    return read_postmaster_pid(m_data_dir);
}

std::vector<std::vector<std::string>> PgCluster::exec(const std::string& sql) const
{
    auto conn = pg::Connection::open(conninfo(), 10s);
    if (!conn)
        fail("could not connect to " + address() + ": " + conn.error().message);
    auto reset = conn->query("RESET search_path", 10s);  // behave like psql, not like pgfo
    if (!reset)
        fail("could not reset search_path on " + address() + ": " + reset.error().message);
    auto result = conn->query(sql, 60s);
    if (!result)
        fail("query failed on " + address() + ": " + sql + ": " + result.error().message);
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : result->rows) {
        auto& out = rows.emplace_back();
        for (const auto& value : row)
            out.push_back(value.value_or(""));
    }
    return rows;
}

std::string PgCluster::scalar(const std::string& sql) const
{
    auto rows = exec(sql);
    if (rows.empty() || rows.front().empty())
        fail("query returned no value on " + address() + ": " + sql);
    return rows.front().front();
}

void PgCluster::wait_until(const std::string& sql, std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    for (;;) {
        try {
            last = scalar(sql);
            if (last == "t")
                return;
        } catch (const std::exception& error) {
            last = error.what();
        }
        if (std::chrono::steady_clock::now() >= deadline)
            fail("condition not reached within " + std::to_string(timeout.count()) + "ms on " + address() + ": " + sql +
                 " (last result: " + last + ")");
        std::this_thread::sleep_for(50ms);
    }
}

void PgCluster::wait_for_streaming(std::chrono::milliseconds timeout) const
{
    wait_until("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_wal_receiver WHERE status = 'streaming')", timeout);
}

void PgCluster::wait_for_replay_of(const PgCluster& primary, std::chrono::milliseconds timeout) const
{
    std::string lsn = primary.scalar("SELECT pg_catalog.pg_current_wal_lsn()");
    wait_until("SELECT pg_catalog.pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_catalog.pg_lsn", timeout);
}

void PgCluster::fail(const std::string& what) const
{
    throw std::runtime_error(what + "\n--- " + log_file() + " (tail) ---\n" + log_tail());
}

}  // namespace pgfo::test
