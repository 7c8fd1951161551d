#include "util/units.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <utility>

namespace pgfo::util {
namespace {

// Splits "123abc" into the number and the unit; nullopt on no digits or overflow.
std::optional<std::pair<std::uint64_t, std::string_view>> split_number(std::string_view text)
{
    std::uint64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end == text.data())
        return std::nullopt;
    return std::pair{number, text.substr(static_cast<std::size_t>(end - text.data()))};
}

std::optional<std::uint64_t> checked_multiply(std::uint64_t value, std::uint64_t factor)
{
    if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor)
        return std::nullopt;
    return value * factor;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text)
{
    auto split = split_number(text);
    if (!split)
        return std::nullopt;
    auto [number, unit] = *split;
    std::uint64_t factor = 0;
    if (unit == "ms")
        factor = 1;
    else if (unit == "s")
        factor = 1000;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    else
        return std::nullopt;
    auto ms = checked_multiply(number, factor);
    if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 2))
        return std::nullopt;
    return Millis(static_cast<std::int64_t>(*ms));
}

std::string format_duration(Millis duration)
{
    const auto ms = duration.count();
    if (ms != 0 && ms % 3'600'000 == 0)
        return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0)
        return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0)
        return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::optional<std::uint64_t> parse_size(std::string_view text)
{
    auto split = split_number(text);
    if (!split)
        return std::nullopt;
    auto [number, unit] = *split;
    std::uint64_t factor = 0;
    if (unit.empty() || unit == "B")
        factor = 1;
    else if (unit == "kB" || unit == "KB")
        factor = 1ull << 10;
    else if (unit == "MB")
        factor = 1ull << 20;
    else if (unit == "GB")
        factor = 1ull << 30;
    else if (unit == "TB")
        factor = 1ull << 40;
    else
        return std::nullopt;
    return checked_multiply(number, factor);
}

std::string format_size(std::uint64_t bytes)
{
    static constexpr std::pair<std::uint64_t, const char*> k_units[] = {
        {1ull << 40, "TB"}, {1ull << 30, "GB"}, {1ull << 20, "MB"}, {1ull << 10, "kB"}};
    for (auto [factor, name] : k_units)
        if (bytes != 0 && bytes % factor == 0)
            return std::to_string(bytes / factor) + name;
    return std::to_string(bytes) + "B";
}

std::string human_size(std::uint64_t bytes)
{
    if (bytes < 1024)
        return fmt::format("{} bytes", bytes);
    static constexpr const char* k_units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(k_units)) {
        value /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, k_units[unit]);
}

}  // namespace pgfo::util
