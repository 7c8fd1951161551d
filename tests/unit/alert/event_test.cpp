#include <catch2/catch.hpp>

#include "alert/event.hpp"

using namespace pgfo::alert;
using Catch::Matchers::Contains;

namespace {

AlertEvent promoted()
{
    AlertEvent event;
    event.node = "pg-02";
    event.keepalived_state = "MASTER";
    event.event = "promote";
    event.result = "ok";
    event.role_after = "primary";
    event.timeline = 3;
    event.lsn = "0/3000060";
    event.duration_ms = 1420;
    event.steps = {"check peers", "pg_promote", "verify"};
    return event;
}

} // namespace

TEST_CASE("a promotion names node, state change, steps, outcome, role, timeline and duration")
{
    const std::string text = render_text(promoted());
    CHECK(text == "pgfo pg-02: keepalived state MASTER, promote ok\n"
                  "done: check peers, pg_promote, verify\n"
                  "role after: primary, timeline 3, lsn 0/3000060\n"
                  "duration: 1.4s");
}

TEST_CASE("a refusal gives the reason, a failure the error")
{
    AlertEvent event = promoted();
    event.result = "refused";
    event.role_after = "standby";
    event.error = "peer 10.0.0.11:5432 is still a writable primary";
    std::string text = render_text(event);
    CHECK_THAT(text, Contains("promote REFUSED"));
    CHECK_THAT(text, Contains("reason: peer 10.0.0.11:5432 is still a writable primary"));
    CHECK_THAT(text, !Contains("error:"));

    event.result = "failed";
    event.error = "pg_promote did not finish";
    text = render_text(event);
    CHECK_THAT(text, Contains("promote FAILED"));
    CHECK_THAT(text, Contains("error: pg_promote did not finish"));

    event.result = "timeout";
    CHECK_THAT(render_text(event), Contains("promote TIMED OUT"));
}

TEST_CASE("a rejoin reports the discarded WAL in a readable size")
{
    AlertEvent event;
    event.node = "pg-01";
    event.keepalived_state = "BACKUP";
    event.event = "rejoin";
    event.result = "ok";
    event.role_after = "standby";
    event.timeline = 4;
    event.discarded_wal_bytes = 12894323;
    CHECK_THAT(render_text(event), Contains("WAL discarded on rejoin: 12.3 MB (12894323 bytes)"));
    event.discarded_wal_bytes = 0;
    CHECK_THAT(render_text(event), Contains("WAL discarded on rejoin: none"));
    event.discarded_wal_bytes = 200;
    CHECK_THAT(render_text(event), Contains("WAL discarded on rejoin: 200 bytes"));
    event.discarded_wal_bytes.reset();
    CHECK_THAT(render_text(event), !Contains("WAL"));
}

TEST_CASE("unknown facts are left out rather than shown empty")
{
    AlertEvent event;
    event.node = "pg-01";
    event.event = "fence";
    event.result = "failed";
    const std::string text = render_text(event);
    CHECK(text == "pgfo pg-01: fence FAILED");
}

TEST_CASE("an override is the whole message")
{
    AlertEvent event = promoted();
    event.text_override = "pgfo test alert from pg-02";
    CHECK(render_text(event) == "pgfo test alert from pg-02");
}

TEST_CASE("durations read well")
{
    CHECK(human_duration(0) == "0ms");
    CHECK(human_duration(850) == "850ms");
    CHECK(human_duration(4200) == "4.2s");
    CHECK(human_duration(125'000) == "2m05s");
    CHECK(human_duration(3'900'000) == "1h05m");
}
