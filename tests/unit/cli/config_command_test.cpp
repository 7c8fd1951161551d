#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "cli_runner.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;

TEST_CASE("config check on a clean config prints ok and exits 0")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    auto result = run_cli({"-c", config, "config", "check"});
    INFO(result.err);
    CHECK(result.code == 0);
    CHECK(result.out == config + ": ok\n");
    // --connect reports the servers (here: nothing listens on the default local port) without failing.
    auto connected = run_cli({"-c", config, "config", "check", "--connect"});
    CHECK(connected.code == 0);
    CHECK(connected.out.find("local 127.0.0.1:5432: ") == 0);
    CHECK(connected.out.find(config + ": ok\n") != std::string::npos);
    CHECK(run_cli({"-q", "-c", config, "config", "check"}).out.empty());
}

TEST_CASE("config check reports every problem with FILE:LINE and exits 2")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path(), "[failover]\nmax_lagg = \"16MB\"\nresync = \"rsync\"\n");
    auto result = run_cli({"-c", config, "config", "check"});
    CHECK(result.code == 2);
    CHECK(result.err.find(config + ":13: unknown key \"max_lagg\" in [failover]") != std::string::npos);
    CHECK(result.err.find(config + ":14: failover.resync: invalid value") != std::string::npos);
    CHECK(result.err.find("pgfo: error: 2 problems in " + config) != std::string::npos);
}

TEST_CASE("config check refuses a group-writable config")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    ::chmod(config.c_str(), 0660);
    auto result = run_cli({"-c", config, "config", "check"});
    CHECK(result.code == 2);
    CHECK(result.err.find("chmod go-w") != std::string::npos);
}

TEST_CASE("config check of the shipped example passes on a Debian PostgreSQL 15 host")
{
    auto result = run_cli({"-c", std::string(PGFO_SOURCE_DIR) + "/examples/pgfo.conf", "config", "check"});
    INFO(result.err);
    CHECK(result.code == 0);
}
