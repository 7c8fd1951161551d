#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/plan.hpp"

using namespace pgfo;
using namespace pgfo::core;

namespace {

enum class Local {
    primary,
    standby_streaming,
    standby_detached,
    standby_lagging,
    stopped_primary,
    stopped_standby,
    running_unreachable,
    running_unreachable_standby,
    missing_data_dir
};
enum class Peers { none, standby, unreachable, primary_newer, primary_same, primary_older, two_primaries };

const std::map<std::string, Request> k_requests = [] {
    std::map<std::string, Request> requests;
    for (auto state : {KeepalivedState::master, KeepalivedState::backup, KeepalivedState::fault, KeepalivedState::stop,
                       KeepalivedState::deleted})
        requests[std::string(to_string(state))] = request_for(state);
    requests["promote"] = Request{Intent::become_primary, "promote", false, true, ""};
    requests["promote --force"] = Request{Intent::become_primary, "promote", true, true, ""};
    requests["demote"] = Request{Intent::demote, "demote", false, true, ""};
    return requests;
}();

LocalObservation make_local(Local kind)
{
    LocalObservation local;
    local.timeline = 2;
    local.lsn = 0x5000000;
    switch (kind) {
    case Local::primary:
        local.running = local.reachable = true;
        break;
    case Local::standby_streaming:
        local.running = local.reachable = local.in_recovery = local.streaming = local.standby_signal = true;
        local.receive_lsn = local.lsn;
        local.upstream = "10.0.0.2:5432";
        break;
    case Local::standby_detached:
        local.running = local.reachable = local.in_recovery = local.standby_signal = true;
        local.receive_lsn = local.lsn;
        break;
    case Local::standby_lagging:
        local.running = local.reachable = local.in_recovery = local.streaming = local.standby_signal = true;
        local.receive_lsn = local.lsn + (64ull << 20);
        break;
    case Local::stopped_primary:
        break;
    case Local::stopped_standby:
        local.standby_signal = true;
        break;
    case Local::running_unreachable:
        local.running = true;
        local.error = "connection refused";
        break;
    case Local::running_unreachable_standby:
        local.running = local.standby_signal = true;
        local.error = "connection refused";
        break;
    case Local::missing_data_dir:
        local.data_dir_exists = false;
        break;
    }
    return local;
}

std::vector<PeerObservation> make_peers(Peers kind)
{
    PeerObservation peer{"10.0.0.2:5432", true, false, 2, 0x5000000, ""};
    switch (kind) {
    case Peers::none:
        return {};
    case Peers::standby:
        peer.in_recovery = true;
        return {peer};
    case Peers::unreachable:
        peer.reachable = false;
        peer.error = "timeout";
        return {peer};
    case Peers::primary_newer:
        peer.timeline = 3;
        return {peer};
    case Peers::primary_same:
        return {peer};
    case Peers::primary_older:
        peer.timeline = 1;
        return {peer};
    case Peers::two_primaries: {
        PeerObservation other{"10.0.0.3:5432", true, false, 4, 0x6000000, ""};
        return {peer, other};
    }
    }
    return {};
}

Observation observe(Local local, Peers peers)
{
    return Observation{make_local(local), make_peers(peers), false, "", std::nullopt};
}

bool has(const Plan& plan, StepKind kind)
{
    auto kinds = plan.kinds();
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool is_primary_running(Local local)
{
    return local == Local::primary;
}

}  // namespace

TEST_CASE("plan: explicit decisions for the main transitions")
{
    const PlanSettings settings;
    struct Row {
        std::string request;
        Local local;
        Peers peers;
        PlanOutcome outcome;
        std::vector<StepKind> steps;
    };
    using S = StepKind;
    using O = PlanOutcome;
    const std::vector<Row> rows = {
        // MASTER
        {"MASTER", Local::primary, Peers::none, O::nothing, {}},
        {"MASTER", Local::primary, Peers::standby, O::nothing, {}},
        {"MASTER", Local::standby_streaming, Peers::none, O::act, {S::promote}},
        {"MASTER", Local::standby_detached, Peers::unreachable, O::act, {S::promote}},
        {"MASTER", Local::standby_streaming, Peers::standby, O::act, {S::promote}},
        {"MASTER", Local::standby_streaming, Peers::primary_same, O::refuse, {}},
        {"MASTER", Local::standby_streaming, Peers::primary_older, O::refuse, {}},
        {"MASTER", Local::standby_lagging, Peers::none, O::refuse, {}},
        {"MASTER", Local::stopped_standby, Peers::none, O::act, {S::start}},
        {"MASTER", Local::stopped_primary, Peers::none, O::act, {S::start}},
        {"MASTER", Local::stopped_primary, Peers::primary_newer, O::refuse, {}},
        {"MASTER", Local::running_unreachable, Peers::none, O::fail, {}},
        {"MASTER", Local::missing_data_dir, Peers::none, O::fail, {}},
        // promote by hand
        {"promote", Local::standby_streaming, Peers::primary_same, O::refuse, {}},
        {"promote --force", Local::standby_streaming, Peers::primary_same, O::act, {S::promote}},
        {"promote --force", Local::standby_lagging, Peers::none, O::act, {S::promote}},
        // BACKUP
        {"BACKUP", Local::standby_streaming, Peers::primary_same, O::nothing, {}},
        {"BACKUP", Local::standby_streaming, Peers::none, O::nothing, {}},
        {"BACKUP", Local::standby_detached, Peers::none, O::nothing, {}},
        {"BACKUP",
         Local::standby_detached,
         Peers::primary_newer,
         O::act,
         {S::stop, S::rewind, S::configure_standby, S::start_standby}},
        {"BACKUP", Local::primary, Peers::none, O::act, {S::wait_for_primary}},
        {"BACKUP", Local::primary, Peers::standby, O::act, {S::wait_for_primary}},
        {"BACKUP", Local::primary, Peers::unreachable, O::act, {S::wait_for_primary}},
        {"BACKUP",
         Local::primary,
         Peers::primary_newer,
         O::act,
         {S::fence, S::rewind, S::configure_standby, S::start_standby}},
        {"BACKUP",
         Local::primary,
         Peers::primary_same,
         O::act,
         {S::fence, S::rewind, S::configure_standby, S::start_standby}},
        {"BACKUP", Local::primary, Peers::primary_older, O::refuse, {}},
        {"BACKUP",
         Local::stopped_primary,
         Peers::primary_newer,
         O::act,
         {S::rewind, S::configure_standby, S::start_standby}},
        {"BACKUP", Local::stopped_primary, Peers::none, O::act, {S::wait_for_primary}},
        {"BACKUP", Local::stopped_standby, Peers::none, O::act, {S::start}},
        {"BACKUP",
         Local::missing_data_dir,
         Peers::primary_newer,
         O::act,
         {S::basebackup, S::configure_standby, S::start_standby}},
        {"BACKUP", Local::running_unreachable, Peers::primary_newer, O::fail, {}},
        // FAULT / STOP / DELETED
        {"FAULT", Local::primary, Peers::none, O::act, {S::fence}},
        {"FAULT", Local::standby_streaming, Peers::primary_same, O::nothing, {}},
        {"FAULT", Local::stopped_primary, Peers::none, O::nothing, {}},
        {"FAULT", Local::running_unreachable, Peers::none, O::act, {S::fence}},
        {"FAULT", Local::running_unreachable_standby, Peers::none, O::nothing, {}},
        {"STOP", Local::primary, Peers::standby, O::act, {S::fence}},
        {"STOP", Local::standby_streaming, Peers::none, O::nothing, {}},
        {"DELETED", Local::primary, Peers::none, O::act, {S::fence}},
        // demote by hand
        {"demote", Local::primary, Peers::none, O::act, {S::fence, S::wait_for_primary}},
        {"demote",
         Local::primary,
         Peers::primary_newer,
         O::act,
         {S::fence, S::rewind, S::configure_standby, S::start_standby}},
        {"demote", Local::standby_streaming, Peers::primary_same, O::nothing, {}},
    };
    for (const auto& row : rows) {
        INFO("request " << row.request << ", local " << int(row.local) << ", peers " << int(row.peers));
        Plan plan = plan_transition(k_requests.at(row.request), observe(row.local, row.peers), settings);
        INFO("plan: " << plan.describe());
        CHECK(plan.outcome == row.outcome);
        CHECK(plan.kinds() == row.steps);
    }
}

TEST_CASE("plan: invariants over every request x local role x peers x settings")
{
    const std::vector<Local> locals = {Local::primary,
                                       Local::standby_streaming,
                                       Local::standby_detached,
                                       Local::standby_lagging,
                                       Local::stopped_primary,
                                       Local::stopped_standby,
                                       Local::running_unreachable,
                                       Local::running_unreachable_standby,
                                       Local::missing_data_dir};
    const std::vector<Peers> peer_kinds = {Peers::none,          Peers::standby,      Peers::unreachable,
                                           Peers::primary_newer, Peers::primary_same, Peers::primary_older,
                                           Peers::two_primaries};
    int combinations = 0;
    for (const auto& [name, request] : k_requests)
        for (Local local : locals)
            for (Peers peers : peer_kinds)
                for (int flags = 0; flags < 64; ++flags) {
                    PlanSettings settings;
                    settings.split_brain_guard = !(flags & 1);
                    settings.resync = (flags & 2) ? ResyncMode::basebackup : ResyncMode::rewind;
                    settings.synchronous = (flags & 4) ? SyncMode::on : SyncMode::off;
                    settings.recreate_after_promote = flags & 8;
                    Observation obs = observe(local, peers);
                    obs.paused = flags & 16;
                    if (flags & 32)
                        obs.witness_reachable = false;
                    Plan plan = plan_transition(request, obs, settings);
                    ++combinations;
                    INFO(name << " local=" << int(local) << " peers=" << int(peers) << " flags=" << flags << " -> "
                              << plan.describe());

                    // Only "act" has steps, and it always has some.
                    REQUIRE((plan.outcome == PlanOutcome::act) == !plan.steps.empty());
                    REQUIRE_FALSE(plan.reason.empty());

                    // Paused: keepalived's requests change nothing.
                    if (obs.paused && !request.from_operator)
                        REQUIRE(plan.outcome == PlanOutcome::nothing);

                    // No promotion while a peer is a reachable primary, unless forced or the guard is off.
                    bool peer_primary =
                        std::any_of(obs.peers.begin(), obs.peers.end(), [](const auto& p) { return p.is_primary(); });
                    if (has(plan, StepKind::promote) && !request.force) {
                        REQUIRE((!peer_primary || !settings.split_brain_guard));
                        REQUIRE(obs.witness_reachable.value_or(true));
                        REQUIRE(replay_gap(obs) <= settings.max_lag);
                    }
                    // Promotion only for a primary request, and only of a standby.
                    if (has(plan, StepKind::promote)) {
                        REQUIRE(request.intent == Intent::become_primary);
                        REQUIRE(obs.local.in_recovery);
                    }
                    // keepalived's BACKUP never stops a primary unless a peer is primary on a timeline >= ours.
                    if (request.intent == Intent::follow_primary && has(plan, StepKind::fence)) {
                        const auto* primary = choose_primary(obs, "");
                        REQUIRE(primary != nullptr);
                        REQUIRE(primary->timeline >= obs.local.timeline);
                    }
                    // FAULT/STOP/DELETED only ever fence, and never a standby.
                    if (request.intent == Intent::fence) {
                        for (auto kind : plan.kinds())
                            REQUIRE(kind == StepKind::fence);
                        if (obs.local.in_recovery || obs.local.standby_signal)
                            REQUIRE(plan.steps.empty());
                        if (is_primary_running(local) && !(obs.paused))
                            REQUIRE(plan.kinds() == std::vector<StepKind>{StepKind::fence});
                    }
                    // Resync always targets a reachable primary and ends streaming.
                    if (has(plan, StepKind::rewind) || has(plan, StepKind::basebackup)) {
                        REQUIRE(plan.steps.back().kind == StepKind::start_standby);
                        const std::string& target = plan.steps.back().target;
                        REQUIRE(std::any_of(obs.peers.begin(), obs.peers.end(),
                                            [&](const auto& p) { return p.address == target && p.is_primary(); }));
                        if (settings.resync == ResyncMode::basebackup)
                            REQUIRE_FALSE(has(plan, StepKind::rewind));
                        else if (obs.local.data_dir_exists)
                            REQUIRE_FALSE(has(plan, StepKind::basebackup));
                        // A running server is stopped before its data directory is rewritten.
                        if (obs.local.running)
                            REQUIRE((plan.steps.front().kind == StepKind::fence ||
                                     plan.steps.front().kind == StepKind::stop));
                    }
                    // Synchronous mode and compose recreation follow a promotion when configured.
                    if (has(plan, StepKind::promote)) {
                        REQUIRE(has(plan, StepKind::configure_sync) == (settings.synchronous != SyncMode::off));
                        REQUIRE(has(plan, StepKind::recreate_primary) == settings.recreate_after_promote);
                    }
                    // A server that does not answer is never promoted or resynced.
                    if (obs.local.running && !obs.local.reachable)
                        REQUIRE_FALSE((has(plan, StepKind::promote) || has(plan, StepKind::rewind)));
                }
    CHECK(combinations == 8 * 9 * 7 * 64);
}

TEST_CASE("plan: the primary to follow is the newest reachable one, or the hinted one")
{
    Observation obs = observe(Local::standby_detached, Peers::two_primaries);
    REQUIRE(choose_primary(obs, "") != nullptr);
    CHECK(choose_primary(obs, "")->address == "10.0.0.3:5432");
    CHECK(choose_primary(obs, "10.0.0.2:5432")->address == "10.0.0.2:5432");
    CHECK(choose_primary(obs, "10.9.9.9:5432") == nullptr);
    obs.peers[1].reachable = false;
    CHECK(choose_primary(obs, "")->address == "10.0.0.2:5432");
}

TEST_CASE("plan: replay gap counts the newest WAL known on the same timeline")
{
    Observation obs = observe(Local::standby_detached, Peers::none);
    obs.local.lsn = 1000;
    obs.local.receive_lsn = 1500;
    CHECK(replay_gap(obs) == 500);
    obs.peers = {PeerObservation{"a:1", true, true, 2, 5000, ""}};
    CHECK(replay_gap(obs) == 4000);
    obs.peers[0].timeline = 1;
    CHECK(replay_gap(obs) == 500);
}

TEST_CASE("plan: describe names the steps and their target")
{
    Plan plan = plan_transition(request_for(KeepalivedState::backup), observe(Local::primary, Peers::primary_newer),
                                PlanSettings{});
    CHECK(plan.describe() ==
          "fence -> rewind(10.0.0.2:5432) -> configure_standby(10.0.0.2:5432) -> start_standby(10.0.0.2:5432)");
    Plan refused = plan_transition(request_for(KeepalivedState::master),
                                   observe(Local::standby_streaming, Peers::primary_same), PlanSettings{});
    CHECK(refused.describe().rfind("refuse: peer 10.0.0.2:5432 is a reachable primary", 0) == 0);
}

TEST_CASE("plan: keepalived state names parse exactly")
{
    CHECK(parse_keepalived_state("MASTER") == KeepalivedState::master);
    CHECK(parse_keepalived_state("DELETED") == KeepalivedState::deleted);
    CHECK_FALSE(parse_keepalived_state("master"));
    CHECK_FALSE(parse_keepalived_state(""));
    CHECK(request_for(KeepalivedState::stop).intent == Intent::fence);
}

TEST_CASE("plan: after a resync that did not stream, the next one copies afresh instead of rewinding again")
{
    for (Local local : {Local::primary, Local::stopped_primary, Local::standby_detached}) {
        Observation obs = observe(local, Peers::primary_newer);
        Plan before = plan_transition(request_for(KeepalivedState::backup), obs, PlanSettings{});
        const auto first = before.kinds();
        CHECK(std::count(first.begin(), first.end(), StepKind::rewind) == 1);
        obs.last_resync_failed = true;
        Plan after = plan_transition(request_for(KeepalivedState::backup), obs, PlanSettings{});
        const auto kinds = after.kinds();
        CHECK(std::count(kinds.begin(), kinds.end(), StepKind::rewind) == 0);
        CHECK(std::count(kinds.begin(), kinds.end(), StepKind::basebackup) == 1);
        CHECK_THAT(after.reason, Catch::Contains("the last resync did not stream"));
    }
}
