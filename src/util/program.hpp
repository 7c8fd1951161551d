#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"
#include "util/subprocess.hpp"

namespace pgfo::util {

// The PATH keepalived's scripts would get if they had one.
inline constexpr const char* k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// PROGRAM as an absolute path: itself when it holds a '/', else the first executable of
// that name on $PATH, then on k_default_path (keepalived runs notify with a bare environment).
std::optional<std::string> resolve_program(const std::string& program);

struct ResolvedCommand {
    std::map<std::string, std::string> env;  // leading NAME=VALUE words, as a shell would take them
    std::vector<std::string> argv;           // the rest, argv[0] resolved
};

// COMMAND split on blanks, leading NAME=VALUE words taken as environment, the program
// resolved ("DOCKER_HOST=unix:///run/d.sock docker compose" -> {DOCKER_HOST: ...},
// {"/usr/bin/docker", "compose"}); ErrorKind::config naming KEY when it cannot be found.
Result<ResolvedCommand> resolve_command(const std::string& command, const std::string& key);

// Runs ARGV (argv[0] already resolved) with ENV, cwd /, bounded by TIMEOUT; PATH is
// k_default_path when this process has none, as under keepalived.
ProcessResult run_program(std::vector<std::string> argv, std::map<std::string, std::string> env,
                          std::chrono::milliseconds timeout);

}  // namespace pgfo::util
