#pragma once

#include <set>
#include <string>
#include <vector>

namespace pgfo::test {

// One node of the command tree as `pgfo [PATH...] --help` prints it.
struct CommandHelp {
    std::vector<std::string> path;         // empty for pgfo itself; {"config", "check"}
    std::set<std::string> options;         // every spelling: "-n", "--lines", "-h", "--help"
    std::vector<std::string> subcommands;  // names listed under "Subcommands:"

    std::string name() const;  // "pgfo config check"
    bool is_leaf() const { return subcommands.empty(); }
};

// Parses CLI11's help text: the "Options:" and "Subcommands:" sections.
CommandHelp parse_help(const std::string& text, std::vector<std::string> path);

// The whole tree, read from `--help` of every command through the in-process CLI; root first.
std::vector<CommandHelp> help_tree();

}  // namespace pgfo::test
