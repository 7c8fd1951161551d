#pragma once

#include "core/request.hpp"

namespace pgfo::cli {

class Context;

// Records the request, takes the node lock, runs the transition, releases the lock,
// then alerts. Sets ctx.exit_code or throws Failure with the reason.
void run_transition_command(Context& ctx, const core::Request& request);

}  // namespace pgfo::cli
