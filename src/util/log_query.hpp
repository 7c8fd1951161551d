#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/log.hpp"
#include "util/logfmt.hpp"

namespace pgfo::util {

// Reading the log back for `pgfo log`: parsing, filtering and rendering, all pure.

using LogTime = std::chrono::sys_time<std::chrono::milliseconds>;

// RFC 3339 ("2026-11-29T12:33:43.697Z", "2026-11-29T14:00:00+02:00"); also a space for
// the 'T', no seconds, or a bare date. Without an offset the time is UTC, as in the log.
std::optional<LogTime> parse_timestamp(std::string_view text);

// The --since argument: a timestamp as above, or a duration back from NOW ("10m", "2h", "1d").
std::optional<LogTime> parse_since(std::string_view text, LogTime now);

// A well-formed log line: parses as logfmt, has a valid ts and level, and ends with msg
// (the writer puts msg last, so a line cut short is not taken for a whole one).
struct LogRecord {
    std::vector<LogfmtPair> pairs; // every key, in file order
    LogTime time;
    LogLevel level = LogLevel::info;

    // The value of KEY; empty when the line has no such key.
    std::string_view value(std::string_view key) const;
};

struct LogLine {
    std::string raw;
    std::optional<LogRecord> record; // empty: malformed or truncated, shown as it is
};

LogLine parse_log_line(std::string_view line);

struct LogFilter {
    std::optional<LogTime> since;
    std::string event_prefix; // "promote" selects promote.start and promote.done
    std::optional<LogLevel> min_level;
    std::string tx;

    bool selects_everything() const;
};

// A malformed line matches only a filter that selects everything: nothing is known of it.
bool matches(const LogLine& line, const LogFilter& filter);

enum class LineVerdict { keep, skip, stop };

// How far out of time order the log may be (clock steps, concurrent writers) before a
// backward scan for --since gives up on older lines.
inline constexpr std::chrono::minutes k_since_slack{5};

// For a backward scan: keep or skip LINE, or stop because it is older than the filter's
// since by more than k_since_slack, so everything before it is too.
LineVerdict classify(const LogLine& line, const LogFilter& filter);

// classify() of the line TEXT; without --since, a line that does not even contain the
// --tx or --event text is skipped before it is parsed.
LineVerdict classify_text(std::string_view text, const LogFilter& filter);

// Widths of the human columns. They only grow, so a followed log stays aligned.
struct HumanColumns {
    std::size_t node = 5;
    std::size_t event = 16;

    void fit(const LogLine& line);
};

// 2026-11-29 12:33:43.697  info   pg-01  3f9a1c  promote.done      promoted to primary, timeline 3  state=MASTER ms=142
// Control bytes are escaped, so one event is one line on a terminal; a malformed line is shown raw.
std::string render_human(const LogLine& line, const HumanColumns& columns);

// One JSON object, keys in file order, values as strings; {"raw":"..."} for a malformed line.
std::string render_json(const LogLine& line);

// TEXT as a quoted JSON string; bytes that are not valid UTF-8 become U+FFFD.
std::string json_string(std::string_view text);

} // namespace pgfo::util
