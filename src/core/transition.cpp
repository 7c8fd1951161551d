#include "core/transition.hpp"

#include <fmt/format.h>

namespace pgfo::core {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string role_of(const LocalObservation& local)
{
    if (!local.running)
        return "stopped";
    if (!local.reachable)
        return "unknown";
    return local.in_recovery ? "standby" : "primary";
}

}  // namespace

std::string_view to_string(TransitionOutcome outcome)
{
    switch (outcome) {
    case TransitionOutcome::done:
        return "done";
    case TransitionOutcome::nothing:
        return "nothing";
    case TransitionOutcome::refused:
        return "refused";
    case TransitionOutcome::failed:
        return "failed";
    case TransitionOutcome::timed_out:
        return "timeout";
    case TransitionOutcome::superseded:
        return "superseded";
    }
    return "?";
}

int TransitionReport::exit_code() const
{
    switch (outcome) {
    case TransitionOutcome::done:
    case TransitionOutcome::nothing:
    case TransitionOutcome::superseded:
        return 0;
    case TransitionOutcome::failed:
        return 1;
    case TransitionOutcome::refused:
        return 3;
    case TransitionOutcome::timed_out:
        return 4;
    }
    return 1;
}

TransitionReport run_transition(const Request& request, NodeActions& actions, const PlanSettings& settings,
                                util::Logger& log, const TransitionOptions& options)
{
    const auto started = Clock::now();
    TransitionReport report;
    auto finish = [&](TransitionOutcome outcome, std::string message) {
        report.outcome = outcome;
        report.message = std::move(message);
        report.elapsed = std::chrono::milliseconds(ms_since(started));
        return report;
    };

    for (int round = 0; round < options.max_rounds; ++round) {
        if (actions.superseded()) {
            log.info("superseded", "a newer request arrived; stopping this one", {{"state", request.label}});
            return finish(TransitionOutcome::superseded, "superseded by a newer request");
        }
        report.final_observation = actions.observe(request);
        const auto& local = report.final_observation.local;
        Plan plan = plan_transition(request, report.final_observation, settings);
        report.plans.push_back(plan);
        log.info("plan", plan.describe(),
                 {{"state", request.label},
                  {"role", role_of(local)},
                  {"timeline", std::to_string(local.timeline)},
                  {"lsn", pg::format_lsn(local.lsn)},
                  {"outcome", std::string(to_string(plan.outcome))},
                  {"reason", plan.reason}});

        if (options.dry_run)
            return finish(plan.outcome == PlanOutcome::refuse ? TransitionOutcome::refused
                          : plan.outcome == PlanOutcome::fail
                              ? (plan.timed_out ? TransitionOutcome::timed_out : TransitionOutcome::failed)
                              : TransitionOutcome::nothing,
                          plan.describe());
        if (plan.outcome == PlanOutcome::refuse) {
            log.warn("refused", plan.reason, {{"state", request.label}});
            return finish(TransitionOutcome::refused, plan.reason);
        }
        if (plan.outcome == PlanOutcome::fail) {
            log.error("failed", plan.reason, {{"state", request.label}});
            return finish(plan.timed_out ? TransitionOutcome::timed_out : TransitionOutcome::failed, plan.reason);
        }
        if (plan.outcome == PlanOutcome::nothing) {
            if (report.steps_done.empty())
                return finish(TransitionOutcome::nothing, plan.reason);
            return finish(TransitionOutcome::done, plan.reason);
        }

        for (const auto& step : plan.steps) {
            // A resync is finished once begun: a data directory rewound or copied but not yet
            // configured as a standby must not be left for the next run to crash-recover.
            const bool completes_resync =
                step.kind == StepKind::configure_standby || step.kind == StepKind::start_standby;
            if (!completes_resync && actions.superseded()) {
                log.info("superseded", fmt::format("a newer request arrived before {}", to_string(step.kind)),
                         {{"state", request.label}});
                return finish(TransitionOutcome::superseded, "superseded by a newer request");
            }
            const std::string name(to_string(step.kind));
            const auto step_started = Clock::now();
            std::vector<util::LogField> fields{{"state", request.label}};
            if (!step.target.empty())
                fields.push_back({"target", step.target});
            log.info(name + ".start", "", fields);
            auto result = actions.run_step(step, request);
            fields.push_back({"ms", std::to_string(ms_since(step_started))});
            if (!result.ok()) {
                report.failed_step = name;
                const ErrorKind kind = result.error().kind;
                log.error(name + ".failed", result.error().message, fields);
                const TransitionOutcome outcome = kind == ErrorKind::timeout   ? TransitionOutcome::timed_out
                                                  : kind == ErrorKind::refused ? TransitionOutcome::refused
                                                                               : TransitionOutcome::failed;
                const char* what = kind == ErrorKind::timeout   ? "timed out"
                                   : kind == ErrorKind::refused ? "refused"
                                                                : "failed";
                return finish(outcome, fmt::format("step {} {}: {}", name, what, result.error().message));
            }
            const StepReport& step_report = result.value();
            fields.insert(fields.end(), step_report.fields.begin(), step_report.fields.end());
            if (step_report.discarded_wal)
                report.discarded_wal = step_report.discarded_wal;
            log.info(name + ".done", step_report.message, fields);
            report.steps_done.push_back(name);
            if (step.kind == StepKind::wait_for_primary && !step_report.found_primary) {
                report.final_observation = actions.observe(request);
                return finish(report.steps_done.size() > 1 ? TransitionOutcome::done : TransitionOutcome::nothing,
                              step_report.message);
            }
        }
        if (!plan.replan_after) {
            report.final_observation = actions.observe(request);
            return finish(TransitionOutcome::done, plan.reason);
        }
    }
    return finish(TransitionOutcome::failed,
                  fmt::format("no stable plan after {} rounds; see the log", options.max_rounds));
}

}  // namespace pgfo::core
