// Scenario 3: keepalived is started on a healthy, running primary/standby pair -> nothing
// is restarted or resynchronised: same postmasters, same timeline, no data dir moved.
#include <catch2/catch.hpp>

#include <thread>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

std::string timeline_of(Lab& lab, const std::string& node)
{
    auto conn = lab.connect(node);
    auto row = conn.query("SELECT timeline_id FROM pg_control_checkpoint()", 5s);
    REQUIRE(row.ok());
    return row->get(0, "timeline_id").value_or("");
}

}  // namespace

TEST_CASE("keepalived started on a healthy running pair changes nothing", "[e2e]")
{
    LabOptions options;
    options.keepalived = false;
    LabScenario s(options);
    const int n1_pid = s.lab.postmaster_pid("n1");
    const int n2_pid = s.lab.postmaster_pid("n2");
    REQUIRE(n1_pid > 0);
    REQUIRE(n2_pid > 0);
    REQUIRE(s.lab.role("n1") == "primary");
    REQUIRE(s.lab.role("n2") == "standby");

    // Both at once, the standby's first: its VRRP timer expires first, so keepalived makes
    // it MASTER while n1 is the primary (pgfo must move the VIP back, not promote).
    s.watch();
    s.lab.run({"start-keepalived", "n2"});
    s.lab.run({"start-keepalived", "n1"});
    const std::string primary = s.lab.wait_stable(30s);
    s.begin();
    // Let every startup notify finish (a primary told BACKUP waits peer_wait = 5 s).
    CHECK(s.wait_transition("n1", "BACKUP", 0, 15s));
    CHECK(s.wait_transition("n2", "BACKUP", 0, 15s));
    std::this_thread::sleep_for(3s);
    CHECK(s.lab.wait_stable(10s) == primary);

    CHECK(primary == "n1");
    CHECK(s.lab.postmaster_pid("n1") == n1_pid);
    CHECK(s.lab.postmaster_pid("n2") == n2_pid);
    CHECK(timeline_of(s.lab, "n1") == "1");
    for (const auto& node : s.lab.nodes()) {
        INFO(node);
        for (const char* event : {"fence.done", "stop.done", "start.done", "promote.done", "rewind.done",
                                  "basebackup.done", "start_standby.done"})
            CHECK(s.lab.events(node, event).empty());
        CHECK(s.lab.node_entries(node, "data.").empty());
    }
    s.check_no_acked_write_lost(primary);
    s.check_never_two_primaries();
}
