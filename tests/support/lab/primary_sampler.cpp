#include "lab/primary_sampler.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "pg/connection.hpp"
#include "util/clock.hpp"

namespace pgfo::test {
namespace {

using namespace std::chrono_literals;
constexpr auto k_bound = 300ms;

// Moves the calling thread (only) into the lab's client network namespace.
bool enter_client_namespace()
{
    int fd = ::open("/run/netns/pgfo-client", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool entered = ::setns(fd, CLONE_NEWNET) == 0;
    ::close(fd);
    return entered;
}

char letter(NodeRole role)
{
    switch (role) {
    case NodeRole::primary:
        return 'P';
    case NodeRole::standby:
        return 's';
    case NodeRole::unreachable:
        return '-';
    case NodeRole::none:
        return '.';
    }
    return '?';
}

}  // namespace

PrimarySampler::PrimarySampler(std::vector<std::pair<std::string, std::string>> nodes)
    : m_nodes(std::move(nodes)), m_samples(m_nodes.size())
{
}

PrimarySampler::~PrimarySampler()
{
    stop();
}

void PrimarySampler::start()
{
    m_stop = false;
    m_start_steady = std::chrono::steady_clock::now();
    m_start_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        m_threads.emplace_back([this, i] { sample(i); });
}

void PrimarySampler::stop()
{
    m_stop = true;
    for (auto& thread : m_threads)
        thread.join();
    m_threads.clear();
}

void PrimarySampler::sample(std::size_t index)
{
    if (!enter_client_namespace())
        return;
    const std::string conninfo = "host=" + m_nodes[index].second + " port=5432 user=postgres dbname=postgres";
    pg::Connection conn;
    std::size_t tick = 0;
    while (!m_stop) {
        std::this_thread::sleep_until(m_start_steady + tick * k_tick);
        if (m_stop)
            break;
        NodeRole role = NodeRole::unreachable;
        if (!conn.is_open()) {
            auto opened = pg::Connection::open(conninfo, k_bound);
            if (opened.ok())
                conn = std::move(opened.value());
        }
        if (conn.is_open()) {
            auto answer = conn.query("SELECT pg_is_in_recovery() AS r", k_bound);
            if (answer.ok())
                role = answer->get(0, "r") == std::optional<std::string>("f") ? NodeRole::primary : NodeRole::standby;
            else
                conn = pg::Connection();
        }
        {
            std::lock_guard lock(m_mutex);
            auto& samples = m_samples[index];
            if (samples.size() <= tick)
                samples.resize(tick + 1, NodeRole::none);
            samples[tick] = role;
        }
        // A slow answer skips the ticks it overran; they stay none.
        const auto elapsed = std::chrono::steady_clock::now() - m_start_steady;
        tick = std::max<std::size_t>(tick + 1, static_cast<std::size_t>(elapsed / k_tick) + 1);
    }
}

std::size_t PrimarySampler::tick_count() const
{
    std::lock_guard lock(m_mutex);
    std::size_t count = 0;
    for (const auto& samples : m_samples)
        count = std::max(count, samples.size());
    return count;
}

std::vector<PrimarySampler::Overlap> PrimarySampler::overlaps() const
{
    const std::size_t count = tick_count();
    std::lock_guard lock(m_mutex);
    std::vector<Overlap> found;
    bool open = false;
    for (std::size_t tick = 0; tick < count; ++tick) {
        std::string primaries;
        int n = 0;
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            if (tick < m_samples[i].size() && m_samples[i][tick] == NodeRole::primary) {
                primaries += (n++ ? " " : "") + m_nodes[i].first;
            }
        }
        if (n >= 2) {
            if (!open) {
                found.push_back({m_start_unix_ms + static_cast<std::int64_t>(tick * k_tick.count()), 0, primaries});
                open = true;
            }
            found.back().length_ms += k_tick.count();
        } else {
            open = false;
        }
    }
    return found;
}

std::size_t PrimarySampler::ticks(const std::string& node, NodeRole role) const
{
    std::lock_guard lock(m_mutex);
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        if (m_nodes[i].first == node)
            return static_cast<std::size_t>(std::count(m_samples[i].begin(), m_samples[i].end(), role));
    return 0;
}

std::string PrimarySampler::timeline() const
{
    const std::size_t count = tick_count();
    std::lock_guard lock(m_mutex);
    std::ostringstream out;
    std::string previous;
    for (std::size_t tick = 0; tick < count; ++tick) {
        std::string now;
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            NodeRole role = tick < m_samples[i].size() ? m_samples[i][tick] : NodeRole::none;
            now += m_nodes[i].first + "=" + letter(role) + " ";
        }
        if (now != previous) {
            const auto at = std::chrono::system_clock::time_point(
                std::chrono::milliseconds(m_start_unix_ms + static_cast<std::int64_t>(tick * k_tick.count())));
            out << util::utc_timestamp(at) << " " << now << "\n";
            previous = now;
        }
    }
    return out.str();
}

}  // namespace pgfo::test
