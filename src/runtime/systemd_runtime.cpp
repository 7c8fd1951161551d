#include "runtime/systemd_runtime.hpp"

#include <cstdlib>
#include <thread>

#include "runtime/host_tool.hpp"
#include "runtime/server_wait.hpp"
#include "util/clock.hpp"
#include "util/program.hpp"

namespace pgfo::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

}  // namespace

SystemdRuntime::SystemdRuntime(const Config& config) : m_config(config)
{
    auto systemctl = util::resolve_program("systemctl");
    if (!systemctl)
        throw Failure(ErrorKind::config, std::string("systemctl not found on PATH or in ") + util::k_default_path +
                                             "; hint: postgres.runtime \"systemd\" needs systemd");
    m_systemctl = *systemctl;
}

util::ProcessResult SystemdRuntime::systemctl(const std::vector<std::string>& args,
                                              std::chrono::milliseconds timeout) const
{
    std::vector<std::string> argv = {m_systemctl};
    argv.insert(argv.end(), args.begin(), args.end());
    return util::run_program(std::move(argv), {}, timeout);
}

Result<bool> SystemdRuntime::is_running()
{
    return running_postmaster_pid(m_config.postgres.data_dir) != 0;
}

Status SystemdRuntime::start(ServerRole /*role*/, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    auto started = systemctl({"start", m_config.systemd.unit}, timeout);
    if (!started.succeeded())
        return process_error("systemctl start " + m_config.systemd.unit, started);
    auto ready = wait_until_accepting(m_config, deadline);
    if (!ready.ok())
        return make_error(ready.error().kind, "unit " + m_config.systemd.unit + ": " + ready.error().message);
    return ok_status();
}

Status SystemdRuntime::stop(StopMode mode, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    const std::string& unit = m_config.systemd.unit;
    if (mode == StopMode::fast) {
        auto stopped = systemctl({"stop", unit}, timeout);
        if (!stopped.succeeded())
            return process_error("systemctl stop " + unit, stopped);
    } else {
        auto killed = systemctl({"kill", "--kill-who=main", "--signal=SIGQUIT", unit}, timeout);
        if (!killed.succeeded())
            return process_error("systemctl kill --signal=SIGQUIT " + unit, killed);
    }
    // systemctl may return before the postmaster is gone (a unit that does not wait, or a kill).
    while (running_postmaster_pid(m_config.postgres.data_dir) != 0) {
        if (util::time_left(deadline) <= 0ms)
            return make_error(ErrorKind::timeout, "unit " + unit + ": the postmaster of " + m_config.postgres.data_dir +
                                                      " still runs after the stop");
        std::this_thread::sleep_for(50ms);
    }
    return ok_status();
}

Status SystemdRuntime::recreate(ServerRole /*role*/, std::chrono::milliseconds /*timeout*/)
{
    return ok_status();
}

util::ProcessResult SystemdRuntime::run_tool(const std::string& tool, const std::vector<std::string>& args,
                                             const std::map<std::string, std::string>& env,
                                             std::chrono::milliseconds timeout)
{
    return run_host_tool(m_config, tool, args, env, timeout);
}

}  // namespace pgfo::runtime
