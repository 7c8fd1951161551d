#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_status_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("status", "role, timeline, LSNs, lag, peers, VIP, paused, last transition");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'status' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
