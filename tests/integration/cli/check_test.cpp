// pgfo check (keepalived's vrrp_script) on real PostgreSQL 15 servers, through the binary.
#include <catch2/catch.hpp>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli_runner.hpp"
#include "pg/lsn.hpp"
#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "silent_listener.hpp"
#include "test_dir.hpp"
#include "util/clock.hpp"
#include "util/state_store.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

std::string quoted(const std::string& text)
{
    return "\"" + text + "\"";
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// A primary and a streaming standby, each with a pgfo config naming the other as peer.
struct Pair {
    TestDir dir;
    PgCluster primary;
    PgCluster standby;
    PgfoNode primary_node;
    PgfoNode standby_node;

    explicit Pair(const std::vector<std::string>& extra = {})
        : primary(PgCluster::started(dir / "a")), standby(PgCluster::make_standby_of(primary, dir / "b", "node-b")),
          primary_node(PgfoNode::write(dir.path(), "node-a", primary, {standby.address()}, extra)),
          standby_node(PgfoNode::write(dir.path(), "node-b", standby, {primary.address()}, extra))
    {
        primary.exec("CREATE TABLE t (id int, note text)");
        standby.wait_for_replay_of(primary);
    }
};

// Makes STANDBY (replay paused) at least BYTES of received WAL behind.
void make_lag(const PgCluster& primary, const PgCluster& standby, std::uint64_t bytes)
{
    standby.exec("SELECT pg_wal_replay_pause()");
    const std::string rows = std::to_string(bytes / 250 + 1000);
    primary.exec("INSERT INTO t SELECT g, repeat('x', 300) FROM generate_series(1, " + rows + ") g");
    standby.wait_until("SELECT pg_last_wal_receive_lsn() - pg_last_wal_replay_lsn() > " + std::to_string(bytes));
}

int weight(const PgfoNode& node)
{
    return std::stoi(read_text(node.state_dir + "/weight"));
}

}  // namespace

TEST_CASE("check: a primary that accepts connections is healthy, silently", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {});

    auto quiet = run_cli({"-c", node.config_path, "check"});
    CHECK(quiet.code == 0);
    CHECK(quiet.out.empty());
    CHECK(quiet.err.empty());

    auto verbose = run_cli({"-c", node.config_path, "-v", "check"});
    CHECK(verbose.code == 0);
    CHECK(contains(verbose.out, "healthy: primary accepting connections\n"));

    auto binary = node.run({"check"});
    CHECK(binary.code == 0);
    CHECK(binary.output.empty());
    // The verdict is logged once, when it changes.
    CHECK(node.events("check.healthy").size() == 1);
}

TEST_CASE("check: a healthy primary and its peer probe cost no statement, a standby one", "[check]")
{
    Pair pair;
    auto statements = [](const PgCluster& cluster) {
        const std::string log = read_text(cluster.log_file());
        std::size_t count = 0;
        for (auto at = log.find("pg_stat_get_wal_receiver"); at != std::string::npos;
             at = log.find("pg_stat_get_wal_receiver", at + 1))
            ++count;
        return count;
    };
    for (const auto* cluster : {&pair.primary, &pair.standby}) {
        cluster->append_conf("log_statement = 'all'");
        cluster->reload();
        cluster->wait_until("SELECT current_setting('log_statement') = 'all'");
    }
    // The primary asks its standby peer too; the peer says it is a standby at connection start.
    REQUIRE(pair.primary_node.run({"check"}).code == 0);
    CHECK(statements(pair.primary) == 0);
    CHECK(statements(pair.standby) == 0);
    REQUIRE(pair.standby_node.run({"check"}).code == 0);
    CHECK(statements(pair.standby) == 1);
    CHECK(statements(pair.primary) == 0);
}

TEST_CASE("check: a peer that never answers does not hold a primary's check up", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    SilentListener silent;  // its startup packet is never answered
    const std::string peer = "127.0.0.1:" + std::to_string(silent.port());
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {peer}, {"timeouts.connect = \"10s\""});

    const auto started = std::chrono::steady_clock::now();
    auto result = node.run({"check"});
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(result.output);
    CHECK(result.code == 0);
    CHECK(took < 5s);  // the peer gets 500 ms, not timeouts.connect
}

TEST_CASE("check: a stopped primary is unhealthy, one line on stderr", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {});
    REQUIRE(node.run({"check"}).code == 0);
    primary.stop(StopMode::immediate);

    auto result = run_cli({"-c", node.config_path, "check"});
    CHECK(result.code == 1);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("pgfo: error: unhealthy: server is not answering: ", 0) == 0);
    CHECK(contains(result.err, primary.address().substr(primary.address().find(':') + 1)));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    auto unhealthy = node.events("check.unhealthy");
    REQUIRE(unhealthy.size() == 1);
    CHECK(contains(logfmt_value(unhealthy[0], "msg"), "server is not answering"));

    CHECK(node.run({"check"}).code == 1);
    CHECK(node.events("check.unhealthy").size() == 1);  // not logged again
}

TEST_CASE("check: a primary whose witness does not answer is unhealthy (isolated)", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    const std::string closed = "127.0.0.1:" + std::to_string(free_port());
    auto isolated = PgfoNode::write(dir.path(), "node-a", primary, {}, {"failover.witness = " + quoted(closed)});
    auto result = isolated.run({"check"});
    CHECK(result.code == 1);
    CHECK(contains(result.output, "pgfo: error: unhealthy: witness " + closed + " is unreachable"));

    auto witnessed =
        PgfoNode::write(dir.path(), "node-w", primary, {}, {"failover.witness = " + quoted(primary.address())});
    auto fine = witnessed.run({"check"});
    INFO(fine.output);
    CHECK(fine.code == 0);
}

TEST_CASE("check: a streaming standby is healthy; beyond max_lag it is not", "[check]")
{
    Pair pair({"failover.max_lag = \"1MB\""});
    auto streaming = run_cli({"-c", pair.standby_node.config_path, "-v", "check"});
    INFO(streaming.err);
    CHECK(streaming.code == 0);
    CHECK(contains(streaming.out, "healthy: standby on timeline 1, replay 0B behind"));

    make_lag(pair.primary, pair.standby, 2 << 20);
    auto lagging = pair.standby_node.run({"check"});
    CHECK(lagging.code == 1);
    CHECK(contains(lagging.output, "pgfo: error: unhealthy: standby replay is "));
    CHECK(contains(lagging.output, "behind the last known WAL position"));
    CHECK(contains(lagging.output, "(max_lag 1MB)"));

    pair.standby.exec("SELECT pg_wal_replay_resume()");
    pair.standby.wait_for_replay_of(pair.primary);
    CHECK(pair.standby_node.run({"check"}).code == 0);
}

TEST_CASE("check: a standby whose primary just died stays healthy", "[check]")
{
    Pair pair;
    pair.primary.stop(StopMode::immediate);
    pair.standby.wait_until("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')");
    auto result = run_cli({"-c", pair.standby_node.config_path, "-v", "check"});
    INFO(result.err);
    CHECK(result.code == 0);
    CHECK(contains(result.out, "healthy: standby on timeline 1"));
}

TEST_CASE("check: paused is healthy without touching the server", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {}, {"check.track_file = " + quoted(dir / "weight")});
    REQUIRE(node.run({"pause", "--reason", "disk swap"}).code == 0);
    primary.stop(StopMode::immediate);

    auto result = run_cli({"-c", node.config_path, "-v", "check"});
    CHECK(result.code == 0);
    CHECK(contains(result.out, "healthy: paused: disk swap"));
    CHECK_FALSE(std::ifstream(dir / "weight").good());  // the weight is left alone

    REQUIRE(node.run({"resume"}).code == 0);
    CHECK(node.run({"check"}).code == 1);
}

TEST_CASE("check: after a split brain heals, the primary on the older timeline yields", "[check]")
{
    Pair pair;
    pair.standby.exec("SELECT pg_promote()");
    pair.standby.wait_until("SELECT NOT pg_is_in_recovery()");

    auto older = pair.primary_node.run({"check"});
    CHECK(older.code == 1);
    CHECK(contains(older.output, "pgfo: error: unhealthy: peer " + pair.standby.address() +
                                     " is a primary on a newer timeline (2 > 1): this primary must yield"));

    auto newer = run_cli({"-c", pair.standby_node.config_path, "-v", "check"});
    INFO(newer.err);
    CHECK(newer.code == 0);
    // "primary on timeline 2" while the old one still answers as a primary; once the old one's
    // check has started its rejoin (rejoin_test.cpp) there is no peer primary to compare with.
    CHECK(contains(newer.out, "healthy: primary"));
    CHECK(pair.primary_node.wait_event("transition.done", 60s));  // the detached rejoin ended before teardown
}

TEST_CASE("check: a standby holding the VIP while its peer is the primary gives the VIP back", "[check]")
{
    Pair pair;
    REQUIRE(pair.standby_node.run({"check"}).code == 0);

    // keepalived made the standby MASTER; the notify refused to promote it.
    auto refused = pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    REQUIRE(refused.code == 3);

    auto holding = pair.standby_node.run({"check"});
    CHECK(holding.code == 1);
    CHECK(contains(holding.output,
                   "pgfo: error: unhealthy: holding the VIP while peer " + pair.primary.address() + " is the primary"));

    // The check failed, keepalived went FAULT and gave the VIP up: healthy again.
    REQUIRE(pair.standby_node.run({"notify", "INSTANCE", "VI_1", "FAULT"}).code == 0);
    CHECK(pair.standby_node.run({"check"}).code == 0);

    // Made MASTER again while the primary is gone: the promotion candidate stays healthy.
    pair.primary.stop(StopMode::immediate);
    pair.standby_node.run({"pause"});
    pair.standby_node.run({"notify", "INSTANCE", "VI_1", "MASTER"});  // paused: recorded, nothing done
    pair.standby_node.run({"resume"});
    REQUIRE(contains(read_text(pair.standby_node.state_dir + "/requested"), "state=MASTER"));
    CHECK(pair.standby_node.run({"check"}).code == 0);
}

TEST_CASE("check: track_file weights order the primary, a fresh standby, a lagging one, a dead one", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto fresh = PgCluster::make_standby_of(primary, dir / "b", "node-b");
    auto behind = PgCluster::make_standby_of(primary, dir / "c", "node-c");
    const std::vector<std::string> extra = {"failover.max_lag = \"64MB\""};
    auto track = [&](const std::string& name) {
        return "check.track_file = " + quoted(dir / (name + "-state/weight"));
    };
    auto a = PgfoNode::write(dir.path(), "node-a", primary, {fresh.address(), behind.address()},
                             {extra[0], track("node-a")});
    auto b = PgfoNode::write(dir.path(), "node-b", fresh, {primary.address(), behind.address()},
                             {extra[0], track("node-b")});
    auto c = PgfoNode::write(dir.path(), "node-c", behind, {primary.address(), fresh.address()},
                             {extra[0], track("node-c")});
    primary.exec("CREATE TABLE t (id int, note text)");
    make_lag(primary, behind, 12 << 20);
    fresh.wait_for_replay_of(primary);

    for (const auto* node : {&a, &b, &c}) {
        auto result = node->run({"-v", "check"});
        INFO(node->name << ": " << result.output);
        CHECK(result.code == 0);
    }
    INFO("weights: " << weight(a) << " " << weight(b) << " " << weight(c));
    CHECK(weight(a) == 100);
    CHECK(weight(b) == 50);
    CHECK(weight(c) < weight(b));
    CHECK(weight(c) >= 1);
    CHECK(weight(c) <= 50 - 40 * 12 / 64);

    make_lag(primary, behind, 70 << 20);  // now beyond max_lag
    CHECK(c.run({"check"}).code == 1);
    CHECK(weight(c) == 0);

    fresh.stop(StopMode::immediate);
    CHECK(b.run({"check"}).code == 1);
    CHECK(weight(b) == -100);
    CHECK(weight(a) > weight(c));
    CHECK(weight(c) > weight(b));
    // The dead standby's check started its rejoin (rejoin_test.cpp): it streams again.
    CHECK(b.has_event("check.rejoin"));
    CHECK(b.wait_event("transition.done", 60s));
    CHECK(b.run({"check"}).code == 0);
    CHECK(weight(b) > 0);
}

TEST_CASE("check: synchronous = on keeps synchronous_standby_names current", "[check]")
{
    Pair pair({"failover.synchronous = \"on\""});
    REQUIRE(pair.primary.scalar("SHOW synchronous_standby_names").empty());

    auto first = pair.primary_node.run({"check"});
    INFO(first.output);
    CHECK(first.code == 0);
    pair.primary.wait_until("SELECT current_setting('synchronous_standby_names') = '*'");
    pair.primary.wait_until("SELECT sync_state = 'sync' FROM pg_stat_replication");
    auto changes = pair.primary_node.events("check.change");
    REQUIRE(changes.size() == 1);
    CHECK(contains(logfmt_value(changes[0], "msg"), "synchronous_standby_names '' -> '*' (1 standby streaming)"));

    CHECK(pair.primary_node.run({"check"}).code == 0);
    CHECK(pair.primary_node.events("check.change").size() == 1);  // nothing to change

    pair.standby.stop(StopMode::fast);
    pair.primary.wait_until("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')");
    CHECK(pair.primary_node.run({"check"}).code == 0);
    pair.primary.wait_until("SELECT current_setting('synchronous_standby_names') = ''");
    pair.primary.exec("INSERT INTO t VALUES (1, 'commits without a standby')");
    CHECK(pair.primary_node.events("check.change").size() == 2);

    // The standby check leaves the setting alone (only a primary manages it).
    pair.standby.start();
    CHECK(pair.standby_node.run({"check"}).code == 0);
    CHECK(pair.standby.scalar("SHOW synchronous_standby_names").empty());
}

TEST_CASE("check: synchronous = strict keeps '*' with no standby", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {}, {"failover.synchronous = \"strict\""});
    CHECK(node.run({"check"}).code == 0);
    primary.wait_until("SELECT current_setting('synchronous_standby_names') = '*'");
    auto dry = run_cli({"-c", node.config_path, "-v", "--dry-run", "check"});
    CHECK(dry.code == 0);
    CHECK_FALSE(contains(dry.out, "would set"));
}

TEST_CASE("check: --dry-run changes nothing", "[check]")
{
    Pair pair({"failover.synchronous = \"on\""});
    const std::string track = pair.dir / "weight";
    auto node = PgfoNode::write(pair.dir.path(), "node-a", pair.primary, {pair.standby.address()},
                                {"failover.synchronous = \"on\"", "check.track_file = " + quoted(track)});
    auto dry = run_cli({"-c", node.config_path, "-v", "--dry-run", "check"});
    CHECK(dry.code == 0);
    CHECK(contains(dry.out, "would set synchronous_standby_names '' -> '*'"));
    CHECK(contains(dry.out, "would write 100 to " + track));
    CHECK(pair.primary.scalar("SHOW synchronous_standby_names").empty());
    CHECK_FALSE(std::ifstream(track).good());
    CHECK(node.log_lines().empty());
}

TEST_CASE("check: two checks at once, 200 times, never fail each other", "[check]")
{
    Pair pair({"failover.synchronous = \"on\""});
    const std::string track = pair.dir / "node-a-state/weight";
    auto node = PgfoNode::write(pair.dir.path(), "node-a", pair.primary, {pair.standby.address()},
                                {"failover.synchronous = \"on\"", "check.track_file = " + quoted(track)});
    std::atomic<int> failures{0};
    std::string first_failure;
    std::mutex mutex;
    for (int round = 0; round < 200; ++round) {
        std::vector<std::thread> threads;
        for (int i = 0; i < 2; ++i) {
            threads.emplace_back([&] {
                auto result = node.run({"check"}, 30s);
                if (result.code != 0) {
                    std::lock_guard lock(mutex);
                    if (failures++ == 0)
                        first_failure = result.describe();
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
    }
    INFO(first_failure);
    CHECK(failures == 0);
    CHECK(read_text(track) == "100\n");
    CHECK(pair.primary.scalar("SHOW synchronous_standby_names") == "*");
    // No temporary file is left beside the track file or the health record.
    int leftovers = 0;
    if (DIR* state = ::opendir((pair.dir / "node-a-state").c_str())) {
        while (auto* entry = ::readdir(state))
            leftovers += std::string(entry->d_name).find(".tmp-") != std::string::npos;
        ::closedir(state);
    }
    CHECK(leftovers == 0);
}

TEST_CASE("check: a config error exits 2", "[check]")
{
    TestDir dir;
    const std::string path = dir.write("bad.conf", "[node]\nnope = 1\n", 0600);
    auto result = run_cli({"-c", path, "check"});
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("pgfo: error: ", 0) == 0);
}

TEST_CASE("check: a server restarted on purpose by a transition is healthy until the step's deadline", "[check]")
{
    TestDir dir;
    PgCluster primary(dir / "a");
    primary.start();
    auto node = PgfoNode::write(dir.path(), "node-a", primary, {});
    primary.stop(StopMode::fast);
    pgfo::util::StateStore store(node.state_dir);
    const auto now = pgfo::util::unix_now_ms();
    REQUIRE(store.begin_planned_restart({"recreate_primary", "ab12cd", now + 60000}).ok());

    auto during = run_cli({"-c", node.config_path, "-v", "check"});
    INFO(during.err);
    CHECK(during.code == 0);
    CHECK(contains(during.out, "healthy: server is restarting on purpose: recreate_primary (tx ab12cd)"));

    REQUIRE(store.begin_planned_restart({"recreate_primary", "ab12cd", now - 1}).ok());  // deadline passed
    CHECK(run_cli({"-c", node.config_path, "check"}).code == 1);
    store.end_planned_restart();
    CHECK(run_cli({"-c", node.config_path, "check"}).code == 1);
}
