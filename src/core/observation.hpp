#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/lsn.hpp"

namespace pgfo::core {

// What this node's own server looks like right now.
struct LocalObservation {
    bool running = false;         // a postmaster is up for data_dir
    bool reachable = false;       // it answered SQL
    bool in_recovery = false;     // standby (meaningful when reachable)
    bool standby_signal = false;  // data_dir has standby.signal (meaningful when stopped)
    bool data_dir_exists = true;
    std::uint32_t timeline = 0;
    pg::Lsn lsn = 0;          // primary: current write position; standby: replay position
    pg::Lsn receive_lsn = 0;  // standby: last WAL received
    bool streaming = false;   // standby: WAL receiver streaming
    std::string upstream;     // standby: host:port it streams from
    std::string error;        // why it was not reachable
    bool timed_out = false;   // the server or its runtime did not answer in time (not a refusal)
};

// What one peer looks like from here.
struct PeerObservation {
    std::string address;  // host:port as configured
    bool reachable = false;
    bool in_recovery = false;
    std::uint32_t timeline = 0;
    pg::Lsn lsn = 0;  // primary: current write position; standby: receive position
    std::string error;

    bool is_primary() const { return reachable && !in_recovery; }
};

struct Observation {
    LocalObservation local;
    std::vector<PeerObservation> peers;
    bool paused = false;
    std::string pause_reason;
    std::optional<bool> witness_reachable;  // nullopt: no witness configured
    bool last_resync_failed = false;        // the last resync did not end in a streaming standby
};

}  // namespace pgfo::core
