#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/observation.hpp"
#include "core/plan.hpp"
#include "core/request.hpp"
#include "util/log.hpp"
#include "util/result.hpp"

namespace pgfo::core {

// What one executed step reports back, beyond success.
struct StepReport {
    std::string message;                          // "promoted to primary, timeline 3"
    bool found_primary = true;                    // wait_for_primary: did one appear
    std::optional<std::uint64_t> discarded_wal;   // rewind/basebackup: WAL past the fork point
    bool fell_back_to_basebackup = false;
    std::vector<util::LogField> fields;           // extra fields for the step's log line
};

// Everything a transition does to the world. The live implementation talks to
// PostgreSQL and the runtime; tests may run it for real or replace it.
class NodeActions {
public:
    virtual ~NodeActions() = default;
    virtual Observation observe(const Request& request) = 0;
    virtual Result<StepReport> run_step(const Step& step, const Request& request) = 0;
    // True when a newer request was recorded after this run's own.
    virtual bool superseded() = 0;
};

enum class TransitionOutcome { done, nothing, refused, failed, timed_out, superseded };

std::string_view to_string(TransitionOutcome outcome);

struct TransitionReport {
    TransitionOutcome outcome = TransitionOutcome::nothing;
    std::string message;
    std::vector<std::string> steps_done;
    std::string failed_step;
    Observation final_observation;
    std::optional<std::uint64_t> discarded_wal;
    std::chrono::milliseconds elapsed{0};
    std::vector<Plan> plans;

    int exit_code() const;
};

struct TransitionOptions {
    bool dry_run = false;
    int max_rounds = 4;  // observe -> plan -> execute rounds (a start or a wait asks for another)
};

// Observes, plans and executes until the plan has nothing more to do. Logs every plan
// and step to LOG; never throws for an operational failure (it is in the report).
TransitionReport run_transition(const Request& request, NodeActions& actions, const PlanSettings& settings,
                                util::Logger& log, const TransitionOptions& options = {});

}  // namespace pgfo::core
