#include <catch2/catch.hpp>

#include "alert/utf8.hpp"

using namespace pgfo::alert;

namespace {

std::string repeat(std::string_view piece, std::size_t times)
{
    std::string out;
    for (std::size_t i = 0; i < times; ++i)
        out += piece;
    return out;
}

constexpr std::string_view k_marker = "…(truncated)";

bool ends_with(const std::string& text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

TEST_CASE("utf8 sequences are checked strictly")
{
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("é € 😀"));
    CHECK_FALSE(is_valid_utf8("\xC0\x80"));         // overlong NUL
    CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));     // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));         // cut short
    CHECK_FALSE(is_valid_utf8("\x80"));             // lone continuation
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK(utf8_sequence_length("€x") == 3);
    CHECK(utf8_sequence_length("😀") == 4);
    CHECK(utf8_sequence_length("\xE2\x82") == 0);
}

TEST_CASE("invalid utf8 is replaced by U+FFFD")
{
    CHECK(sanitize_utf8("a\xFF"
                        "b") == "a\xEF\xBF\xBD"
                                "b");
    CHECK(sanitize_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(sanitize_utf8("é😀") == "é😀");
}

TEST_CASE("lengths count utf16 code units as telegram does")
{
    CHECK(utf16_length("") == 0);
    CHECK(utf16_length("abc") == 3);
    CHECK(utf16_length("é") == 1);
    CHECK(utf16_length("€") == 1);
    CHECK(utf16_length("😀") == 2);
    CHECK(utf16_length(k_marker) == 12);
}

TEST_CASE("text that fits is not truncated")
{
    const std::string text = repeat("x", 4096);
    CHECK(truncate_utf16(text, 4096, k_marker) == text);
    CHECK(truncate_utf16("", 4096, k_marker).empty());
}

TEST_CASE("ascii text is cut to exactly the limit with the marker")
{
    const std::string out = truncate_utf16(repeat("x", 10000), 4096, k_marker);
    CHECK(utf16_length(out) == 4096);
    CHECK(ends_with(out, k_marker));
    CHECK(out.substr(0, 4084) == repeat("x", 4084));
}

TEST_CASE("multibyte text is cut on a character boundary")
{
    SECTION("three-byte characters")
    {
        const std::string out = truncate_utf16(repeat("€", 5000), 4096, k_marker);
        CHECK(is_valid_utf8(out));
        CHECK(utf16_length(out) == 4096);
        CHECK(out == repeat("€", 4084) + std::string(k_marker));
    }
    SECTION("astral characters never lose half a surrogate pair")
    {
        const std::string out = truncate_utf16("a" + repeat("😀", 3000), 4096, k_marker);
        CHECK(is_valid_utf8(out));
        CHECK(utf16_length(out) == 4095); // 1 + 2*2041 + 12: one more emoji would overflow
        CHECK(out == "a" + repeat("😀", 2041) + std::string(k_marker));
    }
    SECTION("mixed widths")
    {
        const std::string out = truncate_utf16(repeat("aé€😀", 3000), 4096, k_marker);
        CHECK(is_valid_utf8(out));
        CHECK(utf16_length(out) <= 4096);
        CHECK(utf16_length(out) >= 4094);
        CHECK(ends_with(out, k_marker));
    }
}

TEST_CASE("a limit smaller than the marker still holds")
{
    const std::string out = truncate_utf16(repeat("x", 100), 5, k_marker);
    CHECK(utf16_length(out) <= 5);
    CHECK(is_valid_utf8(out));
}
