#include <catch2/catch.hpp>

#include "util/kv_line.hpp"

using namespace pgfo::util;

TEST_CASE("kv lines quote only what needs it")
{
    CHECK(format_kv_line({{"seq", "3"}, {"state", "MASTER"}}) == "seq=3 state=MASTER");
    CHECK(format_kv_line({{"reason", "disk swap"}, {"empty", ""}}) == "reason=\"disk swap\" empty=\"\"");
    CHECK(format_kv_line({{"q", "a\"b\\c\nd=e"}}) == R"(q="a\"b\\c\nd=e")");
}

TEST_CASE("kv lines parse back what was formatted")
{
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"a", "plain"}, {"b", "two words"}, {"c", ""}, {"d", "tab\there \"quoted\" back\\slash\r\n"}};
    auto parsed = parse_kv_line(format_kv_line(fields) + "\n");
    REQUIRE(parsed);
    CHECK(parsed->size() == 4);
    for (const auto& [key, value] : fields)
        CHECK(parsed->at(key) == value);
}

TEST_CASE("malformed kv lines are rejected")
{
    CHECK_FALSE(parse_kv_line(""));
    CHECK_FALSE(parse_kv_line("   \n"));
    CHECK_FALSE(parse_kv_line("word"));
    CHECK_FALSE(parse_kv_line("=value"));
    CHECK_FALSE(parse_kv_line("a=\"unterminated"));
    CHECK_FALSE(parse_kv_line("a=\"x\"y"));
    CHECK_FALSE(parse_kv_line("a=x\"y"));
    CHECK_FALSE(parse_kv_line("a=1 junk"));
    CHECK(parse_kv_line("a=1  b=2")->at("b") == "2");
}
