// Scenario 4: a network partition isolates the primary node (its switch port is cut, its
// link stays up). With a witness the isolated primary fences itself, the other side
// promotes, and after the heal the old primary rejoins. Without a witness both sides keep
// a primary while cut off; the test records what happens after the heal.
#include <catch2/catch.hpp>

#include <thread>

#include "lab/scenario.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

// After the heal keepalived keeps n1 in FAULT (its check fails: the server is fenced) and sends no
// BACKUP; the check sees n2 as a reachable primary and starts the rejoin itself.
TEST_CASE("partition with a witness: the isolated primary fences itself and rejoins after the heal", "[e2e][witness]")
{
    LabOptions options;
    options.witness = true;
    LabScenario s(options);
    s.begin();

    const auto cut_at = unix_now_ms();
    s.lab.run({"partition", "n1"});
    const std::string primary = s.lab.wait_stable(30s);  // n1 is left out while cut off
    s.wait_writes_after(cut_at);
    CHECK(primary == "n2");
    // n1 cannot reach the witness: its check fails, keepalived FAULTs and pgfo fences it.
    CHECK(s.wait_transition("n1", "FAULT", 0, 15s));
    CHECK(s.lab.role("n1") == "down");

    const auto healed_at = unix_now_ms();
    s.lab.run({"heal", "n1"});
    const std::string after = s.lab.wait_stable(90s);
    s.wait_writes_after(healed_at);
    CHECK(after == "n2");
    CHECK(s.lab.role("n1") == "standby");
    CHECK(!s.lab.events("n1", "check.rejoin").empty());
    CHECK(!s.lab.events("n1", "rewind.done").empty());

    s.check_no_acked_write_lost(after);
    s.check_never_two_primaries();
}

// Without a witness nothing tells the isolated primary that it is isolated: n1 keeps its
// VIP and stays primary, n2 stops hearing n1's adverts, takes the VIP too and promotes
// (n1 is unreachable, so the split-brain guard cannot see it). Clients reach n2 (its
// gratuitous ARP is the latest), and with synchronous = "on" every commit on n1 waits for
// a standby that is gone, so n1 acknowledges nothing. After the heal, VRRP keeps the
// higher-priority n1 as MASTER; pgfo's check on n1 sees n2 as a primary on a newer
// timeline and reports unhealthy, n1 is FAULTed and fenced, and n2 takes the VIP back; the
// check then rejoins n1 (pg_rewind) as n2's standby.
// The documented window: from the heal until n1 is fenced, both servers answer as
// primaries to the sampler (bounded below by the check interval plus the fence).
TEST_CASE("partition without a witness: split brain while cut off, resolved towards the newer timeline", "[e2e]")
{
    LabScenario s;
    s.begin();

    const auto cut_at = unix_now_ms();
    s.lab.run({"partition", "n1"});
    const std::string primary = s.lab.wait_stable(30s);
    s.wait_writes_after(cut_at);
    CHECK(primary == "n2");
    // The isolated side: still a primary with the VIP on its own interface.
    CHECK(s.lab.role("n1") == "primary");

    const auto healed_at = unix_now_ms();
    s.lab.run({"heal", "n1"});
    // Converges on the newer timeline: n1 stops being a primary and n2 holds the VIP.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!(s.lab.role("n1") != "primary" && s.lab.vip_holders() == std::vector<std::string>{"n2"})) {
        if (std::chrono::steady_clock::now() > deadline)
            FAIL("n1 is still a primary (or n2 lacks the VIP) 60 s after the heal: " << s.lab.run({"status"}));
        std::this_thread::sleep_for(200ms);
    }
    const std::string after = s.lab.wait_stable(60s);
    s.wait_writes_after(healed_at);
    CHECK(after == "n2");
    CHECK(s.lab.role("n1") == "standby");

    s.check_no_acked_write_lost(after);
    s.end();
    const auto overlaps = s.sampler.overlaps();
    std::string text;
    for (const auto& overlap : overlaps)
        text += overlap.nodes + " for " + std::to_string(overlap.length_ms) + " ms\n";
    INFO("two primaries answering:\n" << text << "timeline:\n" << s.sampler.timeline());
    // Only the window after the heal, at most one overlap and bounded.
    CHECK(overlaps.size() <= 1);
    for (const auto& overlap : overlaps) {
        CHECK(overlap.start_ms >= healed_at - 200);
        CHECK(overlap.length_ms <= 10000);
    }
}
