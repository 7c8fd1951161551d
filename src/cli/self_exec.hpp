#pragma once

#include <string>

namespace pgfo::cli {

// The running binary's absolute path (for detached children), "pgfo" when it cannot be read.
std::string self_executable();

// Environment variable a detached child of pgfo runs with (it must not detach again).
inline constexpr const char* k_detached_env = "PGFO_DETACHED";

}  // namespace pgfo::cli
