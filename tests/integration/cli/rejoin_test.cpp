// The check's self-healing: a node keepalived keeps in FAULT (its check fails) gets no BACKUP
// notify, so the check itself starts a detached `pgfo rejoin` when the server is down or must
// yield and a peer is a reachable primary. Real PostgreSQL 15 pair, the real binary.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "fake_alert_server.hpp"
#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "shell.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

struct Pair {
    TestDir dir;
    PgCluster old_primary;
    PgCluster new_primary;
    PgfoNode old_node;
    PgfoNode new_node;

    explicit Pair(const std::vector<std::string>& extra = {})
        : old_primary(started(dir)), new_primary(PgCluster::make_standby_of(old_primary, dir / "b", "node-b")),
          old_node(PgfoNode::write(dir.path(), "node-a", old_primary, {new_primary.address()}, extra)),
          new_node(PgfoNode::write(dir.path(), "node-b", new_primary, {old_primary.address()}, extra))
    {
        old_primary.exec("CREATE TABLE t (id int PRIMARY KEY, note text)");
        old_primary.exec("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 100) g");
        new_primary.wait_for_replay_of(old_primary);
    }

    static PgCluster started(const TestDir& dir)
    {
        ClusterOptions options;
        options.wal_log_hints = true;  // pg_rewind needs it (or checksums)
        return PgCluster::started(dir / "a", options);
    }

    // The standby is promoted (timeline 2) and takes a write the old primary never sees.
    void fail_over()
    {
        new_primary.exec("SELECT pg_promote()");
        new_primary.wait_until("SELECT NOT pg_is_in_recovery()");
        new_primary.exec("INSERT INTO t VALUES (1000, 'after failover')");
    }

    // Waits until the detached rejoin logged its end (done or failed).
    bool wait_rejoin_end(std::chrono::seconds timeout = 60s) const
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            for (const auto& line : old_node.log_lines())
                if (logfmt_value(line, "event").rfind("transition.", 0) == 0 && logfmt_value(line, "state") == "rejoin")
                    return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }
};

}  // namespace

TEST_CASE("check: a stopped old primary with a peer primary starts a detached rejoin through pg_rewind", "[check]")
{
    Pair pair;
    pair.fail_over();
    pair.old_primary.exec("INSERT INTO t VALUES (2000, 'diverged')");  // after the fork: gone after rewind
    pair.old_primary.stop(StopMode::immediate);

    auto check = pair.old_node.run({"check"});
    CHECK(check.code == 1);  // unhealthy now; healthy again once the rejoin is done
    REQUIRE(pair.old_node.events("check.rejoin").size() == 1);
    CHECK(logfmt_value(pair.old_node.events("check.rejoin")[0], "msg")
              .find("server is down and peer " + pair.new_primary.address()) != std::string::npos);
    REQUIRE(pair.wait_rejoin_end());
    INFO(pair.old_node.log_lines().back());
    CHECK(pair.old_node.has_event("transition.done"));
    CHECK(pair.old_node.has_event("rewind.done"));
    CHECK(!pair.old_node.has_event("basebackup.done"));
    CHECK(!pair.old_node.has_event("rewind.impossible"));
    CHECK(pair.old_node.has_event("rewind.recovered"));  // crashed: recovered first, then rewound

    pair.old_primary.wait_for_streaming();
    CHECK(pair.old_primary.in_recovery());
    pair.old_primary.wait_for_replay_of(pair.new_primary);
    CHECK(pair.old_primary.scalar("SELECT note FROM t WHERE id = 1000") == "after failover");
    CHECK(pair.old_primary.scalar("SELECT count(*) FROM t WHERE id = 2000") == "0");
    CHECK(pair.old_node.run({"check"}).code == 0);
    CHECK(pair.old_node.events("check.rejoin").size() == 1);
}

TEST_CASE("check: a running primary on an older timeline yields and rejoins by itself", "[check]")
{
    Pair pair;
    pair.fail_over();  // split brain: both accept writes until the older one's check runs

    auto check = pair.old_node.run({"check"});
    CHECK(check.code == 1);
    REQUIRE(pair.old_node.events("check.rejoin").size() == 1);
    REQUIRE(pair.wait_rejoin_end());
    CHECK(pair.old_node.has_event("fence.done"));
    CHECK(pair.old_node.has_event("rewind.done"));
    pair.old_primary.wait_for_streaming();
    pair.old_primary.wait_for_replay_of(pair.new_primary);
    CHECK(pair.old_primary.scalar("SELECT count(*) FROM t") == "101");
}

TEST_CASE("check: no rejoin while paused, without a peer primary, or while a transition holds the lock", "[check]")
{
    Pair pair;
    pair.old_primary.stop(StopMode::immediate);

    SECTION("no peer is a primary yet")
    {
        CHECK(pair.old_node.run({"check"}).code == 1);
        CHECK(pair.old_node.events("check.rejoin").empty());
    }
    SECTION("paused")
    {
        pair.fail_over();
        REQUIRE(pair.old_node.run({"pause", "--reason", "maintenance"}).code == 0);
        CHECK(pair.old_node.run({"check"}).code == 0);
        CHECK(pair.old_node.events("check.rejoin").empty());
        CHECK(!pair.old_primary.is_running());
    }
    SECTION("a second check right after the first starts no second rejoin")
    {
        pair.fail_over();
        CHECK(pair.old_node.run({"check"}).code == 1);
        CHECK(pair.old_node.run({"check"}).code == 1);
        CHECK(pair.old_node.events("check.rejoin").size() == 1);
        REQUIRE(pair.wait_rejoin_end());
    }
    SECTION("--dry-run says it would and starts nothing")
    {
        pair.fail_over();
        auto dry = pair.old_node.run({"--dry-run", "-v", "check"});
        CHECK(dry.code == 1);
        CHECK(dry.output.find("would rejoin: server is down and peer") != std::string::npos);
        std::this_thread::sleep_for(1s);
        CHECK(pair.old_node.events("check.rejoin").empty());
        CHECK(!pair.old_primary.is_running());
    }
}

TEST_CASE("rejoin: a data directory rewound by a run that stopped before configuring it starts as a standby", "[check]")
{
    Pair pair;
    pair.fail_over();
    pair.old_primary.exec("INSERT INTO t VALUES (2000, 'diverged')");
    pair.old_primary.stop(StopMode::fast);
    // What an interrupted run leaves: pg_rewind done, no standby.signal written yet. (The
    // new primary's control file shows timeline 2 only after a checkpoint.)
    pair.new_primary.exec("CHECKPOINT");
    const std::string data = pair.old_primary.data_dir();
    const std::vector<std::string> own = {"postgresql.conf", "postgresql.auto.conf", "pg_hba.conf"};
    for (const auto& file : own)  // pgfo keeps this node's config files across pg_rewind
        run_checked("", {"/bin/cp", "-p", data + "/" + file, pair.dir / (file + ".own")});
    run_checked("postgres", {"/usr/lib/postgresql/15/bin/pg_rewind", "--target-pgdata=" + pair.old_primary.data_dir(),
                             "--source-server=" + pair.new_primary.conninfo()});
    for (const auto& file : own)
        run_checked("", {"/bin/cp", "-p", pair.dir / (file + ".own"), data + "/" + file});
    REQUIRE(run_checked("postgres", {"/usr/lib/postgresql/15/bin/pg_controldata", pair.old_primary.data_dir()})
                .find("in archive recovery") != std::string::npos);

    auto rejoined = pair.old_node.run({"rejoin"});
    INFO(rejoined.output);
    REQUIRE(rejoined.code == 0);
    auto rewound = pair.old_node.events("rewind.done");
    REQUIRE(rewound.size() == 1);
    CHECK(logfmt_value(rewound[0], "msg").find("already rewound") != std::string::npos);
    CHECK(!pair.old_node.has_event("rewind.recovered"));  // no crash recovery that would fork a history
    pair.old_primary.wait_for_streaming();
    pair.new_primary.exec("INSERT INTO t VALUES (3000, 'later')");
    pair.old_primary.wait_for_replay_of(pair.new_primary);
    CHECK(pair.old_primary.scalar("SELECT count(*) FROM t WHERE id IN (1000, 3000)") == "2");
    CHECK(pair.old_primary.scalar("SELECT count(*) FROM t WHERE id = 2000") == "0");
}

TEST_CASE("rejoin: a standby that crashed resumes replay without crash recovery in single-user mode", "[check]")
{
    Pair pair;
    pair.new_primary.stop(StopMode::immediate);  // the standby crashes; pair.old_primary stays primary
    auto rejoined = pair.new_node.run({"rejoin"});
    INFO(rejoined.output);
    REQUIRE(rejoined.code == 0);
    CHECK(!pair.new_node.has_event("rewind.recovered"));
    pair.new_primary.wait_for_streaming();
    pair.old_primary.exec("INSERT INTO t VALUES (4000, 'after the crash')");
    pair.new_primary.wait_for_replay_of(pair.old_primary);
    CHECK(pair.new_primary.scalar("SELECT note FROM t WHERE id = 4000") == "after the crash");
}

TEST_CASE("rejoin: a stopped node on a newer timeline than the only primary is refused, its data untouched", "[check]")
{
    Pair pair;
    pair.fail_over();  // the standby is primary on timeline 2; the old primary (timeline 1) still runs
    pair.new_primary.exec("CHECKPOINT");
    pair.new_primary.stop(StopMode::fast);  // the newer history is now only on a stopped node
    const std::string data = pair.new_primary.data_dir();
    auto controldata = [&] { return run_checked("postgres", {"/usr/lib/postgresql/15/bin/pg_controldata", data}); };
    const std::string before = controldata();
    REQUIRE(before.find("Latest checkpoint's TimeLineID:       2") != std::string::npos);

    auto rejoined = pair.new_node.run({"rejoin"});
    INFO(rejoined.output);
    CHECK(rejoined.code == 3);
    CHECK(rejoined.output.find("newer than " + pair.old_primary.address() + "'s timeline 1") != std::string::npos);
    CHECK(controldata() == before);  // not rewound, not copied over
    CHECK(!pair.new_primary.is_running());
    CHECK_FALSE(pair.old_primary.in_recovery());
}

TEST_CASE("check: the rejoin it starts alerts as a rejoin, not as a keepalived state", "[check][alert]")
{
    TestDir alert_dir;
    FakeAlertServer server(alert_dir, {});
    Pair pair({"webhook.url = \"" + server.url() + "/hook\""});
    pair.old_primary.stop(StopMode::immediate);
    pair.fail_over();

    CHECK(pair.old_node.run({"check"}).code == 1);
    REQUIRE(pair.wait_rejoin_end());
    (void)pair.old_node.wait_event("alert.sent", 10s);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const auto body = requests[0].json();
    CHECK(body.get("event")->text == "rejoin");
    CHECK(body.get("result")->text == "ok");
    CHECK(body.get("state")->text.empty());
    CHECK(body.get("role")->text == "standby");
    CHECK(body.get("text")->text.find("keepalived state") == std::string::npos);
}
