#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "node/status_report.hpp"
#include "runtime/runtime.hpp"
#include "util/error.hpp"

namespace pgfo::cli {
namespace {

void run_status(Context& ctx, bool json)
{
    const Config& config = ctx.config();
    auto runtime = runtime::make_runtime(config);
    const node::StatusReport report = node::gather_status(config, *runtime);
    ctx.out() << (json ? node::render_status_json(report) + "\n" : node::render_status_human(report));
    if (report.server_ok())
        return;
    if (!report.server_running)
        throw Failure(ErrorKind::failed, "server of " + config.postgres.data_dir + " is not running" +
                                             (report.server_error.empty() ? "" : ": " + report.server_error));
    throw Failure(ErrorKind::failed,
                  "server at " + report.server_address + " is not answering: " + report.server_error);
}

}  // namespace

void add_status_command(CLI::App& app, Context& ctx)
{
    auto json = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand("status", "role, timeline, LSNs, lag, peers, VIP, paused, last transition");
    sub->add_flag("--json", *json, "one JSON document (schema: docs/status.md)");
    sub->callback([&ctx, json] { run_status(ctx, *json); });
}

}  // namespace pgfo::cli
