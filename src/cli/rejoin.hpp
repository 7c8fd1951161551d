#pragma once

#include <string>

namespace pgfo::cli {

class Context;

// Starts `pgfo rejoin` in a detached process for the check, which must not wait: only when no
// transition holds the lock and no rejoin was started in the last k_rejoin_retry. Logs what it
// did; returns whether it started one.
bool start_rejoin(Context& ctx, const std::string& reason);

}  // namespace pgfo::cli
