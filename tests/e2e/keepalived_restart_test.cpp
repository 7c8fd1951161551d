// Scenario 5: keepalived is restarted on each node in turn. On the standby nothing
// changes. On the primary, stopping keepalived hands the VIP over (VRRP sends priority 0
// on shutdown): the STOP notify fences the old primary, the standby is promoted, and the
// old primary rejoins when its keepalived is back. Roles then stay as they are.
#include <catch2/catch.hpp>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

TEST_CASE("keepalived restarted on each node in turn: roles stay stable", "[e2e]")
{
    LabScenario s;
    s.begin();

    const int n2_pid = s.lab.postmaster_pid("n2");
    const auto first_at = unix_now_ms();
    s.lab.run({"restart-keepalived", "n2"});
    CHECK(s.wait_transition("n2", "BACKUP", 1, 15s));
    CHECK(s.lab.wait_stable(30s) == "n1");
    s.wait_writes_after(first_at);
    CHECK(s.lab.postmaster_pid("n2") == n2_pid);
    CHECK(s.lab.events("n2", "rewind.done").empty());
    CHECK(s.lab.events("n2", "basebackup.done").empty());

    const auto second_at = unix_now_ms();
    s.lab.run({"restart-keepalived", "n1"});
    const std::string after = s.lab.wait_stable(90s);
    s.wait_writes_after(second_at);
    CHECK(after == "n2");
    CHECK(s.lab.role("n1") == "standby");
    // n2 stayed a standby that was never resynchronised before its promotion.
    CHECK(s.lab.events("n2", "basebackup.done").empty());

    s.check_no_acked_write_lost(after);
    s.check_never_two_primaries();
}
