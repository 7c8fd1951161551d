#include <catch2/catch.hpp>

#include <deque>
#include <map>

#include "core/transition.hpp"
#include "test_dir.hpp"

using namespace pgfo;
using namespace pgfo::core;

namespace {

// Plays back observations and step results, recording the steps it was asked to run.
class RecordingNode : public NodeActions {
public:
    std::deque<Observation> observations;
    std::map<StepKind, Result<StepReport>> results;
    std::vector<StepKind> ran;
    int supersede_after_checks = -1;  // superseded() turns true after this many calls
    int superseded_checks = 0;

    Observation observe(const Request&) override
    {
        Observation next = observations.front();
        if (observations.size() > 1)
            observations.pop_front();
        return next;
    }
    Result<StepReport> run_step(const Step& step, const Request&) override
    {
        ran.push_back(step.kind);
        auto found = results.find(step.kind);
        if (found != results.end())
            return found->second;
        return StepReport{std::string(to_string(step.kind)) + " ok", true, std::nullopt, false, {}};
    }
    bool superseded() override { return supersede_after_checks >= 0 && superseded_checks++ >= supersede_after_checks; }
};

Observation standby(bool running = true)
{
    Observation obs;
    obs.local.running = running;
    obs.local.reachable = running;
    obs.local.in_recovery = running;
    obs.local.standby_signal = true;
    obs.local.timeline = 1;
    return obs;
}

Observation primary()
{
    Observation obs;
    obs.local.running = obs.local.reachable = true;
    obs.local.timeline = 2;
    return obs;
}

struct Harness {
    pgfo::test::TestDir dir;
    util::Logger log = std::move(util::Logger::open(dir / "pgfo.log", "n1", "abc123", util::LogLevel::debug).value());
};

}  // namespace

TEST_CASE("transition: a standby told MASTER runs promote and reports done")
{
    Harness h;
    RecordingNode node;
    node.observations = {standby(), primary()};
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::done);
    CHECK(report.exit_code() == 0);
    CHECK(node.ran == std::vector<StepKind>{StepKind::promote});
    CHECK(report.steps_done == std::vector<std::string>{"promote"});
    CHECK_FALSE(report.final_observation.local.in_recovery);
}

TEST_CASE("transition: a stopped standby is started, observed again, then promoted")
{
    Harness h;
    RecordingNode node;
    node.observations = {standby(false), standby(), primary()};
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::done);
    CHECK(node.ran == std::vector<StepKind>{StepKind::start, StepKind::promote});
    CHECK(report.plans.size() == 2);
}

TEST_CASE("transition: a failing step stops the plan with its name; a timeout exits 4")
{
    Harness h;
    RecordingNode node;
    node.observations = {standby()};
    node.results.emplace(StepKind::promote, make_error(ErrorKind::timeout, "pg_promote did not finish within 1s"));
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::timed_out);
    CHECK(report.exit_code() == 4);
    CHECK(report.failed_step == "promote");
    CHECK(report.message == "step promote timed out: pg_promote did not finish within 1s");

    RecordingNode failing;
    failing.observations = {standby()};
    PlanSettings sync;
    sync.synchronous = SyncMode::on;
    failing.results.emplace(StepKind::promote, make_error(ErrorKind::failed, "boom"));
    auto failed = run_transition(request_for(KeepalivedState::master), failing, sync, h.log);
    CHECK(failed.exit_code() == 1);
    CHECK(failing.ran == std::vector<StepKind>{StepKind::promote});  // configure_sync never ran
}

TEST_CASE("transition: a server or runtime that did not answer in time exits 4, one that refused exits 1")
{
    Harness h;
    Observation hung = standby();
    hung.local.reachable = false;
    hung.local.timed_out = true;
    hung.local.error = "docker compose ps timed out after 10s";
    RecordingNode node;
    node.observations = {hung};
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::timed_out);
    CHECK(report.exit_code() == 4);
    CHECK(report.message == "server is running but does not answer: docker compose ps timed out after 10s");
    CHECK(node.ran.empty());

    Observation refused = hung;
    refused.local.timed_out = false;
    RecordingNode other;
    other.observations = {refused};
    CHECK(run_transition(request_for(KeepalivedState::master), other, PlanSettings{}, h.log).exit_code() == 1);
    CHECK(other.ran.empty());
}

TEST_CASE("transition: a step that refuses (a guard found late) exits 3 and stops the plan")
{
    Harness h;
    RecordingNode node;
    Observation obs = standby(false);
    obs.local.standby_signal = false;
    obs.peers = {PeerObservation{"10.0.0.2:5432", true, false, 1, 100, ""}};
    node.observations = {obs};
    node.results.emplace(StepKind::rewind, make_error(ErrorKind::refused, "this node's data is on timeline 2"));
    auto report = run_transition(request_for(KeepalivedState::backup), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::refused);
    CHECK(report.exit_code() == 3);
    CHECK(report.message == "step rewind refused: this node's data is on timeline 2");
    CHECK(node.ran == std::vector<StepKind>{StepKind::rewind});
}

TEST_CASE("transition: refusals exit 3 and run nothing")
{
    Harness h;
    RecordingNode node;
    Observation obs = standby();
    obs.peers = {PeerObservation{"10.0.0.2:5432", true, false, 1, 100, ""}};
    node.observations = {obs};
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::refused);
    CHECK(report.exit_code() == 3);
    CHECK(node.ran.empty());
}

TEST_CASE("transition: a newer request stops the run before its next step")
{
    Harness h;
    RecordingNode node;
    Observation obs = primary();
    obs.peers = {PeerObservation{"10.0.0.2:5432", true, false, 3, 100, ""}};
    node.observations = {obs};
    node.supersede_after_checks = 2;  // round start, fence: allowed; before rewind: superseded
    auto report = run_transition(request_for(KeepalivedState::backup), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::superseded);
    CHECK(report.exit_code() == 0);
    CHECK(node.ran == std::vector<StepKind>{StepKind::fence});
}

TEST_CASE("transition: once the data directory was rewound, a newer request does not stop the standby setup")
{
    Harness h;
    RecordingNode node;
    Observation obs = primary();
    obs.peers = {PeerObservation{"10.0.0.2:5432", true, false, 3, 100, ""}};
    node.observations = {obs};
    node.supersede_after_checks = 3;  // round start, fence, rewind: allowed; superseded from then on
    auto report = run_transition(request_for(KeepalivedState::backup), node, PlanSettings{}, h.log);
    CHECK(node.ran == std::vector<StepKind>{StepKind::fence, StepKind::rewind, StepKind::configure_standby,
                                            StepKind::start_standby});
    CHECK(report.outcome == TransitionOutcome::done);
}

TEST_CASE("transition: no peer became primary: the wait ends the run without fencing")
{
    Harness h;
    RecordingNode node;
    node.observations = {primary()};
    StepReport none{"no peer became primary within 3s", false, std::nullopt, false, {}};
    node.results.emplace(StepKind::wait_for_primary, none);
    auto report = run_transition(request_for(KeepalivedState::backup), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::nothing);
    CHECK(node.ran == std::vector<StepKind>{StepKind::wait_for_primary});
    CHECK(report.message == "no peer became primary within 3s");
}

TEST_CASE("transition: dry run plans and runs nothing")
{
    Harness h;
    RecordingNode node;
    node.observations = {standby()};
    TransitionOptions options;
    options.dry_run = true;
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log, options);
    CHECK(node.ran.empty());
    REQUIRE(report.plans.size() == 1);
    CHECK(report.plans[0].describe() == "promote");
}

TEST_CASE("transition: a plan that never settles gives up after the round limit")
{
    Harness h;
    RecordingNode node;
    node.observations = {standby(false)};  // start never changes what is observed
    auto report = run_transition(request_for(KeepalivedState::master), node, PlanSettings{}, h.log);
    CHECK(report.outcome == TransitionOutcome::failed);
    CHECK(node.ran.size() == 4);
}
