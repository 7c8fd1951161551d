#include <catch2/catch.hpp>

#include <chrono>

#include "alert/webhook.hpp"
#include "fake_alert_server.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::alert;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using test::FakeAlertServer;

namespace {

FakeAlertServer::Options answers(std::vector<std::string> responses)
{
    FakeAlertServer::Options options;
    options.responses = std::move(responses);
    return options;
}

WebhookConfig config_for(const FakeAlertServer& server, util::Millis timeout = 10s)
{
    WebhookConfig config;
    config.url = server.url() + "/hooks/SECRETPATH";
    config.timeout = timeout;
    return config;
}

AlertEvent rejoin()
{
    AlertEvent event;
    event.node = "pg-01";
    event.keepalived_state = "BACKUP";
    event.event = "rejoin";
    event.result = "failed";
    event.role_after = "stopped";
    event.timeline = 4;
    event.lsn = "0/5000028";
    event.duration_ms = 61000;
    event.error = "pg_rewind exited with 1";
    event.discarded_wal_bytes = 12894323;
    event.steps = {"fence", "pg_rewind"};
    return event;
}

} // namespace

TEST_CASE("a webhook gets the text, every event field with its JSON type, and the custom headers")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"200"}));
    WebhookConfig config = config_for(server);
    config.headers = {"Authorization: Bearer s3cret", "X-Pgfo-Test: yes"};
    const SendResult result = send_webhook(config, rejoin(), "pgfo pg-01: rejoin FAILED");
    CHECK(result.ok);
    CHECK(result.channel == "webhook");
    CHECK(result.attempts == 1);

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/hooks/SECRETPATH");
    CHECK(requests[0].header("Authorization") == "Bearer s3cret");
    CHECK(requests[0].header("X-Pgfo-Test") == "yes");
    CHECK_THAT(requests[0].header("Content-Type"), Contains("application/json"));

    const auto body = requests[0].json();
    REQUIRE(body.is_object());
    auto string_field = [&body](const char* key) {
        const auto* value = body.get(key);
        REQUIRE(value);
        CHECK(value->is_string());
        return value->text;
    };
    CHECK(string_field("text") == "pgfo pg-01: rejoin FAILED");
    CHECK(string_field("node") == "pg-01");
    CHECK(string_field("event") == "rejoin");
    CHECK(string_field("state") == "BACKUP");
    CHECK(string_field("result") == "failed");
    CHECK(string_field("role") == "stopped");
    CHECK(string_field("lsn") == "0/5000028");
    CHECK(string_field("error") == "pg_rewind exited with 1");
    REQUIRE(body.get("timeline"));
    CHECK(body.get("timeline")->as_int() == 4);
    REQUIRE(body.get("duration_ms"));
    CHECK(body.get("duration_ms")->as_int() == 61000);
    REQUIRE(body.get("discarded_wal_bytes"));
    CHECK(body.get("discarded_wal_bytes")->as_int() == 12894323);
    REQUIRE(body.get("steps"));
    CHECK(body.get("steps")->is_array());
    CHECK(body.get("steps")->items.size() == 2);
}

TEST_CASE("a webhook 500 is retried")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"500", "500", "200"}));
    const SendResult result = send_webhook(config_for(server), rejoin(), "x");
    CHECK(result.ok);
    CHECK(result.attempts == 3);
    CHECK(server.requests().size() == 3);
}

TEST_CASE("a webhook 401 is final and reported")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"401", "200"}));
    const SendResult result = send_webhook(config_for(server), rejoin(), "x");
    CHECK_FALSE(result.ok);
    CHECK(result.attempts == 1);
    CHECK(result.detail == "HTTP 401: Unauthorized");
    CHECK(server.requests().size() == 1);
}

TEST_CASE("a hanging webhook is bounded by the budget and its path is not shown")
{
    test::TestDir dir;
    FakeAlertServer server(dir, answers({"hang"}));
    const auto start = std::chrono::steady_clock::now();
    const SendResult result = send_webhook(config_for(server, 1s), rejoin(), "x");
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK_FALSE(result.ok);
    CHECK(result.timed_out);
    CHECK_THAT(result.detail, Contains("no answer from " + server.url()));
    CHECK_THAT(result.detail, !Contains("SECRETPATH"));
    CHECK(server.requests().size() == 1);
}
