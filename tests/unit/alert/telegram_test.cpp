#include <catch2/catch.hpp>

#include "alert/telegram.hpp"
#include "alert/utf8.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::alert;
using Catch::Matchers::Contains;

TEST_CASE("html escaping covers & < > and nothing else")
{
    CHECK(html_escape("a & b <c> \"d\" 'e'") == "a &amp; b &lt;c&gt; \"d\" 'e'");
    CHECK(html_escape("&amp;") == "&amp;amp;");
    CHECK(html_escape("é😀") == "é😀");
}

TEST_CASE("telegram text is valid utf8 within 4096 characters")
{
    CHECK(telegram_plain_text("short") == "short");
    const std::string cut = telegram_plain_text(std::string(10000, 'x'));
    CHECK(utf16_length(cut) == k_telegram_max_chars);
    CHECK(cut.substr(cut.size() - k_truncation_marker.size()) == k_truncation_marker);
    CHECK(telegram_plain_text("bad\xFF") == "bad\xEF\xBF\xBD");
}

TEST_CASE("the token file is preferred, trimmed")
{
    test::TestDir dir;
    TelegramConfig config;
    config.token = "111:inline";
    config.token_file = dir.write("token", "  222:from-file\n", 0600);
    auto token = read_telegram_token(config);
    REQUIRE(token);
    CHECK(*token == "222:from-file");

    config.token_file.clear();
    token = read_telegram_token(config);
    REQUIRE(token);
    CHECK(*token == "111:inline");
}

TEST_CASE("token problems are config errors that never show the token")
{
    test::TestDir dir;
    TelegramConfig config;
    config.token_file = dir / "missing";
    auto token = read_telegram_token(config);
    REQUIRE_FALSE(token);
    CHECK(token.error().kind == ErrorKind::config);
    CHECK_THAT(token.error().message, Contains(dir / "missing"));
    CHECK_THAT(token.error().message, Contains("hint:"));

    config.token_file = dir.write("empty", "\n", 0600);
    token = read_telegram_token(config);
    REQUIRE_FALSE(token);
    CHECK_THAT(token.error().message, Contains("is empty"));

    config.token_file = dir.write("bad", "123:abc/../x?y\n", 0600);
    token = read_telegram_token(config);
    REQUIRE_FALSE(token);
    CHECK_THAT(token.error().message, !Contains("123:abc"));

    config.token_file.clear();
    token = read_telegram_token(config);
    REQUIRE_FALSE(token);
    CHECK_THAT(token.error().message, Contains("telegram.token_file"));
}

TEST_CASE("a telegram alert without a usable token fails at once without a request")
{
    test::TestDir dir;
    TelegramConfig config;
    config.chat_id = "1";
    config.api_url = "http://127.0.0.1:1";
    config.token_file = dir / "missing";
    const SendResult result = send_telegram(config, "hello");
    CHECK_FALSE(result.ok);
    CHECK(result.channel == "telegram");
    CHECK(result.attempts == 0);
    CHECK_THAT(result.detail, Contains("telegram token file"));
}
