#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_check_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("check", "vrrp_script health check: exit 0 healthy, 1 not");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'check' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
