#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgfo::alert {

// One transition (or refusal, or failure) as operators should hear about it.
struct AlertEvent {
    std::string node;
    std::string keepalived_state;  // MASTER, BACKUP, FAULT, STOP; empty when not from keepalived
    std::string event;             // what was done: promote, rejoin, fence, alert.test, ...
    std::string result;            // ok | refused | failed | timeout
    std::string role_after;        // primary, standby, stopped, ...
    std::uint32_t timeline = 0;    // 0: unknown
    std::string lsn;
    std::int64_t duration_ms = -1;                     // -1: unknown
    std::string error;                                 // the error or the refusal reason
    std::optional<std::uint64_t> discarded_wal_bytes;  // on rejoin: WAL past the fork point
    std::vector<std::string> steps;
    std::string text_override;  // when set, the whole message
};

// The human message for EVENT: one message per transition.
std::string render_text(const AlertEvent& event);

// "850ms", "4.2s", "2m05s".
std::string human_duration(std::int64_t ms);

}  // namespace pgfo::alert
