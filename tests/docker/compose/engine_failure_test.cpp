// The compose runtime when the Docker engine is down or hangs: a clear error, the right exit
// code, bounded time, and nothing done halfway. DOCKER_HOST points pgfo (and so compose and
// the docker CLI) at a socket nobody serves, or at one that accepts and never answers, while
// the containers keep running on the real engine.
#include <catch2/catch.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "compose_pair.hpp"
#include "pgfo_node.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Entries of DIR whose names start with PREFIX (moved-aside or half-made data directories).
std::vector<std::string> siblings(const std::string& dir, const std::string& prefix)
{
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind(prefix, 0) == 0)
            found.push_back(entry.path().string());
    return found;
}

// Processes whose environment names SOCKET (compose or docker clients pgfo started against it).
int processes_using(const std::string& socket)
{
    int count = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(entry.path() / "environ", std::ios::binary);
        std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (env.find("DOCKER_HOST=unix://" + socket) != std::string::npos)
            ++count;
    }
    return count;
}

// A unix socket that accepts every connection and never answers: a hung Docker engine.
class SilentSocket {
public:
    explicit SilentSocket(std::string path) : m_path(std::move(path))
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(m_path.size() < sizeof(address.sun_path));
        std::copy(m_path.begin(), m_path.end(), address.sun_path);
        REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        REQUIRE(::listen(m_fd, 64) == 0);
        m_thread = std::thread([this] { serve(); });
    }
    ~SilentSocket()
    {
        m_stop = true;
        m_thread.join();
        for (int fd : m_accepted)
            ::close(fd);
        ::close(m_fd);
    }
    SilentSocket(const SilentSocket&) = delete;
    SilentSocket& operator=(const SilentSocket&) = delete;

    int accepted() const { return m_count; }

private:
    void serve()
    {
        while (!m_stop) {
            pollfd pfd{m_fd, POLLIN, 0};
            if (::poll(&pfd, 1, 100) == 1) {
                int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    m_accepted.push_back(fd);
                    ++m_count;
                }
            }
        }
    }

    std::string m_path;
    int m_fd = -1;
    std::vector<int> m_accepted;
    std::atomic<int> m_count{0};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace

TEST_CASE("compose: docker daemon down: notify MASTER fails with a clear error, exit 1, the standby untouched",
          "[docker][compose]")
{
    ComposePair pair;
    pair.a.kill();
    const std::string container = pair.b.container_id();
    const std::map<std::string, std::string> dead{{"DOCKER_HOST", "unix://" + pair.dir / "dead.sock"}};

    auto result = pair.b.pgfo({"notify", "INSTANCE", "VI_1", "MASTER", "100"}, dead);
    INFO(result.output);
    INFO(read_text(pair.b.pgfo_log()));
    CHECK(result.code == 1);
    CHECK(result.output.find("pgfo: error:") != std::string::npos);
    CHECK(result.output.find("docker-compose ps of service postgresql in " + pair.b.file(ComposeRole::primary)) !=
          std::string::npos);
    CHECK(result.output.find("is the docker daemon running?") != std::string::npos);
    CHECK(pair.b.in_recovery());
    CHECK(pair.b.container_id() == container);
    CHECK_FALSE(pair.b.has_event("promote.start"));
    CHECK(pair.b.has_event("transition.failed"));
}

TEST_CASE("compose: docker daemon down: notify BACKUP on a primary fails with exit 1, the primary keeps its data",
          "[docker][compose]")
{
    ComposePair pair;
    pair.a.kill();
    pair.b.exec("SELECT pg_promote(true, 60)");
    pair.a.up(ComposeRole::primary);
    pair.a.exec("INSERT INTO public.t VALUES (5000, 'diverged')");
    const std::map<std::string, std::string> dead{{"DOCKER_HOST", "unix://" + pair.dir / "dead.sock"}};

    auto result = pair.a.pgfo({"notify", "INSTANCE", "VI_1", "BACKUP", "100"}, dead);
    INFO(result.output);
    INFO(read_text(pair.a.pgfo_log()));
    CHECK(result.code == 1);
    CHECK(result.output.find("is the docker daemon running?") != std::string::npos);
    // Nothing was done: still the same writable primary, its data where it was, no copies begun.
    CHECK_FALSE(pair.a.in_recovery());
    CHECK(pair.a.scalar("SELECT count(*) FROM public.t WHERE note = 'diverged'") == "1");
    CHECK(siblings(pair.a.dir(), "data.").empty());
    CHECK_FALSE(pair.a.has_event("fence.start"));
    CHECK_FALSE(pair.a.has_event("rewind.start"));
}

TEST_CASE("compose: a docker that never answers: the fence step times out, exit 4, its clients killed",
          "[docker][compose]")
{
    ComposePair pair({"timeouts.stop = \"3s\""});
    const std::string socket = pair.dir / "hung.sock";
    SilentSocket hung(socket);

    const auto started = Clock::now();
    auto result = pair.a.pgfo({"notify", "INSTANCE", "VI_1", "FAULT", "100"}, {{"DOCKER_HOST", "unix://" + socket}});
    const auto elapsed = Clock::now() - started;
    INFO(result.output);
    INFO(read_text(pair.a.pgfo_log()));
    CHECK(result.code == 4);
    CHECK(result.output.find("pgfo: error: step fence timed out") != std::string::npos);
    CHECK(elapsed < 120s);
    CHECK(hung.accepted() > 0);
    CHECK(pair.a.has_event("fence.failed"));
    CHECK(processes_using(socket) == 0);
}

TEST_CASE("compose: a docker that never answers: notify MASTER times out (exit 4) within bounds, the standby untouched",
          "[docker][compose]")
{
    ComposePair pair;
    pair.a.kill();
    const std::string socket = pair.dir / "hung.sock";
    SilentSocket hung(socket);

    const auto started = Clock::now();
    auto result = pair.b.pgfo({"notify", "INSTANCE", "VI_1", "MASTER", "100"}, {{"DOCKER_HOST", "unix://" + socket}});
    const auto elapsed = Clock::now() - started;
    INFO(result.output);
    INFO(read_text(pair.b.pgfo_log()));
    CHECK(result.code == 4);
    CHECK(result.output.find("timed out") != std::string::npos);
    CHECK(elapsed < 120s);
    CHECK(pair.b.in_recovery());
    CHECK_FALSE(pair.b.has_event("promote.start"));
    CHECK(processes_using(socket) == 0);
}
