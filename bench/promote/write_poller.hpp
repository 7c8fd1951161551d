#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace pgfo::bench {

// From construction on, tries one INSERT on CONNINFO every INTERVAL (reconnecting after
// any error) until one is acknowledged or LIMIT passes: a client waiting to write again.
class WritePoller {
public:
    WritePoller(std::string conninfo, std::string insert_sql, std::chrono::milliseconds interval,
                std::chrono::milliseconds limit);
    WritePoller(const WritePoller&) = delete;
    WritePoller& operator=(const WritePoller&) = delete;
    ~WritePoller();

    std::chrono::steady_clock::time_point started() const { return m_started; }
    // Waits for the poller; time from start to the first acknowledged INSERT, nullopt if none.
    std::optional<std::chrono::microseconds> first_write();
    int attempts() const { return m_attempts.load(); }

private:
    void run();

    std::string m_conninfo;
    std::string m_insert_sql;
    std::chrono::milliseconds m_interval;
    std::chrono::milliseconds m_limit;
    std::chrono::steady_clock::time_point m_started;
    std::optional<std::chrono::microseconds> m_first_write;
    std::atomic<int> m_attempts{0};
    std::thread m_thread;
};

}  // namespace pgfo::bench
