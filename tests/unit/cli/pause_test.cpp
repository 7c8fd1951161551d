#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli_runner.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;

namespace {

std::string text_of(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("pause writes the flag with its reason and logs it; resume removes it")
{
    TestDir dir;
    const std::string config = write_minimal_config(dir.path());
    auto paused = run_cli({"-c", config, "pause", "--reason", "upgrade to 16"});
    CHECK(paused.code == 0);
    CHECK(paused.out == "paused: upgrade to 16\n");
    CHECK(text_of(dir / "state/paused").find("upgrade to 16") != std::string::npos);
    CHECK(text_of(dir / "pgfo.log").find("event=pause reason=\"upgrade to 16\"") != std::string::npos);

    auto resumed = run_cli({"-c", config, "resume"});
    CHECK(resumed.code == 0);
    CHECK(resumed.out == "resumed\n");
    CHECK_FALSE(std::ifstream(dir / "state/paused").good());
    CHECK(text_of(dir / "pgfo.log").find("event=resume") != std::string::npos);
}
