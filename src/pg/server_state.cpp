#include "pg/server_state.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "util/units.hpp"

namespace pgfo::pg {
namespace {

using std::chrono::milliseconds;

// One round trip; CASE keeps functions that error on the other role from running. The
// statistics functions are called directly, not through their views, and the timeline is
// decoded here: a fresh backend plans this several milliseconds faster (it is check's query).
constexpr std::string_view k_brief_columns = R"(
SELECT r.in_recovery,
       CASE WHEN r.in_recovery THEN pg_catalog.pg_last_wal_replay_lsn()
            ELSE pg_catalog.pg_current_wal_lsn() END AS current_lsn,
       pg_catalog.pg_last_wal_receive_lsn() AS receive_lsn,
       pg_catalog.pg_last_wal_replay_lsn() AS replay_lsn,
       CASE WHEN NOT r.in_recovery
            THEN pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()) END AS current_walfile,
       CASE WHEN r.in_recovery THEN (pg_catalog.pg_control_checkpoint()).timeline_id END AS checkpoint_tli,
       w.status AS receiver_status,
       w.sender_host,
       w.sender_port,
       w.received_tli,
       w.latest_end_lsn,
       CASE WHEN r.in_recovery THEN pg_catalog.pg_is_wal_replay_paused() ELSE false END AS replay_paused,
       CASE WHEN NOT r.in_recovery
            THEN (SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_get_wal_senders() s
                   WHERE s.state OPERATOR(pg_catalog.=) 'streaming') END AS streaming_standbys,
       pg_catalog.current_setting('synchronous_standby_names') AS synchronous_standby_names)";

constexpr std::string_view k_full_columns = R"(,
       CASE WHEN NOT r.in_recovery THEN NULL
            WHEN pg_catalog.pg_last_wal_receive_lsn() OPERATOR(pg_catalog.=) pg_catalog.pg_last_wal_replay_lsn()
            THEN 0
            ELSE pg_catalog.date_part('epoch', pg_catalog.now() OPERATOR(pg_catalog.-)
                                               pg_catalog.pg_last_xact_replay_timestamp()) END AS replay_lag,
       pg_catalog.current_setting('server_version_num') AS server_version_num,
       CASE WHEN pg_catalog.pg_has_role('pg_read_all_settings', 'USAGE')
            THEN pg_catalog.current_setting('data_directory') END AS data_directory)";

// pg_stat_get_wal_receiver() returns one row, all NULL when no WAL receiver runs.
constexpr std::string_view k_from = R"(
  FROM (SELECT pg_catalog.pg_is_in_recovery() AS in_recovery) r,
       pg_catalog.pg_stat_get_wal_receiver() w)";

constexpr std::string_view k_clients_query = R"(
SELECT application_name, pg_catalog.host(client_addr) AS client_addr, state, sync_state,
       sent_lsn, write_lsn, flush_lsn, replay_lsn,
       pg_catalog.date_part('epoch', replay_lag) AS replay_lag
  FROM pg_catalog.pg_stat_replication
 ORDER BY application_name, pid)";

// Reads typed values out of one row, remembering the first malformed one.
class RowReader {
public:
    RowReader(const QueryResult& result, std::size_t row) : m_result(result), m_row(row) {}

    std::string text(const std::string& column) const { return m_result.get(m_row, column).value_or(""); }
    bool flag(const std::string& column) const { return text(column) == "t"; }

    Lsn lsn(const std::string& column)
    {
        auto value = m_result.get(m_row, column);
        if (!value)
            return 0;
        auto lsn = parse_lsn(*value);
        if (!lsn)
            note_bad(column, *value);
        return lsn.value_or(0);
    }

    template <class Int> Int integer(const std::string& column)
    {
        auto value = m_result.get(m_row, column);
        Int number = 0;
        if (!value)
            return number;
        auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), number);
        if (ec != std::errc() || end != value->data() + value->size())
            note_bad(column, *value);
        return number;
    }

    // The timeline of a WAL file name: its first 8 hex digits.
    std::uint32_t walfile_timeline(const std::string& column)
    {
        auto value = m_result.get(m_row, column);
        std::uint32_t timeline = 0;
        if (!value)
            return timeline;
        auto [end, ec] = std::from_chars(value->data(), value->data() + std::min<std::size_t>(8, value->size()),
                                         timeline, 16);
        if (value->size() != 24 || ec != std::errc() || end != value->data() + 8)
            note_bad(column, *value);
        return timeline;
    }

    std::optional<double> seconds(const std::string& column)
    {
        auto value = m_result.get(m_row, column);
        if (!value)
            return std::nullopt;
        try {
            std::size_t used = 0;
            double number = std::stod(*value, &used);
            if (used == value->size())
                return number;
        } catch (const std::exception&) {
        }
        note_bad(column, *value);
        return std::nullopt;
    }

    const std::optional<std::string>& problem() const { return m_problem; }

private:
    void note_bad(const std::string& column, const std::string& value)
    {
        if (!m_problem)
            m_problem = column + " has the unexpected value \"" + value + "\"";
    }

    const QueryResult& m_result;
    std::size_t m_row;
    std::optional<std::string> m_problem;
};

Error inspect_error(const std::string& address, const Error& error)
{
    return make_error(error.kind, "could not inspect " + address + ": " + error.message);
}

Result<std::vector<ReplicationClient>> read_clients(Connection& conn, milliseconds timeout)
{
    auto result = conn.query(std::string(k_clients_query), timeout);
    if (!result)
        return result.error();
    std::vector<ReplicationClient> clients;
    for (std::size_t row = 0; row < result->rows.size(); ++row) {
        RowReader reader(*result, row);
        ReplicationClient client;
        client.application_name = reader.text("application_name");
        client.client_addr = reader.text("client_addr");
        client.state = reader.text("state");
        client.sync_state = reader.text("sync_state");
        client.sent_lsn = reader.lsn("sent_lsn");
        client.write_lsn = reader.lsn("write_lsn");
        client.flush_lsn = reader.lsn("flush_lsn");
        client.replay_lsn = reader.lsn("replay_lsn");
        client.replay_lag_seconds = reader.seconds("replay_lag");
        if (reader.problem())
            return make_error(ErrorKind::failed, "pg_stat_replication " + *reader.problem());
        clients.push_back(std::move(client));
    }
    return clients;
}

} // namespace

Result<ServerState> inspect_server(Connection& conn, milliseconds timeout, bool brief)
{
    const auto deadline = Clock::now() + timeout;
    const auto address = conn.is_open() ? conn.server_address() : std::string("the server");
    std::string sql(k_brief_columns);
    if (!brief)
        sql += k_full_columns;
    sql += k_from;

    auto result = conn.query(sql, timeout);
    // A promotion that ends while the statement runs makes its recovery-only functions fail
    // (SQLSTATE 55000, "recovery is not in progress"); asked again, the server answers.
    if (!result && result.error().message.find("(SQLSTATE 55000)") != std::string::npos && Clock::now() < deadline)
        result = conn.query(sql, std::chrono::ceil<milliseconds>(deadline - Clock::now()));
    if (!result)
        return inspect_error(address, result.error());
    if (result->rows.size() != 1)
        return make_error(ErrorKind::failed, "could not inspect " + address + ": expected one row, got " +
                                                 std::to_string(result->rows.size()));

    RowReader row(*result, 0);
    ServerState state;
    state.server_version = conn.server_version();
    state.in_recovery = row.flag("in_recovery");
    state.current_lsn = row.lsn("current_lsn");
    state.receive_lsn = row.lsn("receive_lsn");
    state.replay_lsn = row.lsn("replay_lsn");
    state.received_timeline = row.integer<std::uint32_t>("received_tli");
    if (state.in_recovery) {
        state.timeline = state.received_timeline != 0 ? state.received_timeline
                                                      : row.integer<std::uint32_t>("checkpoint_tli");
    } else {
        state.timeline = row.walfile_timeline("current_walfile");
    }
    state.wal_receiver_status = row.text("receiver_status");
    state.wal_receiver_streaming = state.wal_receiver_status == "streaming";
    state.upstream_host = row.text("sender_host");
    state.upstream_port = row.integer<int>("sender_port");
    state.replay_paused = row.flag("replay_paused");
    state.latest_end_lsn = row.lsn("latest_end_lsn");
    state.streaming_standbys = row.integer<int>("streaming_standbys");
    state.synchronous_standby_names = row.text("synchronous_standby_names");
    if (!brief) {
        state.replay_lag_seconds = row.seconds("replay_lag");
        state.server_version = row.integer<int>("server_version_num");
        state.data_directory = row.text("data_directory");
    }
    if (row.problem())
        return make_error(ErrorKind::failed, "could not inspect " + address + ": " + *row.problem());
    if (brief)
        return state;

    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds::zero())
        return make_error(ErrorKind::timeout,
                          "could not inspect " + address + " within " + util::format_duration(timeout));
    auto clients = read_clients(conn, left);
    if (!clients)
        return inspect_error(address, clients.error());
    state.clients = std::move(*clients);
    return state;
}

} // namespace pgfo::pg
