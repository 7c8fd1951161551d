#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace pgfo::util {

enum class LogLevel { debug, info, warn, error };

std::string_view to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);

struct LogField {
    std::string key;
    std::string value;
};

// One logfmt line, without the trailing newline:
// ts=... level=info node=pg-01 tx=3f9a1c event=promote.done state=MASTER ms=142 msg="..."
// Values that need it are quoted and escaped; every secret is replaced by "[redacted]".
std::string format_log_line(std::string_view ts, LogLevel level, std::string_view node, std::string_view tx,
                            std::string_view event, const std::vector<LogField>& fields, std::string_view msg,
                            const std::vector<std::string>& secrets = {});

// UTC timestamp with milliseconds: 2026-11-29T12:33:43.697Z
std::string utc_timestamp_now();

// 6 lowercase hex characters, random per run.
std::string new_tx_id();

// Appends whole lines to the log file: one write(2) per line on an O_APPEND descriptor,
// so concurrent pgfo processes never interleave. A Logger that failed to open (or was
// default-constructed) drops lines silently; logging never fails an operation.
class Logger {
public:
    Logger() = default;
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;
    Logger(Logger&& other) noexcept;
    Logger& operator=(Logger&& other) noexcept;
    ~Logger();

    static Result<Logger> open(const std::string& path, std::string node, std::string tx, LogLevel min_level);

    void log(LogLevel level, std::string_view event, std::string_view msg, const std::vector<LogField>& fields = {});
    void debug(std::string_view event, std::string_view msg, const std::vector<LogField>& fields = {}) { log(LogLevel::debug, event, msg, fields); }
    void info(std::string_view event, std::string_view msg, const std::vector<LogField>& fields = {}) { log(LogLevel::info, event, msg, fields); }
    void warn(std::string_view event, std::string_view msg, const std::vector<LogField>& fields = {}) { log(LogLevel::warn, event, msg, fields); }
    void error(std::string_view event, std::string_view msg, const std::vector<LogField>& fields = {}) { log(LogLevel::error, event, msg, fields); }

    // Any later line that contains SECRET has it replaced by [redacted].
    void add_secret(std::string secret);
    // Also echo each line to stderr (for -v on interactive commands).
    void set_echo(bool echo) { m_echo = echo; }

    const std::string& tx() const { return m_tx; }
    const std::string& node() const { return m_node; }

private:
    int m_fd = -1;
    std::string m_node;
    std::string m_tx;
    LogLevel m_min_level = LogLevel::info;
    std::vector<std::string> m_secrets;
    bool m_echo = false;
};

}  // namespace pgfo::util
