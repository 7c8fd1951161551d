#include <catch2/catch.hpp>

#include <chrono>

#include "alert/dispatch.hpp"
#include "fake_alert_server.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::alert;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using test::FakeAlertServer;

namespace {

const std::string k_token = "777:dispatch-token";

FakeAlertServer::Options answers(std::vector<std::string> responses, std::string token = "")
{
    FakeAlertServer::Options options;
    options.responses = std::move(responses);
    options.token = std::move(token);
    return options;
}

Config both_channels(const test::TestDir& dir, const FakeAlertServer& telegram, const FakeAlertServer& webhook,
                     util::Millis timeout)
{
    Config config;
    config.telegram.token_file = dir.write("telegram.token", k_token, 0600);
    config.telegram.chat_id = "5";
    config.telegram.api_url = telegram.url();
    config.telegram.timeout = timeout;
    config.webhook.url = webhook.url() + "/hook";
    config.webhook.timeout = timeout;
    return config;
}

AlertEvent promoted()
{
    AlertEvent event;
    event.node = "pg-02";
    event.keepalived_state = "MASTER";
    event.event = "promote";
    event.result = "ok";
    event.role_after = "primary";
    event.timeline = 2;
    return event;
}

} // namespace

TEST_CASE("an alert goes to every configured channel with the same rendered text")
{
    test::TestDir dir;
    FakeAlertServer telegram(dir, answers({"200"}, k_token));
    test::TestDir webhook_dir;
    FakeAlertServer webhook(webhook_dir, answers({"401"}));
    const auto results = send_alert(both_channels(dir, telegram, webhook, 5s), promoted());
    REQUIRE(results.size() == 2);
    CHECK(results[0].channel == "telegram");
    CHECK(results[0].ok);
    CHECK(results[1].channel == "webhook");
    CHECK_FALSE(results[1].ok);
    CHECK(results[1].detail == "HTTP 401: Unauthorized");

    const std::string expected = render_text(promoted());
    REQUIRE(telegram.requests().size() == 1);
    CHECK(telegram.requests()[0].json().get("text")->text == expected);
    REQUIRE(webhook.requests().size() == 1);
    CHECK(webhook.requests()[0].json().get("text")->text == expected);
    CHECK(webhook.requests()[0].json().get("timeline")->as_int() == 2);
}

TEST_CASE("channels are sent concurrently, so two hanging APIs cost one budget")
{
    test::TestDir dir;
    FakeAlertServer telegram(dir, answers({"hang"}, k_token));
    test::TestDir webhook_dir;
    FakeAlertServer webhook(webhook_dir, answers({"hang"}));
    const auto start = std::chrono::steady_clock::now();
    const auto results = send_alert(both_channels(dir, telegram, webhook, 3s), promoted());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].ok);
    CHECK_FALSE(results[1].ok);
    CHECK(results[0].timed_out);
    CHECK(results[1].timed_out);
    // One after the other would take at least 6s and start the second request 3s after the first.
    CHECK(elapsed < 5500ms);
    REQUIRE(telegram.requests().size() == 1);
    REQUIRE(webhook.requests().size() == 1);
    CHECK(std::abs(telegram.requests()[0].time - webhook.requests()[0].time) < 1.5);
}

TEST_CASE("a channel that cannot start does not stop the others")
{
    test::TestDir dir;
    FakeAlertServer webhook(dir, answers({"200"}));
    Config config;
    config.telegram.chat_id = "5";
    config.telegram.token_file = dir / "missing.token";
    config.webhook.url = webhook.url() + "/hook";
    const auto results = send_alert(config, promoted());
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].ok);
    CHECK_THAT(results[0].detail, Contains("telegram token file"));
    CHECK(results[1].ok);
}

TEST_CASE("no configured channel sends nothing")
{
    Config config;
    CHECK_FALSE(any_channel(config));
    CHECK(send_alert(config, promoted()).empty());
    config.webhook.url = "http://127.0.0.1:1/";
    CHECK(any_channel(config));
}
