#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "support/test_dir.hpp"
#include "util/lock.hpp"

using namespace pgfo::util;
using namespace std::chrono_literals;

namespace {

// Runs BODY in a forked child and returns its exit code (or -1 when it did not exit).
int in_child(const std::function<int()>& body)
{
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(body());
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// 0 when a lock on PATH could be taken within TIMEOUT by another process, 1 when it timed out.
int try_lock_in_child(const std::string& path, std::chrono::milliseconds timeout)
{
    return in_child([&] {
        auto lock = FileLock::acquire(path, timeout);
        if (lock.ok())
            return 0;
        return lock.error().kind == pgfo::ErrorKind::timeout ? 1 : 2;
    });
}

} // namespace

TEST_CASE("a second holder in another process times out, and succeeds after release")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "lock";
    auto held = FileLock::acquire(path, 1s);
    REQUIRE(held.ok());
    CHECK(held->held());

    const int code = in_child([&] {
        const auto start = std::chrono::steady_clock::now();
        auto second = FileLock::acquire(path, 300ms);
        const auto took = std::chrono::steady_clock::now() - start;
        if (second.ok())
            return 1;
        if (second.error().kind != pgfo::ErrorKind::timeout)
            return 2;
        if (second.error().message != "could not take lock " + path + " within 300ms; another pgfo run holds it")
            return 3;
        if (took < 300ms)
            return 4;
        return took < 10s ? 0 : 5;
    });
    CHECK(code == 0);

    held->release();
    CHECK_FALSE(held->held());
    CHECK(try_lock_in_child(path, 5s) == 0);
}

TEST_CASE("a waiter gets the lock as soon as the holder releases it")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "lock";
    int go[2];
    REQUIRE(::pipe(go) == 0);
    // Forked before the lock is taken, so the waiter shares no descriptor with the holder.
    const pid_t waiter = ::fork();
    REQUIRE(waiter >= 0);
    if (waiter == 0) {
        ::close(go[1]);
        char byte;
        [[maybe_unused]] ssize_t n = ::read(go[0], &byte, 1);
        auto lock = FileLock::acquire(path, 20s);
        ::_exit(lock.ok() ? 0 : 1);
    }
    ::close(go[0]);
    auto held = FileLock::acquire(path, 1s);
    REQUIRE(held.ok());
    REQUIRE(::write(go[1], "g", 1) == 1);
    ::close(go[1]);
    std::this_thread::sleep_for(200ms);
    int status = 0;
    CHECK(::waitpid(waiter, &status, WNOHANG) == 0);
    held->release();
    REQUIRE(::waitpid(waiter, &status, 0) == waiter);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the lock is released when the holder process dies")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "lock";
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t holder = ::fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
        auto lock = FileLock::acquire(path, 5s);
        char byte = lock.ok() ? 'y' : 'n';
        [[maybe_unused]] ssize_t n = ::write(ready[1], &byte, 1);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    CHECK(byte == 'y');

    auto while_held = FileLock::acquire(path, 100ms);
    REQUIRE_FALSE(while_held.ok());
    CHECK(while_held.error().kind == pgfo::ErrorKind::timeout);

    ::kill(holder, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(holder, &status, 0) == holder);
    auto after = FileLock::acquire(path, 5s);
    CHECK(after.ok());
}

TEST_CASE("moving a lock moves ownership; destruction releases it")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "lock";
    {
        auto acquired = FileLock::acquire(path, 1s);
        REQUIRE(acquired.ok());
        FileLock first = std::move(acquired.value());
        FileLock second = std::move(first);
        CHECK_FALSE(first.held());
        CHECK(second.held());
        CHECK(try_lock_in_child(path, 50ms) == 1);

        FileLock third;
        third = std::move(second);
        CHECK_FALSE(second.held());
        CHECK(third.held());
        CHECK(try_lock_in_child(path, 50ms) == 1);
    }
    CHECK(try_lock_in_child(path, 0ms) == 0);
}

TEST_CASE("a lock file that cannot be opened is an error naming it")
{
    pgfo::test::TestDir dir;
    const std::string path = dir / "missing/lock";
    auto lock = FileLock::acquire(path, 1s);
    REQUIRE_FALSE(lock.ok());
    CHECK(lock.error().kind == pgfo::ErrorKind::failed);
    CHECK(lock.error().message == "could not open lock file " + path + ": No such file or directory");
}
