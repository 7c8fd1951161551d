#include "cli/transition_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "alert/dispatch.hpp"
#include "cli/context.hpp"
#include "core/transition.hpp"
#include "node/live_node.hpp"
#include "runtime/runtime.hpp"
#include "util/files.hpp"
#include "util/lock.hpp"
#include "util/state_store.hpp"

namespace pgfo::cli {
namespace {

std::string role_after(const core::LocalObservation& local)
{
    if (!local.running)
        return "stopped";
    if (!local.reachable)
        return "unknown";
    return local.in_recovery ? "standby" : "primary";
}

ErrorKind error_kind(core::TransitionOutcome outcome)
{
    switch (outcome) {
    case core::TransitionOutcome::refused:
        return ErrorKind::refused;
    case core::TransitionOutcome::timed_out:
        return ErrorKind::timeout;
    default:
        return ErrorKind::failed;
    }
}

// What the transition did, in one word: promote, rejoin, fence, or the request itself.
std::string summary_event(const core::Request& request, const core::TransitionReport& report)
{
    auto did = [&](const char* step) {
        return std::find(report.steps_done.begin(), report.steps_done.end(), step) != report.steps_done.end();
    };
    if (did("promote"))
        return "promote";
    if (did("rewind") || did("basebackup"))
        return "rejoin";
    if (did("fence"))
        return "fence";
    if (did("start") || did("start_standby"))
        return "start";
    return request.label;
}

void send_alerts(Context& ctx, const core::Request& request, const core::TransitionReport& report)
{
    const Config& config = ctx.config();
    if (!config.telegram.enabled() && !config.webhook.enabled())
        return;
    alert::AlertEvent event;
    event.node = config.node.name;
    if (request.keepalived)
        event.keepalived_state = std::string(core::to_string(*request.keepalived));
    event.event = summary_event(request, report);
    event.result =
        report.outcome == core::TransitionOutcome::done ? "ok" : std::string(core::to_string(report.outcome));
    event.role_after = role_after(report.final_observation.local);
    event.timeline = report.final_observation.local.timeline;
    event.lsn = pg::format_lsn(report.final_observation.local.lsn);
    event.duration_ms = report.elapsed.count();
    if (report.outcome != core::TransitionOutcome::done)
        event.error = report.message;
    event.discarded_wal_bytes = report.discarded_wal;
    event.steps = report.steps_done;
    for (const auto& result : alert::send_alert(config, event)) {
        if (result.ok)
            ctx.logger().info("alert.sent", result.detail, {{"channel", result.channel}});
        else
            ctx.logger().warn("alert.failed", result.detail, {{"channel", result.channel}});
    }
}

}  // namespace

void run_transition_command(Context& ctx, const core::Request& request)
{
    const Config& config = ctx.config();
    util::Logger& log = ctx.logger();
    util::StateStore state(config.node.state_dir);
    if (auto made = util::make_dirs(config.node.state_dir, 0750); !made.ok())
        throw Failure(made.error());

    std::uint64_t seq = 0;
    util::FileLock lock;
    if (!ctx.options.dry_run) {
        if (request.recorded) {
            auto recorded = state.record_request(request.label, ctx.tx());
            if (!recorded.ok())
                throw Failure(recorded.error());
            seq = recorded->seq;
        }
        auto locked = util::FileLock::acquire(state.lock_path(), config.timeouts.lock);
        if (!locked.ok()) {
            log.error("lock.timeout", locked.error().message, {{"state", request.label}});
            throw Failure(locked.error());
        }
        lock = std::move(locked.value());
    }

    auto runtime = runtime::make_runtime(config);
    node::LiveNode node(config, *runtime, log, seq);
    core::TransitionOptions options;
    options.dry_run = ctx.options.dry_run;
    core::TransitionReport report = core::run_transition(request, node, core::PlanSettings::from(config), log, options);

    if (!ctx.options.dry_run) {
        (void)state.write_last_transition(
            fmt::format("ts={} tx={} state={} outcome={} ms={} msg=\"{}\"", util::utc_timestamp_now(), ctx.tx(),
                        request.label, core::to_string(report.outcome), report.elapsed.count(), report.message));
    }
    log.log(report.exit_code() == 0 ? util::LogLevel::info : util::LogLevel::error,
            "transition." + std::string(core::to_string(report.outcome)), report.message,
            {{"state", request.label},
             {"role", role_after(report.final_observation.local)},
             {"ms", std::to_string(report.elapsed.count())}});
    lock.release();

    if (ctx.options.dry_run) {
        for (const auto& plan : report.plans)
            ctx.out() << "plan: " << plan.describe() << "\nreason: " << plan.reason << "\n";
    } else if (!ctx.options.quiet && report.exit_code() == 0) {
        ctx.out() << core::to_string(report.outcome) << ": " << report.message << "\n";
    }

    if (!ctx.options.dry_run && report.outcome != core::TransitionOutcome::nothing &&
        report.outcome != core::TransitionOutcome::superseded)
        send_alerts(ctx, request, report);

    if (report.exit_code() != 0)
        throw Failure(error_kind(report.outcome), report.message);
}

}  // namespace pgfo::cli
