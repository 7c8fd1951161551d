// Scenario 6: five failovers back and forth in a row (node death of whichever node is the
// primary, then the node comes back) -> the pair converges every time.
#include <catch2/catch.hpp>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

TEST_CASE("five failovers back and forth converge every time", "[e2e]")
{
    LabScenario s;
    s.begin();

    std::string primary = "n1";
    for (int round = 1; round <= 5; ++round) {
        INFO("failover " << round << ": killing " << primary);
        const std::string other = primary == "n1" ? "n2" : "n1";
        const auto killed_at = unix_now_ms();
        s.lab.run({"kill-node", primary});
        REQUIRE(s.lab.wait_stable(30s) == other);
        s.wait_writes_after(killed_at);
        const auto back_at = unix_now_ms();
        s.lab.run({"start-node", primary});
        REQUIRE(s.lab.wait_stable(90s) == other);
        REQUIRE(s.lab.role(primary) == "standby");
        s.wait_writes_after(back_at);
        primary = other;
    }
    s.check_no_acked_write_lost(primary);
    s.check_never_two_primaries();
}
