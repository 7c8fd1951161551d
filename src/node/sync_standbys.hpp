#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pg/connection.hpp"
#include "util/config.hpp"
#include "util/result.hpp"

namespace pgfo::node {

// The synchronous_standby_names a primary should have: "*" in strict mode, or in on mode
// while at least one standby streams; "" in on mode while none does. nullopt when MODE is
// off (pgfo leaves the setting alone).
std::optional<std::string> wanted_sync_standby_names(SyncMode mode, int streaming_standbys);

// ALTER SYSTEM SET synchronous_standby_names = WANTED, then pg_reload_conf(); each statement
// within TIMEOUT.
Status set_sync_standby_names(pg::Connection& conn, const std::string& wanted, std::chrono::milliseconds timeout);

}  // namespace pgfo::node
