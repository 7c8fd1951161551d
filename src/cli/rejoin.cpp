#include "cli/rejoin.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/self_exec.hpp"
#include "cli/transition_command.hpp"
#include "util/clock.hpp"
#include "util/files.hpp"
#include "util/lock.hpp"
#include "util/state_store.hpp"
#include "util/subprocess.hpp"

namespace pgfo::cli {
namespace {

// A check runs every second or two; a rejoin that failed is tried again after this.
constexpr std::chrono::seconds k_rejoin_retry{15};

bool started_recently(const util::StateStore& state)
{
    const auto started = state.rejoin_started_ms();
    if (!started)
        return false;
    const auto age = std::chrono::milliseconds(util::unix_now_ms() - *started);
    return age >= std::chrono::seconds(-5) && age < k_rejoin_retry;
}

}  // namespace

bool start_rejoin(Context& ctx, const std::string& reason)
{
    const Config& config = ctx.config();
    util::StateStore state(config.node.state_dir);
    if (!util::make_dirs(config.node.state_dir, 0750).ok())
        return false;
    {
        auto lock = util::FileLock::acquire(state.lock_path(), std::chrono::milliseconds(0));
        if (!lock.ok() || started_recently(state) || !state.mark_rejoin_started(reason, util::unix_now_ms()).ok())
            return false;
    }
    util::Command command;
    command.argv = {self_executable(), "-c", config.path, "rejoin"};
    command.env[k_detached_env] = "1";
    if (!util::spawn_detached(command)) {
        ctx.logger().warn("check.rejoin_failed", "could not start the detached rejoin: " + reason);
        return false;
    }
    ctx.logger().info("check.rejoin", "started a detached rejoin: " + reason);
    return true;
}

void add_rejoin_command(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("rejoin", "rejoin the current primary as standby (started by check)");
    sub->group("");  // internal: operators use demote
    sub->callback([&ctx] {
        core::Request request;
        request.intent = core::Intent::follow_primary;
        request.label = "rejoin";
        request.recorded = false;
        run_transition_command(ctx, request);
    });
}

}  // namespace pgfo::cli
