#include <catch2/catch.hpp>

#include "node/health_record.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::node;

TEST_CASE("record_health_change records only a change of the healthy flag", "[health]")
{
    test::TestDir dir;
    const std::string state_dir = dir / "state";  // created on the first record
    CHECK_FALSE(read_health_record(state_dir));

    auto first = record_health_change(state_dir, true, "primary on timeline 1");
    REQUIRE(first.ok());
    CHECK(first.value());
    auto record = read_health_record(state_dir);
    REQUIRE(record);
    CHECK(record->healthy);
    CHECK(record->reason == "primary on timeline 1");
    CHECK(record->ts.size() == 24);

    auto same = record_health_change(state_dir, true, "primary on timeline 2");
    REQUIRE(same.ok());
    CHECK_FALSE(same.value());
    CHECK(read_health_record(state_dir)->reason == "primary on timeline 1");

    auto down = record_health_change(state_dir, false, "server is not answering: \"refused\" = bad");
    REQUIRE(down.ok());
    CHECK(down.value());
    record = read_health_record(state_dir);
    REQUIRE(record);
    CHECK_FALSE(record->healthy);
    CHECK(record->reason == "server is not answering: \"refused\" = bad");
}

TEST_CASE("read_health_record ignores a file that is not a record", "[health]")
{
    test::TestDir dir;
    dir.write("health", "garbage\n");
    CHECK_FALSE(read_health_record(dir.path()));
    auto written = record_health_change(dir.path(), false, "x");
    REQUIRE(written.ok());
    CHECK(written.value());
    CHECK(read_health_record(dir.path()));
}
