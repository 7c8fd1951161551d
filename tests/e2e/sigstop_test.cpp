// Scenario 7: PostgreSQL is SIGSTOPped on the primary (a hung server that still holds
// its sockets) -> the check times out, keepalived FAULTs, the standby is promoted; when
// the server continues it carries out the pending fence and stays down.
#include <catch2/catch.hpp>

#include <thread>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

TEST_CASE("postgres frozen by SIGSTOP on the primary: check times out, failover", "[e2e]")
{
    LabScenario s;
    s.begin();

    const auto stopped_at = unix_now_ms();
    s.lab.run({"sigstop-pg", "n1"});
    const std::string primary = s.lab.wait_stable(30s, {"n1"});
    s.wait_writes_after(stopped_at);
    CHECK(primary == "n2");
    CHECK(s.lab.vip_holders() == std::vector<std::string>{"n2"});

    s.lab.run({"sigcont-pg", "n1"});
    CHECK(s.wait_transition("n1", "FAULT", 0, 60s));
    CHECK(s.lab.role("n1") != "primary");
    // Thawed and fenced, the server is down: the check rejoins it as n2's standby.
    CHECK(s.lab.wait_stable(60s) == "n2");
    CHECK(s.lab.role("n1") == "standby");

    s.check_no_acked_write_lost(primary);
    s.check_never_two_primaries();
}
