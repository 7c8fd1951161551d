#include "util/subprocess.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "util/fd.hpp"
#include "util/units.hpp"
#include "util/user.hpp"

extern char** environ;

namespace pgfo::util {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// After the main child exited, how long to keep reading output that a process which
// escaped its group (setsid) may hold open.
constexpr milliseconds k_drain_after_exit{250};
// Without a pidfd, how often to look whether the child exited.
constexpr milliseconds k_reap_poll{10};
constexpr std::size_t k_read_chunk = 65536;

enum class Stage : int { streams, user, cwd, exec };

// What a child that could not exec reports through its close-on-exec pipe.
struct ChildFailure {
    Stage stage = Stage::exec;
    int error = 0;
};

// Everything the child needs, prepared before fork: after fork the child makes
// only async-signal-safe calls.
struct ChildSetup {
    std::vector<std::string> argv_storage;
    std::vector<char*> argv;
    std::vector<std::string> env_storage;
    std::vector<char*> envp;
    std::optional<UserInfo> user;
    bool switch_user = false;
    std::string cwd;
    int max_fd = 1024; // for closing fds when close_range is missing
};

std::string failure_message(const Command& command, const ChildFailure& failure)
{
    const std::string program = command.argv.empty() ? std::string("(empty command)") : command.argv[0];
    const std::string reason = std::strerror(failure.error);
    switch (failure.stage) {
    case Stage::streams:
        return "could not execute " + program + ": could not set up its streams: " + reason;
    case Stage::user:
        return "could not execute " + program + " as user " + command.user.value_or("") + ": " + reason;
    case Stage::cwd:
        return "could not execute " + program + " in directory " + command.cwd + ": " + reason;
    case Stage::exec:
        break;
    }
    return "could not execute " + program + ": " + reason;
}

Status prepare(const Command& command, ChildSetup& setup)
{
    std::map<std::string, std::string> env;
    if (!command.replace_env) {
        for (char** entry = environ; entry && *entry; ++entry) {
            std::string_view text(*entry);
            const auto eq = text.find('=');
            if (eq != std::string_view::npos)
                env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
        }
    }
    if (command.user) {
        auto user = lookup_user(*command.user);
        if (!user)
            return make_error(ErrorKind::failed, "could not execute " + command.argv[0] + ": " + user.error().message);
        setup.user = std::move(user.value());
        setup.switch_user = ::geteuid() != setup.user->uid;
        env["HOME"] = setup.user->home;
        env["USER"] = setup.user->name;
        env["LOGNAME"] = setup.user->name;
    }
    for (const auto& [key, value] : command.env)
        env[key] = value;

    setup.argv_storage = command.argv;
    for (const auto& [key, value] : env)
        setup.env_storage.push_back(key + "=" + value);
    for (auto& arg : setup.argv_storage)
        setup.argv.push_back(arg.data());
    setup.argv.push_back(nullptr);
    for (auto& entry : setup.env_storage)
        setup.envp.push_back(entry.data());
    setup.envp.push_back(nullptr);
    setup.cwd = command.cwd;

    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        setup.max_fd = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 65536));
    return ok_status();
}

// Moves FD above the standard streams, so the child's dup2 onto 0/1/2 never clobbers it.
int above_stdio(int fd)
{
    if (fd < 0 || fd > STDERR_FILENO)
        return fd;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    ::close(fd);
    return moved;
}

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    read_end.reset(above_stdio(fds[0]));
    write_end.reset(above_stdio(fds[1]));
    return read_end.valid() && write_end.valid();
}

void set_nonblocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

[[noreturn]] void child_fail(int report_fd, Stage stage)
{
    ChildFailure failure{stage, errno};
    [[maybe_unused]] ssize_t n = ::write(report_fd, &failure, sizeof failure);
    ::_exit(127);
}

void reset_signals()
{
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP)
            ::sigaction(sig, &action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void close_fds_except(int keep, int max_fd)
{
    const unsigned first = STDERR_FILENO + 1;
    const unsigned kept = static_cast<unsigned>(keep);
    bool closed = (kept <= first || ::close_range(first, kept - 1, 0) == 0) && ::close_range(kept + 1, ~0U, 0) == 0;
    if (!closed)
        for (int fd = static_cast<int>(first); fd < max_fd; ++fd)
            if (fd != keep)
                ::close(fd);
}

// Runs in the forked child: only async-signal-safe calls from here on.
[[noreturn]] void exec_child(const ChildSetup& setup, int stdin_fd, int stdout_fd, int stderr_fd, int report_fd)
{
    reset_signals();
    if (::dup2(stdin_fd, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
        ::dup2(stderr_fd, STDERR_FILENO) < 0)
        child_fail(report_fd, Stage::streams);
    close_fds_except(report_fd, setup.max_fd);
    if (setup.switch_user) {
        const UserInfo& user = *setup.user;
        if (::setgroups(user.groups.size(), user.groups.data()) != 0 || ::setgid(user.gid) != 0 ||
            ::setuid(user.uid) != 0)
            child_fail(report_fd, Stage::user);
    }
    if (!setup.cwd.empty() && ::chdir(setup.cwd.c_str()) != 0)
        child_fail(report_fd, Stage::cwd);
    environ = const_cast<char**>(setup.envp.data());
    ::execvp(setup.argv[0], setup.argv.data());
    child_fail(report_fd, Stage::exec);
}

// Reads the child's exec report: nullopt when the pipe closed empty (exec succeeded).
std::optional<ChildFailure> read_child_failure(int fd)
{
    ChildFailure failure;
    auto* bytes = reinterpret_cast<char*>(&failure);
    std::size_t done = 0;
    while (done < sizeof failure) {
        const ssize_t n = ::read(fd, bytes + done, sizeof failure - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    if (done < sizeof failure)
        return std::nullopt;
    return failure;
}

// Waits for PID, retrying on EINTR; returns its wait status.
int wait_for(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// The child of run_process: its process group is killed and the child reaped on every
// way out of run_process, exceptions included.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : m_pid(pid) {}
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ~ChildGuard()
    {
        if (m_reaped)
            return;
        signal_group(SIGKILL);
        wait_for(m_pid);
    }

    pid_t pid() const { return m_pid; }
    bool reaped() const { return m_reaped; }
    int wait_status() const { return m_status; }

    // The whole group, and the child itself in case it left the group.
    void signal_group(int sig) const
    {
        ::kill(-m_pid, sig);
        if (!m_reaped)
            ::kill(m_pid, sig);
    }

    bool try_reap()
    {
        if (m_reaped)
            return true;
        const pid_t done = ::waitpid(m_pid, &m_status, WNOHANG);
        if (done == m_pid || (done < 0 && errno == ECHILD))
            m_reaped = true;
        return m_reaped;
    }

    void reap()
    {
        if (!m_reaped)
            m_status = wait_for(m_pid);
        m_reaped = true;
    }

private:
    pid_t m_pid;
    int m_status = 0;
    bool m_reaped = false;
};

// One captured stream, bounded: what does not fit is read and dropped so the child never blocks.
struct OutputStream {
    UniqueFd fd;
    std::string* text = nullptr;

    void read_some(std::size_t max_output, bool& truncated)
    {
        char buffer[k_read_chunk];
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (n <= 0) {
            fd.reset();
            return;
        }
        const std::size_t room = max_output > text->size() ? max_output - text->size() : 0;
        const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
        text->append(buffer, keep);
        if (keep < static_cast<std::size_t>(n))
            truncated = true;
    }
};

// write(2) on a pipe whose reader is gone, without the SIGPIPE that would kill us.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size)
{
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    sigset_t old_mask;
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    const ssize_t n = ::write(fd, data, size);
    const int error = errno;
    if (n < 0 && error == EPIPE && !was_pending) {
        const struct timespec no_wait {
        };
        ::sigtimedwait(&pipe_set, nullptr, &no_wait);
    }
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    errno = error;
    return n;
}

// Feeds stdin_data without ever blocking; closes the pipe when done or when the child stopped reading.
struct InputStream {
    UniqueFd fd;
    const std::string* data = nullptr;
    std::size_t written = 0;

    void write_some()
    {
        const std::size_t chunk = std::min<std::size_t>(data->size() - written, k_read_chunk);
        const ssize_t n = write_without_sigpipe(fd.get(), data->data() + written, chunk);
        if (n < 0) {
            if (errno != EINTR && errno != EAGAIN)
                fd.reset();
            return;
        }
        written += static_cast<std::size_t>(n);
        if (written == data->size())
            fd.reset();
    }
};

int poll_timeout_ms(Clock::time_point now, Clock::time_point wake)
{
    if (wake <= now)
        return 0;
    const auto ms = std::chrono::ceil<milliseconds>(wake - now).count();
    return static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
}

std::string last_line(const std::string& text)
{
    std::size_t end = text.size();
    while (end > 0) {
        const std::size_t start = text.rfind('\n', end - 1);
        const std::size_t begin = start == std::string::npos ? 0 : start + 1;
        std::string line = text.substr(begin, end - begin);
        const auto first = line.find_first_not_of(" \t\r");
        if (first != std::string::npos) {
            const auto last = line.find_last_not_of(" \t\r");
            return line.substr(first, last - first + 1);
        }
        if (start == std::string::npos)
            break;
        end = start;
    }
    return {};
}

} // namespace

std::string ProcessResult::describe() const
{
    switch (status) {
    case Status::exited:
        return "exited with " + std::to_string(code);
    case Status::signaled:
        return "killed by signal " + std::to_string(code);
    case Status::timed_out:
        return "timed out after " + format_duration(timeout);
    case Status::exec_failed:
        break;
    }
    return err.empty() ? std::string("could not execute") : err;
}

std::string ProcessResult::describe_with_stderr() const
{
    if (status == Status::exec_failed)
        return describe();
    const std::string line = last_line(err);
    return line.empty() ? describe() : describe() + ": " + line;
}

ProcessResult run_process(const Command& command)
{
    const auto start = Clock::now();
    ProcessResult result;
    result.timeout = command.timeout;
    auto finish = [&]() -> ProcessResult {
        result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        return std::move(result);
    };
    auto fail = [&](std::string message) {
        result.status = ProcessResult::Status::exec_failed;
        result.err = std::move(message);
        return finish();
    };
    if (command.argv.empty())
        return fail("could not execute an empty command");

    ChildSetup setup;
    if (auto prepared = prepare(command, setup); !prepared)
        return fail(prepared.error().message);

    const std::string& program = command.argv[0];
    OutputStream out{{}, &result.out};
    OutputStream err{{}, &result.err};
    InputStream in{{}, &command.stdin_data};
    UniqueFd child_out, child_err, child_in, report_read, report_write;
    if (!make_pipe(out.fd, child_out) || !make_pipe(err.fd, child_err) || !make_pipe(report_read, report_write))
        return fail("could not execute " + program + ": could not create a pipe: " + std::strerror(errno));
    if (command.stdin_data.empty()) {
        child_in.reset(above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
        if (!child_in.valid())
            return fail("could not execute " + program + ": could not open /dev/null: " + std::strerror(errno));
    } else if (!make_pipe(child_in, in.fd)) {
        return fail("could not execute " + program + ": could not create a pipe: " + std::strerror(errno));
    }

    const pid_t pid = ::fork();
    if (pid < 0)
        return fail("could not execute " + program + ": could not fork: " + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        exec_child(setup, child_in.get(), child_out.get(), child_err.get(), report_write.get());
    }
    ChildGuard child(pid);
    ::setpgid(pid, pid);
    child_in.reset();
    child_out.reset();
    child_err.reset();
    report_write.reset();

    if (auto failure = read_child_failure(report_read.get())) {
        child.reap();
        return fail(failure_message(command, *failure));
    }
    report_read.reset();

    for (auto* stream : {&out.fd, &err.fd, &in.fd})
        if (stream->valid())
            set_nonblocking(stream->get());
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    const auto deadline = start + command.timeout;
    bool timed_out = false;
    bool killed = false;
    Clock::time_point term_sent;
    Clock::time_point exited_at;
    while (true) {
        const bool was_running = !child.reaped();
        if (was_running && child.try_reap()) {
            exited_at = Clock::now();
            child.signal_group(SIGKILL);
            in.fd.reset();
        }
        if (child.reaped() && !out.fd.valid() && !err.fd.valid())
            break;
        const auto now = Clock::now();
        if (child.reaped() && now >= exited_at + k_drain_after_exit)
            break;
        if (!child.reaped()) {
            if (!timed_out && now >= deadline) {
                timed_out = true;
                term_sent = now;
                child.signal_group(SIGTERM);
                in.fd.reset();
            }
            if (timed_out && !killed && now >= term_sent + command.kill_grace) {
                killed = true;
                child.signal_group(SIGKILL);
            }
        }

        Clock::time_point wake;
        if (child.reaped())
            wake = exited_at + k_drain_after_exit;
        else if (!timed_out)
            wake = deadline;
        else if (!killed)
            wake = term_sent + command.kill_grace;
        else
            wake = now + milliseconds(100);
        if (!child.reaped() && !pidfd.valid())
            wake = std::min(wake, now + k_reap_poll);

        pollfd fds[4];
        nfds_t count = 0;
        auto watch = [&](const UniqueFd& fd, short events) {
            if (fd.valid())
                fds[count++] = pollfd{fd.get(), events, 0};
        };
        watch(out.fd, POLLIN);
        watch(err.fd, POLLIN);
        watch(in.fd, POLLOUT);
        if (!child.reaped())
            watch(pidfd, POLLIN);
        if (::poll(fds, count, poll_timeout_ms(now, wake)) < 0)
            continue;
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0)
                continue;
            if (fds[i].fd == out.fd.get())
                out.read_some(command.max_output, result.truncated);
            else if (fds[i].fd == err.fd.get())
                err.read_some(command.max_output, result.truncated);
            else if (fds[i].fd == in.fd.get())
                in.write_some();
        }
    }

    const int status = child.wait_status();
    if (timed_out) {
        result.status = ProcessResult::Status::timed_out;
    } else if (WIFSIGNALED(status)) {
        result.status = ProcessResult::Status::signaled;
        result.code = WTERMSIG(status);
    } else {
        result.status = ProcessResult::Status::exited;
        result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return finish();
}

bool spawn_detached(const Command& command)
{
    if (command.argv.empty())
        return false;
    ChildSetup setup;
    if (!prepare(command, setup))
        return false;
    if (setup.cwd.empty())
        setup.cwd = "/";
    UniqueFd dev_null(above_stdio(::open("/dev/null", O_RDWR | O_CLOEXEC)));
    UniqueFd report_read, report_write;
    if (!dev_null.valid() || !make_pipe(report_read, report_write))
        return false;

    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        ::setsid();
        const pid_t grandchild = ::fork();
        if (grandchild != 0)
            ::_exit(grandchild < 0 ? 1 : 0);
        exec_child(setup, dev_null.get(), dev_null.get(), dev_null.get(), report_write.get());
    }
    report_write.reset();
    const int status = wait_for(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return false;
    return !read_child_failure(report_read.get()).has_value();
}

} // namespace pgfo::util
