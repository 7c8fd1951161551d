#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pgfo::util {

// UTC with milliseconds: 2026-11-29T12:33:43.697Z
std::string utc_timestamp(std::chrono::system_clock::time_point time);

// Milliseconds since the Unix epoch, wall clock (for deadlines shared between processes).
std::int64_t unix_now_ms();

// What is left until DEADLINE, never negative.
std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline);

}  // namespace pgfo::util
