#pragma once

#include <string>
#include <vector>

#include "runtime/runtime.hpp"

namespace pgfo::runtime {

// PostgreSQL as the systemd unit systemd.unit, with this host's tools and data_dir for
// resyncs. systemctl is resolved on PATH, then on the default PATH.
//
// is_running:     a live postmaster in data_dir/postmaster.pid (no child process, cannot hang).
// start:          `systemctl start UNIT`, then until the server accepts connections.
// stop fast:      `systemctl stop UNIT` (Debian's postgresql@.service stops with -m fast).
// stop immediate: `systemctl kill --kill-who=main --signal=SIGQUIT UNIT`, PostgreSQL's
//                 immediate shutdown, then until the postmaster is gone.
// run_tool:       postgres.bin_dir/TOOL as postgres.os_user.
class SystemdRuntime : public Runtime {
public:
    // Throws Failure (ErrorKind::config) when systemctl cannot be found.
    explicit SystemdRuntime(const Config& config);

    std::string_view name() const override { return "systemd"; }
    Result<bool> is_running() override;
    Status start(ServerRole role, std::chrono::milliseconds timeout) override;
    Status stop(StopMode mode, std::chrono::milliseconds timeout) override;
    Status recreate(ServerRole role, std::chrono::milliseconds timeout) override;
    util::ProcessResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout) override;

private:
    util::ProcessResult systemctl(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const;

    const Config& m_config;
    std::string m_systemctl;
};

}  // namespace pgfo::runtime
