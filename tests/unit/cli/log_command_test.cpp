#include <catch2/catch.hpp>

#include <fstream>

#include "cli_runner.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;

TEST_CASE("pgfo log shows the last lines, filters by event and renders JSON")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    REQUIRE(run_cli({"-c", config, "pause", "--reason", "one"}).code == 0);
    REQUIRE(run_cli({"-c", config, "resume"}).code == 0);
    REQUIRE(run_cli({"-c", config, "pause", "--reason", "two"}).code == 0);

    auto last = run_cli({"-c", config, "log", "-n", "1"});
    CHECK(last.code == 0);
    CHECK(last.out.find("two") != std::string::npos);
    CHECK(last.out.find("one") == std::string::npos);

    auto resumes = run_cli({"-c", config, "log", "--event", "resume", "--json"});
    CHECK(resumes.code == 0);
    CHECK(resumes.out.rfind("{\"ts\":", 0) == 0);
    CHECK(resumes.out.find("\"event\":\"resume\"") != std::string::npos);
    CHECK(std::count(resumes.out.begin(), resumes.out.end(), '\n') == 1);
}

TEST_CASE("pgfo log on a missing log file fails with a hint")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    auto result = run_cli({"-c", config, "log"});
    CHECK(result.code == 1);
    CHECK(result.err.find("does not exist yet") != std::string::npos);
}
