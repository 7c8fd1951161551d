#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace pgfo::test {

struct ShellResult {
    int code = -1; // exit code; -N when killed by signal N
    bool timed_out = false;
    std::string output; // stdout and stderr together

    bool succeeded() const { return !timed_out && code == 0; }
    // "exited with 1: <output>", for exception messages.
    std::string describe() const;
};

// Runs ARGV (argv[0] an absolute path) as USER (empty: unchanged) in its own process
// group, cwd "/", stdin on /dev/null, PG* variables removed from the environment.
// After TIMEOUT the whole group is killed. A minimal stand-in for util::run_process
// so the harness does not depend on the code under test.
ShellResult run_as(const std::string& user, const std::vector<std::string>& argv,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

// run_as that throws std::runtime_error (naming the command and its output) on failure.
std::string run_checked(const std::string& user, const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
int free_port();

// chown -R to USER and its primary group.
void chown_to(const std::string& path, const std::string& user);

} // namespace pgfo::test
