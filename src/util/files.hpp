#pragma once

#include <string>
#include <sys/types.h>

#include "util/result.hpp"

namespace pgfo::util {

// Writes CONTENT to a temp file beside PATH, fsyncs it, renames it over PATH and
// fsyncs the directory: readers see the old or the new file, never a partial one.
Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode = 0644);

Result<std::string> read_file(const std::string& path);

bool path_exists(const std::string& path);

// mkdir -p with MODE for the directories it creates.
Status make_dirs(const std::string& path, mode_t mode = 0755);

// The directory holding PATH ("/a/b/" -> "/a", "/a" -> "/", "a" -> ".").
std::string parent_dir(std::string path);

}  // namespace pgfo::util
