// Scenario 1: PostgreSQL is killed on the primary node -> the VIP moves, the standby is
// promoted, the old node is fenced, then its check rejoins it as a standby of the new
// primary (pg_rewind); no acknowledged write is lost; never two primaries.
#include <catch2/catch.hpp>

#include <algorithm>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

TEST_CASE("postgres killed on the primary node: the standby takes over", "[e2e]")
{
    LabScenario s;
    s.begin();

    const auto killed_at = unix_now_ms();
    s.lab.run({"kill-pg", "n1"});
    const std::string primary = s.lab.wait_stable(30s, {"n1"});
    s.wait_writes_after(killed_at);

    CHECK(primary == "n2");
    CHECK(s.lab.vip_holders() == std::vector<std::string>{"n2"});
    CHECK(!s.lab.events("n2", "promote.done").empty());
    // n1 got FAULT from its failing check; keepalived keeps it there (no BACKUP notify) while the
    // server is down, so its check starts the rejoin once n2 answers as primary.
    CHECK(s.wait_transition("n1", "FAULT", 0, 10s));
    CHECK(s.lab.wait_stable(60s) == "n2");
    CHECK(s.lab.role("n1") == "standby");
    CHECK(!s.lab.events("n1", "check.rejoin").empty());
    CHECK(!s.lab.events("n1", "rewind.done").empty());
    CHECK(s.lab.events("n1", "basebackup.done").empty());

    s.check_no_acked_write_lost(primary);
    s.check_never_two_primaries();
    CHECK(s.sampler.ticks("n2", NodeRole::primary) > 0);
}
