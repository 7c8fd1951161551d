#include <CLI/CLI.hpp>

#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/rejoin.hpp"
#include "node/health.hpp"
#include "util/error.hpp"
#include "util/state_store.hpp"

namespace pgfo::cli {
namespace {

// Logs what changed: the verdict (once per change, kept in state_dir), settings and warnings.
void log_outcome(Context& ctx, const node::CheckOutcome& outcome)
{
    const node::HealthVerdict& verdict = outcome.verdict;
    const std::vector<util::LogField> fields = {{"role", std::string(node::to_string(verdict.role))}};
    auto changed = util::StateStore(ctx.config().node.state_dir).record_health_change(verdict.healthy, verdict.reason);
    if (changed.ok() && changed.value()) {
        if (verdict.healthy)
            ctx.logger().info("check.healthy", verdict.reason, fields);
        else
            ctx.logger().warn("check.unhealthy", verdict.reason, fields);
    }
    for (const auto& change : outcome.changes)
        ctx.logger().info("check.change", change, fields);
    for (const auto& warning : outcome.warnings)
        ctx.logger().warn("check.warning", warning, fields);
}

void run_check(Context& ctx)
{
    const Config& config = ctx.config();
    const node::CheckOutcome outcome = node::run_check(config, ctx.options.dry_run);
    const node::HealthVerdict& verdict = outcome.verdict;
    if (!ctx.options.dry_run) {
        log_outcome(ctx, outcome);
        if (outcome.rejoin)
            start_rejoin(ctx, *outcome.rejoin);
    }
    if (ctx.options.verbose) {
        if (verdict.healthy)
            ctx.out() << "healthy: " << verdict.reason << "\n";
        if (verdict.weight)
            ctx.out() << "weight: " << *verdict.weight << "\n";
        for (const auto& change : outcome.changes)
            ctx.out() << change << "\n";
        for (const auto& warning : outcome.warnings)
            ctx.out() << "warning: " << warning << "\n";
        if (outcome.rejoin)
            ctx.out() << (ctx.options.dry_run ? "would rejoin: " : "rejoin: ") << *outcome.rejoin << "\n";
    }
    if (!verdict.healthy)
        throw Failure(ErrorKind::failed, "unhealthy: " + verdict.reason);
}

}  // namespace

void add_check_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("check", "vrrp_script health check: exit 0 healthy, 1 not");
    sub->callback([&ctx] { run_check(ctx); });
}

}  // namespace pgfo::cli
