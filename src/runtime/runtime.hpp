#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/config.hpp"
#include "util/result.hpp"
#include "util/subprocess.hpp"

namespace pgfo::runtime {

enum class ServerRole { primary, standby };
enum class StopMode { fast, immediate };

// How PostgreSQL runs on this host: pg_ctl, docker-compose or systemd.
class Runtime {
public:
    virtual ~Runtime() = default;
    virtual std::string_view name() const = 0;

    // Whether a server is running for the data directory.
    virtual Result<bool> is_running() = 0;
    // Starts the server (as ROLE where the runtime picks a role, e.g. the compose file) and
    // returns once it accepts connections or the timeout passed.
    virtual Status start(ServerRole role, std::chrono::milliseconds timeout) = 0;
    virtual Status stop(StopMode mode, std::chrono::milliseconds timeout) = 0;
    // compose: recreate the service from the file of ROLE; others have nothing to do.
    virtual Status recreate(ServerRole role, std::chrono::milliseconds timeout) = 0;
    // Runs a PostgreSQL tool (pg_rewind, pg_basebackup, pg_controldata) where it sees the data directory.
    virtual util::ProcessResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                                         const std::map<std::string, std::string>& env,
                                         std::chrono::milliseconds timeout) = 0;
};

std::unique_ptr<Runtime> make_runtime(const Config& config);

// Turns a child's failure into an Error naming WHAT (timeout -> ErrorKind::timeout).
Error process_error(const std::string& what, const util::ProcessResult& result);

// The pid in DATA_DIR/postmaster.pid when that process is alive; 0 otherwise.
int running_postmaster_pid(const std::string& data_dir);

}  // namespace pgfo::runtime
