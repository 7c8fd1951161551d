#include <CLI/CLI.hpp>
#include <time.h>

#include <csignal>
#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"
#include "util/log_query.hpp"
#include "util/log_tail.hpp"

namespace pgfo::cli {
namespace {

constexpr long k_follow_poll_ns = 200'000'000;

struct LogOptions {
    int lines = 50;
    std::string since;
    std::string event;
    std::string level;
    std::string tx;
    bool json = false;
    bool follow = false;
};

volatile std::sig_atomic_t g_stop_requested = 0;

void on_stop_signal(int)
{
    g_stop_requested = 1;
}

// SIGINT and SIGTERM only set a flag while it lives; the previous handlers come back after.
class StopSignals {
public:
    StopSignals()
    {
        g_stop_requested = 0;
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &m_old_int);
        ::sigaction(SIGTERM, &action, &m_old_term);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals()
    {
        ::sigaction(SIGINT, &m_old_int, nullptr);
        ::sigaction(SIGTERM, &m_old_term, nullptr);
    }
    bool requested() const { return g_stop_requested != 0; }

private:
    struct sigaction m_old_int {};
    struct sigaction m_old_term {};
};

util::LogFilter make_filter(const LogOptions& options)
{
    util::LogFilter filter;
    if (!options.since.empty()) {
        const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        filter.since = util::parse_since(options.since, now);
        if (!filter.since)
            throw Failure(ErrorKind::usage, "--since value '" + options.since +
                                                "' is not a time; hint: use 2026-11-29T12:00:00Z, "
                                                "2026-11-29T14:00:00+02:00, or 10m, 2h, 1d back from now");
    }
    if (!options.level.empty()) {
        filter.min_level = util::parse_log_level(options.level);
        if (!filter.min_level)
            throw Failure(ErrorKind::usage,
                          "log level '" + options.level + "' is unknown; hint: use debug, info, warn or error");
    }
    filter.event_prefix = options.event;
    filter.tx = options.tx;
    return filter;
}

class Printer {
public:
    Printer(std::ostream& out, bool json) : m_out(out), m_json(json) {}

    void print(const std::vector<util::LogLine>& lines)
    {
        for (const auto& line : lines)
            m_columns.fit(line);
        for (const auto& line : lines)
            m_out << (m_json ? util::render_json(line) : util::render_human(line, m_columns)) << '\n';
        m_out.flush();
    }

private:
    std::ostream& m_out;
    bool m_json;
    util::HumanColumns m_columns;
};

std::vector<util::LogLine> matching(const std::vector<std::string>& raw, const util::LogFilter& filter)
{
    std::vector<util::LogLine> lines;
    for (const auto& text : raw) {
        auto line = util::parse_log_line(text);
        if (util::matches(line, filter))
            lines.push_back(std::move(line));
    }
    return lines;
}

void follow(util::LogTail& tail, const util::LogFilter& filter, Printer& printer)
{
    StopSignals signals;
    while (!signals.requested()) {
        printer.print(matching(tail.follow(), filter));
        timespec pause{0, k_follow_poll_ns};
        ::nanosleep(&pause, nullptr);
    }
}

void show_log(Context& ctx, const LogOptions& options)
{
    if (options.lines < 0)
        throw Failure(ErrorKind::usage, "-n value " + std::to_string(options.lines) +
                                            " is negative; hint: give the number of lines to show, 0 or more");
    const util::LogFilter filter = make_filter(options);
    const std::string& path = ctx.config().log.file;
    auto tail = util::LogTail::open(path);
    if (!tail)
        throw Failure(tail.error());

    util::LineClassifier classify;
    if (!filter.selects_everything())
        classify = [&filter](std::string_view line) { return util::classify_text(line, filter); };
    auto last = tail->last_lines(static_cast<std::size_t>(options.lines), classify);
    if (!last)
        throw Failure(last.error());

    Printer printer(ctx.out(), options.json);
    printer.print(matching(*last, filter));
    if (options.follow)
        follow(*tail, filter, printer);
}

} // namespace

void add_log_command(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<LogOptions>();
    auto* sub = app.add_subcommand("log", "show the log: the last events, filtered; --json; -f to follow");
    sub->add_option("-n,--lines", options->lines, "show the last N matching lines")->capture_default_str();
    sub->add_option("--since", options->since, "only events since TIME (2026-11-29T12:00:00Z) or 10m, 2h, 1d ago");
    sub->add_option("--event", options->event, "only events whose name starts with E (promote: promote.*)");
    sub->add_option("--level", options->level, "only events at level L or above (debug, info, warn, error)");
    sub->add_option("--tx", options->tx, "only the events of one run");
    sub->add_flag("--json", options->json, "one JSON object per line");
    sub->add_flag("-f,--follow", options->follow, "keep printing events as they are logged, until interrupted");
    sub->callback([&ctx, options] { show_log(ctx, *options); });
}

} // namespace pgfo::cli
