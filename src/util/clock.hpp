#pragma once

#include <chrono>
#include <string>

namespace pgfo::util {

// UTC with milliseconds: 2026-11-29T12:33:43.697Z
std::string utc_timestamp(std::chrono::system_clock::time_point time);

} // namespace pgfo::util
