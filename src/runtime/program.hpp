#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace pgfo::runtime {

// The PATH keepalived's scripts would get if they had one.
inline constexpr const char* k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// PROGRAM as an absolute path: itself when it holds a '/', else the first executable of
// that name on $PATH, then on k_default_path (keepalived runs notify with a bare environment).
std::optional<std::string> resolve_program(const std::string& program);

// COMMAND split on blanks with its first word resolved ("docker compose" ->
// {"/usr/bin/docker", "compose"}); ErrorKind::config naming KEY when it cannot be found.
Result<std::vector<std::string>> resolve_command(const std::string& command, const std::string& key);

}  // namespace pgfo::runtime
