#include "write_poller.hpp"

#include "pg/connection.hpp"

namespace pgfo::bench {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

WritePoller::WritePoller(std::string conninfo, std::string insert_sql, std::chrono::milliseconds interval,
                         std::chrono::milliseconds limit)
    : m_conninfo(std::move(conninfo)), m_insert_sql(std::move(insert_sql)), m_interval(interval), m_limit(limit),
      m_started(Clock::now())
{
    m_thread = std::thread([this] { run(); });
}

WritePoller::~WritePoller()
{
    if (m_thread.joinable())
        m_thread.join();
}

std::optional<std::chrono::microseconds> WritePoller::first_write()
{
    if (m_thread.joinable())
        m_thread.join();
    return m_first_write;
}

void WritePoller::run()
{
    pg::Connection conn;
    while (Clock::now() - m_started < m_limit) {
        ++m_attempts;
        if (!conn.is_open()) {
            auto opened = pg::Connection::open(m_conninfo, 1s);
            if (opened.ok())
                conn = std::move(opened.value());
        }
        if (conn.is_open()) {
            auto inserted = conn.query(m_insert_sql, 2s);
            if (inserted.ok()) {
                m_first_write = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_started);
                return;
            }
            // A read-only standby answers with an error and keeps the session: retry on it.
        }
        std::this_thread::sleep_for(m_interval);
    }
}

}  // namespace pgfo::bench
