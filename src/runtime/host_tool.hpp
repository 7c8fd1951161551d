#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "util/config.hpp"
#include "util/subprocess.hpp"

namespace pgfo::runtime {

// Runs postgres.bin_dir/TOOL on this host as postgres.os_user, cwd /, bounded by TIMEOUT.
util::ProcessResult run_host_tool(const Config& config, const std::string& tool, const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout);

}  // namespace pgfo::runtime
