#pragma once

#include <optional>
#include <string>

#include "util/result.hpp"

namespace pgfo::node {

// keepalived's track_file holds one integer, read (via inotify) whenever the file changes.
// Writes WEIGHT to PATH by write-then-rename unless PATH already holds it; true when written.
Result<bool> update_track_file(const std::string& path, int weight);

// The integer in PATH; nullopt when the file is missing or holds something else.
std::optional<int> read_track_file(const std::string& path);

}  // namespace pgfo::node
