#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>

#include "node/track_file.hpp"
#include "test_dir.hpp"
#include "util/files.hpp"

using namespace pgfo;
using namespace pgfo::node;

TEST_CASE("update_track_file writes the weight once and leaves an equal file alone", "[track_file]")
{
    test::TestDir dir;
    const std::string path = dir / "keepalived/pgfo.weight";  // the folder is created
    CHECK_FALSE(read_track_file(path));

    auto first = update_track_file(path, 50);
    REQUIRE(first.ok());
    CHECK(first.value());
    CHECK(util::read_file(path).value() == "50\n");
    CHECK(read_track_file(path) == 50);

    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    auto same = update_track_file(path, 50);
    REQUIRE(same.ok());
    CHECK_FALSE(same.value());
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);  // not replaced

    auto lower = update_track_file(path, -100);
    REQUIRE(lower.ok());
    CHECK(lower.value());
    CHECK(read_track_file(path) == -100);
    struct stat replaced {};
    REQUIRE(::stat(path.c_str(), &replaced) == 0);
    CHECK(replaced.st_ino != before.st_ino);  // a new file renamed over the old one
    CHECK((replaced.st_mode & 0777) == 0644);
}

TEST_CASE("read_track_file takes only a whole integer", "[track_file]")
{
    test::TestDir dir;
    CHECK(read_track_file(dir.write("a", "7")) == 7);
    CHECK(read_track_file(dir.write("b", "-3\n")) == -3);
    CHECK_FALSE(read_track_file(dir.write("c", "")));
    CHECK_FALSE(read_track_file(dir.write("d", "12abc\n")));
    CHECK_FALSE(read_track_file(dir.write("e", "abc")));
    CHECK_FALSE(read_track_file(dir / "missing"));
    auto overwritten = update_track_file(dir / "d", 12);
    REQUIRE(overwritten.ok());
    CHECK(overwritten.value());
    CHECK(read_track_file(dir / "d") == 12);
}

TEST_CASE("update_track_file names the file it could not write", "[track_file]")
{
    test::TestDir dir;
    dir.write("file", "x");
    auto failed = update_track_file(dir / "file/weight", 1);  // parent is a file
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message,
               Catch::Matchers::Contains("track_file") && Catch::Matchers::Contains(dir / "file/weight"));
}
