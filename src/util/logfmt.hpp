#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgfo::util {

// The quoting rules of the log file, shared by the writer and the reader.
// A value is written bare when it is non-empty printable ASCII without space, '"', '='
// or '\'; otherwise it is quoted, with \" \\ \n \r \t and \xNN for other control bytes,
// so a line never spans two physical lines. Bytes >= 0x80 are kept as they are.

struct LogfmtPair {
    std::string key;
    std::string value;
    bool operator==(const LogfmtPair&) const = default;
};

bool is_logfmt_key_char(char c);
bool needs_logfmt_quotes(std::string_view value);

// Appends VALUE to OUT, quoted and escaped when needed.
void append_logfmt_value(std::string& out, std::string_view value);

// Appends " KEY=VALUE" (no leading space when OUT is empty).
void append_logfmt_pair(std::string& out, std::string_view key, std::string_view value);

// KEY with every character outside [a-zA-Z0-9_.-] replaced by '_'; "_" when empty.
std::string sanitize_logfmt_key(std::string_view key);

// Splits LINE into its pairs in order; nullopt when it is not logfmt as written above
// (a key outside [a-zA-Z0-9_.-], a key without '=', an unterminated quote, a bad escape).
std::optional<std::vector<LogfmtPair>> parse_logfmt(std::string_view line);

} // namespace pgfo::util
