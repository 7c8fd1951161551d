#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_alert_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("alert", "alerts: alert test [TEXT]");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'alert' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
