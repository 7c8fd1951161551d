#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/observation.hpp"
#include "pg/server_state.hpp"
#include "util/config.hpp"

namespace pgfo::node {

// track_file weights (keepalived adds value x track weight to the priority): the primary
// first, then standbys by freshness, then a standby beyond max_lag, then a dead server.
inline constexpr int k_weight_primary = 100;
inline constexpr int k_weight_standby_best = 50;       // streaming, replayed everything it knows of
inline constexpr int k_weight_standby_lag_range = 40;  // lost linearly as replay lag grows to max_lag
inline constexpr int k_weight_not_streaming = 9;       // lost while the WAL receiver is not streaming
inline constexpr int k_weight_standby_worst = 1;
inline constexpr int k_weight_lagging = 0;  // standby beyond max_lag
inline constexpr int k_weight_down = -100;  // server not answering

// How long the check waits for a peer's whole answer (at most timeouts.connect).
inline constexpr std::chrono::milliseconds k_peer_budget{500};

// What one check observed.
struct HealthObservation {
    bool paused = false;
    std::string pause_reason;
    std::optional<pg::ServerState> server;     // nullopt: the server did not answer
    std::string server_error;                  // why it did not
    bool server_timed_out = false;             // it did not answer in time (may be running, frozen)
    std::string planned_restart;               // a transition restarts it on purpose: what and which tx
    std::vector<core::PeerObservation> peers;  // empty when they were not asked
    std::optional<bool> witness_reachable;     // nullopt: no witness, or not asked
    std::string requested_state;               // keepalived's latest state for this node ("" when none)
};

struct HealthSettings {
    std::uint64_t max_lag = 16ull << 20;
    std::string witness;
    SyncMode synchronous = SyncMode::off;

    static HealthSettings from(const Config& config);
};

enum class HealthRole { paused, restarting, down, primary, standby };

struct HealthVerdict {
    bool healthy = false;
    HealthRole role = HealthRole::down;
    std::string reason;                                 // one line, why healthy or not
    pg::Lsn lag_bytes = 0;                              // standby: replay behind the last known WAL position
    std::optional<int> weight;                          // track_file value; nullopt: leave the file as it is (paused)
    std::optional<std::string> new_sync_standby_names;  // primary: synchronous_standby_names to set now
};

// Which remote answers the verdict may need, known before the local server answers: peers
// and witness for a node that may be a primary (no standby.signal), peers for a node that
// keepalived made MASTER (it may be a standby holding the VIP). The check asks them in
// parallel with the local query.
struct HealthNeeds {
    bool peers = false;
    bool witness = false;
};
HealthNeeds health_needs(const Config& config, bool standby_signal, const std::string& requested_state);

// The check's whole decision, a pure function of what it observed.
// Paused: healthy. Server not answering: unhealthy, unless a transition restarts it on purpose
// (compose recreate after a promotion): healthy then, so keepalived keeps the VIP.
// Primary: unhealthy when the witness is unreachable (isolated) or a peer is a primary on a
// newer timeline (split brain healed: this one must yield).
// Standby: unhealthy when replay is more than max_lag behind the last known WAL position
// (receive position or the upstream's WAL end), or when keepalived's latest state for this
// node is MASTER while a peer is a reachable primary (the VIP must go back to it).
HealthVerdict decide_health(const HealthObservation& observation, const HealthSettings& settings);

// Why this node should rejoin a peer primary now, or nullopt. Only for an unhealthy node that
// keepalived will keep in FAULT (so it gets no BACKUP notify): a server that is down (refused,
// not a timeout: a frozen server may still run) or a primary that must yield to a peer on a newer
// timeline, while a peer is a reachable primary. The check starts the rejoin; it never waits for it.
std::optional<std::string> rejoin_reason(const HealthObservation& observation, const HealthVerdict& verdict);

// Replay lag of a standby: the newest WAL position it knows of minus its replay position.
pg::Lsn standby_lag(const pg::ServerState& server);

// The track_file weight of a standby LAG bytes behind, streaming or not.
int standby_weight(pg::Lsn lag, std::uint64_t max_lag, bool streaming);

std::string_view to_string(HealthRole role);

// Observes (one connection to the local server and at most one statement, none for a plain
// primary; peers and witness in parallel when needed), decides, and applies what a healthy
// primary must keep current (synchronous_standby_names) and the track_file weight, unless
// DRY_RUN. No child process and no lock: safe to run concurrently.
struct CheckOutcome {
    HealthObservation observation;
    HealthVerdict verdict;
    std::vector<std::string> changes;   // what it changed, one line each
    std::vector<std::string> warnings;  // what it could not do (never changes the verdict)
    std::optional<std::string> rejoin;  // rejoin_reason(): the caller may start a rejoin
};
CheckOutcome run_check(const Config& config, bool dry_run);

}  // namespace pgfo::node
