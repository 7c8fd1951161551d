#include <catch2/catch.hpp>

#include "alert/json.hpp"
#include "node/status_report.hpp"

using namespace pgfo;
using namespace pgfo::node;
using alert::json::Value;

namespace {

const Value& member(const Value& object, const char* key)
{
    const Value* value = object.get(key);
    INFO("missing key " << key);
    REQUIRE(value);
    return *value;
}

std::string text(const Value& object, const char* key)
{
    const Value& value = member(object, key);
    REQUIRE(value.is_string());
    return value.text;
}

std::int64_t number(const Value& object, const char* key)
{
    auto value = member(object, key).as_int();
    REQUIRE(value);
    return *value;
}

Value parsed(const StatusReport& report)
{
    auto document = alert::json::parse(render_status_json(report));
    REQUIRE(document);
    REQUIRE(document->is_object());
    return *document;
}

StatusReport standby_report()
{
    StatusReport report;
    report.node = "pg-02";
    report.server_running = true;
    report.server_address = "127.0.0.1:5433";
    pg::ServerState server;
    server.in_recovery = true;
    server.timeline = 3;
    server.current_lsn = server.replay_lsn = 0x3000100;
    server.receive_lsn = 0x3000400;
    server.latest_end_lsn = 0x3000500;
    server.replay_lag_seconds = 1.25;
    server.wal_receiver_status = "streaming";
    server.wal_receiver_streaming = true;
    server.upstream_host = "10.0.0.1";
    server.upstream_port = 5432;
    server.received_timeline = 3;
    server.server_version = 150004;
    pg::ReplicationClient cascade;
    cascade.application_name = "pg-03";
    cascade.client_addr = "10.0.0.3";
    cascade.state = "streaming";
    cascade.sync_state = "async";
    cascade.sent_lsn = cascade.write_lsn = cascade.flush_lsn = 0x3000100;
    cascade.replay_lsn = 0x3000000;
    server.clients.push_back(cascade);
    report.server = server;
    report.vip = "10.0.0.100";
    report.vip_held = false;
    report.paused = util::PauseInfo{"kernel \"upgrade\"", "2026-11-29T10:00:00.000Z"};
    report.keepalived = util::RequestedState{7, "BACKUP", "2026-11-29T09:00:00.000Z", "abc123"};
    report.last_transition = parse_last_transition(
        "ts=2026-11-29T09:00:01.000Z tx=abc123 state=BACKUP outcome=done ms=42 msg=\"standby of 10.0.0.1:5432\"");
    report.last_check = pgfo::util::HealthRecord{true, "standby on timeline 3", "2026-11-29T09:00:02.000Z"};
    report.track_file = "/var/lib/pgfo/weight";
    report.track_weight = 45;
    core::PeerObservation primary;
    primary.address = "10.0.0.1:5432";
    primary.reachable = true;
    primary.timeline = 3;
    primary.lsn = 0x3000500;
    core::PeerObservation dead;
    dead.address = "10.0.0.3:5432";
    dead.error = "timeout";
    report.peers = {primary, dead};
    return report;
}

}  // namespace

TEST_CASE("status JSON of a standby carries every field", "[status]")
{
    const Value doc = parsed(standby_report());
    CHECK(number(doc, "schema") == 1);
    CHECK(text(doc, "node") == "pg-02");
    CHECK(text(doc, "role") == "standby");

    const Value& server = member(doc, "server");
    CHECK(member(server, "running").boolean);
    CHECK(member(server, "reachable").boolean);
    CHECK(text(server, "address") == "127.0.0.1:5433");
    CHECK(member(server, "error").is_null());
    CHECK(number(server, "version") == 150004);
    CHECK(member(server, "in_recovery").boolean);
    CHECK(number(server, "timeline") == 3);
    CHECK(text(server, "current_lsn") == "0/3000100");
    CHECK(text(server, "receive_lsn") == "0/3000400");
    CHECK(text(server, "replay_lsn") == "0/3000100");
    CHECK(number(server, "replay_lag_bytes") == 0x400);  // latest_end_lsn - replay
    CHECK(member(server, "replay_lag_seconds").as_double() == Approx(1.25));
    CHECK(member(server, "replay_paused").is_bool());
    CHECK_FALSE(member(server, "replay_paused").boolean);
    const Value& receiver = member(server, "wal_receiver");
    CHECK(text(receiver, "status") == "streaming");
    CHECK(text(receiver, "upstream") == "10.0.0.1:5432");
    CHECK(number(receiver, "timeline") == 3);
    CHECK(text(receiver, "latest_end_lsn") == "0/3000500");
    CHECK(text(server, "synchronous_standby_names").empty());
    const Value& clients = member(server, "replication");
    REQUIRE(clients.is_array());
    REQUIRE(clients.items.size() == 1);
    const Value& client = clients.items[0];
    CHECK(text(client, "application_name") == "pg-03");
    CHECK(text(client, "client_addr") == "10.0.0.3");
    CHECK(text(client, "state") == "streaming");
    CHECK(text(client, "sync_state") == "async");
    CHECK(text(client, "sent_lsn") == "0/3000100");
    CHECK(text(client, "write_lsn") == "0/3000100");
    CHECK(text(client, "flush_lsn") == "0/3000100");
    CHECK(text(client, "replay_lsn") == "0/3000000");
    CHECK(number(client, "replay_lag_bytes") == 0x100);  // our replay position - theirs
    CHECK(member(client, "replay_lag_seconds").is_null());

    const Value& vip = member(doc, "vip");
    CHECK(text(vip, "address") == "10.0.0.100");
    CHECK(member(vip, "held").is_bool());
    CHECK_FALSE(member(vip, "held").boolean);
    CHECK(member(vip, "error").is_null());
    const Value& paused = member(doc, "paused");
    CHECK(text(paused, "reason") == "kernel \"upgrade\"");
    CHECK(text(paused, "since") == "2026-11-29T10:00:00.000Z");
    const Value& keepalived = member(doc, "keepalived");
    CHECK(text(keepalived, "state") == "BACKUP");
    CHECK(number(keepalived, "seq") == 7);
    CHECK(text(keepalived, "ts") == "2026-11-29T09:00:00.000Z");
    CHECK(text(keepalived, "tx") == "abc123");
    const Value& last = member(doc, "last_transition");
    CHECK(text(last, "ts") == "2026-11-29T09:00:01.000Z");
    CHECK(text(last, "tx") == "abc123");
    CHECK(text(last, "state") == "BACKUP");
    CHECK(text(last, "outcome") == "done");
    CHECK(number(last, "ms") == 42);
    CHECK(text(last, "message") == "standby of 10.0.0.1:5432");
    CHECK_THAT(text(last, "raw"), Catch::Matchers::StartsWith("ts=2026-11-29T09:00:01.000Z tx=abc123"));
    const Value& check = member(doc, "last_check");
    CHECK(member(check, "healthy").boolean);
    CHECK(text(check, "reason") == "standby on timeline 3");
    CHECK(text(check, "since") == "2026-11-29T09:00:02.000Z");
    const Value& track = member(doc, "track_file");
    CHECK(text(track, "path") == "/var/lib/pgfo/weight");
    CHECK(number(track, "weight") == 45);

    const Value& peers = member(doc, "peers");
    REQUIRE(peers.items.size() == 2);
    CHECK(text(peers.items[0], "address") == "10.0.0.1:5432");
    CHECK(member(peers.items[0], "reachable").boolean);
    CHECK(text(peers.items[0], "role") == "primary");
    CHECK(number(peers.items[0], "timeline") == 3);
    CHECK(text(peers.items[0], "lsn") == "0/3000500");
    CHECK(member(peers.items[0], "error").is_null());
    CHECK_FALSE(member(peers.items[1], "reachable").boolean);
    CHECK(text(peers.items[1], "role") == "unreachable");
    CHECK(member(peers.items[1], "timeline").is_null());
    CHECK(member(peers.items[1], "lsn").is_null());
    CHECK(text(peers.items[1], "error") == "timeout");
}

TEST_CASE("status JSON of a stopped server keeps the keys, with nulls", "[status]")
{
    StatusReport report;
    report.node = "pg-01";
    report.server_address = "127.0.0.1:5432";
    const Value doc = parsed(report);
    CHECK(text(doc, "role") == "stopped");
    const Value& server = member(doc, "server");
    CHECK_FALSE(member(server, "running").boolean);
    CHECK_FALSE(member(server, "reachable").boolean);
    for (const char* key :
         {"version", "in_recovery", "timeline", "current_lsn", "receive_lsn", "replay_lsn", "replay_lag_bytes",
          "replay_lag_seconds", "replay_paused", "wal_receiver", "synchronous_standby_names", "replication"}) {
        INFO(key);
        CHECK(member(server, key).is_null());
    }
    for (const char* key : {"vip", "paused", "keepalived", "last_transition", "last_check", "track_file"}) {
        INFO(key);
        CHECK(member(doc, key).is_null());
    }
    CHECK(member(doc, "peers").is_array());
    CHECK(member(doc, "peers").items.empty());

    report.server_running = true;
    report.server_error = "timeout";
    CHECK(text(parsed(report), "role") == "unreachable");
}

TEST_CASE("status human table: one aligned row per fact", "[status]")
{
    const std::string table = render_status_human(standby_report());
    for (const char* expected :
         {"node         pg-02\n", "role         standby, timeline 3\n",
          "server       running, accepting connections at 127.0.0.1:5433 (PostgreSQL 15.4)\n",
          "wal          receive 0/3000400, replay 0/3000100, lag 1.0 kB, 1.250s\n",
          "receiver     streaming from 10.0.0.1:5432, timeline 3\n",
          "replication  pg-03 (10.0.0.3) streaming async, replay 0/3000000, lag 256 bytes\n",
          "vip          10.0.0.100 not on this host\n",
          "paused       yes: kernel \"upgrade\" (since 2026-11-29T10:00:00.000Z)\n",
          "keepalived   BACKUP (#7 at 2026-11-29T09:00:00.000Z)\n",
          "last         2026-11-29T09:00:01.000Z BACKUP done in 42ms: standby of 10.0.0.1:5432\n",
          "check        healthy since 2026-11-29T09:00:02.000Z: standby on timeline 3\n",
          "track_file   /var/lib/pgfo/weight = 45\n", "peers        10.0.0.1:5432  primary, timeline 3, 0/3000500\n",
          "             10.0.0.3:5432  unreachable: timeout\n"}) {
        CHECK_THAT(table, Catch::Matchers::Contains(expected));
    }
}

TEST_CASE("parse_last_transition keeps a line it cannot parse as raw", "[status]")
{
    auto last = parse_last_transition("ts=x msg=\"unterminated");
    CHECK(last.raw == "ts=x msg=\"unterminated");
    CHECK(last.ts.empty());
    CHECK_FALSE(last.ms);
    auto good = parse_last_transition("ts=1 tx=2 state=MASTER outcome=refused ms=7 msg=\"peer is primary\"");
    CHECK(good.state == "MASTER");
    CHECK(good.outcome == "refused");
    CHECK(good.ms == 7);
    CHECK(good.message == "peer is primary");
}
