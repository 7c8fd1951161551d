#pragma once

#include <memory>
#include <string>

#include "core/transition.hpp"
#include "runtime/runtime.hpp"
#include "util/config.hpp"
#include "util/log.hpp"
#include "util/state_store.hpp"

namespace pgfo::node {

// The real NodeActions: this host's server through its runtime and libpq, peers through libpq.
class LiveNode : public core::NodeActions {
public:
    // SEQ is this run's request number in the state store (0: never superseded).
    LiveNode(const Config& config, runtime::Runtime& runtime, util::Logger& log, std::uint64_t seq);

    core::Observation observe(const core::Request& request) override;
    Result<core::StepReport> run_step(const core::Step& step, const core::Request& request) override;
    bool superseded() override;

private:
    Result<core::StepReport> start();
    Result<core::StepReport> wait_for_primary(const core::Request& request);
    Result<core::StepReport> promote();
    Result<core::StepReport> recreate_primary();
    Result<core::StepReport> recreate_and_verify_primary();
    Result<core::StepReport> configure_sync();
    Result<core::StepReport> stop(bool fence);
    Result<core::StepReport> rewind(const std::string& target);
    Result<core::StepReport> basebackup(const std::string& target);
    Result<core::StepReport> configure_standby(const std::string& target);
    Result<core::StepReport> start_standby(const std::string& target);

    const Config& m_config;
    runtime::Runtime& m_runtime;
    util::Logger& m_log;
    util::StateStore m_state;
    std::uint64_t m_seq;
    pg::Lsn m_last_primary_lsn = 0;  // this node's WAL end while it was primary (for discarded WAL)
};

}  // namespace pgfo::node
