#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfo::util {

// TEXT when it is a whole decimal number of type Number and nothing else; nullopt otherwise.
template <typename Number> std::optional<Number> parse_number(std::string_view text)
{
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

using Millis = std::chrono::milliseconds;

// "500ms", "5s", "2m", "1h", "1d"; whole numbers only. nullopt when malformed.
std::optional<Millis> parse_duration(std::string_view text);
std::string format_duration(Millis duration);

// "16MB", "1GB", "512kB", "8192" (bytes). Units are powers of 1024, as in PostgreSQL.
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_size(std::uint64_t bytes);

// For people: "512 bytes", "1.5 kB", "16.0 MB" (powers of 1024, as PostgreSQL writes them).
std::string human_size(std::uint64_t bytes);

}  // namespace pgfo::util
