#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfo::util {

using Millis = std::chrono::milliseconds;

// "500ms", "5s", "2m", "1h", "1d"; whole numbers only. nullopt when malformed.
std::optional<Millis> parse_duration(std::string_view text);
std::string format_duration(Millis duration);

// "16MB", "1GB", "512kB", "8192" (bytes). Units are powers of 1024, as in PostgreSQL.
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_size(std::uint64_t bytes);

}  // namespace pgfo::util
