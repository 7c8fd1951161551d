#pragma once

#include <chrono>
#include <map>
#include <string>

namespace pgfo::bench {

enum class Approach { pgfo, classic };

const char* to_string(Approach approach);

// One measured failover: the primary is dead, the approach makes the standby writable.
struct RunResult {
    double first_write_ms = 0;  // t0 -> first INSERT acknowledged by the standby
    double command_ms = 0;      // t0 -> the approach's command returned
    int attempts = 0;           // INSERT attempts the poller made
    // From the standby's server log: ms after t0 at which the server saw the promotion request
    // (pg_promote's signal, or the trigger file found after the restart).
    double server_promote_requested_ms = 0;
    // pgfo only: ms from t0 at which each logged event happened (first occurrence).
    std::map<std::string, double> events;
    // pgfo only: the "ms" field of each finished step (event name without ".done").
    std::map<std::string, double> step_ms;
};

struct RunSettings {
    std::chrono::milliseconds poll{5};
    int load_mb = 0;    // rows written on the primary just before it dies, replayed by the standby
    bool keep = false;  // leave DIR for inspection
};

// Builds a fresh primary + streaming standby pair in DIR (checksums and fsync on), kills the
// primary, and measures APPROACH with a poller trying an INSERT on the standby every POLL.
// Throws std::runtime_error when the approach fails or no write is accepted within a minute.
RunResult run_once(Approach approach, const std::string& dir, const RunSettings& settings);

}  // namespace pgfo::bench
