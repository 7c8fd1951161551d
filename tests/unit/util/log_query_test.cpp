#include <catch2/catch.hpp>

#include "util/log_query.hpp"

using namespace pgfo::util;
using namespace std::chrono_literals;
using std::chrono::sys_days;

namespace {

LogTime at(std::chrono::year_month_day date, std::chrono::milliseconds time_of_day)
{
    return LogTime(sys_days(date)) + time_of_day;
}

const LogTime k_noon = at(2026y / 11 / 29, 12h);

const std::vector<std::string> k_log = {
    "ts=2026-11-29T11:00:00.000Z level=debug node=pg-01 tx=aaaaaa event=notify.start state=BACKUP msg=\"notify\"",
    "ts=2026-11-29T11:30:00.000Z level=info node=pg-01 tx=aaaaaa event=fence.start msg=\"fencing\"",
    "this line is not logfmt",
    "ts=2026-11-29T11:50:00.000Z level=info node=pg-02 tx=bbbbbb event=promote.start msg=\"promoting\"",
    "ts=2026-11-29T11:55:00.000Z level=warn node=pg-02 tx=bbbbbb event=promotion.slow msg=\"slow\"",
    "ts=2026-11-29T11:58:00.000Z level=info node=pg-02 tx=bbbbbb event=promote.done state=MASTER ms=142 "
    "msg=\"promoted to primary, timeline 3\"",
    "ts=2026-11-29T11:59:00.000Z level=error node=pg-01 tx=cccccc event=resync.failed msg=\"pg_rewind fai",
};

// The events of the lines of k_log that FILTER selects ("raw" for a malformed line).
std::vector<std::string> select(const LogFilter& filter)
{
    std::vector<std::string> events;
    for (const auto& text : k_log) {
        auto line = parse_log_line(text);
        if (matches(line, filter))
            events.push_back(line.record ? std::string(line.record->value("event")) : "raw");
    }
    return events;
}

using Events = std::vector<std::string>;

} // namespace

TEST_CASE("timestamps parse as RFC 3339")
{
    CHECK(parse_timestamp("2026-11-29T12:33:43.697Z") == at(2026y / 11 / 29, 12h + 33min + 43s + 697ms));
    CHECK(parse_timestamp("2026-11-29T14:00:00+02:00") == k_noon);
    CHECK(parse_timestamp("2026-11-29T06:30:00-0530") == k_noon);
    CHECK(parse_timestamp("2026-11-29t12:00:00z") == k_noon);
    CHECK(parse_timestamp("2026-11-29 12:00:00") == k_noon);
    CHECK(parse_timestamp("2026-11-29T12:00") == k_noon);
    CHECK(parse_timestamp("2026-11-29") == at(2026y / 11 / 29, 0h));
    CHECK(parse_timestamp("2026-11-29T12:00:00.5Z") == k_noon + 500ms);
    CHECK(parse_timestamp("2026-11-29T12:00:00.123456Z") == k_noon + 123ms);
    CHECK(parse_timestamp("2024-02-29T00:00:00Z") == at(2024y / 2 / 29, 0h));
    CHECK_FALSE(parse_timestamp(""));
    CHECK_FALSE(parse_timestamp("yesterday"));
    CHECK_FALSE(parse_timestamp("2026-13-01"));
    CHECK_FALSE(parse_timestamp("2026-02-29"));
    CHECK_FALSE(parse_timestamp("2026-11-29T24:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-11-29T12:60:00Z"));
    CHECK_FALSE(parse_timestamp("2026-11-29T12:00:00+2"));
    CHECK_FALSE(parse_timestamp("2026-11-29T12:00:00.Z"));
    CHECK_FALSE(parse_timestamp("2026-11-29T12:00:00Zjunk"));
    CHECK_FALSE(parse_timestamp("26-11-29"));
}

TEST_CASE("since takes a time or a duration back from now")
{
    CHECK(parse_since("10m", k_noon) == k_noon - 10min);
    CHECK(parse_since("2h", k_noon) == k_noon - 2h);
    CHECK(parse_since("1d", k_noon) == k_noon - 24h);
    CHECK(parse_since("2026-11-29T11:00:00Z", k_noon) == k_noon - 1h);
    CHECK(parse_since("2026-11-29T13:00:00+01:00", k_noon) == k_noon);
    CHECK_FALSE(parse_since("10 minutes", k_noon));
    CHECK_FALSE(parse_since("-5m", k_noon));
    CHECK_FALSE(parse_since("", k_noon));
}

TEST_CASE("a log line parses into a record with its keys in order")
{
    auto line = parse_log_line(k_log[5]);
    CHECK(line.raw == k_log[5]);
    REQUIRE(line.record);
    CHECK(line.record->time == at(2026y / 11 / 29, 11h + 58min));
    CHECK(line.record->level == LogLevel::info);
    CHECK(line.record->value("node") == "pg-02");
    CHECK(line.record->value("event") == "promote.done");
    CHECK(line.record->value("msg") == "promoted to primary, timeline 3");
    CHECK(line.record->value("absent").empty());
    REQUIRE(line.record->pairs.size() == 8);
    CHECK(line.record->pairs[6].key == "ms");
}

TEST_CASE("malformed and truncated lines have no record")
{
    CHECK_FALSE(parse_log_line("this line is not logfmt").record);
    CHECK_FALSE(parse_log_line("").record);
    CHECK_FALSE(parse_log_line("ts=2026-11-29T12:00:00Z level=info msg=x event=late").record);
    CHECK_FALSE(parse_log_line("ts=yesterday level=info msg=x").record);
    CHECK_FALSE(parse_log_line("ts=2026-11-29T12:00:00Z level=loud msg=x").record);
    CHECK_FALSE(parse_log_line("level=info msg=x").record);
    CHECK(parse_log_line("ts=2026-11-29T12:00:00Z level=info msg=x").record);

    const std::string whole = k_log[5];
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
        INFO("cut at " << cut);
        CHECK_FALSE(parse_log_line(whole.substr(0, cut)).record);
    }
}

TEST_CASE("the empty filter selects every line, malformed ones too")
{
    LogFilter filter;
    CHECK(filter.selects_everything());
    CHECK(select(filter) ==
          Events{"notify.start", "fence.start", "raw", "promote.start", "promotion.slow", "promote.done", "raw"});
}

TEST_CASE("the event filter selects by prefix of the event")
{
    LogFilter filter;
    filter.event_prefix = "promote";
    CHECK_FALSE(filter.selects_everything());
    CHECK(select(filter) == Events{"promote.start", "promote.done"});
    filter.event_prefix = "promote.d";
    CHECK(select(filter) == Events{"promote.done"});
    filter.event_prefix = "promot";
    CHECK(select(filter) == Events{"promote.start", "promotion.slow", "promote.done"});
    filter.event_prefix = "stop";
    CHECK(select(filter).empty());
}

TEST_CASE("the level filter selects that level and above")
{
    LogFilter filter;
    filter.min_level = LogLevel::warn;
    CHECK(select(filter) == Events{"promotion.slow"});
    filter.min_level = LogLevel::info;
    CHECK(select(filter) == Events{"fence.start", "promote.start", "promotion.slow", "promote.done"});
    filter.min_level = LogLevel::debug;
    CHECK(select(filter).size() == 5);
}

TEST_CASE("the tx filter selects the lines of one run")
{
    LogFilter filter;
    filter.tx = "aaaaaa";
    CHECK(select(filter) == Events{"notify.start", "fence.start"});
    filter.tx = "aaa";
    CHECK(select(filter).empty());
}

TEST_CASE("the since filter selects lines at or after a time")
{
    LogFilter filter;
    filter.since = parse_since("2026-11-29T11:55:00Z", k_noon);
    CHECK(select(filter) == Events{"promotion.slow", "promote.done"});
    filter.since = parse_since("3m", k_noon);
    CHECK(select(filter) == Events{"promote.done"});
    filter.since = parse_since("10m", k_noon);
    CHECK(select(filter) == Events{"promote.start", "promotion.slow", "promote.done"});
    filter.since = parse_since("1h", k_noon);
    CHECK(select(filter).size() == 5);
    filter.since = parse_since("2026-11-29T12:00:01Z", k_noon);
    CHECK(select(filter).empty());
}

TEST_CASE("filters combine")
{
    LogFilter filter;
    filter.since = parse_since("8m", k_noon);
    filter.event_prefix = "promot";
    filter.min_level = LogLevel::info;
    filter.tx = "bbbbbb";
    CHECK(select(filter) == Events{"promotion.slow", "promote.done"});
    filter.min_level = LogLevel::warn;
    CHECK(select(filter) == Events{"promotion.slow"});
}

TEST_CASE("a backward scan for since stops at lines well before it")
{
    LogFilter filter;
    filter.since = k_noon;
    auto line_at = [](const char* ts) { return parse_log_line(std::string("ts=") + ts + " level=info msg=x"); };
    CHECK(classify(line_at("2026-11-29T12:00:00Z"), filter) == LineVerdict::keep);
    CHECK(classify(line_at("2026-11-29T11:56:00Z"), filter) == LineVerdict::skip);
    CHECK(classify(line_at("2026-11-29T11:54:59Z"), filter) == LineVerdict::stop);
    CHECK(classify(parse_log_line("garbage"), filter) == LineVerdict::skip);
    filter.since.reset();
    filter.tx = "other";
    CHECK(classify(line_at("2020-01-01T00:00:00Z"), filter) == LineVerdict::skip);
}

TEST_CASE("human rendering is one aligned line per event")
{
    HumanColumns columns;
    CHECK(render_human(parse_log_line(k_log[5]), columns) ==
          "2026-11-29 11:58:00.000  info   pg-02  bbbbbb  promote.done      promoted to primary, timeline 3  "
          "state=MASTER ms=142");
    CHECK(render_human(parse_log_line("ts=2026-11-29T12:33:43.697Z level=error node=pg-01 tx=3f9a1c "
                                      "event=resync.failed dir=\"/var/lib/pg 15\" msg=\"line one\\nline\\x1btwo\""),
                       columns) ==
          "2026-11-29 12:33:43.697  error  pg-01  3f9a1c  resync.failed     line one\\nline\\x1btwo  "
          "dir=\"/var/lib/pg 15\"");

    auto wide = parse_log_line("ts=2026-11-29T12:00:00+01:00 level=debug node=db-primary-01 tx=\"\" "
                               "event=replication.slot.created msg=\"\"");
    columns.fit(wide);
    CHECK(columns.node == 13);
    CHECK(columns.event == 24);
    CHECK(render_human(wide, columns) ==
          "2026-11-29 11:00:00.000  debug  db-primary-01          replication.slot.created");
    CHECK(render_human(parse_log_line(k_log[5]), columns) ==
          "2026-11-29 11:58:00.000  info   pg-02          bbbbbb  promote.done              "
          "promoted to primary, timeline 3  state=MASTER ms=142");
}

TEST_CASE("a malformed line is rendered as it is")
{
    HumanColumns columns;
    CHECK(render_human(parse_log_line(k_log[6]), columns) == k_log[6]);
    CHECK(render_human(parse_log_line("torn\x1b[2J line\r"), columns) == "torn\\x1b[2J line\\r");
    columns.fit(parse_log_line("event=" + std::string(100, 'x')));
    CHECK(columns.event == 16);
}

TEST_CASE("JSON rendering keeps the file's key order and escapes values")
{
    CHECK(render_json(parse_log_line(k_log[5])) ==
          R"({"ts":"2026-11-29T11:58:00.000Z","level":"info","node":"pg-02","tx":"bbbbbb",)"
          R"("event":"promote.done","state":"MASTER","ms":"142","msg":"promoted to primary, timeline 3"})");
    CHECK(render_json(parse_log_line("ts=2026-11-29T12:00:00Z level=info "
                                     "msg=\"say \\\"hi\\\" C:\\\\x\\n\\t\\x01\\x7f caf\xc3\xa9 \xff\"")) ==
          R"({"ts":"2026-11-29T12:00:00Z","level":"info","msg":"say \"hi\" C:\\x\n\t\u0001\u007f )"
          "caf\xc3\xa9 \\ufffd\"}");
}

TEST_CASE("JSON rendering of a malformed line holds it under raw")
{
    CHECK(render_json(parse_log_line(k_log[6])) ==
          R"({"raw":"ts=2026-11-29T11:59:00.000Z level=error node=pg-01 tx=cccccc event=resync.failed )"
          R"(msg=\"pg_rewind fai"})");
}

TEST_CASE("JSON strings are valid UTF-8 whatever the bytes")
{
    CHECK(json_string("\xe2\x82\xac\xf0\x9f\x99\x82") == "\"\xe2\x82\xac\xf0\x9f\x99\x82\"");
    CHECK(json_string("\xc3") == "\"\\ufffd\"");                                  // cut short
    CHECK(json_string("\xc0\xaf") == "\"\\ufffd\\ufffd\"");                       // overlong
    CHECK(json_string("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");            // surrogate
    CHECK(json_string("\xf4\x90\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); // above U+10FFFF
    CHECK(json_string("\b\f") == "\"\\b\\f\"");
}

TEST_CASE("classifying the text agrees with classifying the parsed line")
{
    std::vector<LogFilter> filters(8);
    filters[6].min_level = LogLevel::warn;
    filters[7].min_level = LogLevel::error;
    filters[1].tx = "bbbbbb";
    filters[2].event_prefix = "promote";
    filters[3].event_prefix = "resync";
    filters[4].tx = "zzzzzz";
    filters[5].since = parse_since("3m", k_noon);
    filters[5].tx = "cccccc";
    for (std::size_t f = 0; f < filters.size(); ++f)
        for (const auto& text : k_log) {
            INFO("filter " << f << ", line " << text);
            CHECK(classify_text(text, filters[f]) == classify(parse_log_line(text), filters[f]));
        }

    LogFilter quoted;
    quoted.event_prefix = "odd \"event";
    const std::string line = "ts=2026-11-29T12:00:00Z level=info event=\"odd \\\"event\\\"\" msg=x";
    CHECK(classify_text(line, quoted) == LineVerdict::keep);
    quoted.event_prefix = "odd \"other";
    CHECK(classify_text(line, quoted) == LineVerdict::skip);
}
