#pragma once

#include "runtime/runtime.hpp"

namespace pgfo::runtime {

// PostgreSQL run by pg_ctl on this host, as postgres.os_user.
class PgCtlRuntime : public Runtime {
public:
    explicit PgCtlRuntime(const Config& config) : m_config(config) {}

    std::string_view name() const override { return "pg_ctl"; }
    Result<bool> is_running() override;
    Status start(ServerRole role, std::chrono::milliseconds timeout) override;
    Status stop(StopMode mode, std::chrono::milliseconds timeout) override;
    Status recreate(ServerRole role, std::chrono::milliseconds timeout) override;
    util::ProcessResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout) override;

private:
    util::ProcessResult pg_ctl(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
    const Config& m_config;
};

}  // namespace pgfo::runtime
