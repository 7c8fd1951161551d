#include "alert/event.hpp"
#include "util/units.hpp"

#include <fmt/format.h>

namespace pgfo::alert {
namespace {

std::string outcome_word(const std::string& result)
{
    if (result == "ok")
        return "ok";
    if (result == "refused")
        return "REFUSED";
    if (result == "failed")
        return "FAILED";
    if (result == "timeout")
        return "TIMED OUT";
    return result;
}

std::string headline(const AlertEvent& event)
{
    std::string line = "pgfo " + (event.node.empty() ? std::string("(unknown node)") : event.node) + ":";
    if (!event.keepalived_state.empty())
        line += " keepalived state " + event.keepalived_state + ",";
    if (!event.event.empty())
        line += " " + event.event;
    const std::string outcome = outcome_word(event.result);
    if (!outcome.empty())
        line += " " + outcome;
    if (line.back() == ',')
        line.pop_back();
    return line;
}

std::string join(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

}  // namespace

std::string human_duration(std::int64_t ms)
{
    if (ms < 1000)
        return fmt::format("{}ms", ms);
    if (ms < 60'000)
        return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
    const std::int64_t seconds = ms / 1000;
    if (seconds < 3600)
        return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
    return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

std::string render_text(const AlertEvent& event)
{
    if (!event.text_override.empty())
        return event.text_override;

    std::vector<std::string> lines{headline(event)};
    if (!event.steps.empty())
        lines.push_back("done: " + join(event.steps, ", "));

    std::vector<std::string> after;
    if (!event.role_after.empty())
        after.push_back(event.role_after);
    if (event.timeline != 0)
        after.push_back(fmt::format("timeline {}", event.timeline));
    if (!event.lsn.empty())
        after.push_back("lsn " + event.lsn);
    if (!after.empty())
        lines.push_back("role after: " + join(after, ", "));

    if (event.duration_ms >= 0)
        lines.push_back("duration: " + human_duration(event.duration_ms));
    if (!event.error.empty())
        lines.push_back((event.result == "refused" ? "reason: " : "error: ") + event.error);
    if (event.discarded_wal_bytes) {
        const std::uint64_t bytes = *event.discarded_wal_bytes;
        if (bytes == 0)
            lines.push_back("WAL discarded on rejoin: none");
        else if (bytes < 1024)
            lines.push_back("WAL discarded on rejoin: " + util::human_size(bytes));
        else
            lines.push_back(fmt::format("WAL discarded on rejoin: {} ({} bytes)", util::human_size(bytes), bytes));
    }
    return join(lines, "\n");
}

}  // namespace pgfo::alert
