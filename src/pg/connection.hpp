#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

struct pg_conn;

namespace pgfo::pg {

using Clock = std::chrono::steady_clock;

struct QueryResult {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;

    // The value at ROW of the column named COLUMN; nullopt for NULL or an unknown column.
    std::optional<std::string> get(std::size_t row, const std::string& column) const;
    bool empty() const { return rows.empty(); }
};

// Where a session's search_path = pg_catalog is set: by a SET after connecting, or in the
// startup packet ("options"), which saves that round trip (needs a direct connection to
// PostgreSQL; a pooler may refuse startup options).
enum class SessionSetup { query, startup };

// A libpq connection whose every operation is bounded by a deadline: the socket is
// polled (non-blocking connect and query), and an overrunning query is cancelled
// with PQcancel. Sessions pin search_path to pg_catalog. ErrorKind::timeout on overrun.
class Connection {
public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    ~Connection();

    // ErrorKind::config for a malformed CONNINFO. Host names are resolved synchronously
    // by libpq, outside TIMEOUT: prefer addresses.
    static Result<Connection> open(const std::string& conninfo, std::chrono::milliseconds timeout,
                                   SessionSetup setup = SessionSetup::query);

    // Runs one statement (text protocol, $1.. parameters) within TIMEOUT. A lost connection,
    // or an overrun whose cancel fails, closes the connection (is_open() turns false).
    Result<QueryResult> query(const std::string& sql, const std::vector<std::string>& params,
                              std::chrono::milliseconds timeout);
    Result<QueryResult> query(const std::string& sql, std::chrono::milliseconds timeout)
    {
        return query(sql, {}, timeout);
    }

    // From now on a query that overruns closes the connection at once instead of cancelling
    // it (which may wait up to 2 s for the server): for probes that must keep their deadline.
    void abandon_on_timeout() { m_abandon_on_timeout = true; }

    bool is_open() const { return m_conn != nullptr; }
    void close();
    // "host:port" of the server this connection reached.
    std::string server_address() const;
    int server_version() const;
    // A setting the server reported at startup (ParameterStatus), e.g. in_hot_standby
    // (PostgreSQL 14+: "on" while in recovery); nullopt when it did not report it.
    std::optional<std::string> parameter_status(const std::string& name) const;

private:
    explicit Connection(pg_conn* conn) : m_conn(conn) {}
    // Closes the connection and returns libpq's reason.
    Error broken();
    // Cancels the running query (closing the connection if that fails) after TIMEOUT overran.
    Error cancel_after(std::chrono::milliseconds timeout);
    // Reads and discards results until the connection is idle; false on overrun or breakage.
    bool drain(Clock::time_point deadline);

    pg_conn* m_conn = nullptr;
    bool m_abandon_on_timeout = false;
};

}  // namespace pgfo::pg
