#include <catch2/catch.hpp>

#include <random>

#include "util/logfmt.hpp"

using namespace pgfo::util;

namespace {

std::string format_pairs(const std::vector<LogfmtPair>& pairs)
{
    std::string line;
    for (const auto& pair : pairs)
        append_logfmt_pair(line, pair.key, pair.value);
    return line;
}

// Bytes that stress the quoting: quotes, '=', spaces, backslashes, line breaks, control
// bytes, DEL, UTF-8 (é, €, 🙂) and bytes that are not UTF-8 at all.
std::string random_value(std::mt19937& rng)
{
    static const std::vector<std::string> k_atoms = {
        "a",
        "Z",
        "0",
        "-",
        ".",
        "_",
        ":",
        "/",
        ",",
        "\"",
        "=",
        " ",
        "  ",
        "\\",
        "\\n",
        "\n",
        "\r",
        "\t",
        "\x01",
        "\x1b[31m",
        "\x7f",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x99\x82",
        "\xff",
        "\x80",
        "x=\"y\"",
    };
    std::uniform_int_distribution<std::size_t> length(0, 12);
    std::uniform_int_distribution<std::size_t> pick(0, k_atoms.size() - 1);
    std::string value;
    for (std::size_t i = length(rng); i > 0; --i)
        value += k_atoms[pick(rng)];
    return value;
}

std::string random_key(std::mt19937& rng)
{
    static const std::string k_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    std::uniform_int_distribution<std::size_t> length(1, 10);
    std::uniform_int_distribution<std::size_t> pick(0, k_chars.size() - 1);
    std::string key;
    for (std::size_t i = length(rng); i > 0; --i)
        key += k_chars[pick(rng)];
    return key;
}

} // namespace

TEST_CASE("random values survive format and parse unchanged")
{
    std::mt19937 rng(20261129);
    std::uniform_int_distribution<std::size_t> count(1, 8);
    for (int round = 0; round < 2000; ++round) {
        std::vector<LogfmtPair> pairs;
        for (std::size_t i = count(rng); i > 0; --i)
            pairs.push_back({random_key(rng), random_value(rng)});
        const std::string line = format_pairs(pairs);
        INFO("line: " << line);
        REQUIRE(line.find('\n') == std::string::npos);
        REQUIRE(line.find('\r') == std::string::npos);
        auto parsed = parse_logfmt(line);
        REQUIRE(parsed);
        REQUIRE(*parsed == pairs);
    }
}

TEST_CASE("values are bare only when nothing in them needs quoting")
{
    CHECK_FALSE(needs_logfmt_quotes("MASTER"));
    CHECK_FALSE(needs_logfmt_quotes("10.0.0.12:5432"));
    CHECK_FALSE(needs_logfmt_quotes("/var/lib/postgresql/15/main"));
    CHECK(needs_logfmt_quotes(""));
    CHECK(needs_logfmt_quotes("two words"));
    CHECK(needs_logfmt_quotes("a=b"));
    CHECK(needs_logfmt_quotes("say\"hi"));
    CHECK(needs_logfmt_quotes("back\\slash"));
    CHECK(needs_logfmt_quotes("caf\xc3\xa9"));
    CHECK(needs_logfmt_quotes("tab\there"));
    CHECK(needs_logfmt_quotes("del\x7f"));
}

TEST_CASE("quoted values escape quotes, backslashes and control bytes")
{
    std::string out;
    append_logfmt_value(out, "a \"b\" \\c\nd\re\tf\x01g\x7fh\xc3\xa9");
    CHECK(out == "\"a \\\"b\\\" \\\\c\\nd\\re\\tf\\x01g\\x7fh\xc3\xa9\"");
    out.clear();
    append_logfmt_value(out, "");
    CHECK(out == "\"\"");
}

TEST_CASE("keys are sanitized to letters, digits and _.-")
{
    CHECK(sanitize_logfmt_key("wal.bytes_lost-x") == "wal.bytes_lost-x");
    CHECK(sanitize_logfmt_key("bad key=\"x\"") == "bad_key__x_");
    CHECK(sanitize_logfmt_key("caf\xc3\xa9") == "caf__");
    CHECK(sanitize_logfmt_key("") == "_");
}

TEST_CASE("a line parses into its pairs in order")
{
    auto pairs = parse_logfmt("ts=2026-11-29T12:33:43.697Z level=info  state=MASTER msg=\"promoted, timeline 3\"");
    REQUIRE(pairs);
    REQUIRE(pairs->size() == 4);
    CHECK((*pairs)[0] == LogfmtPair{"ts", "2026-11-29T12:33:43.697Z"});
    CHECK((*pairs)[1] == LogfmtPair{"level", "info"});
    CHECK((*pairs)[2] == LogfmtPair{"state", "MASTER"});
    CHECK((*pairs)[3] == LogfmtPair{"msg", "promoted, timeline 3"});
    CHECK(parse_logfmt("")->empty());
    CHECK(parse_logfmt("a=\"\\x41\\x7F\"")->front().value == "A\x7f");
}

TEST_CASE("text that is not logfmt as written is rejected")
{
    CHECK_FALSE(parse_logfmt("word"));
    CHECK_FALSE(parse_logfmt("a=1 word"));
    CHECK_FALSE(parse_logfmt("a="));
    CHECK_FALSE(parse_logfmt("a= b=1"));
    CHECK_FALSE(parse_logfmt("=v"));
    CHECK_FALSE(parse_logfmt("k!=v"));
    CHECK_FALSE(parse_logfmt("a=\"unterminated"));
    CHECK_FALSE(parse_logfmt("a=\"ends in backslash\\"));
    CHECK_FALSE(parse_logfmt("a=\"bad \\q escape\""));
    CHECK_FALSE(parse_logfmt("a=\"short \\x4\""));
    CHECK_FALSE(parse_logfmt("a=\"not hex \\xzz\""));
    CHECK_FALSE(parse_logfmt("a=\"x\"y"));
    CHECK_FALSE(parse_logfmt("a=b\"c"));
    CHECK_FALSE(parse_logfmt("a=b=c"));
    CHECK_FALSE(parse_logfmt("a=tab\there"));
}
