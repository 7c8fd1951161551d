#include <catch2/catch.hpp>

#include <thread>

#include "pg/connection.hpp"
#include "pg/server_state.hpp"
#include "support/pg_cluster.hpp"
#include "support/test_dir.hpp"

using namespace pgfo;
using namespace pgfo::pg;
using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

Connection connect(const PgCluster& cluster)
{
    auto conn = Connection::open(cluster.conninfo(), 10s);
    INFO((conn.ok() ? "" : conn.error().message));
    REQUIRE(conn.ok());
    return std::move(conn).value();
}

ServerState inspect(Connection& conn, bool brief = false)
{
    auto state = inspect_server(conn, 5s, brief);
    INFO((state.ok() ? "" : state.error().message));
    REQUIRE(state.ok());
    return std::move(state).value();
}

// Inspects until CONDITION holds; fails the test after TIMEOUT.
template <class Condition>
ServerState inspect_until(Connection& conn, Condition condition, std::chrono::milliseconds timeout = 20s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto state = inspect(conn);
        if (condition(state))
            return state;
        if (std::chrono::steady_clock::now() >= deadline)
            FAIL("server state did not reach the expected condition");
        std::this_thread::sleep_for(50ms);
    }
}

}  // namespace

TEST_CASE("a lone primary reports its role, timeline 1 and its WAL position")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto conn = connect(primary);

    auto state = inspect(conn);
    CHECK_FALSE(state.in_recovery);
    CHECK(state.timeline == 1);
    CHECK(state.current_lsn > 0);
    CHECK(state.receive_lsn == 0);
    CHECK(state.replay_lsn == 0);
    CHECK_FALSE(state.replay_lag_seconds);
    CHECK_FALSE(state.wal_receiver_streaming);
    CHECK(state.wal_receiver_status.empty());
    CHECK(state.upstream_host.empty());
    CHECK(state.upstream_port == 0);
    CHECK_FALSE(state.replay_paused);
    CHECK(state.clients.empty());
    CHECK(state.synchronous_standby_names.empty());
    CHECK(state.server_version >= 150000);
    CHECK(state.server_version < 160000);
    CHECK(state.data_directory == primary.data_dir());

    primary.exec("CREATE TABLE t AS SELECT generate_series(1, 1000) AS v");
    auto later = inspect(conn, true);
    CHECK(later.current_lsn > state.current_lsn);
    CHECK_FALSE(later.in_recovery);
    CHECK(later.timeline == 1);
    CHECK(later.data_directory.empty());
}

TEST_CASE("primary and streaming standby describe each other")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto standby = PgCluster::make_standby_of(primary, dir / "standby", "standby1");
    auto primary_conn = connect(primary);
    auto standby_conn = connect(standby);

    // The primary lists the standby among its replication clients.
    auto on_primary = inspect_until(
        primary_conn, [](const ServerState& s) { return s.clients.size() == 1 && s.clients[0].state == "streaming"; });
    CHECK_FALSE(on_primary.in_recovery);
    CHECK(on_primary.timeline == 1);
    const auto& client = on_primary.clients[0];
    CHECK(client.application_name == "standby1");
    CHECK(client.client_addr == "127.0.0.1");
    CHECK(client.sync_state == "async");
    CHECK(client.sent_lsn > 0);
    CHECK(client.replay_lsn <= client.sent_lsn);
    CHECK(client.flush_lsn <= client.sent_lsn);
    CHECK(inspect(primary_conn, true).clients.empty());

    // The standby streams from the primary's port.
    auto on_standby = inspect(standby_conn);
    CHECK(on_standby.in_recovery);
    CHECK(on_standby.wal_receiver_streaming);
    CHECK(on_standby.wal_receiver_status == "streaming");
    CHECK(on_standby.upstream_host == "127.0.0.1");
    CHECK(on_standby.upstream_port == primary.port());
    CHECK(on_standby.timeline == 1);
    CHECK(on_standby.received_timeline == 1);
    CHECK(on_standby.receive_lsn >= on_standby.replay_lsn);
    CHECK(on_standby.replay_lsn > 0);
    CHECK(on_standby.current_lsn == on_standby.replay_lsn);
    CHECK_FALSE(on_standby.replay_paused);
    CHECK(on_standby.data_directory == standby.data_dir());

    auto brief = inspect(standby_conn, true);
    CHECK(brief.in_recovery);
    CHECK(brief.wal_receiver_streaming);
    CHECK(brief.upstream_port == primary.port());
    CHECK(brief.timeline == 1);

    // Once it has replayed all the primary wrote, its lag is zero.
    primary.exec("CREATE TABLE t AS SELECT 1 AS v");
    standby.wait_for_replay_of(primary);
    auto caught_up = inspect_until(
        standby_conn, [](const ServerState& s) { return s.replay_lag_seconds && *s.replay_lag_seconds == 0.0; });
    CHECK(caught_up.receive_lsn == caught_up.replay_lsn);
    CHECK(caught_up.replay_lsn >= on_standby.replay_lsn);

    // A synchronous standby is reported as such.
    primary.append_conf("synchronous_standby_names = 'standby1'");
    primary.reload();
    // (The walsender may see the reload before this session's backend has processed its SIGHUP.)
    auto synchronous = inspect_until(primary_conn, [](const ServerState& s) {
        return s.clients.size() == 1 && s.clients[0].sync_state == "sync" && s.synchronous_standby_names == "standby1";
    });
    CHECK(synchronous.clients.at(0).sync_state == "sync");
    CHECK(synchronous.synchronous_standby_names == "standby1");
}

TEST_CASE("a standby notices its primary is gone and reports timeline 2 after promotion")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto standby = PgCluster::make_standby_of(primary, dir / "standby", "standby1");
    auto conn = connect(standby);
    REQUIRE(inspect(conn).wal_receiver_streaming);

    primary.stop();
    auto orphaned = inspect_until(conn, [](const ServerState& s) { return !s.wal_receiver_streaming; });
    CHECK(orphaned.in_recovery);
    CHECK(orphaned.wal_receiver_status != "streaming");
    CHECK(orphaned.timeline == 1);
    CHECK(orphaned.replay_lsn > 0);

    CHECK(standby.scalar("SELECT pg_catalog.pg_promote(true, 30)") == "t");
    auto promoted = inspect(conn);
    CHECK_FALSE(promoted.in_recovery);
    CHECK(promoted.timeline == 2);
    CHECK_FALSE(promoted.wal_receiver_streaming);
    CHECK(promoted.wal_receiver_status.empty());
    CHECK(promoted.current_lsn >= orphaned.replay_lsn);
    CHECK_FALSE(promoted.replay_lag_seconds);
    CHECK_FALSE(promoted.replay_paused);
    CHECK(inspect(conn, true).timeline == 2);
}

TEST_CASE("a standby with replay paused says so and shows growing lag")
{
    TestDir dir;
    PgCluster primary(dir / "primary");
    primary.start();
    auto standby = PgCluster::make_standby_of(primary, dir / "standby", "standby1");
    auto conn = connect(standby);
    primary.exec("CREATE TABLE t (v int)");
    standby.wait_for_replay_of(primary);
    CHECK_FALSE(inspect(conn).replay_paused);

    standby.exec("SELECT pg_wal_replay_pause()");
    auto paused = inspect(conn, true);
    CHECK(paused.replay_paused);

    primary.exec("INSERT INTO t VALUES (1)");
    auto behind = inspect_until(conn, [](const ServerState& s) { return s.receive_lsn > s.replay_lsn; });
    CHECK(behind.replay_paused);
    REQUIRE(behind.replay_lag_seconds);
    CHECK(*behind.replay_lag_seconds > 0.0);

    standby.exec("SELECT pg_wal_replay_resume()");
    auto resumed = inspect_until(conn, [](const ServerState& s) {
        return !s.replay_paused && s.replay_lag_seconds && *s.replay_lag_seconds == 0.0;
    });
    CHECK(resumed.receive_lsn == resumed.replay_lsn);
}

TEST_CASE("inspecting over a closed connection fails and names the problem")
{
    Connection closed;
    auto state = inspect_server(closed, 1s);
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().kind == ErrorKind::failed);
    CHECK(state.error().message.find("connection is closed") != std::string::npos);
}
