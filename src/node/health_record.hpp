#pragma once

#include <optional>
#include <string>

#include "util/result.hpp"

namespace pgfo::node {

// The last verdict of `pgfo check` that differed from the one before, kept in
// node.state_dir/health so that a change is logged once and status can show it.
struct HealthRecord {
    bool healthy = false;
    std::string reason;
    std::string ts;  // UTC, when the verdict changed to this
};

std::optional<HealthRecord> read_health_record(const std::string& state_dir);

// Records HEALTHY/REASON when the healthy flag differs from the last record (or there is
// none); true when it did, so the caller logs the change.
Result<bool> record_health_change(const std::string& state_dir, bool healthy, const std::string& reason);

}  // namespace pgfo::node
