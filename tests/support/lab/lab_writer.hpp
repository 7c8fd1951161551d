#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lab/lab.hpp"

namespace pgfo::test {

// One acknowledged write of pgfo_writer: id, when it was sent, when it was acknowledged
// (Unix milliseconds).
struct AckedWrite {
    std::int64_t id = 0;
    std::int64_t start_ms = 0;
    std::int64_t ack_ms = 0;
};

// bench/pgfo_writer running in the lab's client namespace against the VIP, from start()
// until stop() (SIGTERM) or destruction. Its acknowledged ids go to DIR/acked, its
// event lines to DIR/writer.log.
class LabWriter {
public:
    LabWriter(const Lab& lab, std::string dir);
    LabWriter(const LabWriter&) = delete;
    LabWriter& operator=(const LabWriter&) = delete;
    ~LabWriter();

    void start();
    // Stops the writer and waits for it; returns its summary line.
    std::string stop();

    std::vector<AckedWrite> acked() const;
    // Acknowledged writes whose ack came after UNIX_MS.
    std::size_t acked_after(std::int64_t unix_ms) const;
    // Acknowledged ids missing from NODE's table.
    std::vector<std::int64_t> missing_on(Lab& lab, const std::string& node) const;

    const std::string& dir() const { return m_dir; }

private:
    std::string m_dir;
    pid_t m_pid = 0;
};

std::int64_t unix_now_ms();

}  // namespace pgfo::test
