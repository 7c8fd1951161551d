#pragma once

#include <vector>

#include "alert/event.hpp"
#include "alert/send_result.hpp"
#include "util/config.hpp"

namespace pgfo::alert {

// Sends EVENT through every configured channel at once, each within its own timeout, and
// returns one result per channel (telegram first). Never throws; empty when none is configured.
std::vector<SendResult> send_alert(const Config& config, const AlertEvent& event);

// Whether CONFIG has at least one alert channel.
bool any_channel(const Config& config);

} // namespace pgfo::alert
