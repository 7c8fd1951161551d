#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pgfo::test {

inline constexpr const char* k_pg_bin_dir = "/usr/lib/postgresql/15/bin";

enum class StopMode { fast, immediate };

struct ClusterOptions {
    bool data_checksums = false;
    bool wal_log_hints = false;
    bool fsync = false;                 // off keeps tests fast; on where durability is tested
    std::vector<std::string> settings;  // extra postgresql.conf lines, e.g. "work_mem = '8MB'"
};

// True while process PID exists and is not a zombie.
bool process_alive(int pid);

// A PostgreSQL 15 server for one test, run as the postgres user, listening on
// 127.0.0.1 on a free port with DIR as its socket directory. DIR holds data/ and
// postgresql.log. Set up for streaming replication with trust authentication and a
// `replicator` role. Destroying it stops the server (immediate); servers still running
// at process exit are shut down too. Declare it after the TestDir that holds it.
// Harness failures throw std::runtime_error with the command output and the log tail.
class PgCluster {
public:
    // initdb into DIR/data; the server is not started (the first start() creates
    // the replicator role).
    explicit PgCluster(const std::string& dir, ClusterOptions options = {});
    // pg_basebackup -R of PRIMARY into DIR/data, with its own port and socket directory,
    // primary_conninfo naming APPLICATION_NAME; started and waited for until streaming.
    static PgCluster make_standby_of(const PgCluster& primary, const std::string& dir,
                                     const std::string& application_name = "standby");
    // initdb into DIR/data and start it: a primary.
    static PgCluster started(const std::string& dir, ClusterOptions options = {});

    PgCluster(PgCluster&& other) noexcept;
    PgCluster& operator=(PgCluster&&) = delete;
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;
    ~PgCluster();

    void start(std::chrono::seconds timeout = std::chrono::seconds(60));
    void stop(StopMode mode = StopMode::fast, std::chrono::seconds timeout = std::chrono::seconds(60));
    void restart();
    bool is_running() const;
    // Appends a line to postgresql.conf; takes effect at reload() or the next start.
    void append_conf(const std::string& line) const;
    void reload() const;

    int port() const { return m_port; }
    const std::string& dir() const { return m_dir; }
    const std::string& data_dir() const { return m_data_dir; }
    const std::string& socket_dir() const { return m_dir; }
    std::string log_file() const { return m_dir + "/postgresql.log"; }
    // The last lines of the server log, for failure messages.
    std::string log_tail(std::size_t lines = 30) const;
    // "host=127.0.0.1 port=P user=postgres dbname=postgres"
    std::string conninfo() const;
    // "host=127.0.0.1 port=P user=replicator"
    std::string replication_conninfo() const;
    // "127.0.0.1:P"
    std::string address() const;
    // postmaster pid from postmaster.pid, 0 when there is none.
    int postmaster_pid() const;

    // Runs SQL over a fresh libpq connection as postgres with the default search_path;
    // rows as strings, NULL as "".
    std::vector<std::vector<std::string>> exec(const std::string& sql) const;
    // The first column of the first row of SQL (throws when there is no row).
    std::string scalar(const std::string& sql) const;
    bool in_recovery() const { return scalar("SELECT pg_is_in_recovery()") == "t"; }
    // Polls until SQL returns true ("t"); connection errors meanwhile are retried.
    void wait_until(const std::string& sql, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
    // Standby: until its WAL receiver streams.
    void wait_for_streaming(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
    // Standby: until it has replayed everything PRIMARY has written so far.
    void wait_for_replay_of(const PgCluster& primary,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

private:
    struct StandbyTag {};
    PgCluster(StandbyTag, const std::string& dir, ClusterOptions options);
    void make_dir() const;
    void write_settings() const;
    [[noreturn]] void fail(const std::string& what) const;

    std::string m_dir;
    std::string m_data_dir;
    ClusterOptions m_options;
    int m_port = 0;
    bool m_needs_roles = false;
};

}  // namespace pgfo::test
