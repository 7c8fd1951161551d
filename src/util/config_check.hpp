#pragma once

#include <vector>

#include "util/config.hpp"

namespace pgfo {

// Checks the host against a parsed config: data and bin directories exist, the runtime's
// tools are executable, the state, log and track-file directories exist or can be created,
// and os_user exists. Returns one problem (line 0, file = config.path) per finding.
// Empty paths are skipped: parse_config already reports them.
std::vector<ConfigProblem> check_environment(const Config& config);

} // namespace pgfo
