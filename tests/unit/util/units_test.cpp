#include <catch2/catch.hpp>

#include "util/units.hpp"

using namespace pgfo::util;
using namespace std::chrono_literals;

TEST_CASE("durations parse with their unit")
{
    CHECK(parse_duration("500ms") == Millis(500));
    CHECK(parse_duration("5s") == Millis(5000));
    CHECK(parse_duration("2m") == Millis(120000));
    CHECK(parse_duration("1h") == Millis(3600000));
    CHECK(parse_duration("1d") == Millis(86400000));
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("5"));
    CHECK_FALSE(parse_duration("s"));
    CHECK_FALSE(parse_duration("-5s"));
    CHECK_FALSE(parse_duration("5 s"));
    CHECK_FALSE(parse_duration("1.5s"));
    CHECK_FALSE(parse_duration("5sec"));
    CHECK_FALSE(parse_duration("99999999999999999999h"));
}

TEST_CASE("durations format in the largest whole unit")
{
    CHECK(format_duration(Millis(500)) == "500ms");
    CHECK(format_duration(Millis(5000)) == "5s");
    CHECK(format_duration(Millis(120000)) == "2m");
    CHECK(format_duration(Millis(1500)) == "1500ms");
}

TEST_CASE("sizes parse in powers of 1024")
{
    CHECK(parse_size("16MB") == 16ull << 20);
    CHECK(parse_size("1GB") == 1ull << 30);
    CHECK(parse_size("512kB") == 512ull << 10);
    CHECK(parse_size("8192") == 8192u);
    CHECK(parse_size("8192B") == 8192u);
    CHECK(parse_size("1TB") == 1ull << 40);
    CHECK_FALSE(parse_size(""));
    CHECK_FALSE(parse_size("MB"));
    CHECK_FALSE(parse_size("16 MB"));
    CHECK_FALSE(parse_size("16XB"));
    CHECK_FALSE(parse_size("-1"));
    CHECK_FALSE(parse_size("99999999999999999999"));
    CHECK_FALSE(parse_size("99999999999TB"));
    CHECK(format_size(16ull << 20) == "16MB");
    CHECK(format_size(1000) == "1000B");
}

TEST_CASE("parse_number takes a whole decimal number of its type and nothing else")
{
    using pgfo::util::parse_number;
    CHECK(parse_number<int>("42") == std::optional<int>(42));
    CHECK(parse_number<std::int64_t>("1764420000000") == std::optional<std::int64_t>(1764420000000));
    CHECK(parse_number<std::uint32_t>("3") == std::optional<std::uint32_t>(3));
    CHECK_FALSE(parse_number<int>("").has_value());
    CHECK_FALSE(parse_number<int>("42 ").has_value());
    CHECK_FALSE(parse_number<int>("4x").has_value());
    CHECK_FALSE(parse_number<unsigned>("-1").has_value());
    CHECK_FALSE(parse_number<int>("99999999999").has_value());
}

TEST_CASE("human_size reads well")
{
    CHECK(human_size(0) == "0 bytes");
    CHECK(human_size(1023) == "1023 bytes");
    CHECK(human_size(1024) == "1.0 kB");
    CHECK(human_size(1536) == "1.5 kB");
    CHECK(human_size(16ull << 20) == "16.0 MB");
    CHECK(human_size(3ull << 30) == "3.0 GB");
}
