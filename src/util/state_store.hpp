#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/result.hpp"

namespace pgfo::util {

// The last state keepalived requested, with a sequence number that grows by one per request.
struct RequestedState {
    std::uint64_t seq = 0;
    std::string state;  // MASTER | BACKUP | FAULT | STOP | DELETED | or an operator command
    std::string ts;     // UTC timestamp
    std::string tx;     // the run that recorded it
};

// A restart a transition makes on purpose (compose recreate): the check, which would see the
// server refuse connections, reports healthy until it ends or `until_ms` (Unix ms) passes.
struct PlannedRestart {
    std::string what;  // the step, e.g. "recreate_primary"
    std::string tx;
    std::int64_t until_ms = 0;
};

struct PauseInfo {
    std::string reason;
    std::string ts;
};

// The last verdict of `pgfo check` that differed from the one before.
struct HealthRecord {
    bool healthy = false;
    std::string reason;
    std::string ts;  // UTC, when the verdict changed to this
};

// Files in node.state_dir (created 0750 when missing): "lock", "requested" (RequestedState,
// serialized by "requested.lock"), "paused" (PauseInfo), "last" (the last finished transition),
// "health" (HealthRecord), "restarting", "rejoin.started", "resync.failed" (below).
// All writes are atomic (temp, fsync, rename). A "paused" file that is not ours (an operator's
// `echo why > paused`) still pauses, its text being the reason.
class StateStore {
public:
    explicit StateStore(std::string dir) : m_dir(std::move(dir)) {}

    const std::string& dir() const { return m_dir; }
    std::string lock_path() const { return m_dir + "/lock"; }

    // Records STATE as the newest request and returns it with its sequence number.
    // Serialized by a short lock of its own, so concurrent callers get distinct numbers.
    Result<RequestedState> record_request(const std::string& state, const std::string& tx);
    std::optional<RequestedState> latest_request() const;

    Status pause(const std::string& reason);
    Status resume();
    std::optional<PauseInfo> paused() const;

    // "restarting": written before a planned restart, removed after it; planned_restart()
    // returns it only while until_ms lies ahead of NOW_MS.
    Status begin_planned_restart(const PlannedRestart& restart);
    void end_planned_restart();
    std::optional<PlannedRestart> planned_restart(std::int64_t now_ms) const;

    // "rejoin.started": when (Unix ms, NOW_MS) and why the check last started a detached rejoin.
    Status mark_rejoin_started(const std::string& reason, std::int64_t now_ms);
    std::optional<std::int64_t> rejoin_started_ms() const;

    // "resync.failed": the last resync of this node did not end in a streaming standby (why);
    // the next one copies afresh instead of rewinding again.
    Status mark_resync_failed(const std::string& why);
    void clear_resync_failed();
    bool resync_failed() const;

    // The outcome of the last transition, a free-form logfmt line for status.
    Status write_last_transition(const std::string& line);
    std::optional<std::string> last_transition() const;

    // "health": the check's verdict, kept so that a change is logged once and status shows
    // it. record_health_change writes only when the healthy flag changed (true then).
    std::optional<HealthRecord> health() const;
    Result<bool> record_health_change(bool healthy, const std::string& reason);

private:
    // Writes LINE as the file NAME, atomically, creating the directory when missing.
    Status write_line(const std::string& name, const std::string& line) const;

    std::string m_dir;
};

}  // namespace pgfo::util
