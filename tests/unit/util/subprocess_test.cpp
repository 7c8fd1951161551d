#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/test_dir.hpp"
#include "util/files.hpp"
#include "util/subprocess.hpp"
#include "util/user.hpp"

using namespace pgfo::util;
using namespace std::chrono_literals;
using Status = ProcessResult::Status;

namespace {

Command command(std::vector<std::string> argv, std::chrono::milliseconds timeout = 20s)
{
    Command cmd;
    cmd.argv = std::move(argv);
    cmd.timeout = timeout;
    return cmd;
}

Command shell(const std::string& script, std::chrono::milliseconds timeout = 20s)
{
    return command({"/bin/sh", "-c", script}, timeout);
}

std::vector<pid_t> read_pids(const std::string& path)
{
    std::vector<pid_t> pids;
    std::ifstream in(path);
    pid_t pid = 0;
    while (in >> pid)
        pids.push_back(pid);
    return pids;
}

// True once kill(TARGET, 0) says ESRCH; an orphaned zombie counts until init reaps it,
// which can take a moment, so this waits up to a generous bound.
bool gone_within(pid_t target, std::chrono::seconds bound)
{
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::kill(target, 0) == -1 && errno == ESRCH)
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

bool no_children_left()
{
    int status = 0;
    return ::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

TEST_CASE("exit codes are captured")
{
    auto ok = run_process(command({"/bin/true"}));
    CHECK(ok.status == Status::exited);
    CHECK(ok.code == 0);
    CHECK(ok.succeeded());
    CHECK(ok.describe() == "exited with 0");

    auto three = run_process(shell("exit 3"));
    CHECK(three.status == Status::exited);
    CHECK(three.code == 3);
    CHECK_FALSE(three.succeeded());
    CHECK(three.describe() == "exited with 3");
    CHECK(no_children_left());
}

TEST_CASE("stdout and stderr are captured separately")
{
    auto result = run_process(shell("echo out; echo err1 >&2; echo; echo 'err2  ' >&2; echo >&2; exit 3"));
    CHECK(result.status == Status::exited);
    CHECK(result.out == "out\n\n");
    CHECK(result.err == "err1\nerr2  \n\n");
    CHECK_FALSE(result.truncated);
    CHECK(result.describe_with_stderr() == "exited with 3: err2");

    auto silent = run_process(shell("exit 4"));
    CHECK(silent.describe_with_stderr() == "exited with 4");
}

TEST_CASE("output beyond max_output is dropped without blocking the child")
{
    auto cmd = command({"head", "-c", "5000000", "/dev/zero"});
    cmd.max_output = 1000;
    auto result = run_process(cmd);
    CHECK(result.status == Status::exited);
    CHECK(result.code == 0);
    CHECK(result.out.size() == 1000);
    CHECK(result.truncated);

    auto small = command({"head", "-c", "5000000", "/dev/zero"});
    small.max_output = 6000000;
    auto whole = run_process(small);
    CHECK(whole.out.size() == 5000000);
    CHECK_FALSE(whole.truncated);
}

TEST_CASE("stdin is /dev/null unless stdin_data is given")
{
    auto empty = run_process(command({"cat"}, 5s));
    CHECK(empty.status == Status::exited);
    CHECK(empty.code == 0);
    CHECK(empty.out.empty());

    auto cmd = command({"cat"});
    cmd.stdin_data = "hello\nworld\n";
    auto fed = run_process(cmd);
    CHECK(fed.succeeded());
    CHECK(fed.out == "hello\nworld\n");
}

TEST_CASE("large stdin_data is written while output is read, so neither side blocks")
{
    auto cmd = command({"cat"});
    cmd.stdin_data = std::string(3'000'000, 'x');
    cmd.max_output = 4'000'000;
    auto result = run_process(cmd);
    CHECK(result.succeeded());
    CHECK(result.out.size() == 3'000'000);
}

TEST_CASE("a child that does not read its stdin does not kill us with SIGPIPE")
{
    auto cmd = command({"/bin/true"});
    cmd.stdin_data = std::string(2'000'000, 'x');
    auto result = run_process(cmd);
    CHECK(result.succeeded());
}

TEST_CASE("environment: parent's plus overrides, or exactly env with replace_env")
{
    ::setenv("PGFO_TEST_PARENT", "from-parent", 1);
    auto cmd = shell("echo \"$PGFO_TEST_PARENT/$PGFO_TEST_EXTRA\"");
    cmd.env["PGFO_TEST_EXTRA"] = "extra value";
    auto merged = run_process(cmd);
    CHECK(merged.out == "from-parent/extra value\n");

    cmd.env["PGFO_TEST_PARENT"] = "overridden";
    CHECK(run_process(cmd).out == "overridden/extra value\n");

    auto only = command({"/usr/bin/env"});
    only.replace_env = true;
    only.env = {{"A", "1"}, {"B", "two words"}};
    auto replaced = run_process(only);
    CHECK(replaced.out == "A=1\nB=two words\n");
    ::unsetenv("PGFO_TEST_PARENT");
}

TEST_CASE("a program that cannot be executed is reported with errno text")
{
    auto missing = run_process(command({"/nonexistent/pgfo-prog", "x"}));
    CHECK(missing.status == Status::exec_failed);
    CHECK(missing.describe() == "could not execute /nonexistent/pgfo-prog: No such file or directory");
    CHECK(missing.describe_with_stderr() == missing.describe());

    auto not_on_path = run_process(command({"pgfo-no-such-program"}));
    CHECK(not_on_path.status == Status::exec_failed);
    CHECK(not_on_path.describe() == "could not execute pgfo-no-such-program: No such file or directory");

    pgfo::test::TestDir dir;
    const std::string script = dir.write("script.sh", "#!/bin/sh\necho hi\n", 0644);
    auto not_executable = run_process(command({script}));
    CHECK(not_executable.status == Status::exec_failed);
    CHECK(not_executable.describe() == "could not execute " + script + ": Permission denied");

    auto empty = run_process(command({}));
    CHECK(empty.status == Status::exec_failed);
    CHECK(no_children_left());
}

TEST_CASE("cwd is applied, and a missing one is an exec failure")
{
    pgfo::test::TestDir dir;
    auto cmd = command({"/bin/pwd"});
    cmd.cwd = dir.path();
    auto result = run_process(cmd);
    CHECK(result.out == dir.path() + "\n");

    cmd.cwd = dir / "missing";
    auto missing = run_process(cmd);
    CHECK(missing.status == Status::exec_failed);
    CHECK(missing.describe() ==
          "could not execute /bin/pwd in directory " + dir / "missing" + ": No such file or directory");
}

TEST_CASE("a child killed by a signal is reported as signaled")
{
    auto result = run_process(shell("echo dying >&2; kill -9 $$"));
    CHECK(result.status == Status::signaled);
    CHECK(result.code == 9);
    CHECK(result.describe() == "killed by signal 9");
    CHECK(result.describe_with_stderr() == "killed by signal 9: dying");
}

TEST_CASE("a timeout kills the whole process group")
{
    pgfo::test::TestDir dir;
    const std::string pids = dir / "pids";
    auto cmd = shell(
        "echo $$ > " + pids + "; sleep 100 & echo $! >> " + pids + "; sleep 100 & echo $! >> " + pids + "; wait", 1s);
    auto result = run_process(cmd);
    CHECK(result.status == Status::timed_out);
    CHECK(result.describe() == "timed out after 1s");
    CHECK(result.elapsed >= 1s);
    CHECK(result.elapsed < 10s);
    CHECK(no_children_left());

    auto recorded = read_pids(pids);
    REQUIRE(recorded.size() == 3);
    CHECK(gone_within(-recorded[0], 10s));
    CHECK(gone_within(recorded[1], 10s));
    CHECK(gone_within(recorded[2], 10s));
}

TEST_CASE("on timeout the child gets SIGTERM first and its output meanwhile is kept")
{
    auto cmd = shell("trap 'echo got-term; exit 7' TERM; echo started; sleep 100 & wait", 1s);
    cmd.kill_grace = 5s;
    auto result = run_process(cmd);
    CHECK(result.status == Status::timed_out);
    CHECK(result.out == "started\ngot-term\n");
    CHECK(result.elapsed < 5s);
}

TEST_CASE("a child that ignores SIGTERM is killed after kill_grace")
{
    pgfo::test::TestDir dir;
    const std::string pids = dir / "pids";
    auto cmd = shell("trap '' TERM; echo $$ > " + pids + "; sleep 100 & echo $! >> " + pids + "; wait", 1s);
    cmd.kill_grace = 400ms;
    auto result = run_process(cmd);
    CHECK(result.status == Status::timed_out);
    CHECK(result.elapsed >= 1400ms);
    CHECK(result.elapsed < 10s);
    CHECK(no_children_left());
    auto recorded = read_pids(pids);
    REQUIRE(recorded.size() == 2);
    CHECK(gone_within(-recorded[0], 10s));
    CHECK(gone_within(recorded[1], 10s));
}

TEST_CASE("processes left behind by a child that exited are killed")
{
    pgfo::test::TestDir dir;
    const std::string pids = dir / "pids";
    auto result = run_process(shell("sleep 100 & echo $! > " + pids + "; echo done; exit 0"));
    CHECK(result.succeeded());
    CHECK(result.out == "done\n");
    CHECK(result.elapsed < 10s);
    auto recorded = read_pids(pids);
    REQUIRE(recorded.size() == 1);
    CHECK(gone_within(recorded[0], 10s));
}

TEST_CASE("a process that escaped the group while holding stdout does not hold us up")
{
    pgfo::test::TestDir dir;
    const std::string pids = dir / "pids";
    auto result = run_process(shell("setsid sh -c 'echo $$ > " + pids + "; exec sleep 60' & until [ -s " + pids +
                                    " ]; do sleep 0.05; done; exit 0"));
    CHECK(result.succeeded());
    CHECK(result.elapsed < 10s);
    auto recorded = read_pids(pids);
    REQUIRE(recorded.size() == 1);
    CHECK(::kill(recorded[0], SIGKILL) == 0);
}

TEST_CASE("descriptors of the parent are not inherited")
{
    pgfo::test::TestDir dir;
    const int fd = ::open(dir.write("open", "x").c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::dup2(fd, 100) == 100);
    ::close(fd);
    auto result = run_process(command({"ls", "/proc/self/fd"}));
    ::close(100);
    CHECK(result.succeeded());
    CHECK(result.out.find("2\n") != std::string::npos);
    CHECK(result.out.find("100") == std::string::npos);
}

TEST_CASE("the user option runs the child as that user with its HOME")
{
    auto user = lookup_user("postgres");
    REQUIRE(user.ok());
    auto cmd = shell("id -un; id -u; echo \"$HOME $USER $LOGNAME\"");
    cmd.user = "postgres";
    auto result = run_process(cmd);
    CHECK(result.succeeded());
    CHECK(result.out == "postgres\n" + std::to_string(user->uid) + "\n" + user->home + " postgres postgres\n");

    auto groups = command({"id", "-G"});
    groups.user = "postgres";
    std::istringstream ids(run_process(groups).out);
    std::set<gid_t> seen;
    for (gid_t gid = 0; ids >> gid;)
        seen.insert(gid);
    CHECK(seen == std::set<gid_t>(user->groups.begin(), user->groups.end()));
    CHECK(seen.count(0) == 0);

    auto unknown = command({"/bin/true"});
    unknown.user = "pgfo-no-such-user";
    auto failed = run_process(unknown);
    CHECK(failed.status == Status::exec_failed);
    CHECK(failed.describe().find("user pgfo-no-such-user does not exist") != std::string::npos);
}

TEST_CASE("run_process leaves no zombie behind")
{
    CHECK(run_process(command({"/bin/true"})).succeeded());
    CHECK(no_children_left());
    CHECK(run_process(shell("sleep 100", 100ms)).status == Status::timed_out);
    CHECK(no_children_left());
    CHECK(run_process(command({"/nonexistent"})).status == Status::exec_failed);
    CHECK(no_children_left());
}

TEST_CASE("a detached child survives the caller's process group being killed")
{
    pgfo::test::TestDir dir;
    const std::string marker = dir / "marker";
    const pid_t caller = ::fork();
    REQUIRE(caller >= 0);
    if (caller == 0) {
        ::setpgid(0, 0);
        const std::string me = std::to_string(::getpid());
        auto cmd =
            shell("while kill -0 " + me + " 2>/dev/null; do sleep 0.05; done; echo \"$PGFO_DETACHED\" > " + marker);
        cmd.env["PGFO_DETACHED"] = "survived";
        const bool started = spawn_detached(cmd);
        if (!started)
            ::_exit(1);
        ::kill(0, SIGKILL);
        ::_exit(2);
    }
    int status = 0;
    REQUIRE(::waitpid(caller, &status, 0) == caller);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string content;
    while (std::chrono::steady_clock::now() < deadline) {
        content = read_file(marker).value_or("");
        if (!content.empty())
            break;
        std::this_thread::sleep_for(20ms);
    }
    CHECK(content == "survived\n");
}

TEST_CASE("spawn_detached reports a program that cannot be executed")
{
    CHECK_FALSE(spawn_detached(command({"/nonexistent/pgfo-prog"})));
    CHECK(spawn_detached(command({"/bin/true"})));
    CHECK(no_children_left());
}
