#pragma once

#include <string>
#include <vector>

namespace pgfo::test {

struct CliResult {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs pgfo::cli::run in this process with ARGS (without the program name).
CliResult run_cli(const std::vector<std::string>& args);

// A minimal valid config in DIR (mode 0600): data and bin directories that exist,
// state and log below DIR. EXTRA lines are appended verbatim.
std::string write_minimal_config(const std::string& dir, const std::string& extra = "");

}  // namespace pgfo::test
