#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "lab/lab.hpp"
#include "lab/lab_writer.hpp"
#include "lab/primary_sampler.hpp"
#include "test_dir.hpp"

namespace pgfo::test {

// One end-to-end scenario: a fresh lab, the writer writing through the VIP and the
// sampler watching every node's role, torn down in reverse order (also on failure; the
// logs, the writer's files and the sampler's timeline are kept in the test directory).
class LabScenario {
public:
    explicit LabScenario(LabOptions options = {});
    ~LabScenario();

    // Starts the sampler (once).
    void watch();
    // watch(), then starts the writer and waits until it has acknowledged writes.
    void begin();
    // Waits until the writer acknowledged a write sent after UNIX_MS (it writes again).
    void wait_writes_after(std::int64_t unix_ms, std::chrono::seconds limit = std::chrono::seconds(30));
    // Stops the writer and the sampler; call before the final checks.
    void end();

    // Every acknowledged id is on PRIMARY (CHECKed, with the missing ids in the message).
    void check_no_acked_write_lost(const std::string& primary);
    // At no tick did two nodes answer as primaries (CHECKed, with the timeline).
    void check_never_two_primaries();

    // Waits until NODE's pgfo.log holds EVENT; false after LIMIT.
    bool wait_event(const std::string& node, const std::string& event,
                    std::chrono::seconds limit = std::chrono::seconds(30));
    // Waits until NODE's pgfo.log holds a transition.* line for keepalived STATE after
    // SKIP earlier such lines.
    bool wait_transition(const std::string& node, const std::string& state, std::size_t skip = 0,
                         std::chrono::seconds limit = std::chrono::seconds(30));

    TestDir dir;
    Lab lab;
    LabWriter writer;
    PrimarySampler sampler;

private:
    bool m_ended = false;
    bool m_watching = false;
};

std::vector<std::pair<std::string, std::string>> lab_node_addresses(const Lab& lab);
// NODE's transition.* log lines for keepalived STATE (MASTER, BACKUP, FAULT, STOP).
std::vector<std::string> transitions(const Lab& lab, const std::string& node, const std::string& state);

}  // namespace pgfo::test
