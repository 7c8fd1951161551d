#pragma once

#include <string>
#include <string_view>

#include "alert/event.hpp"
#include "alert/send_result.hpp"
#include "util/config.hpp"

namespace pgfo::alert {

// POSTs webhook_body(EVENT, TEXT) to config.url with the configured headers. A 2xx answer is
// delivery; 429, 5xx and network errors are retried with backoff within config.timeout.
SendResult send_webhook(const WebhookConfig& config, const AlertEvent& event, std::string_view text);

// {"text": TEXT, "node", "event", "state", "result", "role", "timeline", "lsn", "duration_ms",
//  "error", "steps", and "discarded_wal_bytes" when known}; unknown numbers are null.
std::string webhook_body(const AlertEvent& event, std::string_view text);

} // namespace pgfo::alert
