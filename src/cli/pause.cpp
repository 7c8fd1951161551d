#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"
#include "util/state_store.hpp"

namespace pgfo::cli {
namespace {

void run_pause(Context& ctx, const std::string& reason)
{
    util::StateStore store(ctx.config().node.state_dir);
    if (ctx.options.dry_run) {
        if (!ctx.options.quiet)
            ctx.out() << "dry run: would pause: " << reason << "\n";
        return;
    }
    if (auto paused = store.pause(reason); !paused)
        throw Failure(paused.error());
    ctx.logger().info("pause", "paused: notify changes nothing until resume", {{"reason", reason}});
    if (!ctx.options.quiet)
        ctx.out() << "paused: " << reason << "\n";
}

void run_resume(Context& ctx)
{
    util::StateStore store(ctx.config().node.state_dir);
    const bool was_paused = store.paused().has_value();
    if (ctx.options.dry_run) {
        if (!ctx.options.quiet)
            ctx.out() << "dry run: would resume\n";
        return;
    }
    if (auto resumed = store.resume(); !resumed)
        throw Failure(resumed.error());
    ctx.logger().info("resume", "resumed", {{"was_paused", was_paused ? "true" : "false"}});
    if (!ctx.options.quiet)
        ctx.out() << "resumed\n";
}

} // namespace

void add_pause_commands(CLI::App& app, Context& ctx)
{
    auto reason = std::make_shared<std::string>("maintenance");
    auto* pause = app.add_subcommand("pause", "maintenance: notify logs but changes nothing, check reports healthy");
    pause->add_option("--reason", *reason, "why, shown by status and in the log")->capture_default_str();
    pause->callback([&ctx, reason] { run_pause(ctx, *reason); });

    auto* resume = app.add_subcommand("resume", "end maintenance: notify acts again");
    resume->callback([&ctx] { run_resume(ctx); });
}

} // namespace pgfo::cli
