#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_dir.hpp"
#include "util/log.hpp"
#include "util/log_query.hpp"
#include "util/logfmt.hpp"

using namespace pgfo::util;
using pgfo::test::TestDir;

namespace {

constexpr std::string_view k_ts = "2026-11-29T12:33:43.697Z";

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    std::size_t newline;
    while ((newline = text.find('\n', start)) != std::string::npos) {
        lines.push_back(text.substr(start, newline - start));
        start = newline + 1;
    }
    if (start < text.size())
        lines.push_back(text.substr(start));
    return lines;
}

// The message of line SEQ of process PROC: ~300 or ~3000 bytes that need quoting.
std::string payload(int proc, int seq)
{
    const std::size_t size = seq % 2 == 0 ? 300 : 3000;
    std::string text = "p" + std::to_string(proc) + " s" + std::to_string(seq) + " \"quoted\" back\\slash =";
    while (text.size() < size)
        text += static_cast<char>('a' + (text.size() + static_cast<std::size_t>(proc * 7 + seq)) % 26);
    return text;
}

mode_t mode_of(const std::string& path)
{
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("a log line has the keys in contract order with bare values")
{
    const std::string line = format_log_line(k_ts, LogLevel::info, "pg-01", "3f9a1c", "promote.done",
                                             {{"state", "MASTER"}, {"ms", "142"}}, "promoted to primary, timeline 3");
    CHECK(line == "ts=2026-11-29T12:33:43.697Z level=info node=pg-01 tx=3f9a1c event=promote.done state=MASTER "
                  "ms=142 msg=\"promoted to primary, timeline 3\"");
}

TEST_CASE("values that need it are quoted and escaped")
{
    const std::string line =
        format_log_line(k_ts, LogLevel::warn, "", "abc123", "resync.done",
                        {{"dir", "/var/lib/pg data"}, {"opt", "a=b"}, {"empty", ""}, {"utf8", "caf\xc3\xa9"}},
                        "said \"no\"\nC:\\path\r\tend\x01\x1b[0m\x7f");
    CHECK(line == "ts=2026-11-29T12:33:43.697Z level=warn node=\"\" tx=abc123 event=resync.done "
                  "dir=\"/var/lib/pg data\" opt=\"a=b\" empty=\"\" utf8=\"caf\xc3\xa9\" "
                  "msg=\"said \\\"no\\\"\\nC:\\\\path\\r\\tend\\x01\\x1b[0m\\x7f\"");
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
}

TEST_CASE("field keys are sanitized and never take a standard key's place")
{
    const std::string line = format_log_line(k_ts, LogLevel::info, "n", "t", "e",
                                             {{"bad key", "1"}, {"msg", "2"}, {"ts", "3"}, {"", "4"}}, "m");
    CHECK(line == "ts=2026-11-29T12:33:43.697Z level=info node=n tx=t event=e bad_key=1 msg_=2 ts_=3 _=4 msg=m");
}

TEST_CASE("secrets are redacted everywhere in the line")
{
    const std::vector<std::string> secrets = {"s3cr3t-t0ken", "pa\"ss w\\rd", "abc", ""};
    const std::string line =
        format_log_line(k_ts, LogLevel::error, "pg-01", "aaaaaa", "alert.failed",
                        {{"url", "https://api.example/bots3cr3t-t0ken/send"}, {"pw", "pa\"ss w\\rd"}, {"short", "abc"}},
                        "token s3cr3t-t0ken rejected; s3cr3t-t0kens3cr3t-t0ken twice; password pa\"ss w\\rd", secrets);
    CHECK(line.find("s3cr3t") == std::string::npos);
    CHECK(line.find("ss w") == std::string::npos);
    CHECK(line.find("url=https://api.example/bot[redacted]/send") != std::string::npos);
    CHECK(line.find("pw=[redacted]") != std::string::npos);
    CHECK(line.find("short=abc") != std::string::npos); // shorter than 4: not a usable secret
    CHECK(line.find("msg=\"token [redacted] rejected; [redacted][redacted] twice; password [redacted]\"") !=
          std::string::npos);
}

TEST_CASE("a secret that contains another is redacted whole")
{
    const std::string line =
        format_log_line(k_ts, LogLevel::info, "n", "t", "e", {}, "key=abcdefgh", {"abcd", "abcdefgh"});
    CHECK(line.ends_with("msg=\"key=[redacted]\""));
}

TEST_CASE("log levels have names both ways")
{
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
        CHECK(parse_log_level(to_string(level)) == level);
    CHECK(to_string(LogLevel::warn) == "warn");
    CHECK(parse_log_level("WARNING") == LogLevel::warn);
    CHECK(parse_log_level("Error") == LogLevel::error);
    CHECK_FALSE(parse_log_level("verbose"));
    CHECK_FALSE(parse_log_level(""));
}

TEST_CASE("the timestamp is UTC with milliseconds whatever the local zone")
{
    const char* old_tz = std::getenv("TZ");
    const std::string saved = old_tz ? old_tz : "";
    ::setenv("TZ", "Asia/Kolkata", 1); // +05:30, so local time cannot pass for UTC
    ::tzset();
    const auto before = std::chrono::system_clock::now();
    const std::string ts = utc_timestamp_now();
    const auto after = std::chrono::system_clock::now();
    if (old_tz)
        ::setenv("TZ", saved.c_str(), 1);
    else
        ::unsetenv("TZ");
    ::tzset();

    CHECK(std::regex_match(ts, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    auto parsed = parse_timestamp(ts);
    REQUIRE(parsed);
    CHECK(*parsed >= std::chrono::floor<std::chrono::milliseconds>(before));
    CHECK(*parsed <= after);
}

TEST_CASE("tx ids are 6 random lowercase hex characters")
{
    std::set<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        const std::string id = new_tx_id();
        CHECK(std::regex_match(id, std::regex("[0-9a-f]{6}")));
        ids.insert(id);
    }
    CHECK(ids.size() > 190);
}

TEST_CASE("the logger appends whole lines to its file")
{
    TestDir dir;
    const std::string path = dir / "pgfo.log";
    ::umask(022);
    {
        auto logger = Logger::open(path, "pg-01", "3f9a1c", LogLevel::info);
        REQUIRE(logger.ok());
        CHECK(logger->node() == "pg-01");
        CHECK(logger->tx() == "3f9a1c");
        logger->info("promote.done", "promoted to primary, timeline 3", {{"state", "MASTER"}, {"ms", "142"}});
        logger->warn("check.lag", "standby\nlagging");
    }
    CHECK(mode_of(path) == 0640);
    const std::string text = read_text(path);
    REQUIRE(text.ends_with('\n'));
    const auto lines = split_lines(text);
    REQUIRE(lines.size() == 2);
    auto first = parse_log_line(lines[0]);
    REQUIRE(first.record);
    CHECK(first.record->level == LogLevel::info);
    CHECK(first.record->value("node") == "pg-01");
    CHECK(first.record->value("tx") == "3f9a1c");
    CHECK(first.record->value("event") == "promote.done");
    CHECK(first.record->value("state") == "MASTER");
    CHECK(first.record->value("ms") == "142");
    CHECK(first.record->value("msg") == "promoted to primary, timeline 3");
    auto second = parse_log_line(lines[1]);
    REQUIRE(second.record);
    CHECK(second.record->level == LogLevel::warn);
    CHECK(second.record->value("msg") == "standby\nlagging");

    auto again = Logger::open(path, "pg-02", "bbbbbb", LogLevel::info);
    REQUIRE(again.ok());
    again->error("notify.failed", "appended");
    CHECK(split_lines(read_text(path)).size() == 3);
}

TEST_CASE("the logger drops lines below its level")
{
    TestDir dir;
    auto logger = Logger::open(dir / "pgfo.log", "n", "t", LogLevel::info);
    REQUIRE(logger.ok());
    logger->debug("step.detail", "hidden");
    logger->info("step.done", "shown");
    const auto lines = split_lines(read_text(dir / "pgfo.log"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("event=step.done") != std::string::npos);

    auto verbose = Logger::open(dir / "debug.log", "n", "t", LogLevel::debug);
    REQUIRE(verbose.ok());
    verbose->debug("step.detail", "kept");
    CHECK(split_lines(read_text(dir / "debug.log")).size() == 1);
}

TEST_CASE("the logger redacts the secrets it was given")
{
    TestDir dir;
    auto logger = Logger::open(dir / "pgfo.log", "n", "t", LogLevel::info);
    REQUIRE(logger.ok());
    logger->add_secret("123456:telegram-token");
    logger->error("alert.failed", "POST /bot123456:telegram-token/sendMessage failed",
                  {{"url", "https://x/bot123456:telegram-token"}});
    const std::string text = read_text(dir / "pgfo.log");
    CHECK(text.find("telegram-token") == std::string::npos);
    CHECK(text.find("/bot[redacted]/sendMessage") != std::string::npos);
}

TEST_CASE("the logger creates a missing log directory")
{
    TestDir dir;
    const std::string path = dir / "var/log/pgfo/pgfo.log";
    ::umask(022);
    auto logger = Logger::open(path, "n", "t", LogLevel::info);
    REQUIRE(logger.ok());
    logger->info("start", "hello");
    CHECK(mode_of(dir / "var/log/pgfo") == 0750);
    CHECK(mode_of(dir / "var") == 0750);
    CHECK(split_lines(read_text(path)).size() == 1);
}

TEST_CASE("a log that cannot be opened is an error naming the path")
{
    TestDir dir;
    dir.write("file", "not a directory");
    auto logger = Logger::open(dir / "file/pgfo.log", "n", "t", LogLevel::info);
    REQUIRE_FALSE(logger.ok());
    CHECK(logger.error().kind == pgfo::ErrorKind::failed);
    CHECK(logger.error().message.find(dir / "file") != std::string::npos);
    CHECK(logger.error().message.find("hint:") != std::string::npos);
}

TEST_CASE("a moved logger writes through its new owner only")
{
    TestDir dir;
    auto opened = Logger::open(dir / "pgfo.log", "n", "t", LogLevel::info);
    REQUIRE(opened.ok());
    Logger logger = std::move(opened.value());
    opened->info("lost", "from the moved-from logger");
    logger.info("kept", "from the new owner");
    const auto lines = split_lines(read_text(dir / "pgfo.log"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("event=kept") != std::string::npos);
}

TEST_CASE("concurrent processes never interleave their lines")
{
    constexpr int k_processes = 8;
    constexpr int k_lines = 2000;
    TestDir dir;
    const std::string path = dir / "pgfo.log";

    std::vector<pid_t> children;
    for (int proc = 0; proc < k_processes; ++proc) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            try {
                auto logger = Logger::open(path, "pg-01", "p" + std::to_string(proc), LogLevel::info);
                if (!logger.ok())
                    ::_exit(2);
                for (int seq = 0; seq < k_lines; ++seq)
                    logger->info("stress.line", payload(proc, seq),
                                 {{"proc", std::to_string(proc)}, {"seq", std::to_string(seq)}});
                ::_exit(0);
            } catch (...) {
                ::_exit(3);
            }
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }

    const std::string text = read_text(path);
    REQUIRE(text.ends_with('\n'));
    const auto lines = split_lines(text);
    REQUIRE(lines.size() == k_processes * k_lines);
    std::set<std::pair<int, int>> seen;
    int intact = 0;
    for (const auto& raw : lines) {
        auto line = parse_log_line(raw);
        if (!line.record)
            continue;
        const int proc = std::stoi(std::string(line.record->value("proc")));
        const int seq = std::stoi(std::string(line.record->value("seq")));
        if (line.record->value("msg") == payload(proc, seq) && line.record->value("tx") == "p" + std::to_string(proc))
            ++intact;
        seen.insert({proc, seq});
    }
    CHECK(intact == k_processes * k_lines);
    CHECK(seen.size() == static_cast<std::size_t>(k_processes * k_lines));
}
