#include <catch2/catch.hpp>

#include "alert/json.hpp"
#include "alert/webhook.hpp"

using namespace pgfo;
using namespace pgfo::alert;
using Catch::Matchers::Contains;

TEST_CASE("the webhook body carries the text and the event with JSON types")
{
    AlertEvent event;
    event.node = "pg-01";
    event.keepalived_state = "BACKUP";
    event.event = "rejoin";
    event.result = "ok";
    event.role_after = "standby";
    event.timeline = 4;
    event.lsn = "0/5000028";
    event.duration_ms = 2500;
    event.discarded_wal_bytes = 8192;
    event.steps = {"fence", "pg_rewind", "start"};
    auto body = json::parse(webhook_body(event, "hello \"world\""));
    REQUIRE(body);
    REQUIRE(body->is_object());
    CHECK(body->get("text")->text == "hello \"world\"");
    CHECK(body->get("node")->text == "pg-01");
    CHECK(body->get("state")->text == "BACKUP");
    CHECK(body->get("event")->text == "rejoin");
    CHECK(body->get("result")->text == "ok");
    CHECK(body->get("role")->text == "standby");
    CHECK(body->get("timeline")->as_int() == 4);
    CHECK(body->get("lsn")->text == "0/5000028");
    CHECK(body->get("duration_ms")->as_int() == 2500);
    CHECK(body->get("error")->is_string());
    CHECK(body->get("discarded_wal_bytes")->as_int() == 8192);
    REQUIRE(body->get("steps")->items.size() == 3);
    CHECK(body->get("steps")->items[1].text == "pg_rewind");
}

TEST_CASE("unknown numbers are null and discarded WAL is absent when not known")
{
    auto body = json::parse(webhook_body(AlertEvent{}, "x"));
    REQUIRE(body);
    CHECK(body->get("timeline")->is_null());
    CHECK(body->get("duration_ms")->is_null());
    CHECK(body->get("discarded_wal_bytes") == nullptr);
}

TEST_CASE("a malformed webhook header fails before any request and is not shown")
{
    WebhookConfig config;
    config.url = "http://127.0.0.1:1/hook";
    for (const std::string header : {"Authorization s3cret", ": s3cret", "X-A: s3cret\r\nX-B: y", "Bad Name: s3cret"}) {
        config.headers = {"X-Ok: 1", header};
        const SendResult result = send_webhook(config, AlertEvent{}, "x");
        CHECK_FALSE(result.ok);
        CHECK(result.attempts == 0);
        CHECK_THAT(result.detail, Contains("webhook header #2"));
        CHECK_THAT(result.detail, !Contains("s3cret"));
    }
}
