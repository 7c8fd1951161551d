#include "runtime/pg_ctl_runtime.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cerrno>
#include <fstream>

#include "runtime/host_tool.hpp"
#include "util/files.hpp"

namespace pgfo::runtime {
namespace {

// pg_ctl's own -t: a little longer than our deadline, so the deadline is what ends a hung pg_ctl.
std::string seconds_arg(std::chrono::milliseconds timeout)
{
    return std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000) + 5);
}

std::string server_log_path(const Config& config)
{
    if (!config.postgres.server_log.empty())
        return config.postgres.server_log;
    std::string dir = config.postgres.data_dir;
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    return dir.substr(0, dir.rfind('/') + 1) + "pgfo-server.log";
}

}  // namespace

int running_postmaster_pid(const std::string& data_dir)
{
    std::ifstream pid_file(data_dir + "/postmaster.pid");
    long pid = 0;
    if (!(pid_file >> pid) || pid <= 0)
        return 0;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)
        return static_cast<int>(pid);
    return 0;
}

util::ProcessResult PgCtlRuntime::pg_ctl(const std::vector<std::string>& args, std::chrono::milliseconds timeout)
{
    util::Command command;
    command.argv = {m_config.postgres.bin_dir + "/pg_ctl"};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.user = m_config.postgres.os_user;
    command.cwd = "/";
    command.timeout = timeout;  // the binding limit: pg_ctl -t is given more, so an overrun is ours to kill
    return util::run_process(command);
}

Result<bool> PgCtlRuntime::is_running()
{
    return running_postmaster_pid(m_config.postgres.data_dir) != 0;
}

Status PgCtlRuntime::start(ServerRole /*role*/, std::chrono::milliseconds timeout)
{
    std::vector<std::string> args = {
        "start", "-D", m_config.postgres.data_dir, "-w", "-t", seconds_arg(timeout), "-l", server_log_path(m_config)};
    if (!m_config.postgres.start_options.empty()) {
        args.emplace_back("-o");
        args.push_back(m_config.postgres.start_options);
    }
    auto result = pg_ctl(args, timeout);
    if (!result.succeeded())
        return process_error("pg_ctl start of " + m_config.postgres.data_dir, result);
    return ok_status();
}

Status PgCtlRuntime::stop(StopMode mode, std::chrono::milliseconds timeout)
{
    if (running_postmaster_pid(m_config.postgres.data_dir) == 0)
        return ok_status();
    auto result = pg_ctl({"stop", "-D", m_config.postgres.data_dir, "-m", mode == StopMode::fast ? "fast" : "immediate",
                          "-w", "-t", seconds_arg(timeout)},
                         timeout);
    if (!result.succeeded())
        return process_error("pg_ctl stop of " + m_config.postgres.data_dir, result);
    return ok_status();
}

Status PgCtlRuntime::recreate(ServerRole /*role*/, std::chrono::milliseconds /*timeout*/)
{
    return ok_status();
}

util::ProcessResult PgCtlRuntime::run_tool(const std::string& tool, const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& env,
                                           std::chrono::milliseconds timeout)
{
    return run_host_tool(m_config, tool, args, env, timeout);
}

}  // namespace pgfo::runtime
