#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "test_dir.hpp"
#include "util/log_tail.hpp"

using namespace pgfo::util;
using pgfo::test::TestDir;
using Lines = std::vector<std::string>;

namespace {

void append(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
}

// The last N lines of TEXT as a tail should give them: empty lines skipped.
Lines expected_tail(const std::string& text, std::size_t n)
{
    Lines lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t newline = text.find('\n', start);
        if (newline == std::string::npos)
            newline = text.size();
        if (newline > start)
            lines.push_back(text.substr(start, newline - start));
        start = newline + 1;
    }
    if (lines.size() > n)
        lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
    return lines;
}

Lines tail_of(const std::string& path, std::size_t n, std::size_t block_size, const LineClassifier& classify = {})
{
    auto tail = LogTail::open(path);
    REQUIRE(tail.ok());
    auto lines = tail->last_lines(n, classify, block_size);
    REQUIRE(lines.ok());
    return *lines;
}

std::string log_line(const std::string& ts, const std::string& event)
{
    return "ts=" + ts + " level=info node=n tx=t event=" + event + " msg=\"" + event + "\"\n";
}

} // namespace

TEST_CASE("the backward reader returns exactly the last lines across block boundaries")
{
    TestDir dir;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> length(0, 40);
    std::string text;
    for (int i = 0; i < 300; ++i) {
        text += "line-" + std::to_string(i) + std::string(static_cast<std::size_t>(length(rng)), 'x') + "\n";
        if (i % 37 == 0)
            text += "\n"; // an empty line now and then
    }
    const std::string path = dir.write("pgfo.log", text);
    for (std::size_t block : {1, 2, 3, 7, 16, 41, 64, 1000, 65536}) {
        for (std::size_t n : {0, 1, 2, 5, 50, 299, 300, 1000}) {
            INFO("block " << block << ", n " << n);
            CHECK(tail_of(path, n, block) == expected_tail(text, n));
        }
    }
}

TEST_CASE("a last line without a newline counts as a line")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.log", "first\nsecond\nthird, unterminated");
    for (std::size_t block : {1, 4, 5, 6, 7, 64}) {
        INFO("block " << block);
        CHECK(tail_of(path, 2, block) == Lines{"second", "third, unterminated"});
        CHECK(tail_of(path, 5, block) == Lines{"first", "second", "third, unterminated"});
    }
    const std::string single = dir.write("single.log", "only");
    CHECK(tail_of(single, 3, 2) == Lines{"only"});
}

TEST_CASE("empty lines and empty files give no lines")
{
    TestDir dir;
    CHECK(tail_of(dir.write("empty.log", ""), 5, 4).empty());
    CHECK(tail_of(dir.write("newlines.log", "\n\n\n"), 5, 2).empty());
    CHECK(tail_of(dir.write("leading.log", "\n\na\n\nb\n\n"), 5, 3) == Lines{"a", "b"});
}

TEST_CASE("the classifier keeps, skips or stops the backward scan")
{
    TestDir dir;
    std::string text;
    for (int i = 1; i <= 20; ++i)
        text += std::to_string(i) + "\n";
    const std::string path = dir.write("pgfo.log", text);
    int seen = 0;
    auto even = [&seen](std::string_view line) {
        ++seen;
        return std::stoi(std::string(line)) % 2 == 0 ? LineVerdict::keep : LineVerdict::skip;
    };
    CHECK(tail_of(path, 3, 5, even) == Lines{"16", "18", "20"});
    CHECK(seen == 5); // 20 down to 16, no further

    auto stop_at_ten = [](std::string_view line) { return line == "10" ? LineVerdict::stop : LineVerdict::keep; };
    CHECK(tail_of(path, 100, 4, stop_at_ten) == Lines{"11", "12", "13", "14", "15", "16", "17", "18", "19", "20"});
}

TEST_CASE("tail -n with filters gives the last N matching lines")
{
    TestDir dir;
    std::string text;
    for (int minute = 0; minute < 60; ++minute) {
        const std::string ts = "2026-11-29T11:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z";
        text += log_line(ts, minute % 20 == 0 ? "promote.done" : "check.ok");
        if (minute == 30)
            text += "torn line\n";
    }
    const std::string path = dir.write("pgfo.log", text);
    auto classifier = [](const LogFilter& filter) {
        return [filter](std::string_view line) { return classify(parse_log_line(line), filter); };
    };
    auto events = [](const Lines& lines) {
        Lines names;
        for (const auto& line : lines) {
            auto parsed = parse_log_line(line);
            names.push_back(parsed.record ? std::string(parsed.record->value("ts").substr(11, 5)) : "raw");
        }
        return names;
    };

    LogFilter promote;
    promote.event_prefix = "promote";
    CHECK(events(tail_of(path, 2, 100, classifier(promote))) == Lines{"11:20", "11:40"});
    CHECK(events(tail_of(path, 10, 100, classifier(promote))) == Lines{"11:00", "11:20", "11:40"});

    LogFilter since;
    since.since = parse_timestamp("2026-11-29T11:57:00Z");
    CHECK(events(tail_of(path, 50, 100, classifier(since))) == Lines{"11:57", "11:58", "11:59"});

    CHECK(events(tail_of(path, 3, 100)) == Lines{"11:57", "11:58", "11:59"});
    CHECK(events(tail_of(path, 30, 100)).front() == "raw");
    CHECK(events(tail_of(path, 31, 100)).front() == "11:30");
}

TEST_CASE("the tail of a huge file is read without loading the file")
{
#if defined(__SANITIZE_ADDRESS__)
    WARN("skipped under AddressSanitizer, which needs more address space than the limit this test sets");
#else
    TestDir dir;
    const std::string path = dir / "huge.log";
    {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, 4ll << 30) == 0); // 4 GiB of holes before the lines
        ::close(fd);
    }
    append(path, "\nline one\nline two\nline three\n");

    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            rlimit limit{512ull << 20, 512ull << 20}; // a reader that loads the file cannot live in this
            ::setrlimit(RLIMIT_AS, &limit);
            auto tail = LogTail::open(path);
            if (!tail.ok())
                ::_exit(2);
            auto lines = tail->last_lines(2);
            ::_exit(lines.ok() && *lines == Lines{"line two", "line three"} ? 0 : 1);
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
#endif
}

TEST_CASE("a missing log file is an error with a hint")
{
    TestDir dir;
    auto tail = LogTail::open(dir / "nope.log");
    REQUIRE_FALSE(tail.ok());
    CHECK(tail.error().kind == pgfo::ErrorKind::failed);
    CHECK(tail.error().message.starts_with("log file " + dir / "nope.log" + " does not exist yet; hint: "));

    auto directory = LogTail::open(dir.path());
    REQUIRE_FALSE(directory.ok());
    CHECK(directory.error().message.find("not a regular file") != std::string::npos);
}

TEST_CASE("following gives whole lines appended after the open")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.log", "one\ntwo\n");
    auto tail = LogTail::open(path);
    REQUIRE(tail.ok());
    append(path, "three\npart");
    auto last = tail->last_lines(10);
    REQUIRE(last.ok());
    CHECK(*last == Lines{"one", "two"}); // what came after the open is follow's
    CHECK(tail->follow() == Lines{"three"});
    CHECK(tail->follow().empty());
    append(path, "ial\nfour\n");
    CHECK(tail->follow() == Lines{"partial", "four"});
    CHECK(tail->follow().empty());
}

TEST_CASE("following survives rotation by rename")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.log", "old1\n");
    const std::string rotated = dir / "pgfo.log.1";
    auto tail = LogTail::open(path);
    REQUIRE(tail.ok());
    append(path, "old2\n");
    REQUIRE(std::rename(path.c_str(), rotated.c_str()) == 0);
    CHECK(tail->follow() == Lines{"old2"}); // no new file yet: still the old one

    append(rotated, "old3\nold-unterminated"); // a writer that still had the old file open
    append(path, "new1\nnew2\n");
    CHECK(tail->follow() == Lines{"old3", "old-unterminated", "new1", "new2"});
    append(rotated, "late\n");
    append(path, "new3\n");
    CHECK(tail->follow() == Lines{"new3"});
}

TEST_CASE("following starts over when the file shrinks")
{
    TestDir dir;
    const std::string path = dir.write("pgfo.log", "a long first line\nanother one\n");
    auto tail = LogTail::open(path);
    REQUIRE(tail.ok());
    REQUIRE(::truncate(path.c_str(), 0) == 0);
    append(path, "fresh\n");
    CHECK(tail->follow() == Lines{"fresh"});
    append(path, "more\n");
    CHECK(tail->follow() == Lines{"more"});
}
