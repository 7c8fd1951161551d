#include <CLI/CLI.hpp>

#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/transition_command.hpp"

namespace pgfo::cli {

void add_promote_command(CLI::App& app, Context& ctx)
{
    auto force = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand("promote", "make this node the primary now");
    sub->add_flag("--force", *force, "skip the safety guards (peer primary, lag, witness)");
    sub->callback([&ctx, force] {
        core::Request request;
        request.intent = core::Intent::become_primary;
        request.label = "promote";
        request.force = *force;
        request.from_operator = true;
        ctx.logger().info("promote.requested", *force ? "operator promote --force" : "operator promote");
        run_transition_command(ctx, request);
    });
}

}  // namespace pgfo::cli
