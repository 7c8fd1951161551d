#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/observation.hpp"
#include "pg/server_state.hpp"
#include "runtime/runtime.hpp"
#include "util/config.hpp"
#include "util/state_store.hpp"

namespace pgfo::node {

// The outcome of the last transition, from node.state_dir/last.
struct LastTransition {
    std::string raw;  // the line as stored
    std::string ts, tx, state, outcome, message;
    std::optional<long long> ms;
};

// Everything `pgfo status` shows, gathered once.
struct StatusReport {
    std::string node;
    bool server_running = false;
    std::string server_address;             // host:port pgfo connects to
    std::string server_error;               // why the server did not answer
    std::optional<pg::ServerState> server;  // nullopt: not answering
    std::string vip;                        // node.vip; empty: not configured
    std::optional<bool> vip_held;           // nullopt: not configured, or the interfaces could not be read
    std::string vip_error;
    std::optional<util::PauseInfo> paused;
    std::optional<util::RequestedState> keepalived;  // keepalived's latest state for this node
    std::optional<LastTransition> last_transition;
    std::optional<util::HealthRecord> last_check;
    std::string track_file;
    std::optional<int> track_weight;
    std::vector<core::PeerObservation> peers;

    // primary | standby | stopped (no server running) | unreachable (running, not answering)
    std::string role() const;
    bool server_ok() const { return server.has_value(); }
    // Standby: bytes of WAL known but not replayed yet.
    std::optional<std::uint64_t> replay_lag_bytes() const;
};

// Local server (full inspection) in parallel with the peers; state files; interfaces.
StatusReport gather_status(const Config& config, runtime::Runtime& runtime);

LastTransition parse_last_transition(const std::string& line);

// The JSON document of docs/status.md (schema 1), one line.
std::string render_status_json(const StatusReport& report);
// An aligned two-column table for people.
std::string render_status_human(const StatusReport& report);

}  // namespace pgfo::node
