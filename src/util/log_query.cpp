#include "util/log_query.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/units.hpp"

namespace pgfo::util {
namespace {

constexpr std::string_view k_standard_keys[] = {"ts", "level", "node", "tx", "event", "msg"};
constexpr std::size_t k_max_node_width = 24;
constexpr std::size_t k_max_event_width = 32;
constexpr char k_hex[] = "0123456789abcdef";

// A cursor over the text of a timestamp.
class Scanner {
public:
    explicit Scanner(std::string_view text) : m_text(text) {}

    bool done() const { return m_pos >= m_text.size(); }
    char peek() const { return done() ? '\0' : m_text[m_pos]; }
    bool take(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    // Exactly COUNT digits.
    std::optional<int> number(int count)
    {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            const char c = peek();
            if (c < '0' || c > '9')
                return std::nullopt;
            value = value * 10 + (c - '0');
            ++m_pos;
        }
        return value;
    }
    // One or more digits as milliseconds: ".5" is 500, ".123456" is 123.
    std::optional<int> fraction_ms()
    {
        int ms = 0;
        int digits = 0;
        while (peek() >= '0' && peek() <= '9') {
            if (digits < 3)
                ms = ms * 10 + (peek() - '0');
            ++digits;
            ++m_pos;
        }
        if (digits == 0)
            return std::nullopt;
        for (; digits < 3; ++digits)
            ms *= 10;
        return ms;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

// "+02:00", "-0530", "Z"; minutes east of UTC.
std::optional<int> parse_offset(Scanner& scan)
{
    if (scan.take('Z') || scan.take('z'))
        return 0;
    int sign = 0;
    if (scan.take('+'))
        sign = 1;
    else if (scan.take('-'))
        sign = -1;
    else
        return std::nullopt;
    auto hours = scan.number(2);
    scan.take(':');
    auto minutes = scan.number(2);
    if (!hours || !minutes || *hours > 23 || *minutes > 59)
        return std::nullopt;
    return sign * (*hours * 60 + *minutes);
}

// TEXT with control bytes escaped as the log escapes them, for a terminal.
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0xf];
        } else
            out += c;
    }
    return out;
}

// UTC as "2026-11-29 12:33:43.697", whatever offset the line was written with.
std::string display_time(LogTime time)
{
    const auto day = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss clock{time - day};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

void append_padded(std::string& out, std::string_view text, std::size_t width)
{
    out += text;
    if (text.size() < width)
        out.append(width - text.size(), ' ');
}

bool is_standard_key(std::string_view key)
{
    return std::find(std::begin(k_standard_keys), std::end(k_standard_keys), key) != std::end(k_standard_keys);
}

// Whether TEXT is written differently inside a quoted logfmt value.
bool has_escapes(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return c == '"' || c == '\\' || byte < 0x20 || byte == 0x7f;
    });
}

// Whether TEXT holds "level=NAME" for MIN_LEVEL or a level above it.
bool has_level_at_least(std::string_view text, LogLevel min_level)
{
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
        if (level >= min_level && text.find("level=" + std::string(to_string(level))) != std::string_view::npos)
            return true;
    return false;
}

// Length of the valid UTF-8 sequence at the start of TEXT; 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view text)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto lead = byte(0);
    if (lead < 0x80)
        return 1;
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf)
        length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            low = 0xa0;
        if (lead == 0xed)
            high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            low = 0x90;
        if (lead == 0xf4)
            high = 0x8f;
    } else
        return 0;
    if (text.size() < length || byte(1) < low || byte(1) > high)
        return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xbf)
            return 0;
    return length;
}

} // namespace

std::optional<LogTime> parse_timestamp(std::string_view text)
{
    Scanner scan(text);
    auto year = scan.number(4);
    if (!year || !scan.take('-'))
        return std::nullopt;
    auto month = scan.number(2);
    if (!month || !scan.take('-'))
        return std::nullopt;
    auto day = scan.number(2);
    if (!day)
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok())
        return std::nullopt;
    LogTime time = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::sys_days(date));
    if (scan.done())
        return time;
    if (!scan.take('T') && !scan.take('t') && !scan.take(' '))
        return std::nullopt;
    auto hour = scan.number(2);
    if (!hour || !scan.take(':'))
        return std::nullopt;
    auto minute = scan.number(2);
    if (!minute)
        return std::nullopt;
    int second = 0;
    int ms = 0;
    if (scan.take(':')) {
        auto sec = scan.number(2);
        if (!sec)
            return std::nullopt;
        second = *sec;
        if (scan.take('.') || scan.take(',')) {
            auto fraction = scan.fraction_ms();
            if (!fraction)
                return std::nullopt;
            ms = *fraction;
        }
    }
    if (*hour > 23 || *minute > 59 || second > 60)
        return std::nullopt;
    time += std::chrono::hours(*hour) + std::chrono::minutes(*minute) + std::chrono::seconds(second) +
            std::chrono::milliseconds(ms);
    if (scan.done())
        return time;
    auto offset = parse_offset(scan);
    if (!offset || !scan.done())
        return std::nullopt;
    return time - std::chrono::minutes(*offset);
}

std::optional<LogTime> parse_since(std::string_view text, LogTime now)
{
    if (auto back = parse_duration(text))
        return now - *back;
    return parse_timestamp(text);
}

std::string_view LogRecord::value(std::string_view key) const
{
    for (const auto& pair : pairs)
        if (pair.key == key)
            return pair.value;
    return {};
}

LogLine parse_log_line(std::string_view line)
{
    LogLine parsed{std::string(line), std::nullopt};
    auto pairs = parse_logfmt(line);
    if (!pairs || pairs->empty() || pairs->back().key != "msg")
        return parsed;
    LogRecord record{std::move(*pairs), {}, {}};
    auto time = parse_timestamp(record.value("ts"));
    auto level = parse_log_level(record.value("level"));
    if (!time || !level)
        return parsed;
    record.time = *time;
    record.level = *level;
    parsed.record = std::move(record);
    return parsed;
}

bool LogFilter::selects_everything() const
{
    return !since && event_prefix.empty() && !min_level && tx.empty();
}

bool matches(const LogLine& line, const LogFilter& filter)
{
    if (!line.record)
        return filter.selects_everything();
    const LogRecord& record = *line.record;
    if (filter.since && record.time < *filter.since)
        return false;
    if (!filter.event_prefix.empty() && !record.value("event").starts_with(filter.event_prefix))
        return false;
    if (filter.min_level && record.level < *filter.min_level)
        return false;
    if (!filter.tx.empty() && record.value("tx") != filter.tx)
        return false;
    return true;
}

LineVerdict classify(const LogLine& line, const LogFilter& filter)
{
    if (matches(line, filter))
        return LineVerdict::keep;
    if (filter.since && line.record && line.record->time < *filter.since - k_since_slack)
        return LineVerdict::stop;
    return LineVerdict::skip;
}

LineVerdict classify_text(std::string_view text, const LogFilter& filter)
{
    if (!filter.since) {
        for (std::string_view needle : {std::string_view(filter.tx), std::string_view(filter.event_prefix)})
            if (!needle.empty() && !has_escapes(needle) && text.find(needle) == std::string_view::npos)
                return LineVerdict::skip;
        if (filter.min_level && !has_level_at_least(text, *filter.min_level))
            return LineVerdict::skip;
    }
    return classify(parse_log_line(text), filter);
}

void HumanColumns::fit(const LogLine& line)
{
    if (!line.record)
        return;
    node = std::max(node, std::min(line.record->value("node").size(), k_max_node_width));
    event = std::max(event, std::min(line.record->value("event").size(), k_max_event_width));
}

std::string render_human(const LogLine& line, const HumanColumns& columns)
{
    if (!line.record)
        return printable(line.raw);
    const LogRecord& record = *line.record;
    std::string out = display_time(record.time);
    out += "  ";
    append_padded(out, to_string(record.level), 5);
    out += "  ";
    append_padded(out, printable(record.value("node")), columns.node);
    out += "  ";
    append_padded(out, printable(record.value("tx")), 6);
    out += "  ";
    append_padded(out, printable(record.value("event")), columns.event);
    const auto msg = record.value("msg");
    if (!msg.empty()) {
        out += "  ";
        out += printable(msg);
    }
    std::string fields;
    for (const auto& pair : record.pairs)
        if (!is_standard_key(pair.key))
            append_logfmt_pair(fields, pair.key, pair.value);
    if (!fields.empty()) {
        out += "  ";
        out += fields;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::string render_json(const LogLine& line)
{
    if (!line.record)
        return "{\"raw\":" + json_string(line.raw) + "}";
    std::string out = "{";
    for (const auto& pair : line.record->pairs) {
        if (out.size() > 1)
            out += ',';
        out += json_string(pair.key);
        out += ':';
        out += json_string(pair.value);
    }
    out += '}';
    return out;
}

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    out.reserve(text.size() + 2);
    while (!text.empty()) {
        const char c = text.front();
        const auto byte = static_cast<unsigned char>(c);
        std::size_t length = 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                out += "\\u00";
                out += k_hex[byte >> 4];
                out += k_hex[byte & 0xf];
            } else if (byte < 0x80) {
                out += c;
            } else if ((length = utf8_sequence_length(text)) > 0) {
                out += text.substr(0, length);
            } else {
                out += "\\ufffd";
                length = 1;
            }
        }
        text.remove_prefix(length);
    }
    out += '"';
    return out;
}

} // namespace pgfo::util
