#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {

void add_promote_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("promote", "make this node the primary now");
    sub->allow_extras();
    sub->callback([&ctx] {
        (void)ctx;
        throw Failure(ErrorKind::failed, "'promote' is not implemented in this build yet");
    });
}

}  // namespace pgfo::cli
