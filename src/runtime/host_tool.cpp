#include "runtime/host_tool.hpp"

namespace pgfo::runtime {

util::ProcessResult run_host_tool(const Config& config, const std::string& tool, const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout)
{
    util::Command command;
    command.argv = {config.postgres.bin_dir + "/" + tool};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = env;
    command.user = config.postgres.os_user;
    command.cwd = "/";
    command.timeout = timeout;
    return util::run_process(command);
}

}  // namespace pgfo::runtime
