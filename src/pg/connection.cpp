#include "pg/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "pg/conninfo.hpp"
#include "util/units.hpp"

namespace pgfo::pg {
namespace {

using std::chrono::milliseconds;
using Deadline = Clock::time_point;

// How long a cancel request may take to be sent, and then how long the server may
// take to answer the cancelled query, before the connection is given up.
constexpr milliseconds k_cancel_grace{1000};
constexpr milliseconds k_drain_grace{1000};
constexpr const char* k_search_path_option = "-c search_path=pg_catalog";

std::string first_line(const char* text)
{
    std::string line = text ? text : "";
    auto first = line.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return "";
    line = line.substr(first);
    line = line.substr(0, line.find('\n'));
    return line.substr(0, line.find_last_not_of(" \t\r") + 1);
}

std::string scrub(std::string message, const std::string& secret)
{
    if (secret.empty())
        return message;
    for (auto pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos))
        message.replace(pos, secret.size(), "********");
    return message;
}

std::string address_of(const PGconn* conn)
{
    std::string host = PQhost(conn) ? PQhost(conn) : "";
    std::string port = PQport(conn) ? PQport(conn) : "";
    if (host.find(':') != std::string::npos)
        host = "[" + host + "]";
    return host + ":" + port;
}

// Server notices (warnings at shutdown, ...) must not reach our stderr.
void ignore_notice(void*, const char*) {}

enum class Wait { ready, timeout, error };

// Waits until FD is ready for EVENTS or DEADLINE passes.
Wait wait_socket(int fd, short events, Deadline deadline)
{
    if (fd < 0)
        return Wait::error;
    for (;;) {
        auto now = Clock::now();
        if (now >= deadline)
            return Wait::timeout;
        auto left = std::chrono::ceil<milliseconds>(deadline - now).count();
        pollfd entry{fd, events, 0};
        int rc = ::poll(&entry, 1, static_cast<int>(std::min<std::int64_t>(left, INT_MAX)));
        if (rc > 0)
            return Wait::ready;
        if (rc < 0 && errno != EINTR)
            return Wait::error;
    }
}

// PQcancel of PostgreSQL 15 connects without any timeout, so it runs on a detached
// thread and we stop waiting for it after GRACE. True when the request was delivered.
bool send_cancel(PGconn* conn, milliseconds grace)
{
    PGcancel* cancel = PQgetCancel(conn);
    if (!cancel)
        return false;
    struct Outcome {
        std::mutex mutex;
        std::condition_variable done_changed;
        bool done = false;
        bool sent = false;
    };
    auto outcome = std::make_shared<Outcome>();
    std::thread([cancel, outcome] {
        char error[256];
        bool sent = PQcancel(cancel, error, sizeof error) == 1;
        PQfreeCancel(cancel);
        std::lock_guard lock(outcome->mutex);
        outcome->done = true;
        outcome->sent = sent;
        outcome->done_changed.notify_all();
    }).detach();
    std::unique_lock lock(outcome->mutex);
    outcome->done_changed.wait_for(lock, grace, [&] { return outcome->done; });
    return outcome->done && outcome->sent;
}

Error sql_error(const PGresult* result)
{
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string message = primary ? first_line(primary) : first_line(PQresultErrorMessage(result));
    if (sqlstate)
        message += std::string(" (SQLSTATE ") + sqlstate + ")";
    return make_error(ErrorKind::failed, message);
}

QueryResult tuples_of(const PGresult* result)
{
    QueryResult out;
    int columns = PQnfields(result);
    int rows = PQntuples(result);
    for (int c = 0; c < columns; ++c)
        out.columns.emplace_back(PQfname(result, c));
    out.rows.reserve(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        auto& row = out.rows.emplace_back();
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(result, r, c))
                row.emplace_back(std::nullopt);
            else
                row.emplace_back(
                    std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
        }
    }
    return out;
}

} // namespace

std::optional<std::string> QueryResult::get(std::size_t row, const std::string& column) const
{
    auto it = std::find(columns.begin(), columns.end(), column);
    if (row >= rows.size() || it == columns.end())
        return std::nullopt;
    return rows[row][static_cast<std::size_t>(it - columns.begin())];
}

Connection::Connection(Connection&& other) noexcept
    : m_conn(std::exchange(other.m_conn, nullptr)), m_abandon_on_timeout(other.m_abandon_on_timeout)
{
}

Connection& Connection::operator=(Connection&& other) noexcept
{
    if (this != &other) {
        close();
        m_conn = std::exchange(other.m_conn, nullptr);
        m_abandon_on_timeout = other.m_abandon_on_timeout;
    }
    return *this;
}

Connection::~Connection()
{
    close();
}

void Connection::close()
{
    if (m_conn)
        PQfinish(m_conn);
    m_conn = nullptr;
}

Result<Connection> Connection::open(const std::string& conninfo, milliseconds timeout, SessionSetup setup)
{
    const auto deadline = Clock::now() + timeout;
    auto parsed = Conninfo::parse(conninfo); // its errors never show the password; libpq's might
    if (!parsed)
        return parsed.error();
    const std::string password = parsed->get("password").value_or("");
    std::string options = parsed->get("options").value_or("");
    options += std::string(options.empty() ? "" : " ") + k_search_path_option;
    // Keywords after dbname override what its expansion set.
    const char* keywords[] = {"dbname", "fallback_application_name",
                              setup == SessionSetup::startup ? "options" : nullptr, nullptr};
    const char* values[] = {conninfo.c_str(), "pgfo", options.c_str(), nullptr};
    Connection connection(PQconnectStartParams(keywords, values, 1));
    PGconn* conn = connection.m_conn;
    if (!conn)
        return make_error(ErrorKind::failed, "could not connect: out of memory");
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);

    auto failed = [&] { return make_error(ErrorKind::failed, scrub(first_line(PQerrorMessage(conn)), password)); };
    auto timed_out = [&](const std::string& address) {
        return make_error(
            ErrorKind::timeout,
            scrub("could not connect to " + address + " within " + util::format_duration(timeout), password));
    };

    if (PQstatus(conn) == CONNECTION_BAD)
        return failed();
    auto status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED)
            return failed();
        short events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        auto waited = wait_socket(PQsocket(conn), events, deadline);
        if (waited == Wait::timeout)
            return timed_out(address_of(conn));
        if (waited == Wait::error)
            return make_error(ErrorKind::failed, "could not connect to " + address_of(conn) + ": poll failed");
        status = PQconnectPoll(conn);
    }

    if (PQsetnonblocking(conn, 1) != 0)
        return failed();
    // The setup query closes the connection if it breaks: keep what the messages need.
    const std::string address = address_of(conn);
    if (setup == SessionSetup::startup)
        return connection;
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds::zero())
        return timed_out(address);
    auto set = connection.query("SET search_path = pg_catalog", left);
    if (!set) {
        if (set.error().kind == ErrorKind::timeout)
            return timed_out(address);
        return make_error(ErrorKind::failed,
                          scrub("could not set up the session on " + address + ": " + set.error().message, password));
    }
    return connection;
}

Result<QueryResult> Connection::query(const std::string& sql, const std::vector<std::string>& params,
                                      milliseconds timeout)
{
    if (!m_conn)
        return make_error(ErrorKind::failed, "connection is closed");
    const auto deadline = Clock::now() + timeout;

    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params)
        values.push_back(param.c_str());
    if (!PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0))
        return broken();

    for (;;) {
        int flushed = PQflush(m_conn);
        if (flushed == 0)
            break;
        if (flushed < 0)
            return broken();
        auto waited = wait_socket(PQsocket(m_conn), POLLIN | POLLOUT, deadline);
        if (waited == Wait::timeout)
            return cancel_after(timeout);
        if (waited == Wait::error || !PQconsumeInput(m_conn))
            return broken();
    }

    QueryResult out;
    std::optional<Error> error;
    for (;;) {
        bool done = false;
        while (!done && !PQisBusy(m_conn)) {
            PGresult* result = PQgetResult(m_conn);
            if (!result) {
                done = true;
                break;
            }
            auto status = PQresultStatus(result);
            if (status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE)
                out = tuples_of(result);
            else if (status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY)
                out = QueryResult{};
            else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
                PQclear(result);
                close();
                return make_error(ErrorKind::failed, "COPY is not supported; connection closed");
            } else if (!error)
                error = sql_error(result);
            PQclear(result);
        }
        if (done)
            break;
        auto waited = wait_socket(PQsocket(m_conn), POLLIN, deadline);
        if (waited == Wait::timeout)
            return cancel_after(timeout);
        if (waited == Wait::error || !PQconsumeInput(m_conn))
            return broken();
    }
    if (PQstatus(m_conn) == CONNECTION_BAD)
        return broken();
    if (error)
        return *error;
    return out;
}

Error Connection::broken()
{
    std::string message = first_line(PQerrorMessage(m_conn));
    close();
    return make_error(ErrorKind::failed, message.empty() ? "connection to the server was lost" : message);
}

Error Connection::cancel_after(milliseconds timeout)
{
    std::string message = "query timed out after " + util::format_duration(timeout);
    if (m_abandon_on_timeout) {
        close();
        return make_error(ErrorKind::timeout, message + "; the connection was closed");
    }
    if (send_cancel(m_conn, k_cancel_grace) && drain(Clock::now() + k_drain_grace))
        return make_error(ErrorKind::timeout, message + " and was cancelled");
    close();
    return make_error(ErrorKind::timeout, message + "; it could not be cancelled, so the connection was closed");
}

bool Connection::drain(Clock::time_point deadline)
{
    for (;;) {
        while (!PQisBusy(m_conn)) {
            PGresult* result = PQgetResult(m_conn);
            if (!result)
                return PQstatus(m_conn) == CONNECTION_OK;
            PQclear(result);
        }
        if (wait_socket(PQsocket(m_conn), POLLIN, deadline) != Wait::ready || !PQconsumeInput(m_conn))
            return false;
    }
}

std::string Connection::server_address() const
{
    return m_conn ? address_of(m_conn) : "";
}

int Connection::server_version() const
{
    return m_conn ? PQserverVersion(m_conn) : 0;
}

std::optional<std::string> Connection::parameter_status(const std::string& name) const
{
    const char* value = m_conn ? PQparameterStatus(m_conn, name.c_str()) : nullptr;
    if (!value)
        return std::nullopt;
    return std::string(value);
}

} // namespace pgfo::pg
