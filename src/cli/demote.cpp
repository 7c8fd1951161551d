#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_demote_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("demote", "stop being primary; rejoin as standby");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'demote' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
