// Scenario 2: the primary node dies (link down, every process killed) -> failover; the
// node comes back -> it rejoins as a standby of the new primary through pg_rewind.
#include <catch2/catch.hpp>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

TEST_CASE("primary node dies, then comes back and rejoins through pg_rewind", "[e2e]")
{
    LabScenario s;
    s.begin();

    const auto killed_at = unix_now_ms();
    s.lab.run({"kill-node", "n1"});
    const std::string primary = s.lab.wait_stable(30s);
    s.wait_writes_after(killed_at);
    CHECK(primary == "n2");
    CHECK(!s.lab.events("n2", "promote.done").empty());

    // Power back on: keepalived starts, PostgreSQL is left to pgfo.
    const auto back_at = unix_now_ms();
    s.lab.run({"start-node", "n1"});
    const std::string after = s.lab.wait_stable(90s);
    s.wait_writes_after(back_at);

    CHECK(after == "n2");
    CHECK(s.lab.role("n1") == "standby");
    CHECK(!s.lab.events("n1", "rewind.done").empty());
    CHECK(s.lab.events("n1", "basebackup.done").empty());

    s.check_no_acked_write_lost(after);
    s.check_never_two_primaries();
}
