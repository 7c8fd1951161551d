#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pg_cluster.hpp"
#include "shell.hpp"

namespace pgfo::test {

// A pgfo config for one test node whose server is CLUSTER, with state and log in DIR.
struct PgfoNode {
    std::string name;
    std::string config_path;
    std::string state_dir;
    std::string log_file;

    // Writes DIR/NAME.conf (mode 0600). EXTRA holds more TOML: whole sections, or lines that
    // override keys of [failover] and [timeouts] (given as "section.key = value").
    static PgfoNode write(const std::string& dir, const std::string& name, const PgCluster& cluster,
                          const std::vector<std::string>& peers, const std::vector<std::string>& extra = {});

    // Runs the pgfo binary with this config (stdin /dev/null, own process group).
    ShellResult run(const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;
    // The log file's lines.
    std::vector<std::string> log_lines() const;
    // Lines of the log whose event= is EVENT.
    std::vector<std::string> events(const std::string& event) const;
    bool has_event(const std::string& event) const { return !events(event).empty(); }
    // Polls the log until it has EVENT or TIMEOUT passes; whether it has it.
    bool wait_event(const std::string& event, std::chrono::milliseconds timeout) const;
};

// Value of KEY in one logfmt line ("" when absent); handles quoted values.
std::string logfmt_value(const std::string& line, const std::string& key);

// The content of the file PATH; "" when it cannot be read.
std::string read_text(const std::string& path);

// The lines of the file PATH; none when it cannot be read.
std::vector<std::string> read_lines(const std::string& path);

// The lines of the pgfo log LOG_FILE whose event= is EVENT (every line when EVENT is "").
std::vector<std::string> log_events(const std::string& log_file, const std::string& event);

}  // namespace pgfo::test
