#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgfo::util {

// One line of key=value pairs (logfmt-ish) for the small files in state_dir.
// Values with spaces, quotes, '=' or control characters are quoted and escaped.
std::string format_kv_line(const std::vector<std::pair<std::string, std::string>>& fields);

// nullopt when the line is not made of key=value pairs.
std::optional<std::map<std::string, std::string>> parse_kv_line(std::string_view line);

} // namespace pgfo::util
