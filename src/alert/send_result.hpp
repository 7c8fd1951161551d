#pragma once

#include <string>

namespace pgfo::alert {

// What one channel did with one alert; the caller logs it.
struct SendResult {
    std::string channel; // telegram | webhook
    bool ok = false;
    std::string detail;     // why it failed (the API's own description when there is one); never a secret
    int attempts = 0;       // HTTP requests made
    bool timed_out = false; // the budget ran out before an answer
};

} // namespace pgfo::alert
