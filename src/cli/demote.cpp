#include <CLI/CLI.hpp>

#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/transition_command.hpp"
#include "pg/conninfo.hpp"

namespace pgfo::cli {

void add_demote_command(CLI::App& app, Context& ctx)
{
    auto primary = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("demote", "stop being primary; rejoin as standby");
    sub->add_option("--primary", *primary, "HOST[:PORT] of the primary to follow (default: found among peers)");
    sub->callback([&ctx, primary] {
        core::Request request;
        request.intent = core::Intent::demote;
        request.label = "demote";
        request.from_operator = true;
        if (!primary->empty()) {
            auto parsed = pg::parse_host_port(*primary);
            if (!parsed)
                throw Failure(ErrorKind::usage, "--primary must be HOST[:PORT], got \"" + *primary + "\"");
            request.primary_hint = parsed->to_string();
        }
        ctx.logger().info("demote.requested", "operator demote", {{"primary", request.primary_hint}});
        run_transition_command(ctx, request);
    });
}

}  // namespace pgfo::cli
