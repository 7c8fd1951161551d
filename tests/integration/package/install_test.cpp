// `cmake --install` of this build tree into a temp prefix: the layout the docs promise.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>

#include "test_dir.hpp"
#include "util/subprocess.hpp"

using namespace pgfo::test;
namespace fs = std::filesystem;

TEST_CASE("cmake --install puts the binary, man page, completion and examples under the prefix")
{
    TestDir dir;
    const std::string prefix = dir / "prefix";
    pgfo::util::Command install;
    install.argv = {"cmake", "--install", fs::path(PGFO_BINARY).parent_path().string(), "--prefix", prefix};
    install.timeout = std::chrono::minutes(2);
    const auto installed = pgfo::util::run_process(install);
    INFO(installed.out << installed.err);
    REQUIRE(installed.succeeded());

    for (const char* file : {"bin/pgfo", "share/man/man1/pgfo.1.gz", "share/bash-completion/completions/pgfo",
                             "share/doc/pgfo/pgfo.conf", "share/doc/pgfo/keepalived.conf", "share/doc/pgfo/README.md",
                             "share/doc/pgfo/config.md", "share/doc/pgfo/compose.md", "share/doc/pgfo/operations.md"}) {
        INFO(file);
        CHECK(fs::is_regular_file(prefix + "/" + file));
    }

    pgfo::util::Command version;
    version.argv = {prefix + "/bin/pgfo", "--version"};
    const auto ran = pgfo::util::run_process(version);
    CHECK(ran.succeeded());
    CHECK(ran.out == std::string("pgfo ") + PGFO_VERSION + "\n");
}
