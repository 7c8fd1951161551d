#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include "cli_runner.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;

namespace {

int lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("the version flag prints the version and exits 0")
{
    auto result = run_cli({"--version"});
    CHECK(result.code == 0);
    CHECK(result.out == std::string("pgfo ") + PGFO_VERSION + "\n");
}

TEST_CASE("the help flag lists every command of the contract")
{
    auto result = run_cli({"--help"});
    CHECK(result.code == 0);
    for (const char* command : {"notify", "check", "promote", "demote", "status", "log", "pause", "resume", "config",
                                "alert", "--dry-run", "--config", "--verbose", "--quiet"})
        CHECK(result.out.find(command) != std::string::npos);
}

TEST_CASE("usage errors exit 2 with one pgfo: error: line")
{
    for (const auto& args : std::vector<std::vector<std::string>>{
             {}, {"frobnicate"}, {"--no-such-flag", "status"}, {"log", "-n"}, {"promote", "--sideways"}}) {
        auto result = run_cli(args);
        INFO(result.err);
        CHECK(result.code == 2);
        CHECK(result.err.rfind("pgfo: error: ", 0) == 0);
        CHECK(lines(result.err) == 1);
    }
}

TEST_CASE("a missing config file is a config error naming the file")
{
    TestDir dir;
    auto result = run_cli({"-c", dir / "absent.conf", "pause"});
    CHECK(result.code == 2);
    CHECK(result.err.find(dir / "absent.conf") != std::string::npos);
    CHECK(lines(result.err) == 1);
}

TEST_CASE("the config comes from -c, then $PGFO_CONFIG")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    ::setenv("PGFO_CONFIG", config.c_str(), 1);
    auto from_env = run_cli({"pause", "--reason", "from env"});
    ::unsetenv("PGFO_CONFIG");
    CHECK(from_env.code == 0);
    CHECK(from_env.out == "paused: from env\n");
}
