// Synchronous modes, operator demote and alerts around a real failover.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>

#include "fake_alert_server.hpp"
#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

struct SyncPair {
    TestDir dir;
    PgCluster primary;
    PgCluster standby;
    PgfoNode primary_node;
    PgfoNode standby_node;

    SyncPair(const std::string& mode, const std::vector<std::string>& extra = {})
        : primary(start_primary(dir)), standby(PgCluster::make_standby_of(primary, dir / "b", "node-b")),
          primary_node(PgfoNode::write(dir.path(), "node-a", primary, {standby.address()}, with(mode, extra))),
          standby_node(PgfoNode::write(dir.path(), "node-b", standby, {primary.address()}, with(mode, extra)))
    {
        primary.exec("CREATE TABLE t (id int PRIMARY KEY)");
        standby.wait_for_replay_of(primary);
    }

    static std::vector<std::string> with(const std::string& mode, std::vector<std::string> extra)
    {
        extra.push_back("failover.synchronous = \"" + mode + "\"");
        return extra;
    }

    static PgCluster start_primary(const TestDir& dir)
    {
        ClusterOptions options;
        options.data_checksums = true;
        options.fsync = true;
        return PgCluster::started(dir / "a", options);
    }
};

}  // namespace

TEST_CASE("synchronous on: every acknowledged row survives the failover and writes resume at once", "[engine]")
{
    SyncPair pair("on");
    // MASTER on the running primary keeps synchronous_standby_names current.
    REQUIRE(pair.primary_node.run({"notify", "INSTANCE", "VI_1", "MASTER"}).code == 0);
    CHECK(pair.primary.scalar("SHOW synchronous_standby_names") == "*");
    pair.primary.wait_until("SELECT sync_state = 'sync' FROM pg_stat_replication");
    pair.primary.exec("INSERT INTO t SELECT generate_series(1, 500)");
    pair.primary.stop(StopMode::immediate);

    auto result = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK(pair.standby.scalar("SELECT count(*) FROM t") == "500");
    CHECK(pair.standby.scalar("SHOW synchronous_standby_names").empty());
    auto write = std::async(std::launch::async, [&] { pair.standby.exec("INSERT INTO t VALUES (501)"); });
    CHECK(write.wait_for(10s) == std::future_status::ready);
}

TEST_CASE("synchronous strict: writes wait after the failover and resume when the old node rejoins", "[engine]")
{
    SyncPair pair("strict");
    REQUIRE(pair.primary_node.run({"notify", "INSTANCE", "VI_1", "MASTER"}).code == 0);
    pair.primary.exec("INSERT INTO t SELECT generate_series(1, 100)");
    pair.primary.stop(StopMode::immediate);
    auto promoted = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"});
    INFO(promoted.output);
    REQUIRE(promoted.code == 0);
    CHECK(pair.standby.scalar("SHOW synchronous_standby_names") == "*");

    auto write = std::async(std::launch::async, [&] { pair.standby.exec("INSERT INTO t VALUES (101)"); });
    CHECK(write.wait_for(2s) == std::future_status::timeout);  // no standby: the commit waits

    auto rejoined = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "BACKUP"});
    INFO(rejoined.output);
    REQUIRE(rejoined.code == 0);
    CHECK(write.wait_for(30s) == std::future_status::ready);
    pair.primary.wait_for_replay_of(pair.standby);
    CHECK(pair.primary.scalar("SELECT count(*) FROM t") == "101");
}

TEST_CASE("demote hands the primary role over: fence, wait for the new primary, rejoin", "[engine]")
{
    SyncPair pair("off");
    pair.primary.exec("INSERT INTO t SELECT generate_series(1, 10)");
    pair.standby.wait_for_replay_of(pair.primary);
    auto demote = std::async(std::launch::async, [&] { return pair.primary_node.run({"demote"}); });
    // The operator promotes the standby once the old primary is fenced.
    REQUIRE(pair.primary_node.wait_event("fence.done", 10s));
    auto promote = pair.standby_node.run({"promote"});
    INFO(promote.output);
    REQUIRE(promote.code == 0);
    auto demoted = demote.get();
    INFO(demoted.output);
    CHECK(demoted.code == 0);
    CHECK(pair.primary.in_recovery());
    CHECK_FALSE(pair.standby.in_recovery());
    pair.standby.exec("INSERT INTO t VALUES (11)");
    pair.primary.wait_for_replay_of(pair.standby);
    CHECK(pair.primary.scalar("SELECT count(*) FROM t") == "11");
}

TEST_CASE("a hanging alert server does not delay the role change", "[engine][alert]")
{
    TestDir alert_dir;
    FakeAlertServer server(alert_dir, {{"hang"}, "123:secret-token-value", 1});
    alert_dir.write("token", "123:secret-token-value\n", 0600);
    SyncPair pair("off", {"[telegram]", "token_file = \"" + alert_dir / "token" + "\"", "chat_id = \"-100\"",
                          "api_url = \"" + server.url() + "\"", "timeout = \"3s\""});
    pair.primary.stop(StopMode::immediate);
    auto result = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"});
    INFO(result.output);
    CHECK(result.code == 0);
    CHECK_FALSE(pair.standby.in_recovery());
    auto done = pair.standby_node.events("promote.done");
    auto failed = pair.standby_node.events("alert.failed");
    REQUIRE(done.size() == 1);
    REQUIRE(failed.size() == 1);
    // Timestamps are ISO 8601 UTC with milliseconds: they order as strings.
    CHECK(logfmt_value(done[0], "ts") < logfmt_value(failed[0], "ts"));
    CHECK(logfmt_value(pair.standby_node.events("transition.done")[0], "ts") <= logfmt_value(failed[0], "ts"));
    CHECK(server.requests().size() >= 1);
    for (const auto& line : pair.standby_node.log_lines())
        CHECK(line.find("secret-token-value") == std::string::npos);
    CHECK(result.output.find("secret-token-value") == std::string::npos);
}
