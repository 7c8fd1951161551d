#include "util/program.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>

#include "scoped_env.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::util;

TEST_CASE("resolve_program finds a program on PATH first", "[util]")
{
    test::TestDir dir;
    const std::string fake = dir.write("bin/sh", "#!/bin/true\n", 0755);
    pgfo::test::ScopedEnv path("PATH", dir.path() + "/bin:/usr/bin:/bin");
    CHECK(resolve_program("sh") == fake);
}

TEST_CASE("resolve_program falls back to the default PATH when PATH is unset, as under keepalived", "[util]")
{
    pgfo::test::ScopedEnv path("PATH", std::nullopt);
    auto sh = resolve_program("sh");
    REQUIRE(sh.has_value());
    CHECK(sh->front() == '/');
    CHECK(sh->ends_with("/sh"));
}

TEST_CASE("resolve_program skips files that are not executable and relative PATH entries", "[util]")
{
    test::TestDir dir;
    dir.write("bin/pgfo-no-such-tool", "not a program\n", 0644);
    pgfo::test::ScopedEnv path("PATH", dir.path() + "/bin:.:relative");
    CHECK_FALSE(resolve_program("pgfo-no-such-tool").has_value());
}

TEST_CASE("resolve_program takes a path as it is, when executable", "[util]")
{
    CHECK(resolve_program("/bin/sh") == std::optional<std::string>("/bin/sh"));
    CHECK_FALSE(resolve_program("/nonexistent/pgfo-tool").has_value());
    CHECK_FALSE(resolve_program("").has_value());
}

TEST_CASE("resolve_command resolves the first word and keeps the rest", "[util]")
{
    auto command = resolve_command("sh  -c  true", "compose.command");
    REQUIRE(command.ok());
    REQUIRE(command->argv.size() == 3);
    CHECK(command->argv[0].front() == '/');
    CHECK(command->argv[1] == "-c");
    CHECK(command->argv[2] == "true");
    CHECK(command->env.empty());
}

TEST_CASE("resolve_command takes leading NAME=VALUE words as environment, as a shell does", "[util]")
{
    auto command = resolve_command("DOCKER_HOST=unix:///run/d.sock A=1 sh -c X=2", "compose.command");
    REQUIRE(command.ok());
    CHECK(command->env == std::map<std::string, std::string>{{"DOCKER_HOST", "unix:///run/d.sock"}, {"A", "1"}});
    REQUIRE(command->argv.size() == 3);
    CHECK(command->argv[0].ends_with("/sh"));
    CHECK(command->argv[2] == "X=2");
    auto only_env = resolve_command("A=1", "compose.command");
    REQUIRE_FALSE(only_env.ok());
    CHECK(only_env.error().message == "compose.command names no program");
}

TEST_CASE("resolve_command names the key when the program is missing or the command empty", "[util]")
{
    auto missing = resolve_command("pgfo-no-such-compose up", "compose.command");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::config);
    CHECK(missing.error().message.find("compose.command: pgfo-no-such-compose not found") != std::string::npos);
    auto empty = resolve_command("   ", "compose.command");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message == "compose.command names no program");
}
