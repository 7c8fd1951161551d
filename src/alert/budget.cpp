#include "alert/budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace pgfo::alert {
namespace {

constexpr util::Millis k_max_backoff{2000};

} // namespace

util::Millis Budget::remaining() const
{
    const auto left = std::chrono::duration_cast<util::Millis>(m_end - std::chrono::steady_clock::now());
    return std::max(left, util::Millis(0));
}

void Budget::sleep(util::Millis wait) const
{
    std::this_thread::sleep_for(std::min(wait, remaining()));
}

util::Millis Budget::next_backoff()
{
    const util::Millis current = m_backoff;
    m_backoff = std::min(m_backoff * 2, k_max_backoff);
    return current;
}

std::string attempts_text(int attempts)
{
    return attempts == 1 ? "1 attempt" : fmt::format("{} attempts", attempts);
}

std::string give_up_detail(const std::string& last_problem, int attempts, const Budget& budget)
{
    const std::string why = last_problem.empty() ? "no answer" : last_problem;
    return fmt::format("{} ({} within the {} budget)", why, attempts_text(attempts),
                       util::format_duration(budget.total()));
}

} // namespace pgfo::alert
