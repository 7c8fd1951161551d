#include "shell.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

extern char** environ;

namespace pgfo::test {
namespace {

struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

Identity identity_of(const std::string& user)
{
    passwd* entry = ::getpwnam(user.c_str());
    if (!entry)
        throw std::runtime_error("user " + user + " does not exist");
    Identity identity{entry->pw_uid, entry->pw_gid, {}};
    int count = 64;
    identity.groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(user.c_str(), entry->pw_gid, identity.groups.data(), &count) < 0) {
        identity.groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(user.c_str(), entry->pw_gid, identity.groups.data(), &count);
    }
    identity.groups.resize(static_cast<std::size_t>(count));
    return identity;
}

std::vector<std::string> child_environment()
{
    std::vector<std::string> env;
    for (char** var = environ; *var; ++var)
        if (std::strncmp(*var, "PG", 2) != 0)
            env.emplace_back(*var);
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void exec_child(int out_fd, const Identity* identity, char** argv, char** envp)
{
    ::setpgid(0, 0);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0)
        ::_exit(126);
    if (::chdir("/") != 0)
        ::_exit(126);
    if (identity) {
        if (::setgroups(identity->groups.size(), identity->groups.data()) != 0 || ::setgid(identity->gid) != 0 ||
            ::setuid(identity->uid) != 0)
            ::_exit(126);
    }
    ::execve(argv[0], argv, envp);
    ::_exit(127);
}

} // namespace

std::string ShellResult::describe() const
{
    std::string how = timed_out  ? "timed out"
                      : code < 0 ? "killed by signal " + std::to_string(-code)
                                 : "exited with " + std::to_string(code);
    return how + (output.empty() ? "" : ": " + output);
}

ShellResult run_as(const std::string& user, const std::vector<std::string>& argv, std::chrono::milliseconds timeout)
{
    std::optional<Identity> identity;
    if (!user.empty())
        identity = identity_of(user);
    std::vector<std::string> args = argv;
    std::vector<std::string> env = child_environment();
    auto arg_ptrs = pointers(args);
    auto env_ptrs = pointers(env);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0)
        exec_child(fds[1], identity ? &*identity : nullptr, arg_ptrs.data(), env_ptrs.data());
    ::setpgid(pid, pid);
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);

    ShellResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool pipe_open = true;
    int status = 0;
    for (;;) {
        // Read until the child exits; a daemon it leaves behind may keep the pipe open.
        if (pipe_open) {
            pollfd entry{fds[0], POLLIN, 0};
            ::poll(&entry, 1, 20);
            char buffer[4096];
            for (;;) {
                ssize_t n = ::read(fds[0], buffer, sizeof buffer);
                if (n > 0) {
                    result.output.append(buffer, static_cast<std::size_t>(n));
                    continue;
                }
                if (n == 0)
                    pipe_open = false;
                break;
            }
        } else {
            ::usleep(20'000);
        }
        if (::waitpid(pid, &status, WNOHANG) == pid)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            result.timed_out = true;
            break;
        }
    }
    char buffer[4096];
    ssize_t n = 0;
    while (pipe_open && (n = ::read(fds[0], buffer, sizeof buffer)) > 0)
        result.output.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    result.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
    while (!result.output.empty() && result.output.back() == '\n')
        result.output.pop_back();
    return result;
}

std::string run_checked(const std::string& user, const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout)
{
    auto result = run_as(user, argv, timeout);
    if (!result.succeeded()) {
        std::string command;
        for (const auto& arg : argv)
            command += (command.empty() ? "" : " ") + arg;
        throw std::runtime_error(command + " " + result.describe());
    }
    return result.output;
}

int free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(std::string("socket failed: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error(std::string("could not find a free port: ") + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

void chown_to(const std::string& path, const std::string& user)
{
    Identity identity = identity_of(user);
    auto change = [&](const std::filesystem::path& p) {
        if (::lchown(p.c_str(), identity.uid, identity.gid) != 0)
            throw std::runtime_error("chown " + p.string() + " failed: " + std::strerror(errno));
    };
    change(path);
    if (std::filesystem::is_directory(path))
        for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
            change(entry.path());
}

} // namespace pgfo::test
