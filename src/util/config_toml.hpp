#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgfo::util {

struct TomlValue {
    enum class Kind { string, integer, boolean, array, bare, invalid };
    Kind kind = Kind::invalid; // invalid: a syntax problem was already reported for it
    std::string text;          // string contents, or a bare word as written
    std::int64_t integer = 0;
    bool boolean = false;
    std::vector<std::string> items; // array of strings
};

struct TomlSection {
    int line = 0;
    std::string name;
    bool valid = true; // false when the header itself was malformed (already reported)
};

struct TomlEntry {
    int line = 0;
    int section = -1; // index into TomlDocument::sections; -1 before the first header
    std::string key;
    TomlValue value;
};

struct TomlProblem {
    int line = 0;
    std::string message;
};

struct TomlDocument {
    std::vector<TomlSection> sections; // every header in order, duplicates included
    std::vector<TomlEntry> entries;
    std::vector<TomlProblem> problems;
};

// Reads the TOML subset of pgfo's config: [section] headers, key = value with double-quoted
// strings, integers, true/false and arrays of strings, and # comments. Never throws: every
// syntax problem is collected with its line, and parsing resumes on the next line.
TomlDocument parse_toml(std::string_view text);

// TEXT in double quotes for a message: control characters escaped, long text shortened.
std::string quoted(std::string_view text);

} // namespace pgfo::util
