#include "lab/lab_writer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pgfo::test {
namespace {

bool wait_exit(pid_t pid, std::chrono::milliseconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || done < 0)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace

std::int64_t unix_now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

LabWriter::LabWriter(const Lab& lab, std::string dir) : m_dir(std::move(dir))
{
    (void)lab;
}

LabWriter::~LabWriter()
{
    if (m_pid > 0)
        stop();
}

void LabWriter::start()
{
    if (m_pid > 0)
        throw std::logic_error("writer already started");
    const std::string writer = build_output("bench/pgfo_writer");
    if (::access(writer.c_str(), X_OK) != 0)
        throw std::runtime_error(writer + " is missing; hint: cmake --build build --target pgfo_writer");
    std::vector<std::string> args = {"ip",
                                     "netns",
                                     "exec",
                                     "pgfo-client",
                                     writer,
                                     "--conninfo",
                                     std::string("host=") + Lab::k_vip + " port=5432 user=postgres dbname=postgres",
                                     "--acked",
                                     m_dir + "/acked",
                                     "--duration",
                                     "1h",
                                     "--timeout",
                                     "2s"};
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out = m_dir + "/writer.out", log = m_dir + "/writer.log";
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        int in = ::open("/dev/null", O_RDONLY);
        int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || out_fd < 0 || log_fd < 0 || ::dup2(in, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(log_fd, 2) < 0)
            ::_exit(126);
        ::execv("/usr/sbin/ip", argv.data());
        ::_exit(127);
    }
    m_pid = pid;
}

std::string LabWriter::stop()
{
    if (m_pid <= 0)
        return "";
    ::kill(m_pid, SIGTERM);
    if (!wait_exit(m_pid, std::chrono::seconds(15))) {
        ::kill(-m_pid, SIGKILL);
        wait_exit(m_pid, std::chrono::seconds(5));
    }
    m_pid = 0;
    std::ifstream in(m_dir + "/writer.out");
    std::string summary;
    std::getline(in, summary);
    return summary;
}

std::vector<AckedWrite> LabWriter::acked() const
{
    std::vector<AckedWrite> writes;
    std::ifstream in(m_dir + "/acked");
    AckedWrite write;
    while (in >> write.id >> write.start_ms >> write.ack_ms)
        writes.push_back(write);
    return writes;
}

std::size_t LabWriter::acked_after(std::int64_t unix_ms) const
{
    std::size_t count = 0;
    for (const auto& write : acked())
        if (write.ack_ms > unix_ms)
            ++count;
    return count;
}

std::vector<std::int64_t> LabWriter::missing_on(Lab& lab, const std::string& node) const
{
    auto conn = lab.connect(node);
    auto rows = conn.query("SELECT id FROM public.pgfo_writer", std::chrono::seconds(30));
    if (!rows.ok())
        throw std::runtime_error("cannot read the writer's table on " + node + ": " + rows.error().message);
    std::set<std::int64_t> present;
    for (const auto& row : rows->rows)
        if (!row.empty() && row[0])
            present.insert(std::stoll(*row[0]));
    std::vector<std::int64_t> missing;
    for (const auto& write : acked())
        if (!present.count(write.id))
            missing.push_back(write.id);
    return missing;
}

}  // namespace pgfo::test
