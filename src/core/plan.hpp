#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/observation.hpp"
#include "core/request.hpp"
#include "util/config.hpp"

namespace pgfo::core {

enum class StepKind {
    start,              // start the server as its data directory says
    wait_for_primary,   // poll the peers until one is primary (bounded; stops when superseded)
    promote,            // pg_promote(true, N), then verify pg_is_in_recovery() is false
    recreate_primary,   // compose: recreate the service from the primary file, verify primary
    configure_sync,     // synchronous_standby_names as failover.synchronous says
    fence,              // fast (clean) stop of a primary: no more writes here
    stop,               // fast (clean) stop of a standby before it is resynced
    rewind,             // pg_rewind against the primary; falls back to basebackup
    basebackup,         // pg_basebackup into a fresh directory; the old one is moved aside
    configure_standby,  // standby.signal + primary_conninfo; this node's config files kept
    start_standby,      // start and verify the WAL receiver streams within timeouts.start
};

std::string_view to_string(StepKind kind);

struct Step {
    StepKind kind;
    std::string target;  // the primary (host:port) for resync steps; empty otherwise

    bool operator==(const Step&) const = default;
};

enum class PlanOutcome {
    act,      // run the steps
    nothing,  // already as asked (or paused): nothing to do
    refuse,   // a safety guard said no: exit 3
    fail,     // cannot act on what was observed: exit 1
};

std::string_view to_string(PlanOutcome outcome);

struct Plan {
    PlanOutcome outcome = PlanOutcome::nothing;
    std::vector<Step> steps;
    std::string reason;         // why this plan: shown in the log, the alert and --dry-run
    bool replan_after = false;  // observe again and plan again once the steps ran
    bool timed_out = false;     // fail: because something did not answer in time (exit 4, not 1)

    // "promote -> configure_sync" or "nothing: already primary"
    std::string describe() const;
    std::vector<StepKind> kinds() const;
};

// The parts of the config the decisions depend on.
struct PlanSettings {
    bool split_brain_guard = true;
    std::uint64_t max_lag = 16ull << 20;
    ResyncMode resync = ResyncMode::rewind;
    SyncMode synchronous = SyncMode::off;
    bool recreate_after_promote = false;  // compose runtime with recreate_after_promote

    static PlanSettings from(const Config& config);
};

// The whole decision of one transition: a pure function of what was asked,
// what was observed and the settings.
Plan plan_transition(const Request& request, const Observation& observation, const PlanSettings& settings);

// The peer this node should follow: the hinted one if given, else the reachable
// primary on the newest timeline (then the furthest LSN). nullptr when none.
const PeerObservation* choose_primary(const Observation& observation, const std::string& hint);

// Bytes of WAL this standby would still need to replay to reach the newest position
// it knows of (its own receive position, or a standby peer's on the same timeline).
std::uint64_t replay_gap(const Observation& observation);

}  // namespace pgfo::core
