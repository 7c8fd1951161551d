#include "fake_alert_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <strings.h>

namespace pgfo::test {
namespace {

constexpr auto k_start_timeout = std::chrono::seconds(15);

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ",") + item;
    return out;
}

// Reads the child's first stdout line (its port) within k_start_timeout.
std::string read_first_line(int fd)
{
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    while (line.find('\n') == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw std::runtime_error("fake alert server did not print its port in time");
        pollfd pfd{fd, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        char buffer[64];
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0)
            throw std::runtime_error("fake alert server exited before printing its port");
        line.append(buffer, static_cast<std::size_t>(got));
    }
    return line.substr(0, line.find('\n'));
}

const alert::json::Value& member(const alert::json::Value& object, const char* key)
{
    const auto* value = object.get(key);
    if (!value)
        throw std::runtime_error(std::string("recorded request has no ") + key);
    return *value;
}

} // namespace

std::string RecordedRequest::header(const std::string& name) const
{
    for (const auto& [key, value] : headers)
        if (::strcasecmp(key.c_str(), name.c_str()) == 0)
            return value;
    return {};
}

alert::json::Value RecordedRequest::json() const
{
    auto parsed = alert::json::parse(body);
    if (!parsed)
        throw std::runtime_error("recorded body is not JSON: " + body);
    return *parsed;
}

FakeAlertServer::FakeAlertServer(const TestDir& dir, Options options) : m_record_file(dir / "alert-requests.jsonl")
{
    const std::string script = std::string(PGFO_SOURCE_DIR) + "/tests/support/fake_alert_server.py";
    std::vector<std::string> args{"python3",       script,
                                  "--record",      m_record_file,
                                  "--respond",     join(options.responses),
                                  "--retry-after", std::to_string(options.retry_after)};
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    // The token goes by environment, as pgfo's secrets never go through argv.
    std::vector<std::string> env_strings;
    for (char** var = environ; *var; ++var)
        if (std::string_view(*var).substr(0, 17) != "FAKE_ALERT_TOKEN=")
            env_strings.emplace_back(*var);
    env_strings.push_back("FAKE_ALERT_TOKEN=" + options.token);
    std::vector<char*> envp;
    for (auto& var : env_strings)
        envp.push_back(var.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    const pid_t parent = ::getpid();
    m_pid = ::fork();
    if (m_pid < 0)
        throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::execvpe("python3", argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    try {
        m_port = std::stoi(read_first_line(pipe_fds[0]));
    } catch (...) {
        ::close(pipe_fds[0]);
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
        throw;
    }
    ::close(pipe_fds[0]);
}

FakeAlertServer::~FakeAlertServer()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
}

std::string FakeAlertServer::url() const
{
    return "http://127.0.0.1:" + std::to_string(m_port);
}

std::vector<RecordedRequest> FakeAlertServer::requests() const
{
    std::vector<RecordedRequest> out;
    std::ifstream file(m_record_file);
    std::string line;
    while (std::getline(file, line)) {
        auto parsed = alert::json::parse(line);
        if (!parsed)
            throw std::runtime_error("unreadable record line: " + line);
        RecordedRequest request;
        request.time = member(*parsed, "time").as_double().value_or(0);
        request.method = member(*parsed, "method").text;
        request.path = member(*parsed, "path").text;
        for (const auto& pair : member(*parsed, "headers").items)
            if (pair.items.size() == 2)
                request.headers.emplace_back(pair.items[0].text, pair.items[1].text);
        request.body = member(*parsed, "body").text;
        request.body_valid_utf8 = member(*parsed, "body_valid_utf8").boolean;
        out.push_back(std::move(request));
    }
    return out;
}

} // namespace pgfo::test
