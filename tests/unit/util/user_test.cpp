#include "util/user.hpp"

#include <catch2/catch.hpp>

using namespace pgfo;

TEST_CASE("lookup_user finds a user of the passwd database by name", "[user]")
{
    auto root = util::lookup_user("root");
    REQUIRE(root.ok());
    CHECK(root->uid == 0);
    CHECK(root->gid == 0);
    CHECK(root->name == "root");
}

TEST_CASE("lookup_user takes a uid no host user has, as a container image's", "[user]")
{
    auto user = util::lookup_user("54321");
    REQUIRE(user.ok());
    CHECK(user->uid == 54321);
    CHECK(user->gid == 54321);
    CHECK(user->home == "/");
    CHECK(user->groups == std::vector<gid_t>{54321});
}

TEST_CASE("lookup_user takes uid:gid", "[user]")
{
    auto user = util::lookup_user("54321:54000");
    REQUIRE(user.ok());
    CHECK(user->uid == 54321);
    CHECK(user->gid == 54000);
    CHECK(user->groups == std::vector<gid_t>{54000});
}

TEST_CASE("lookup_user refuses names that are neither users nor ids", "[user]")
{
    for (const char* name : {"no-such-user-pgfo", "999x", "999:", ":999", "1:2:3", "-1", ""}) {
        INFO(name);
        auto user = util::lookup_user(name);
        CHECK_FALSE(user.ok());
    }
    CHECK(util::lookup_user("no-such-user-pgfo").error().message.find("does not exist") != std::string::npos);
}
