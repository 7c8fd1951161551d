#include "pg/lsn.hpp"

#include <charconv>
#include <cstdio>

namespace pgfo::pg {
namespace {

// One half of "X/Y": 1 to 8 hex digits, nothing else.
std::optional<std::uint32_t> parse_half(std::string_view text)
{
    if (text.empty() || text.size() > 8)
        return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

std::optional<Lsn> parse_lsn(std::string_view text)
{
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    auto high = parse_half(text.substr(0, slash));
    auto low = parse_half(text.substr(slash + 1));
    if (!high || !low)
        return std::nullopt;
    return (static_cast<Lsn>(*high) << 32) | *low;
}

std::string format_lsn(Lsn lsn)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%X/%X", static_cast<unsigned>(lsn >> 32),
                  static_cast<unsigned>(lsn & 0xFFFFFFFFu));
    return buffer;
}

} // namespace pgfo::pg
