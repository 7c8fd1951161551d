// pgfo_writer: inserts sequential ids through one conninfo (the lab's VIP), reconnecting
// on failure, and appends every ACKNOWLEDGED id to a file as "id start_ms ack_ms" (Unix
// milliseconds: when the INSERT was sent and when its commit was acknowledged). An id
// whose INSERT failed or timed out is never reused: it may or may not be committed. Each
// row records the server that committed it (its cluster_name; the lab sets the node name).
// Stops after --duration or on SIGTERM/SIGINT; prints a one-line summary on stdout.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "pg/connection.hpp"
#include "util/clock.hpp"
#include "util/units.hpp"

namespace {

using namespace std::chrono_literals;
using pgfo::util::Millis;

std::atomic<bool> g_stop{false};

void on_signal(int)
{
    g_stop = true;
}

struct Options {
    std::string conninfo;
    std::string acked_path;
    std::string table = "pgfo_writer";
    Millis duration{60000};
    Millis interval{5};
    Millis timeout{1000};
    Millis connect_timeout{300};
    long long first_id = 1;
    bool quiet = false;
};

long long unix_ms()
{
    return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class Writer {
public:
    explicit Writer(Options options) : m_options(std::move(options)) {}

    int run()
    {
        m_acked_fd = ::open(m_options.acked_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (m_acked_fd < 0) {
            std::cerr << "pgfo_writer: error: cannot open " << m_options.acked_path << "\n";
            return 2;
        }
        const auto deadline = std::chrono::steady_clock::now() + m_options.duration;
        long long id = m_options.first_id;
        bool table_ready = false;
        while (!g_stop && std::chrono::steady_clock::now() < deadline) {
            if (!m_conn.is_open() && !connect())
                continue;
            if (!table_ready) {
                table_ready = create_table();
                continue;
            }
            insert(id++);
            if (m_options.interval.count() > 0)
                std::this_thread::sleep_for(m_options.interval);
        }
        ::close(m_acked_fd);
        std::cout << fmt::format("acked={} failed={} connects={} last_id={}\n", m_acked, m_failed, m_connects, id - 1);
        return table_ready ? 0 : 1;
    }

private:
    void event(const std::string& text)
    {
        if (!m_options.quiet)
            std::cerr << pgfo::util::utc_timestamp(std::chrono::system_clock::now()) << " writer: " << text << "\n";
    }

    bool connect()
    {
        auto opened = pgfo::pg::Connection::open(m_options.conninfo, m_options.connect_timeout);
        if (!opened.ok()) {
            if (m_last_error != opened.error().message)
                event("connect failed: " + opened.error().message);
            m_last_error = opened.error().message;
            std::this_thread::sleep_for(50ms);
            return false;
        }
        m_conn = std::move(opened.value());
        ++m_connects;
        if (m_connects == 1 || !m_last_error.empty())
            event("connected to " + m_conn.server_address());
        m_last_error.clear();
        return true;
    }

    bool create_table()
    {
        auto made = m_conn.query(
            fmt::format("CREATE TABLE IF NOT EXISTS public.{} (id bigint PRIMARY KEY, at timestamptz DEFAULT now(), "
                        "server text DEFAULT current_setting('cluster_name'))",
                        m_options.table),
            m_options.timeout);
        if (made.ok())
            return true;
        event("create table failed: " + made.error().message);
        m_conn = pgfo::pg::Connection();
        std::this_thread::sleep_for(100ms);
        return false;
    }

    void insert(long long id)
    {
        const long long start = unix_ms();
        auto inserted = m_conn.query(fmt::format("INSERT INTO public.{} (id) VALUES ($1::bigint)", m_options.table),
                                     {std::to_string(id)}, m_options.timeout);
        if (inserted.ok()) {
            const std::string line = fmt::format("{} {} {}\n", id, start, unix_ms());
            if (::write(m_acked_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
                event("could not record acknowledged id " + std::to_string(id));
            if (m_failed_since_ack > 0)
                event(fmt::format("writing again: id {} acknowledged after {} failed attempt(s)", id,
                                  m_failed_since_ack));
            m_failed_since_ack = 0;
            m_last_insert_error.clear();
            ++m_acked;
            return;
        }
        ++m_failed;
        ++m_failed_since_ack;
        // The same failure again and again (read-only while the VIP is on a standby) is said once.
        if (inserted.error().message != m_last_insert_error)
            event(fmt::format("insert of id {} failed: {}", id, inserted.error().message));
        m_last_insert_error = inserted.error().message;
        m_conn = pgfo::pg::Connection();
    }

    Options m_options;
    pgfo::pg::Connection m_conn;
    int m_acked_fd = -1;
    long long m_acked = 0;
    long long m_failed = 0;
    long long m_failed_since_ack = 0;
    long long m_connects = 0;
    std::string m_last_error;
    std::string m_last_insert_error;
};

Millis duration_option(const std::string& text, const char* name)
{
    auto parsed = pgfo::util::parse_duration(text);
    if (!parsed && text != "0ms")
        throw CLI::ValidationError(name, "expected a duration such as \"500ms\" or \"60s\"");
    return parsed.value_or(Millis{0});
}

}  // namespace

int main(int argc, char** argv)
{
    Options options;
    std::string duration = "60s", interval = "5ms", timeout = "1s", connect_timeout = "300ms";
    CLI::App app("inserts sequential ids through CONNINFO and records each acknowledged id");
    app.add_option("--conninfo", options.conninfo, "libpq conninfo (the VIP)")->required();
    app.add_option("--acked", options.acked_path, "file that gets one \"id start_ms ack_ms\" line per acknowledged id")
        ->required();
    app.add_option("--table", options.table, "table to insert into (created when missing)");
    app.add_option("--duration", duration, "stop after this long");
    app.add_option("--interval", interval, "pause between inserts (\"0ms\": none)");
    app.add_option("--timeout", timeout, "bound of each statement");
    app.add_option("--connect-timeout", connect_timeout, "bound of each connection attempt");
    app.add_option("--first-id", options.first_id, "first id to insert");
    app.add_flag("-q,--quiet", options.quiet, "no event lines on stderr");
    try {
        app.parse(argc, argv);
        options.duration = duration_option(duration, "--duration");
        options.interval = duration_option(interval, "--interval");
        options.timeout = duration_option(timeout, "--timeout");
        options.connect_timeout = duration_option(connect_timeout, "--connect-timeout");
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    return Writer(std::move(options)).run();
}
