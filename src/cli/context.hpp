#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/config.hpp"
#include "util/log.hpp"

namespace pgfo::cli {

struct GlobalOptions {
    std::string config_path;  // -c; empty: $PGFO_CONFIG, then /etc/pgfo/pgfo.conf
    bool dry_run = false;
    bool verbose = false;
    bool quiet = false;
};

// What every command runs with: global options, the config (loaded on first use)
// and the log (opened on first use, one tx id per run).
class Context {
public:
    Context(std::ostream& out, std::ostream& err) : m_out(out), m_err(err) {}

    GlobalOptions options;
    std::vector<std::string> argv;  // as the program was called

    // Loads and validates the config; throws Failure(config) naming the first problem.
    const Config& config();
    bool config_loaded() const { return m_config.has_value(); }
    // Overrides the config (tests, and commands that build one).
    void set_config(Config config) { m_config = std::move(config); }

    util::Logger& logger();
    const std::string& tx();

    std::ostream& out() { return m_out; }
    std::ostream& err() { return m_err; }

    // Exit code chosen by the command that ran (0 unless it sets one).
    int exit_code = 0;

private:
    std::ostream& m_out;
    std::ostream& m_err;
    std::optional<Config> m_config;
    std::unique_ptr<util::Logger> m_logger;
    std::string m_tx;
};

}  // namespace pgfo::cli
