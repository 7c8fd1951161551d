#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "alert/send_result.hpp"
#include "util/config.hpp"
#include "util/result.hpp"

namespace pgfo::alert {

inline constexpr std::size_t k_telegram_max_chars = 4096;
inline constexpr std::string_view k_truncation_marker = "…(truncated)";

// Sends TEXT to the configured chat. Retries (429 after retry_after, 5xx and network errors
// with backoff) all fit in config.timeout; other 4xx answers are final.
SendResult send_telegram(const TelegramConfig& config, std::string_view text);

// The bot token: token_file (trimmed) when set, else the inline token. Messages never show it.
Result<std::string> read_telegram_token(const TelegramConfig& config);

// TEXT as valid UTF-8 of at most 4096 characters as Telegram counts them, cut with a marker.
std::string telegram_plain_text(std::string_view text);

// Escapes & < > for parse_mode HTML.
std::string html_escape(std::string_view text);

} // namespace pgfo::alert
