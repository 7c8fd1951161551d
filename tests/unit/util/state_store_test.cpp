#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "support/test_dir.hpp"
#include "util/files.hpp"
#include "util/state_store.hpp"

using namespace pgfo::util;

namespace {

mode_t mode_of(const std::string& path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Shaped like 2026-11-29T12:33:43.697Z.
bool looks_like_timestamp(const std::string& ts)
{
    const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (ts.size() != shape.size())
        return false;
    for (std::size_t i = 0; i < ts.size(); ++i)
        if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(ts[i])) : ts[i] != shape[i])
            return false;
    return true;
}

}  // namespace

TEST_CASE("requests get sequence numbers that grow by one")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.latest_request());

    auto first = store.record_request("BACKUP", "aaaaaa");
    REQUIRE(first.ok());
    CHECK(first->seq == 1);
    CHECK(first->state == "BACKUP");
    CHECK(first->tx == "aaaaaa");
    CHECK(looks_like_timestamp(first->ts));

    auto second = store.record_request("promote --force", "bbbbbb");
    REQUIRE(second.ok());
    CHECK(second->seq == 2);

    auto latest = store.latest_request();
    REQUIRE(latest);
    CHECK(latest->seq == 2);
    CHECK(latest->state == "promote --force");
    CHECK(latest->tx == "bbbbbb");
    CHECK(latest->ts == second->ts);

    CHECK(mode_of(store.dir()) == 0750);
    CHECK(mode_of(dir / "state/requested") == 0640);
    CHECK(store.lock_path() == dir / "state/lock");
}

TEST_CASE("concurrent processes each get a distinct sequence number")
{
    pgfo::test::TestDir dir;
    const std::string state_dir = dir / "state";
    constexpr int k_processes = 20;
    int gun[2];
    REQUIRE(::pipe(gun) == 0);
    std::vector<pid_t> children;
    for (int i = 0; i < k_processes; ++i) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(gun[1]);
            char byte;
            [[maybe_unused]] ssize_t n = ::read(gun[0], &byte, 1);
            StateStore store(state_dir);
            auto recorded = store.record_request("MASTER", "tx" + std::to_string(i));
            ::_exit(recorded.ok() && recorded->seq < 255 ? static_cast<int>(recorded->seq) : 255);
        }
        children.push_back(pid);
    }
    ::close(gun[0]);
    ::close(gun[1]);

    std::vector<int> seen;
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        seen.push_back(WEXITSTATUS(status));
    }
    std::sort(seen.begin(), seen.end());
    std::vector<int> expected(k_processes);
    for (int i = 0; i < k_processes; ++i)
        expected[static_cast<std::size_t>(i)] = i + 1;
    CHECK(seen == expected);

    auto latest = StateStore(state_dir).latest_request();
    REQUIRE(latest);
    CHECK(latest->seq == k_processes);
}

TEST_CASE("a garbled request file reads as no request and numbering restarts")
{
    pgfo::test::TestDir dir;
    StateStore store(dir.path());
    for (const char* garbage : {"garbage", "", "seq=abc state=MASTER", "seq=5", "seq=5 state=\"MASTER",
                                "seq=-1 state=X", "seq=7x state=MASTER"}) {
        dir.write("requested", garbage);
        CHECK_FALSE(store.latest_request());
    }
    auto recorded = store.record_request("MASTER", "cccccc");
    REQUIRE(recorded.ok());
    CHECK(recorded->seq == 1);

    dir.write("requested", "seq=41 state=BACKUP ts=2026-11-29T12:33:43.697Z tx=dddddd extra=ignored\n");
    auto parsed = store.latest_request();
    REQUIRE(parsed);
    CHECK(parsed->seq == 41);
    CHECK(parsed->state == "BACKUP");
    CHECK(parsed->ts == "2026-11-29T12:33:43.697Z");
    CHECK(store.record_request("MASTER", "eeeeee")->seq == 42);
}

TEST_CASE("pause, paused and resume round trip")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.paused());
    CHECK(store.resume().ok());

    REQUIRE(store.pause("disk swap").ok());
    auto paused = store.paused();
    REQUIRE(paused);
    CHECK(paused->reason == "disk swap");
    CHECK(looks_like_timestamp(paused->ts));
    CHECK(mode_of(dir / "state/paused") == 0640);

    const std::string awkward = "say \"hi\" = \\ \nnext line";
    REQUIRE(store.pause(awkward).ok());
    CHECK(store.paused()->reason == awkward);

    REQUIRE(store.resume().ok());
    CHECK_FALSE(store.paused());
    CHECK_FALSE(path_exists(dir / "state/paused"));
    CHECK(store.resume().ok());
}

TEST_CASE("a pause flag written by hand still pauses, its text being the reason")
{
    pgfo::test::TestDir dir;
    StateStore store(dir.path());
    dir.write("paused", "  maintenance by bob\n");
    auto paused = store.paused();
    REQUIRE(paused);
    CHECK(paused->reason == "maintenance by bob");
    CHECK(paused->ts.empty());

    dir.write("paused", "");
    REQUIRE(store.paused());
    CHECK(store.paused()->reason.empty());
}

TEST_CASE("the last transition is kept as written")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.last_transition());
    const std::string line = "ts=2026-11-29T12:33:43.697Z state=MASTER result=done ms=142";
    REQUIRE(store.write_last_transition(line).ok());
    CHECK(store.last_transition() == line);
    REQUIRE(store.write_last_transition("state=BACKUP result=refused").ok());
    CHECK(store.last_transition() == "state=BACKUP result=refused");
}

TEST_CASE("a state dir that cannot be created is an error naming it")
{
    pgfo::test::TestDir dir;
    const std::string file = dir.write("file", "");
    StateStore store(file + "/state");
    auto recorded = store.record_request("MASTER", "ffffff");
    REQUIRE_FALSE(recorded.ok());
    CHECK(recorded.error().message.find("could not create directory " + file + "/state") == 0);
    CHECK_FALSE(store.pause("x").ok());
}

TEST_CASE("a planned restart is seen until it ends or its deadline passes")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.planned_restart(1000));

    REQUIRE(store.begin_planned_restart({"recreate_primary", "ab12cd", 5000}).ok());
    auto seen = store.planned_restart(4999);
    REQUIRE(seen);
    CHECK(seen->what == "recreate_primary");
    CHECK(seen->tx == "ab12cd");
    CHECK(seen->until_ms == 5000);
    CHECK_FALSE(store.planned_restart(5000));  // a transition killed mid-step leaves no lasting excuse
    CHECK(mode_of(dir / "state/restarting") == 0640);

    store.end_planned_restart();
    CHECK_FALSE(store.planned_restart(1000));
    CHECK_FALSE(path_exists(dir / "state/restarting"));
    store.end_planned_restart();  // twice is fine

    REQUIRE(write_file_atomic(dir / "state/restarting", "garbage without pairs\n").ok());
    CHECK_FALSE(store.planned_restart(0));
}

TEST_CASE("a failed resync is remembered until a standby streams")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.resync_failed());
    REQUIRE(store.mark_resync_failed("standby did not stream from 10.0.0.2:5432 within 30s").ok());
    CHECK(store.resync_failed());
    CHECK(mode_of(dir / "state/resync.failed") == 0640);
    store.clear_resync_failed();
    CHECK_FALSE(store.resync_failed());
    store.clear_resync_failed();
}

TEST_CASE("the check's last rejoin start is kept with its time and reason")
{
    pgfo::test::TestDir dir;
    StateStore store(dir / "state");
    CHECK_FALSE(store.rejoin_started_ms());
    REQUIRE(store.mark_rejoin_started("server is down and peer 10.0.0.2:5432 is a primary", 1700000000123).ok());
    CHECK(store.rejoin_started_ms() == std::optional<std::int64_t>(1700000000123));
    CHECK(mode_of(dir / "state/rejoin.started") == 0640);
    CHECK(read_file(dir / "state/rejoin.started").value().find("reason=\"server is down") != std::string::npos);

    REQUIRE(write_file_atomic(dir / "state/rejoin.started", "at_ms=soon\n").ok());
    CHECK_FALSE(store.rejoin_started_ms());
}

TEST_CASE("record_health_change records only a change of the healthy flag", "[state]")
{
    pgfo::test::TestDir dir;
    const std::string state_dir = dir / "state";  // created on the first record
    CHECK_FALSE(StateStore(state_dir).health());

    auto first = StateStore(state_dir).record_health_change(true, "primary on timeline 1");
    REQUIRE(first.ok());
    CHECK(first.value());
    auto record = StateStore(state_dir).health();
    REQUIRE(record);
    CHECK(record->healthy);
    CHECK(record->reason == "primary on timeline 1");
    CHECK(record->ts.size() == 24);

    auto same = StateStore(state_dir).record_health_change(true, "primary on timeline 2");
    REQUIRE(same.ok());
    CHECK_FALSE(same.value());
    CHECK(StateStore(state_dir).health()->reason == "primary on timeline 1");

    auto down = StateStore(state_dir).record_health_change(false, "server is not answering: \"refused\" = bad");
    REQUIRE(down.ok());
    CHECK(down.value());
    record = StateStore(state_dir).health();
    REQUIRE(record);
    CHECK_FALSE(record->healthy);
    CHECK(record->reason == "server is not answering: \"refused\" = bad");
}

TEST_CASE("health ignores a file that is not a record", "[state]")
{
    pgfo::test::TestDir dir;
    dir.write("health", "garbage\n");
    CHECK_FALSE(StateStore(dir.path()).health());
    auto written = StateStore(dir.path()).record_health_change(false, "x");
    REQUIRE(written.ok());
    CHECK(written.value());
    CHECK(StateStore(dir.path()).health());
}
