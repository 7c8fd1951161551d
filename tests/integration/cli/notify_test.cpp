// The failover engine end to end through the real binary, on real PostgreSQL 15 servers.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

ClusterOptions rewindable()
{
    ClusterOptions options;
    options.data_checksums = true;
    return options;
}

// A primary and a streaming standby, with a pgfo config for each naming the other as peer.
struct Pair {
    TestDir dir;
    PgCluster primary;
    PgCluster standby;
    PgfoNode primary_node;
    PgfoNode standby_node;

    explicit Pair(ClusterOptions options = rewindable(), const std::vector<std::string>& extra = {})
        : primary(PgCluster::started(dir / "a", options)),
          standby(PgCluster::make_standby_of(primary, dir / "b", "node-b")),
          primary_node(PgfoNode::write(dir.path(), "node-a", primary, {standby.address()}, extra)),
          standby_node(PgfoNode::write(dir.path(), "node-b", standby, {primary.address()}, extra))
    {
        primary.exec("CREATE TABLE t (id int PRIMARY KEY, note text)");
        primary.exec("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 100) g");
        standby.wait_for_replay_of(primary);
    }
};

}  // namespace

TEST_CASE("notify MASTER on a standby promotes it: writable, new timeline", "[engine]")
{
    Pair pair;
    pair.primary.stop(StopMode::immediate);
    auto result = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK_FALSE(pair.standby.in_recovery());
    pair.standby.exec("INSERT INTO t VALUES (1000, 'after')");
    CHECK(pair.standby.scalar("SELECT count(*) FROM t") == "101");
    CHECK(pair.standby.scalar("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") == "00000002");
    auto done = pair.standby_node.events("promote.done");
    REQUIRE(done.size() == 1);
    CHECK(logfmt_value(done[0], "timeline") == "2");
    CHECK(logfmt_value(done[0], "tx") == logfmt_value(pair.standby_node.events("notify")[0], "tx"));
}

TEST_CASE("notify MASTER while the peer is a reachable primary is refused", "[engine]")
{
    Pair pair;
    auto result = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    CHECK(result.code == 3);
    CHECK(result.output.find("pgfo: refused: peer " + pair.primary.address() + " is a reachable primary") !=
          std::string::npos);
    CHECK(pair.standby.in_recovery());
    CHECK_FALSE(pair.primary.in_recovery());
    CHECK(pair.standby_node.has_event("refused"));
    CHECK_FALSE(pair.standby_node.has_event("promote.start"));
}

TEST_CASE("lag guard: a standby far behind is refused; promote --force promotes it", "[engine]")
{
    Pair pair(rewindable(), {"failover.max_lag = \"1MB\""});
    pair.standby.exec("SELECT pg_wal_replay_pause()");
    pair.primary.exec("INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series(1000, 20000) g");
    pair.primary.exec("CHECKPOINT");
    pair.standby.wait_until("SELECT pg_last_wal_receive_lsn() - pg_last_wal_replay_lsn() > 2 * 1024 * 1024");
    pair.primary.stop(StopMode::immediate);

    auto refused = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"});
    CHECK(refused.code == 3);
    CHECK(refused.output.find("behind the newest known WAL position") != std::string::npos);
    CHECK(pair.standby.in_recovery());

    auto plain = pair.standby_node.run({"promote"});
    CHECK(plain.code == 3);

    auto forced = pair.standby_node.run({"promote", "--force"});
    INFO(forced.output);
    CHECK(forced.code == 0);
    CHECK_FALSE(pair.standby.in_recovery());
}

TEST_CASE("notify BACKUP on a diverged old primary rewinds it and it streams from the new one", "[engine]")
{
    Pair pair;
    const std::string own_conf = read_text(pair.primary.data_dir() + "/postgresql.conf");
    // Split brain by hand: B is promoted while A still takes writes that B never sees.
    REQUIRE(pair.standby_node.run({"promote", "--force"}).code == 0);
    pair.primary.exec("INSERT INTO t SELECT g, 'diverged' FROM generate_series(5000, 5999) g");
    pair.standby.exec("INSERT INTO t VALUES (7000, 'new primary')");

    auto result = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    REQUIRE(pair.primary.in_recovery());
    pair.primary.wait_for_replay_of(pair.standby);
    CHECK(pair.primary.scalar("SELECT count(*) FROM t WHERE note = 'diverged'") == "0");
    CHECK(pair.primary.scalar("SELECT count(*) FROM t WHERE id = 7000") == "1");
    CHECK(pair.primary.scalar("SELECT status FROM pg_stat_wal_receiver") == "streaming");
    CHECK(read_text(pair.primary.data_dir() + "/postgresql.conf") == own_conf);
    auto rewound = pair.primary_node.events("rewind.done");
    REQUIRE(rewound.size() == 1);
    CHECK(std::stoull(logfmt_value(rewound[0], "discarded_bytes")) > 0);
    CHECK(pair.primary_node.has_event("fence.done"));
    CHECK(pair.primary_node.has_event("start_standby.done"));
    const std::string conninfo = pair.primary.scalar("SHOW primary_conninfo");
    CHECK(conninfo.find("application_name=node-a") != std::string::npos);
    CHECK(conninfo.find("port=" + std::to_string(pair.standby.port())) != std::string::npos);
}

TEST_CASE("rewind impossible: falls back to basebackup and keeps the old data directory aside", "[engine]")
{
    ClusterOptions plain;  // no checksums, no wal_log_hints
    Pair pair(plain);
    REQUIRE(pair.standby_node.run({"promote", "--force"}).code == 0);
    pair.primary.exec("INSERT INTO t VALUES (9999, 'only on the old primary')");
    pair.primary.exec("CHECKPOINT");

    auto result = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "BACKUP"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK(pair.primary_node.has_event("rewind.impossible"));
    CHECK(pair.primary.in_recovery());
    CHECK(pair.primary.scalar("SELECT count(*) FROM t WHERE id = 9999") == "0");

    std::vector<fs::path> aside;
    for (const auto& entry : fs::directory_iterator(fs::path(pair.primary.data_dir()).parent_path()))
        if (entry.path().filename().string().rfind("data.pgfo-", 0) == 0)
            aside.push_back(entry.path());
    REQUIRE(aside.size() == 1);
    CHECK(fs::exists(aside[0] / "PG_VERSION"));
    CHECK(fs::exists(aside[0] / "base"));
}

TEST_CASE("notify BACKUP on a healthy standby changes nothing", "[engine]")
{
    Pair pair;
    const int pid = pair.standby.postmaster_pid();
    const std::string data = pair.standby.data_dir();
    auto mtime = [&](const std::string& name) { return fs::last_write_time(data + "/" + name); };
    const auto before = std::vector{mtime("postgresql.auto.conf"), mtime("standby.signal"), mtime("postgresql.conf"),
                                    mtime("postmaster.pid"), mtime("pg_hba.conf")};
    std::this_thread::sleep_for(20ms);

    auto result = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "BACKUP", "90"});
    REQUIRE(result.code == 0);
    CHECK(pair.standby.postmaster_pid() == pid);
    const auto after = std::vector{mtime("postgresql.auto.conf"), mtime("standby.signal"), mtime("postgresql.conf"),
                                   mtime("postmaster.pid"), mtime("pg_hba.conf")};
    CHECK(before == after);
    auto plans = pair.standby_node.events("plan");
    REQUIRE(plans.size() == 1);
    CHECK(logfmt_value(plans[0], "outcome") == "nothing");
    for (const auto& line : pair.standby_node.log_lines())
        CHECK(logfmt_value(line, "event").find(".start") == std::string::npos);
}

TEST_CASE("keepalived's startup BACKUP does not fence a healthy primary", "[engine]")
{
    Pair pair(rewindable(), {"failover.peer_wait = \"1s\""});
    const int pid = pair.primary.postmaster_pid();
    auto result = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    CHECK(result.code == 0);
    CHECK(pair.primary.postmaster_pid() == pid);
    CHECK_FALSE(pair.primary.in_recovery());
    pair.primary.exec("INSERT INTO t VALUES (4242, 'still writable')");
    CHECK(pair.primary_node.has_event("wait_for_primary.done"));
    CHECK_FALSE(pair.primary_node.has_event("fence.start"));
}

TEST_CASE("concurrent notifies are serialized and the newest request wins", "[engine]")
{
    Pair pair;
    pair.primary.stop(StopMode::immediate);
    // Five BACKUP/MASTER notifies at once; a sixth, MASTER, once all five have recorded their request.
    const std::string requested = pair.standby_node.state_dir + "/requested";
    std::vector<std::thread> threads;
    std::vector<ShellResult> results(6);
    for (int i = 0; i < 5; ++i)
        threads.emplace_back([&, i] {
            results[i] = pair.standby_node.run({"notify", "INSTANCE", "VI_1", i % 2 ? "MASTER" : "BACKUP"});
        });
    for (int i = 0; i < 300 && read_text(requested).find("seq=5 ") == std::string::npos; ++i)
        std::this_thread::sleep_for(10ms);
    threads.emplace_back([&] { results[5] = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"}); });
    for (auto& thread : threads)
        thread.join();
    for (const auto& result : results) {
        INFO(result.output);
        CHECK(result.code == 0);
    }
    CHECK(read_text(requested).find("seq=6 state=MASTER") != std::string::npos);
    CHECK_FALSE(pair.standby.in_recovery());
    CHECK(pair.standby_node.events("promote.done").size() == 1);
    CHECK(pair.standby_node.events("lock.timeout").empty());
    // Every run ends with one transition.* line: done, nothing or superseded.
    int finished = 0;
    for (const auto& line : pair.standby_node.log_lines())
        if (logfmt_value(line, "event").rfind("transition.", 0) == 0)
            ++finished;
    CHECK(finished == 6);
}

TEST_CASE("FAULT fences a primary and leaves a standby streaming", "[engine]")
{
    Pair pair;
    auto on_standby = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "FAULT"});
    CHECK(on_standby.code == 0);
    CHECK(pair.standby.is_running());

    auto on_primary = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "FAULT"});
    CHECK(on_primary.code == 0);
    CHECK_FALSE(pair.primary.is_running());
    CHECK(pair.primary_node.has_event("fence.done"));
    CHECK(pair.standby.in_recovery());
}

TEST_CASE("STOP returns at once and the primary is fenced by a detached process", "[engine]")
{
    Pair pair;
    const auto started = std::chrono::steady_clock::now();
    auto result = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "STOP"});
    const auto returned = std::chrono::steady_clock::now() - started;
    CHECK(result.code == 0);
    CHECK(returned < 1s);
    // The detached process logs fence.done just after the server stopped.
    for (int i = 0; i < 150 && !(pair.primary_node.has_event("transition.done") && !pair.primary.is_running()); ++i)
        std::this_thread::sleep_for(100ms);
    CHECK_FALSE(pair.primary.is_running());
    CHECK(pair.primary_node.has_event("notify.detached"));
    CHECK(pair.primary_node.has_event("fence.done"));
}

TEST_CASE("bad notify arguments exit 2 and change nothing", "[engine]")
{
    Pair pair;
    const int pid = pair.primary.postmaster_pid();
    const std::vector<std::vector<std::string>> bad = {
        {"notify"},
        {"notify", "INSTANCE"},
        {"notify", "INSTANCE", "VI_1"},
        {"notify", "INSTANCE", "VI_1", "master"},
        {"notify", "INSTANCE", "VI_1", "PRIMARY"},
        {"notify", "VRRP", "VI_1", "MASTER"},
        {"notify", "INSTANCE", "VI_1", "MASTER", "100", "extra"},
        {"notify", "INSTANCE", "VI_1", "MASTER", "high"},
        {"notify", "INSTANCE", "VI_1", "MASTER", "300"},
        {"notify", "INSTANCE", "", "FAULT"},
    };
    for (const auto& args : bad) {
        auto result = pair.primary_node.run(args);
        INFO(result.output);
        CHECK(result.code == 2);
        CHECK(result.output.rfind("pgfo: error: ", 0) == 0);
        std::string text = result.output;
        while (!text.empty() && text.back() == '\n')
            text.pop_back();
        CHECK(text.find('\n') == std::string::npos);
    }
    CHECK(pair.primary.postmaster_pid() == pid);
    CHECK_FALSE(pair.primary.in_recovery());
    CHECK_FALSE(pair.primary_node.has_event("plan"));
}

TEST_CASE("a step that overruns its timeout exits 4, kills its child, and the log names the step", "[engine]")
{
    Pair pair(rewindable(), {"timeouts.stop = \"1s\"", "timeouts.connect = \"1s\""});
    const int pid = pair.primary.postmaster_pid();
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    auto result = pair.primary_node.run({"notify", "INSTANCE", "VI_1", "FAULT"}, 60s);
    ::kill(pid, SIGCONT);
    INFO(result.output);
    CHECK(result.code == 4);
    CHECK(result.output.find("step fence timed out") != std::string::npos);
    auto failed = pair.primary_node.events("fence.failed");
    REQUIRE(failed.size() == 1);
    CHECK(logfmt_value(failed[0], "msg").find("timed out") != std::string::npos);
    // No pg_ctl of ours is left behind.
    auto leftovers = run_as("", {"/usr/bin/pgrep", "-f", "pg_ctl stop -D " + pair.primary.data_dir()});
    CHECK(leftovers.code == 1);
}

TEST_CASE("dry run prints the plan and changes nothing", "[engine]")
{
    Pair pair;
    pair.primary.stop(StopMode::immediate);
    auto result = pair.standby_node.run({"--dry-run", "notify", "INSTANCE", "VI_1", "MASTER"});
    INFO(result.output);
    CHECK(result.code == 0);
    CHECK(result.output.find("plan: promote") != std::string::npos);
    CHECK(pair.standby.in_recovery());
}
