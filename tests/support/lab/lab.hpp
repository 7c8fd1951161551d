#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "shell.hpp"

namespace pgfo::test {

struct LabOptions {
    int nodes = 2;
    bool witness = false;
    bool synchronous = true;  // failover.synchronous = "on"
    bool keepalived = true;   // false: PostgreSQL streaming, keepalived not started
};

// The HA lab of scripts/lab (network namespaces, PostgreSQL, keepalived, pgfo) for one
// test. The constructor removes any lab left behind and brings a fresh one up (throws
// when it does not settle); the destructor copies every log into LOG_DIR and tears the
// lab down, also when the test failed. One lab per machine at a time (fixed namespaces).
class Lab {
public:
    Lab(const std::string& dir, const std::string& log_dir, LabOptions options = {});
    Lab(const Lab&) = delete;
    Lab& operator=(const Lab&) = delete;
    ~Lab();

    // scripts/lab ARGS; throws std::runtime_error with the output on failure.
    std::string run(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(120));
    ShellResult try_run(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(120));

    // One primary holding the VIP, the other nodes (but EXCEPT, dead and partitioned ones)
    // streaming from it (synchronously when there is one); returns the primary's name.
    std::string wait_stable(std::chrono::seconds limit, const std::vector<std::string>& except = {});

    // "primary", "standby" or "down", asked through the node's own socket.
    std::string role(const std::string& node);
    // Nodes whose interface holds the VIP.
    std::vector<std::string> vip_holders();
    // A connection through NODE's unix socket (works while the node is partitioned).
    pg::Connection connect(const std::string& node);
    // The live postmaster's pid, 0 when none.
    int postmaster_pid(const std::string& node) const;

    // Lines of NODE's pgfo.log whose event is EVENT (all lines when EVENT is empty).
    std::vector<std::string> events(const std::string& node, const std::string& event = "") const;
    // Those of them whose KEY is VALUE (e.g. state=FAULT).
    std::vector<std::string> events(const std::string& node, const std::string& event, const std::string& key,
                                    const std::string& value) const;
    // Entries of the node's directory whose name contains PART (data dirs moved aside).
    std::vector<std::string> node_entries(const std::string& node, const std::string& part) const;

    const std::string& dir() const { return m_dir; }
    std::vector<std::string> nodes() const;
    static std::string ip_of(const std::string& host);
    static constexpr const char* k_vip = "10.77.0.10";

    // Copies pgfo, keepalived, PostgreSQL and client logs into the log dir.
    void save_logs() const;

private:
    std::string m_dir;
    std::string m_log_dir;
    LabOptions m_options;
};

// The absolute path of a sibling build output (pgfo_writer) next to the pgfo binary.
std::string build_output(const std::string& relative);

}  // namespace pgfo::test
