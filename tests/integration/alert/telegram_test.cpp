#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "alert/telegram.hpp"
#include "alert/utf8.hpp"
#include "fake_alert_server.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::alert;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using test::FakeAlertServer;

namespace {

const std::string k_token = "123456:TEST-token_abc";

TelegramConfig config_for(const test::TestDir& dir, const FakeAlertServer& server, util::Millis timeout = 10s)
{
    TelegramConfig config;
    config.token_file = dir.write("telegram.token", k_token + "\n", 0600);
    config.chat_id = "-1001234567890";
    config.api_url = server.url();
    config.timeout = timeout;
    return config;
}

FakeAlertServer::Options answers(std::vector<std::string> responses, int retry_after = 1)
{
    FakeAlertServer::Options options;
    options.responses = std::move(responses);
    options.token = k_token;
    options.retry_after = retry_after;
    return options;
}

// What Telegram would display: the HTML entities we produce turned back into characters.
std::string html_unescape(std::string text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 5, "&amp;") == 0) {
            out += '&';
            i += 5;
        } else if (text.compare(i, 4, "&lt;") == 0) {
            out += '<';
            i += 4;
        } else if (text.compare(i, 4, "&gt;") == 0) {
            out += '>';
            i += 4;
        } else {
            out += text[i++];
        }
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A loopback port nothing listens on (bound, then closed).
int closed_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

void check_token_hidden(const SendResult& result, const std::vector<test::RecordedRequest>& requests)
{
    CHECK_THAT(result.detail, !Contains(k_token));
    CHECK_THAT(result.detail, !Contains("TEST-token"));
    for (const auto& request : requests) {
        CHECK(request.path == "/bot" + k_token + "/sendMessage");
        CHECK_THAT(request.body, !Contains("TEST-token"));
        for (const auto& [name, value] : request.headers) {
            CHECK_THAT(name, !Contains("TEST-token"));
            CHECK_THAT(value, !Contains("TEST-token"));
        }
    }
}

} // namespace

TEST_CASE("a telegram alert posts sendMessage with chat, HTML text and previews off")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    const SendResult result = send_telegram(config_for(dir, server), "pg-02 promoted");
    CHECK(result.ok);
    CHECK(result.channel == "telegram");
    CHECK(result.attempts == 1);
    CHECK(result.detail.empty());

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/bot" + k_token + "/sendMessage");
    CHECK_THAT(requests[0].header("Content-Type"), Contains("application/json"));
    const auto body = requests[0].json();
    CHECK(body.get("chat_id")->as_int() == -1001234567890);
    CHECK(body.get("text")->text == "pg-02 promoted");
    CHECK(body.get("parse_mode")->text == "HTML");
    REQUIRE(body.get("link_preview_options"));
    CHECK(body.get("link_preview_options")->get("is_disabled")->is_bool());
    CHECK(body.get("link_preview_options")->get("is_disabled")->boolean);
    CHECK(body.get("disable_web_page_preview")->boolean);
    CHECK(body.get("message_thread_id") == nullptr);
    CHECK(body.get("disable_notification") == nullptr);
}

TEST_CASE("a telegram alert goes to the configured thread, silently when asked")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    TelegramConfig config = config_for(dir, server);
    config.chat_id = "@pgfo_alerts";
    config.thread_id = "42";
    config.silent = true;
    CHECK(send_telegram(config, "x").ok);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const auto body = requests[0].json();
    CHECK(body.get("chat_id")->is_string());
    CHECK(body.get("chat_id")->text == "@pgfo_alerts");
    CHECK(body.get("message_thread_id")->as_int() == 42);
    CHECK(body.get("disable_notification")->is_bool());
    CHECK(body.get("disable_notification")->boolean);
}

TEST_CASE("telegram text escapes & < > for HTML")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    CHECK(send_telegram(config_for(dir, server), "lag <16MB> & rising").ok);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].json().get("text")->text == "lag &lt;16MB&gt; &amp; rising");
}

TEST_CASE("a 10000-character telegram text is truncated to 4096 with a marker")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    std::string long_text;
    for (int i = 0; i < 2000; ++i)
        long_text += "a<&> ";
    REQUIRE(long_text.size() == 10000);
    CHECK(send_telegram(config_for(dir, server), long_text).ok);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const std::string shown = html_unescape(requests[0].json().get("text")->text);
    CHECK(utf16_length(shown) <= 4096);
    CHECK(utf16_length(shown) >= 4090);
    CHECK_THAT(shown, EndsWith("…(truncated)"));
    CHECK(shown.substr(0, 100) == long_text.substr(0, 100));
}

TEST_CASE("telegram truncation inside multibyte characters stays valid UTF-8")
{
    std::string text;
    SECTION("three-byte characters")
    {
        for (int i = 0; i < 10000; ++i)
            text += "€";
    }
    SECTION("astral characters after an odd start")
    {
        text = "a";
        for (int i = 0; i < 5000; ++i)
            text += "😀";
    }
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    CHECK(send_telegram(config_for(dir, server), text).ok);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].body_valid_utf8);
    const std::string shown = requests[0].json().get("text")->text;
    CHECK(is_valid_utf8(shown));
    CHECK_THAT(shown, !Contains("\xEF\xBF\xBD")); // no character was cut and replaced
    CHECK(utf16_length(shown) <= 4096);
    CHECK_THAT(shown, EndsWith("…(truncated)"));
}

TEST_CASE("a telegram HTML parse error is resent once as plain text")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"400", "200"}));
    const SendResult result = send_telegram(config_for(dir, server), "a & b");
    CHECK(result.ok);
    CHECK(result.attempts == 2);
    CHECK_THAT(result.detail, Contains("plain text"));
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].json().get("parse_mode")->text == "HTML");
    CHECK(requests[0].json().get("text")->text == "a &amp; b");
    CHECK(requests[1].json().get("parse_mode") == nullptr);
    CHECK(requests[1].json().get("text")->text == "a & b");
}

TEST_CASE("a telegram parse error on the plain resend is final")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"400"}));
    const SendResult result = send_telegram(config_for(dir, server), "x");
    CHECK_FALSE(result.ok);
    CHECK(server.requests().size() == 2);
    CHECK_THAT(result.detail, Contains("HTTP 400: Bad Request: can't parse entities"));
}

TEST_CASE("a telegram 429 waits retry_after before the next request")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"429", "200"}, 1));
    const SendResult result = send_telegram(config_for(dir, server), "x");
    CHECK(result.ok);
    CHECK(result.attempts == 2);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].time - requests[0].time >= 0.95);
}

TEST_CASE("a telegram 429 whose wait does not fit in the budget gives up at once")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"429"}, 30));
    const auto start = std::chrono::steady_clock::now();
    const SendResult result = send_telegram(config_for(dir, server, 2s), "x");
    CHECK(seconds_since(start) < 10);
    CHECK_FALSE(result.ok);
    CHECK(server.requests().size() == 1);
    CHECK_THAT(result.detail, Contains("Too Many Requests: retry after 30"));
    CHECK_THAT(result.detail, Contains("does not fit in the 2s budget"));
    check_token_hidden(result, server.requests());
}

TEST_CASE("a telegram 500 is retried")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"500", "200"}));
    const SendResult result = send_telegram(config_for(dir, server), "x");
    CHECK(result.ok);
    CHECK(result.attempts == 2);
    CHECK(server.requests().size() == 2);
}

TEST_CASE("telegram 500s until the budget ends fail with the last answer")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"500"}));
    const auto start = std::chrono::steady_clock::now();
    const SendResult result = send_telegram(config_for(dir, server, 2s), "x");
    CHECK(seconds_since(start) < 10);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.timed_out);
    CHECK(result.attempts >= 2);
    CHECK(server.requests().size() == static_cast<std::size_t>(result.attempts));
    CHECK_THAT(result.detail, Contains("HTTP 500: Internal Server Error"));
    CHECK_THAT(result.detail, Contains("within the 2s budget"));
    check_token_hidden(result, server.requests());
}

TEST_CASE("a hanging telegram API is bounded by the budget")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"hang"}));
    const auto start = std::chrono::steady_clock::now();
    const SendResult result = send_telegram(config_for(dir, server, 1s), "x");
    CHECK(seconds_since(start) < 5);
    CHECK_FALSE(result.ok);
    CHECK(result.timed_out);
    CHECK(result.attempts == 1);
    CHECK_THAT(result.detail, Contains("no answer from " + server.url() + "/bot[redacted]/sendMessage"));
    REQUIRE(server.requests().size() == 1);
    check_token_hidden(result, server.requests());
}

TEST_CASE("a telegram 401 is final and reported")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"401", "200"}));
    const SendResult result = send_telegram(config_for(dir, server), "x");
    CHECK_FALSE(result.ok);
    CHECK(result.attempts == 1);
    CHECK(result.detail == "HTTP 401: Unauthorized");
    CHECK(server.requests().size() == 1);
    check_token_hidden(result, server.requests());
}

TEST_CASE("a wrong token gets Telegram's 404, final")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    TelegramConfig config = config_for(dir, server);
    config.token_file = dir.write("other.token", "999:other", 0600);
    const SendResult result = send_telegram(config, "x");
    CHECK_FALSE(result.ok);
    CHECK(result.attempts == 1);
    CHECK(result.detail == "HTTP 404: Not Found");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].path == "/bot999:other/sendMessage");
}

TEST_CASE("an inline token works when there is no token file")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    TelegramConfig config = config_for(dir, server);
    config.token_file.clear();
    config.token = k_token;
    CHECK(send_telegram(config, "x").ok);
    REQUIRE(server.requests().size() == 1);
}

TEST_CASE("an unreachable telegram API is retried, then reported without the token")
{
    test::TestDir dir;
    TelegramConfig config;
    config.token_file = dir.write("telegram.token", k_token, 0600);
    config.chat_id = "1";
    config.api_url = "http://127.0.0.1:" + std::to_string(closed_port());
    config.timeout = 1s;
    const auto start = std::chrono::steady_clock::now();
    const SendResult result = send_telegram(config, "x");
    CHECK(seconds_since(start) < 5);
    CHECK_FALSE(result.ok);
    CHECK(result.attempts >= 2);
    CHECK_THAT(result.detail, Contains("request to " + config.api_url + "/bot[redacted]/sendMessage failed"));
    CHECK_THAT(result.detail, !Contains("TEST-token"));
}
