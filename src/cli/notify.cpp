#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_notify_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("notify", "keepalived notify hook: notify TYPE NAME STATE [PRIORITY]");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'notify' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
