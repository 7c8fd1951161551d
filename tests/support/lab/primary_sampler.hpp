#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgfo::test {

// What one sample of one node said.
enum class NodeRole : std::uint8_t { none, unreachable, standby, primary };

// Asks every node, from the lab's client namespace, "SELECT pg_is_in_recovery()" every
// 100 ms (one thread per node, each with its own connection, all on the same ticks) from
// start() to stop(). A node that does not answer within 300 ms is unreachable for that
// tick, and a tick it missed while still waiting is none.
class PrimarySampler {
public:
    static constexpr std::chrono::milliseconds k_tick{100};

    // NODES: name and address of each node.
    explicit PrimarySampler(std::vector<std::pair<std::string, std::string>> nodes);
    PrimarySampler(const PrimarySampler&) = delete;
    PrimarySampler& operator=(const PrimarySampler&) = delete;
    ~PrimarySampler();

    void start();
    void stop();

    struct Overlap {
        std::int64_t start_ms = 0;  // Unix ms of the first tick with two primaries
        std::int64_t length_ms = 0;
        std::string nodes;  // which nodes, e.g. "n1 n2"
    };
    // Runs of consecutive ticks at which two or more nodes answered "not in recovery".
    std::vector<Overlap> overlaps() const;
    // Ticks at which NODE answered primary (resp. standby).
    std::size_t ticks(const std::string& node, NodeRole role) const;
    std::size_t tick_count() const;
    // One line per tick with any change, for failure messages and logs.
    std::string timeline() const;

private:
    void sample(std::size_t index);

    std::vector<std::pair<std::string, std::string>> m_nodes;
    std::vector<std::vector<NodeRole>> m_samples;  // [node][tick]
    mutable std::mutex m_mutex;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop{false};
    std::chrono::steady_clock::time_point m_start_steady;
    std::int64_t m_start_unix_ms = 0;
};

}  // namespace pgfo::test
