#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "runtime/runtime.hpp"

namespace pgfo::runtime {

// PostgreSQL as compose.service, defined in two compose files (primary_file and standby_file)
// of one compose project that bind-mount one data directory (postgres.data_dir on the host).
// The service's containers are found with `ps -q SERVICE`, then signalled, awaited and
// inspected by id with the docker CLI; names are never guessed. Every call is bounded and
// its process group killed on overrun. compose.command and docker are resolved on PATH, then
// on the default PATH (keepalived's environment has none).
//
// stop fast:      `docker kill -s SIGINT` (PostgreSQL's fast shutdown: sessions end, nothing
//                 more is written), or `docker stop` when the image sets another StopSignal;
//                 then `docker wait`. A kill or stop through the engine also keeps a
//                 `restart: always` policy from bringing the container back.
// stop immediate: `docker kill -s SIGKILL`: the container's whole process tree ends at once;
//                 PostgreSQL recovers from WAL at its next start, as after `pg_ctl -m immediate`.
// run_tool:       a one-off container of the service (same image and volumes) with the data
//                 directory's parent mounted at the same path, as the uid:gid of
//                 postgres.os_user (which must own the data directory), unless compose.tools
//                 is "host".
class ComposeRuntime : public Runtime {
public:
    // Throws Failure (ErrorKind::config) when compose.command or the docker CLI is missing.
    explicit ComposeRuntime(const Config& config);

    std::string_view name() const override { return "compose"; }
    Result<bool> is_running() override;
    Status start(ServerRole role, std::chrono::milliseconds timeout) override;
    Status stop(StopMode mode, std::chrono::milliseconds timeout) override;
    Status recreate(ServerRole role, std::chrono::milliseconds timeout) override;
    util::ProcessResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout) override;

    // The argv of a compose call with the file of ROLE: COMMAND -f FILE [-p P] --project-directory D ARGS.
    std::vector<std::string> compose_argv(ServerRole role, const std::vector<std::string>& args) const;

private:
    using Clock = std::chrono::steady_clock;

    struct Container {
        std::string id;
        bool running = false;
        std::string stop_signal;
    };

    const std::string& file_of(ServerRole role) const;
    util::ProcessResult compose(ServerRole role, const std::vector<std::string>& args,
                                std::chrono::milliseconds timeout,
                                const std::map<std::string, std::string>& env = {}) const;
    util::ProcessResult docker(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const;
    Error compose_error(ServerRole role, const std::string& action, const util::ProcessResult& result) const;
    Error docker_error(const std::string& action, const util::ProcessResult& result) const;

    // The service's containers (one-off `run` containers left out), by `ps -q` and `docker inspect`.
    Result<std::vector<Container>> service_containers(Clock::time_point deadline) const;
    Status up(ServerRole role, bool force_recreate, Clock::time_point deadline);
    Status wait_ready(ServerRole role, Clock::time_point deadline);

    const Config& m_config;
    std::vector<std::string> m_compose;
    std::string m_docker;
};

}  // namespace pgfo::runtime
