// The systemd runtime through the real binary on real PostgreSQL 15 servers, with a recording
// systemctl stand-in (tests/support/fake-systemctl) first on PATH that drives pg_ctl.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "scoped_env.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A primary (unit pg-a.service) and a streaming standby (pg-b.service) run by pgfo's systemd runtime.
struct SystemdPair {
    TestDir dir;
    PgCluster a;
    PgCluster b;
    PgfoNode node_a;
    PgfoNode node_b;
    std::string fake_dir;
    ScopedEnv path;
    ScopedEnv fake;

    SystemdPair()
        : a(start_primary(dir)), b(PgCluster::make_standby_of(a, dir / "b", "node-b")),
          node_a(PgfoNode::write(dir.path(), "node-a", a, {b.address()}, systemd("pg-a.service"))),
          node_b(PgfoNode::write(dir.path(), "node-b", b, {a.address()}, systemd("pg-b.service"))),
          fake_dir(make_fake(dir, {{"pg-a.service", &a}, {"pg-b.service", &b}})),
          path("PATH", fake_dir + "/bin:" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")),
          fake("FAKE_SYSTEMCTL_DIR", fake_dir)
    {
        a.exec("CREATE TABLE t (id int PRIMARY KEY, note text)");
        a.exec("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 100) g");
        b.wait_for_replay_of(a);
    }

    std::vector<std::string> calls() const { return read_lines(fake_dir + "/calls"); }

    static std::vector<std::string> systemd(const std::string& unit)
    {
        return {"postgres.runtime = \"systemd\"", "systemd.unit = \"" + unit + "\""};
    }

    static PgCluster start_primary(const TestDir& dir)
    {
        ClusterOptions options;
        options.data_checksums = true;
        return PgCluster::started(dir / "a", options);
    }

    static std::string make_fake(const TestDir& dir, const std::vector<std::pair<std::string, PgCluster*>>& units)
    {
        const std::string fake = dir / "systemd";
        fs::create_directories(fake + "/bin");
        fs::copy_file(std::string(PGFO_SOURCE_DIR) + "/tests/support/fake-systemctl", fake + "/bin/systemctl");
        for (const auto& [unit, cluster] : units)
            dir.write("systemd/" + unit + ".unit",
                      "DATA_DIR=" + cluster->data_dir() + "\nLOG=" + cluster->log_file() + "\n");
        return fake;
    }
};

}  // namespace

TEST_CASE("systemd: notify BACKUP on the old primary stops its unit, rewinds on the host, starts the unit, streams",
          "[engine][systemd]")
{
    SystemdPair pair;
    pair.a.stop(StopMode::immediate);
    pair.b.exec("SELECT pg_promote(true, 60)");
    pair.b.exec("INSERT INTO t VALUES (2000, 'after failover')");
    pair.a.start();
    pair.a.exec("INSERT INTO t SELECT g, 'diverged' FROM generate_series(5000, 5099) g");

    auto result = pair.node_a.run({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK(pair.calls() == std::vector<std::string>{"stop pg-a.service", "start pg-a.service"});
    CHECK(pair.a.in_recovery());
    pair.a.wait_for_streaming();
    pair.a.wait_for_replay_of(pair.b);
    CHECK(pair.a.scalar("SELECT count(*) FROM t WHERE note = 'diverged'") == "0");
    CHECK(pair.a.scalar("SELECT count(*) FROM t WHERE note = 'after failover'") == "1");
    CHECK(pair.node_a.has_event("rewind.done"));
}

TEST_CASE("systemd: notify MASTER on the standby promotes it over libpq without touching its unit", "[engine][systemd]")
{
    SystemdPair pair;
    pair.a.stop(StopMode::immediate);

    auto result = pair.node_b.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK_FALSE(pair.b.in_recovery());
    pair.b.exec("INSERT INTO t VALUES (1000, 'after')");
    CHECK(pair.calls().empty());
    CHECK_FALSE(pair.node_b.has_event("recreate_primary.start"));
}

TEST_CASE("systemd: a unit that fails to stop is fenced with SIGQUIT to its main process", "[engine][systemd]")
{
    SystemdPair pair;
    pair.dir.write("systemd/fail-stop", "");

    auto result = pair.node_a.run({"notify", "INSTANCE", "VI_1", "FAULT", "100"});
    INFO(result.output);
    REQUIRE(result.code == 0);
    CHECK(pair.calls() ==
          std::vector<std::string>{"stop pg-a.service", "kill --kill-who=main --signal=SIGQUIT pg-a.service"});
    CHECK_FALSE(pair.a.is_running());
    CHECK(pair.node_a.has_event("fence.escalate"));
}

TEST_CASE("systemd: a unit that does not start fails the step and names the unit", "[engine][systemd]")
{
    SystemdPair pair;
    pair.a.stop(StopMode::fast);
    pair.dir.write("systemd/fail-start", "");

    auto result = pair.node_a.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    INFO(result.output);
    CHECK(result.code == 1);
    CHECK(result.output.find("systemctl start pg-a.service exited with 1") != std::string::npos);
    CHECK(pair.calls() == std::vector<std::string>{"start pg-a.service"});
}
