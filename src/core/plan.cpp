#include "core/plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pg/lsn.hpp"
#include "util/units.hpp"

namespace pgfo::core {
namespace {

Plan nothing(std::string reason)
{
    return Plan{PlanOutcome::nothing, {}, std::move(reason), false};
}

Plan refuse(std::string reason)
{
    return Plan{PlanOutcome::refuse, {}, std::move(reason), false};
}

Plan fail(std::string reason)
{
    return Plan{PlanOutcome::fail, {}, std::move(reason), false};
}

Plan act(std::vector<Step> steps, std::string reason, bool replan_after = false)
{
    return Plan{PlanOutcome::act, std::move(steps), std::move(reason), replan_after};
}

// FIRST (a fence or stop, or nothing), then the resync steps that make this node a streaming
// standby of TARGET: a rewind, unless configured otherwise or the last resync left a standby
// that did not stream (then a fresh copy, and REASON says so).
Plan act_rejoin(std::vector<Step> first, const PlanSettings& settings, const Observation& observation,
                const std::string& target, std::string reason)
{
    const bool copy_afresh = settings.resync == ResyncMode::rewind && observation.last_resync_failed;
    const bool rewind = settings.resync == ResyncMode::rewind && !copy_afresh;
    if (copy_afresh)
        reason += " (the last resync did not stream: copy afresh with pg_basebackup)";
    first.push_back({rewind ? StepKind::rewind : StepKind::basebackup, target});
    first.push_back({StepKind::configure_standby, target});
    first.push_back({StepKind::start_standby, target});
    return act(std::move(first), std::move(reason));
}

const PeerObservation* reachable_primary_peer(const Observation& observation)
{
    for (const auto& peer : observation.peers)
        if (peer.is_primary())
            return &peer;
    return nullptr;
}

std::optional<std::string> promotion_guard(const Observation& observation, const PlanSettings& settings)
{
    if (settings.split_brain_guard) {
        if (const auto* peer = reachable_primary_peer(observation))
            return fmt::format("peer {} is a reachable primary (timeline {}); promoting would make two primaries",
                               peer->address, peer->timeline);
    }
    if (observation.witness_reachable.has_value() && !*observation.witness_reachable)
        return std::string("witness is unreachable; this node may be isolated");
    const std::uint64_t gap = replay_gap(observation);
    if (gap > settings.max_lag)
        return fmt::format("replay is {} behind the newest known WAL position (max_lag {})", util::format_size(gap),
                           util::format_size(settings.max_lag));
    return std::nullopt;
}

Plan plan_become_primary(const Request& request, const Observation& observation, const PlanSettings& settings)
{
    const auto& local = observation.local;
    if (!local.running) {
        if (!local.standby_signal && !request.force && settings.split_brain_guard) {
            if (const auto* peer = reachable_primary_peer(observation))
                return refuse(fmt::format("peer {} is a reachable primary; not starting this stopped former primary",
                                          peer->address));
        }
        return act({{StepKind::start, ""}},
                   local.standby_signal ? "standby is stopped: start it, then promote" : "primary is stopped: start it",
                   true);
    }
    if (!local.in_recovery) {
        std::string reason = "already primary";
        if (const auto* peer = reachable_primary_peer(observation))
            reason += fmt::format("; warning: peer {} is a primary too (timeline {})", peer->address, peer->timeline);
        if (settings.synchronous != SyncMode::off)
            return act({{StepKind::configure_sync, ""}}, reason + ": keep synchronous_standby_names current");
        return nothing(reason);
    }
    if (!request.force) {
        if (auto refusal = promotion_guard(observation, settings))
            return refuse(*refusal);
    }
    std::vector<Step> steps{{StepKind::promote, ""}};
    if (settings.recreate_after_promote)
        steps.push_back({StepKind::recreate_primary, ""});
    if (settings.synchronous != SyncMode::off)
        steps.push_back({StepKind::configure_sync, ""});
    return act(std::move(steps), request.force ? "standby: promote (forced, guards skipped)" : "standby: promote");
}

// A running primary told to follow a peer that is not newer than itself must not throw its data away.
std::optional<std::string> rejoin_guard(const Observation& observation, const PeerObservation& primary)
{
    if (observation.local.running && !observation.local.in_recovery && primary.timeline < observation.local.timeline)
        return fmt::format("peer {} is a primary on timeline {}, older than this primary's timeline {}; not "
                           "rejoining it (the peer should yield)",
                           primary.address, primary.timeline, observation.local.timeline);
    return std::nullopt;
}

Plan plan_follow(const Request& request, const Observation& observation, const PlanSettings& settings)
{
    const auto& local = observation.local;
    const bool demote = request.intent == Intent::demote;
    const PeerObservation* primary = choose_primary(observation, request.primary_hint);

    if (local.running && !local.in_recovery) {
        if (!primary) {
            if (demote)
                return act({{StepKind::fence, ""}, {StepKind::wait_for_primary, ""}},
                           "demote: fence this primary, then wait for a peer to become primary", true);
            return act({{StepKind::wait_for_primary, ""}},
                       "primary got BACKUP with no peer primary yet: wait for one before fencing (keepalived "
                       "reports BACKUP at start)",
                       true);
        }
        if (auto refusal = rejoin_guard(observation, *primary))
            return refuse(*refusal);
        return act_rejoin(
            {{StepKind::fence, ""}}, settings, observation, primary->address,
            fmt::format("peer {} is primary: fence this old primary and rejoin it as standby", primary->address));
    }

    if (!local.running) {
        if (!primary) {
            if (local.standby_signal && local.data_dir_exists)
                return act({{StepKind::start, ""}}, "standby is stopped and no primary is reachable: start it");
            return act({{StepKind::wait_for_primary, ""}}, "stopped; wait for a peer to become primary", true);
        }
        if (!local.data_dir_exists)
            return act({{StepKind::basebackup, primary->address},
                        {StepKind::configure_standby, primary->address},
                        {StepKind::start_standby, primary->address}},
                       fmt::format("data directory is missing: copy it from primary {}", primary->address));
        return act_rejoin({}, settings, observation, primary->address,
                          fmt::format("stopped; resync from primary {} and start as standby", primary->address));
    }

    // A reachable standby.
    if (local.streaming && (!primary || request.primary_hint.empty() || local.upstream == primary->address))
        return nothing("healthy standby, streaming");
    if (!primary)
        return nothing("standby; no primary is reachable yet, keep replaying");
    return act_rejoin({{StepKind::stop, ""}}, settings, observation, primary->address,
                      fmt::format("standby is not streaming: resync from primary {}", primary->address));
}

Plan plan_fence(const Observation& observation)
{
    const auto& local = observation.local;
    if (!local.running)
        return nothing("server is stopped");
    if (local.reachable && local.in_recovery)
        return nothing("standby keeps replicating");
    if (!local.reachable && local.standby_signal)
        return nothing("standby (not answering) keeps running");
    return act({{StepKind::fence, ""}}, "primary lost the VIP: fence it");
}

}  // namespace

std::string_view to_string(StepKind kind)
{
    switch (kind) {
    case StepKind::start:
        return "start";
    case StepKind::wait_for_primary:
        return "wait_for_primary";
    case StepKind::promote:
        return "promote";
    case StepKind::recreate_primary:
        return "recreate_primary";
    case StepKind::configure_sync:
        return "configure_sync";
    case StepKind::fence:
        return "fence";
    case StepKind::stop:
        return "stop";
    case StepKind::rewind:
        return "rewind";
    case StepKind::basebackup:
        return "basebackup";
    case StepKind::configure_standby:
        return "configure_standby";
    case StepKind::start_standby:
        return "start_standby";
    }
    return "?";
}

std::string_view to_string(PlanOutcome outcome)
{
    switch (outcome) {
    case PlanOutcome::act:
        return "act";
    case PlanOutcome::nothing:
        return "nothing";
    case PlanOutcome::refuse:
        return "refuse";
    case PlanOutcome::fail:
        return "fail";
    }
    return "?";
}

std::string Plan::describe() const
{
    if (outcome != PlanOutcome::act)
        return fmt::format("{}: {}", to_string(outcome), reason);
    std::string text;
    for (const auto& step : steps) {
        if (!text.empty())
            text += " -> ";
        text += to_string(step.kind);
        if (!step.target.empty())
            text += "(" + step.target + ")";
    }
    return text;
}

std::vector<StepKind> Plan::kinds() const
{
    std::vector<StepKind> result;
    for (const auto& step : steps)
        result.push_back(step.kind);
    return result;
}

PlanSettings PlanSettings::from(const Config& config)
{
    PlanSettings settings;
    settings.split_brain_guard = config.failover.split_brain_guard;
    settings.max_lag = config.failover.max_lag;
    settings.resync = config.failover.resync;
    settings.synchronous = config.failover.synchronous;
    settings.recreate_after_promote =
        config.postgres.runtime == RuntimeKind::compose && config.compose.recreate_after_promote;
    return settings;
}

const PeerObservation* choose_primary(const Observation& observation, const std::string& hint)
{
    const PeerObservation* best = nullptr;
    for (const auto& peer : observation.peers) {
        if (!peer.is_primary())
            continue;
        if (!hint.empty()) {
            if (peer.address == hint)
                return &peer;
            continue;
        }
        if (!best || peer.timeline > best->timeline || (peer.timeline == best->timeline && peer.lsn > best->lsn))
            best = &peer;
    }
    return best;
}

std::uint64_t replay_gap(const Observation& observation)
{
    const auto& local = observation.local;
    pg::Lsn newest = std::max(local.receive_lsn, local.lsn);
    for (const auto& peer : observation.peers)
        if (peer.reachable && peer.timeline == local.timeline)
            newest = std::max(newest, peer.lsn);
    return newest - local.lsn;
}

Plan plan_transition(const Request& request, const Observation& observation, const PlanSettings& settings)
{
    if (observation.paused && !request.from_operator)
        return nothing(observation.pause_reason.empty() ? "paused" : "paused: " + observation.pause_reason);
    const auto& local = observation.local;
    if (local.running && !local.reachable && request.intent != Intent::fence) {
        Plan plan = fail("server is running but does not answer: " + local.error);
        plan.timed_out = local.timed_out;
        return plan;
    }
    if (!local.data_dir_exists && request.intent == Intent::become_primary)
        return fail("data directory does not exist; nothing to promote");

    switch (request.intent) {
    case Intent::become_primary:
        return plan_become_primary(request, observation, settings);
    case Intent::follow_primary:
    case Intent::demote:
        return plan_follow(request, observation, settings);
    case Intent::fence:
        return plan_fence(observation);
    }
    return fail("unknown request");
}

}  // namespace pgfo::core
