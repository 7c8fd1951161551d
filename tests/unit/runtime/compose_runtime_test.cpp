// The compose runtime's argv and its checks before any container runs (no engine needed).
#include "runtime/compose_runtime.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::runtime;

namespace {

Config compose_config(const std::string& dir)
{
    Config config;
    config.postgres.runtime = RuntimeKind::compose;
    config.postgres.data_dir = dir + "/pg/data";
    config.postgres.os_user = "999";
    config.compose.command = "/bin/echo compose";
    config.compose.primary_file = dir + "/pg/master.yaml";
    config.compose.standby_file = dir + "/pg/slave.yaml";
    config.compose.service = "postgresql";
    return config;
}

}  // namespace

TEST_CASE("compose argv: the file of the role, the project directory of the file, no -p unless set",
          "[runtime][compose]")
{
    test::TestDir dir;
    Config config = compose_config(dir.path());
    ComposeRuntime runtime(config);
    CHECK(runtime.compose_argv(ServerRole::primary, {"up", "-d"}) ==
          std::vector<std::string>{"/bin/echo", "compose", "-f", dir / "pg/master.yaml", "--project-directory",
                                   dir / "pg", "up", "-d"});
    CHECK(runtime.compose_argv(ServerRole::standby, {"ps"}) ==
          std::vector<std::string>{"/bin/echo", "compose", "-f", dir / "pg/slave.yaml", "--project-directory",
                                   dir / "pg", "ps"});
}

TEST_CASE("compose argv: -p and --project-directory from the config", "[runtime][compose]")
{
    test::TestDir dir;
    Config config = compose_config(dir.path());
    config.compose.project = "pg";
    config.compose.project_directory = "/srv/pg";
    ComposeRuntime runtime(config);
    CHECK(runtime.compose_argv(ServerRole::primary, {"ps"}) ==
          std::vector<std::string>{"/bin/echo", "compose", "-f", dir / "pg/master.yaml", "-p", "pg",
                                   "--project-directory", "/srv/pg", "ps"});
}

TEST_CASE("compose runtime: a missing compose command is a config error naming the key", "[runtime][compose]")
{
    test::TestDir dir;
    Config config = compose_config(dir.path());
    config.compose.command = "pgfo-no-such-compose";
    try {
        ComposeRuntime runtime(config);
        FAIL("no error");
    } catch (const Failure& failure) {
        CHECK(failure.kind() == ErrorKind::config);
        CHECK(std::string(failure.what()).find("compose.command") != std::string::npos);
    }
}

TEST_CASE("compose run_tool refuses a data directory owned by another uid than os_user, before running anything",
          "[runtime][compose]")
{
    test::TestDir dir;
    Config config = compose_config(dir.path());
    dir.write("pg/data/PG_VERSION", "15\n");  // owned by root (uid 0), os_user is 999
    ComposeRuntime runtime(config);
    auto result = runtime.run_tool("pg_controldata", {"-D", config.postgres.data_dir}, {}, std::chrono::seconds(5));
    CHECK(result.status == util::ProcessResult::Status::exec_failed);
    CHECK(result.err.find("is owned by uid 0, but postgres.os_user \"999\" is uid 999") != std::string::npos);
    CHECK(result.err.find("hint:") != std::string::npos);
}

TEST_CASE("compose run_tool refuses a data directory directly under /", "[runtime][compose]")
{
    test::TestDir dir;
    Config config = compose_config(dir.path());
    config.postgres.data_dir = "/pgfo-no-such-data";
    ComposeRuntime runtime(config);
    auto result = runtime.run_tool("pg_controldata", {}, {}, std::chrono::seconds(5));
    CHECK(result.status == util::ProcessResult::Status::exec_failed);
    CHECK(result.err.find("sits directly under /") != std::string::npos);
}
