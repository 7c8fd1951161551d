// pgfo status against real PostgreSQL 15 servers: every field of the JSON checked.
#include <catch2/catch.hpp>
#include <signal.h>

#include <algorithm>
#include <optional>

#include "alert/json.hpp"
#include "cli_runner.hpp"
#include "pg/lsn.hpp"
#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
using pgfo::alert::json::Value;
using pgfo::pg::Lsn;
using pgfo::pg::parse_lsn;

namespace {

std::string quoted(const std::string& text)
{
    return "\"" + text + "\"";
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

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
    INFO(key << " is not a string");
    REQUIRE(value.is_string());
    return value.text;
}

std::int64_t number(const Value& object, const char* key)
{
    auto value = member(object, key).as_int();
    INFO(key << " is not an integer");
    REQUIRE(value);
    return *value;
}

bool flag(const Value& object, const char* key)
{
    const Value& value = member(object, key);
    INFO(key << " is not a boolean");
    REQUIRE(value.is_bool());
    return value.boolean;
}

Lsn lsn(const Value& object, const char* key)
{
    auto value = parse_lsn(text(object, key));
    INFO(key << " is not an LSN");
    REQUIRE(value);
    return *value;
}

Lsn lsn_of(const PgCluster& cluster, const std::string& sql)
{
    return parse_lsn(cluster.scalar(sql)).value();
}

bool is_utc_timestamp(const std::string& ts)
{
    return ts.size() == 24 && ts[10] == 'T' && ts.back() == 'Z';
}

struct Status {
    CliResult result;
    Value doc;
};

Status status_json(const PgfoNode& node)
{
    Status status;
    status.result = run_cli({"-c", node.config_path, "status", "--json"});
    INFO(status.result.out << status.result.err);
    REQUIRE(std::count(status.result.out.begin(), status.result.out.end(), '\n') == 1);
    auto doc = pgfo::alert::json::parse(status.result.out);
    REQUIRE(doc);
    REQUIRE(doc->is_object());
    status.doc = *doc;
    return status;
}

struct Pair {
    TestDir dir;
    PgCluster primary;
    PgCluster standby;
    PgfoNode primary_node;
    PgfoNode standby_node;

    Pair()
        : primary(PgCluster::started(dir / "a")), standby(PgCluster::make_standby_of(primary, dir / "b", "node-b")),
          primary_node(PgfoNode::write(
              dir.path(), "node-a", primary, {standby.address()},
              {"node.vip = \"127.0.0.1\"", "check.track_file = " + quoted(dir / "node-a-state/weight")})),
          standby_node(PgfoNode::write(dir.path(), "node-b", standby, {primary.address()},
                                       {"node.vip = \"192.0.2.10\"", "timeouts.connect = \"1s\""}))
    {
        primary.exec("CREATE TABLE t AS SELECT generate_series(1, 1000) AS v");
        standby.wait_for_replay_of(primary);
    }
};

}  // namespace

TEST_CASE("status --json of a primary matches the running cluster, field by field", "[status]")
{
    Pair pair;
    REQUIRE(pair.primary_node.run({"check"}).code == 0);
    const Lsn before = lsn_of(pair.primary, "SELECT pg_current_wal_lsn()");
    const Status status = status_json(pair.primary_node);
    const Lsn after = lsn_of(pair.primary, "SELECT pg_current_wal_lsn()");
    const Value& doc = status.doc;
    CHECK(status.result.code == 0);
    CHECK(status.result.err.empty());

    CHECK(number(doc, "schema") == 1);
    CHECK(text(doc, "node") == "node-a");
    CHECK(text(doc, "role") == "primary");

    const Value& server = member(doc, "server");
    CHECK(flag(server, "running"));
    CHECK(flag(server, "reachable"));
    CHECK(text(server, "address") == pair.primary.address());
    CHECK(member(server, "error").is_null());
    CHECK(number(server, "version") == std::stoi(pair.primary.scalar("SHOW server_version_num")));
    CHECK_FALSE(flag(server, "in_recovery"));
    CHECK(number(server, "timeline") == 1);
    CHECK(lsn(server, "current_lsn") >= before);
    CHECK(lsn(server, "current_lsn") <= after);
    for (const char* key :
         {"receive_lsn", "replay_lsn", "replay_lag_bytes", "replay_lag_seconds", "replay_paused", "wal_receiver"}) {
        INFO(key);
        CHECK(member(server, key).is_null());
    }
    CHECK(text(server, "synchronous_standby_names").empty());

    const Value& replication = member(server, "replication");
    REQUIRE(replication.is_array());
    REQUIRE(replication.items.size() == 1);
    const Value& client = replication.items[0];
    CHECK(text(client, "application_name") == "node-b");
    CHECK(text(client, "client_addr") == "127.0.0.1");
    CHECK(text(client, "state") == "streaming");
    CHECK(text(client, "sync_state") == "async");
    const Lsn current = lsn(server, "current_lsn");
    CHECK(lsn(client, "sent_lsn") <= current);
    CHECK(lsn(client, "write_lsn") <= lsn(client, "sent_lsn"));
    CHECK(lsn(client, "flush_lsn") <= lsn(client, "write_lsn"));
    CHECK(lsn(client, "replay_lsn") <= lsn(client, "flush_lsn"));
    CHECK(lsn(client, "replay_lsn") >= lsn_of(pair.primary, "SELECT pg_current_wal_lsn()") - (1 << 20));
    CHECK(number(client, "replay_lag_bytes") == static_cast<std::int64_t>(current - lsn(client, "replay_lsn")));
    const Value& client_lag = member(client, "replay_lag_seconds");
    CHECK((client_lag.is_null() || (client_lag.as_double() && *client_lag.as_double() >= 0.0)));

    const Value& vip = member(doc, "vip");
    CHECK(text(vip, "address") == "127.0.0.1");
    CHECK(flag(vip, "held"));
    CHECK(member(vip, "error").is_null());
    CHECK(member(doc, "paused").is_null());
    CHECK(member(doc, "keepalived").is_null());
    CHECK(member(doc, "last_transition").is_null());
    const Value& check = member(doc, "last_check");
    CHECK(flag(check, "healthy"));
    CHECK(text(check, "reason") == "primary accepting connections");  // no peer primary: no query
    CHECK(is_utc_timestamp(text(check, "since")));
    const Value& track = member(doc, "track_file");
    CHECK(text(track, "path") == pair.dir / "node-a-state/weight");
    CHECK(number(track, "weight") == 100);

    const Value& peers = member(doc, "peers");
    REQUIRE(peers.items.size() == 1);
    const Value& peer = peers.items[0];
    CHECK(text(peer, "address") == pair.standby.address());
    CHECK(flag(peer, "reachable"));
    CHECK(text(peer, "role") == "standby");
    CHECK(number(peer, "timeline") == 1);
    CHECK(lsn(peer, "lsn") <= lsn_of(pair.standby, "SELECT pg_last_wal_receive_lsn()"));
    CHECK(member(peer, "error").is_null());
}

TEST_CASE("status --json of a paused standby matches the running cluster, field by field", "[status]")
{
    Pair pair;
    REQUIRE(pair.standby_node.run({"notify", "INSTANCE", "VI_1", "BACKUP", "90"}).code == 0);
    REQUIRE(pair.standby_node.run({"check"}).code == 0);
    REQUIRE(pair.standby_node.run({"pause", "--reason", "maintenance window"}).code == 0);
    const Lsn replayed = lsn_of(pair.standby, "SELECT pg_last_wal_replay_lsn()");
    const Status status = status_json(pair.standby_node);
    const Value& doc = status.doc;
    CHECK(status.result.code == 0);
    CHECK(status.result.err.empty());

    CHECK(text(doc, "node") == "node-b");
    CHECK(text(doc, "role") == "standby");
    const Value& server = member(doc, "server");
    CHECK(flag(server, "running"));
    CHECK(flag(server, "reachable"));
    CHECK(text(server, "address") == pair.standby.address());
    CHECK(member(server, "error").is_null());
    CHECK(number(server, "version") == std::stoi(pair.standby.scalar("SHOW server_version_num")));
    CHECK(flag(server, "in_recovery"));
    CHECK(number(server, "timeline") == 1);
    CHECK(lsn(server, "replay_lsn") >= replayed);
    CHECK(lsn(server, "current_lsn") == lsn(server, "replay_lsn"));
    CHECK(lsn(server, "receive_lsn") >= lsn(server, "replay_lsn"));
    CHECK(number(server, "replay_lag_bytes") >= 0);
    CHECK(number(server, "replay_lag_bytes") < (1 << 20));
    auto lag_seconds = member(server, "replay_lag_seconds").as_double();
    REQUIRE(lag_seconds);
    CHECK(*lag_seconds >= 0.0);
    CHECK_FALSE(flag(server, "replay_paused"));
    const Value& receiver = member(server, "wal_receiver");
    CHECK(text(receiver, "status") == "streaming");
    CHECK(text(receiver, "upstream") == pair.primary.address());
    CHECK(number(receiver, "timeline") == 1);
    CHECK(lsn(receiver, "latest_end_lsn") <= lsn_of(pair.primary, "SELECT pg_current_wal_lsn()"));
    CHECK(text(server, "synchronous_standby_names").empty());
    CHECK(member(server, "replication").is_array());
    CHECK(member(server, "replication").items.empty());

    const Value& vip = member(doc, "vip");
    CHECK(text(vip, "address") == "192.0.2.10");
    CHECK_FALSE(flag(vip, "held"));
    const Value& paused = member(doc, "paused");
    CHECK(text(paused, "reason") == "maintenance window");
    CHECK(is_utc_timestamp(text(paused, "since")));
    const Value& keepalived = member(doc, "keepalived");
    CHECK(text(keepalived, "state") == "BACKUP");
    CHECK(number(keepalived, "seq") == 1);
    CHECK(is_utc_timestamp(text(keepalived, "ts")));
    const std::string tx = text(keepalived, "tx");
    CHECK(tx == logfmt_value(pair.standby_node.events("notify").at(0), "tx"));
    const Value& last = member(doc, "last_transition");
    CHECK(text(last, "state") == "BACKUP");
    CHECK(text(last, "outcome") == "nothing");
    CHECK(text(last, "tx") == tx);
    CHECK(is_utc_timestamp(text(last, "ts")));
    CHECK(number(last, "ms") >= 0);
    CHECK_FALSE(text(last, "message").empty());
    CHECK(contains(text(last, "raw"), "outcome=nothing"));
    const Value& check = member(doc, "last_check");
    CHECK(flag(check, "healthy"));
    CHECK(contains(text(check, "reason"), "standby on timeline 1"));
    CHECK(member(doc, "track_file").is_null());

    const Value& peers = member(doc, "peers");
    REQUIRE(peers.items.size() == 1);
    CHECK(text(peers.items[0], "address") == pair.primary.address());
    CHECK(text(peers.items[0], "role") == "primary");
    CHECK(flag(peers.items[0], "reachable"));
    CHECK(number(peers.items[0], "timeline") == 1);
    CHECK(lsn(peers.items[0], "lsn") <= lsn_of(pair.primary, "SELECT pg_current_wal_lsn()"));

    auto human = run_cli({"-c", pair.standby_node.config_path, "status"});
    CHECK(human.code == 0);
    for (const std::string& part :
         {std::string("standby, timeline 1"), "streaming from " + pair.primary.address() + ", timeline 1",
          std::string("192.0.2.10 not on this host"), std::string("yes: maintenance window"),
          std::string("BACKUP (#1 at "), pair.primary.address() + "  primary, timeline 1"}) {
        INFO(human.out);
        CHECK(contains(human.out, part));
    }
}

TEST_CASE("status of a stopped server still prints what it knows, and exits 1", "[status]")
{
    Pair pair;
    pair.primary.stop(StopMode::fast);
    const Status status = status_json(pair.primary_node);
    CHECK(status.result.code == 1);
    CHECK(status.result.err == "pgfo: error: server of " + pair.primary.data_dir() + " is not running\n");
    const Value& doc = status.doc;
    CHECK(text(doc, "role") == "stopped");
    const Value& server = member(doc, "server");
    CHECK_FALSE(flag(server, "running"));
    CHECK_FALSE(flag(server, "reachable"));
    CHECK(text(server, "address") == pair.primary.address());
    CHECK(member(server, "timeline").is_null());
    CHECK(member(server, "replication").is_null());
    CHECK(flag(member(doc, "vip"), "held"));
    const Value& peers = member(doc, "peers");
    REQUIRE(peers.items.size() == 1);
    CHECK(text(peers.items[0], "role") == "standby");

    auto human = run_cli({"-c", pair.primary_node.config_path, "status"});
    CHECK(human.code == 1);
    CHECK(contains(human.out, "stopped"));
    CHECK(contains(human.out, "not running"));
    CHECK(contains(human.out, pair.standby.address() + "  standby, timeline 1"));
    CHECK(std::count(human.err.begin(), human.err.end(), '\n') == 1);
}

TEST_CASE("status of a running server that does not answer says so, and exits 1", "[status]")
{
    Pair pair;
    const int pid = pair.standby.postmaster_pid();
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    const Status status = status_json(pair.standby_node);
    ::kill(pid, SIGCONT);
    CHECK(status.result.code == 1);
    CHECK(status.result.err.rfind("pgfo: error: server at " + pair.standby.address() + " is not answering: ", 0) == 0);
    const Value& doc = status.doc;
    CHECK(text(doc, "role") == "unreachable");
    CHECK(flag(member(doc, "server"), "running"));
    CHECK_FALSE(flag(member(doc, "server"), "reachable"));
    CHECK(contains(text(member(doc, "server"), "error"), "within 1s"));
    CHECK(text(member(doc, "peers").items.at(0), "role") == "primary");
}
