#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "scoped_env.hpp"
#include "test_dir.hpp"
#include "util/config.hpp"
#include "util/config_check.hpp"
#include "util/program.hpp"

using namespace pgfo;
using pgfo::test::TestDir;

namespace {

std::string all_messages(const std::vector<ConfigProblem>& problems)
{
    std::string out;
    for (const auto& problem : problems)
        out += problem.to_string() + "\n";
    return out;
}

// A host where everything the pg_ctl runtime needs is present.
Config good_config(const TestDir& dir)
{
    ::mkdir((dir / "data").c_str(), 0700);
    for (const char* tool : {"pg_ctl", "pg_rewind", "pg_basebackup", "pg_controldata"})
        dir.write(std::string("bin/") + tool, "#!/bin/sh\nexit 0\n", 0755);
    Config config;
    config.path = dir / "pgfo.conf";
    config.postgres.data_dir = dir / "data";
    config.postgres.bin_dir = dir / "bin";
    config.postgres.os_user = "root";
    config.node.state_dir = dir / "state/pgfo";
    config.log.file = dir / "log/pgfo.log";
    return config;
}

}  // namespace

TEST_CASE("a complete host has no problems")
{
    TestDir dir;
    const Config config = good_config(dir);
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    CHECK(problems.empty());
}

TEST_CASE("a missing data directory is reported")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.data_dir = dir / "nope";
    const auto problems = check_environment(config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].file == dir / "pgfo.conf");
    CHECK(problems[0].line == 0);
    CHECK(problems[0].message ==
          "postgres.data_dir: directory " + dir / "nope" + " does not exist; hint: create it or fix postgres.data_dir");
}

TEST_CASE("a data directory that is a file is reported")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.data_dir = dir.write("datafile", "x");
    const auto problems = check_environment(config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "postgres.data_dir: " + dir / "datafile" + " is not a directory");
}

TEST_CASE("a tool that is not executable or missing is reported")
{
    TestDir dir;
    const Config config = good_config(dir);
    ::chmod((dir / "bin/pg_rewind").c_str(), 0644);
    ::unlink((dir / "bin/pg_controldata").c_str());
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].message == "postgres.bin_dir: " + dir / "bin/pg_rewind" +
                                     " is not an executable file; hint: chmod +x " + dir / "bin/pg_rewind");
    CHECK(problems[1].message ==
          "postgres.bin_dir: " + dir / "bin/pg_controldata" +
              " does not exist; hint: install the PostgreSQL server package or fix postgres.bin_dir");
}

TEST_CASE("a missing bin directory is reported once, not once per tool")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.bin_dir = dir / "nobin";
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message,
               Catch::StartsWith("postgres.bin_dir: directory " + dir / "nobin" + " does not exist"));
}

TEST_CASE("state and log directories must exist or be creatable")
{
    TestDir dir;
    Config config = good_config(dir);
    dir.write("blocker", "x");
    config.node.state_dir = dir / "blocker/state";
    config.log.file = dir / "blocker/log/pgfo.log";
    config.check.track_file = dir / "blocker/weight";
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].message ==
          "node.state_dir: cannot create " + dir / "blocker/state" + ": " + dir / "blocker" + " is not a directory");
    CHECK(problems[1].message ==
          "log.file: cannot create " + dir / "blocker/log" + ": " + dir / "blocker" + " is not a directory");
    CHECK(problems[2].message == "check.track_file: " + dir / "blocker" + " is not a directory");
}

TEST_CASE("an unknown os_user is reported")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.os_user = "pgfo-no-such-user";
    const auto problems = check_environment(config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message ==
          "postgres.os_user: no such user \"pgfo-no-such-user\"; hint: create it or set os_user");
}

TEST_CASE("the compose runtime needs its command and files, not the host's tools")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.runtime = RuntimeKind::compose;
    config.postgres.bin_dir = dir / "inside-the-container";
    config.compose.command = "fake-docker compose";
    config.compose.primary_file = dir.write("compose/primary.yaml", "services: {}\n");
    config.compose.standby_file = dir / "compose/standby.yaml";
    dir.write("path/fake-docker", "#!/bin/sh\n", 0755);

    {
        pgfo::test::ScopedEnv path("PATH", dir / "empty:" + dir / "path");
        const auto problems = check_environment(config);
        INFO(all_messages(problems));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].message == "compose.standby_file: " + dir / "compose/standby.yaml" + " does not exist");
    }
    {
        pgfo::test::ScopedEnv path("PATH", dir / "empty");
        const auto problems = check_environment(config);
        INFO(all_messages(problems));
        REQUIRE(problems.size() == 2);
        CHECK(problems[0].message == std::string("compose.command: fake-docker not found on PATH or in ") +
                                         pgfo::util::k_default_path + "; hint: install it or give an absolute path");
    }

    config.compose.command = dir / "path/fake-docker";
    config.compose.tools = "host";
    dir.write("compose/standby.yaml", "services: {}\n");
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message,
               Catch::StartsWith("postgres.bin_dir: directory " + dir / "inside-the-container" + " does not exist"));
}

TEST_CASE("the systemd runtime needs systemctl on PATH")
{
    TestDir dir;
    Config config = good_config(dir);
    config.postgres.runtime = RuntimeKind::systemd;
    {
        pgfo::test::ScopedEnv path("PATH", dir / "empty");
        const auto problems = check_environment(config);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].message == "systemctl not found on PATH; hint: postgres.runtime \"systemd\" needs systemd");
    }
    dir.write("path/systemctl", "#!/bin/sh\n", 0755);
    pgfo::test::ScopedEnv path("PATH", dir / "path");
    const auto problems = check_environment(config);
    INFO(all_messages(problems));
    CHECK(problems.empty());
}

TEST_CASE("a config parsed from text can be checked directly")
{
    TestDir dir;
    const Config good = good_config(dir);
    const std::string text = "[postgres]\ndata_dir = \"" + good.postgres.data_dir + "\"\nbin_dir = \"" +
                             good.postgres.bin_dir + "\"\nos_user = \"root\"\n[node]\nstate_dir = \"" +
                             good.node.state_dir + "\"\n[log]\nfile = \"" + good.log.file + "\"\n";
    const LoadedConfig loaded = parse_config(text, dir / "pgfo.conf");
    REQUIRE(loaded.problems.empty());
    const auto problems = check_environment(loaded.config);
    INFO(all_messages(problems));
    CHECK(problems.empty());
}
