#pragma once

#include <chrono>
#include <string>

#include "util/units.hpp"

namespace pgfo::alert {

// One channel's total time for an alert, retries and waits included.
class Budget {
public:
    explicit Budget(util::Millis total) : m_total(total), m_end(std::chrono::steady_clock::now() + total) {}

    util::Millis total() const { return m_total; }
    util::Millis remaining() const;
    bool exhausted() const { return remaining() <= util::Millis(0); }

    // Sleeps for WAIT, or until the budget ends when that comes first.
    void sleep(util::Millis wait) const;

    // The next pause between retries: 200ms, 400ms, 800ms, ... capped at 2s.
    util::Millis next_backoff();

private:
    util::Millis m_total;
    std::chrono::steady_clock::time_point m_end;
    util::Millis m_backoff{200};
};

std::string attempts_text(int attempts); // "1 attempt", "3 attempts"

// "LAST_PROBLEM (3 attempts within the 10s budget)".
std::string give_up_detail(const std::string& last_problem, int attempts, const Budget& budget);

} // namespace pgfo::alert
