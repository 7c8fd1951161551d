#include "lab/scenario.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "pgfo_node.hpp"

namespace pgfo::test {
namespace {

using namespace std::chrono_literals;

std::string join_ids(const std::vector<std::int64_t>& ids, std::size_t limit)
{
    std::ostringstream out;
    for (std::size_t i = 0; i < ids.size() && i < limit; ++i)
        out << (i ? " " : "") << ids[i];
    if (ids.size() > limit)
        out << " ...";
    return out.str();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> lab_node_addresses(const Lab& lab)
{
    std::vector<std::pair<std::string, std::string>> nodes;
    for (const auto& node : lab.nodes())
        nodes.emplace_back(node, Lab::ip_of(node));
    return nodes;
}

LabScenario::LabScenario(LabOptions options)
    : lab(dir / "lab", dir / "logs", options), writer(lab, lab.dir() + "/client"), sampler(lab_node_addresses(lab))
{
}

LabScenario::~LabScenario()
{
    end();
}

void LabScenario::watch()
{
    if (!m_watching)
        sampler.start();
    m_watching = true;
}

void LabScenario::begin()
{
    watch();
    writer.start();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (writer.acked().size() < 20) {
        if (std::chrono::steady_clock::now() > deadline)
            FAIL("the writer acknowledged no writes through the VIP within 20 s; see " + writer.dir() + "/writer.log");
        std::this_thread::sleep_for(100ms);
    }
}

void LabScenario::wait_writes_after(std::int64_t unix_ms, std::chrono::seconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (writer.acked_after(unix_ms) < 20) {
        if (std::chrono::steady_clock::now() > deadline) {
            FAIL("the writer did not write again through the VIP within " << limit.count() << " s");
        }
        std::this_thread::sleep_for(100ms);
    }
}

void LabScenario::end()
{
    if (m_ended)
        return;
    m_ended = true;
    const std::string summary = writer.stop();
    sampler.stop();
    std::filesystem::create_directories(dir / "logs");
    std::ofstream(dir / "logs/sampler-timeline.txt") << sampler.timeline();
    std::ofstream(dir / "logs/writer-summary.txt") << summary << "\n";
}

void LabScenario::check_no_acked_write_lost(const std::string& primary)
{
    end();
    const auto acked = writer.acked();
    INFO("writer: " << acked.size() << " acknowledged writes");
    CHECK(acked.size() > 0);
    const auto missing = writer.missing_on(lab, primary);
    INFO("acknowledged ids missing on " << primary << ": " << join_ids(missing, 20));
    CHECK(missing.empty());
}

void LabScenario::check_never_two_primaries()
{
    end();
    const auto overlaps = sampler.overlaps();
    std::ostringstream text;
    for (const auto& overlap : overlaps)
        text << overlap.nodes << " both primary for " << overlap.length_ms << " ms at unix ms " << overlap.start_ms
             << "\n";
    INFO("sampled " << sampler.tick_count() << " ticks; overlaps:\n"
                    << text.str() << "timeline:\n"
                    << sampler.timeline());
    CHECK(sampler.tick_count() > 10);
    CHECK(overlaps.empty());
}

bool LabScenario::wait_event(const std::string& node, const std::string& event, std::chrono::seconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (lab.events(node, event).empty()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

}  // namespace pgfo::test

namespace pgfo::test {

std::vector<std::string> transitions(const Lab& lab, const std::string& node, const std::string& state)
{
    std::vector<std::string> found;
    for (const auto& line : lab.events(node))
        if (logfmt_value(line, "event").rfind("transition.", 0) == 0 && logfmt_value(line, "state") == state)
            found.push_back(line);
    return found;
}

bool LabScenario::wait_transition(const std::string& node, const std::string& state, std::size_t skip,
                                  std::chrono::seconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (transitions(lab, node, state).size() <= skip) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

}  // namespace pgfo::test
