#include "help_tree.hpp"

#include <sstream>
#include <stdexcept>

#include "cli_runner.hpp"

namespace pgfo::test {
namespace {

std::string first_word(const std::string& line)
{
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos)
        return {};
    const auto end = line.find(' ', start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string CommandHelp::name() const
{
    std::string text = "pgfo";
    for (const auto& word : path)
        text += " " + word;
    return text;
}

CommandHelp parse_help(const std::string& text, std::vector<std::string> path)
{
    CommandHelp help;
    help.path = std::move(path);
    enum class Section { none, options, subcommands } section = Section::none;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) {
            section = Section::none;
        } else if (line == "Options:") {
            section = Section::options;
        } else if (line == "Subcommands:") {
            section = Section::subcommands;
        } else if (line.rfind("  ", 0) == 0 && line.find_first_not_of(' ') == 2) {
            const std::string word = first_word(line);
            if (section == Section::subcommands) {
                help.subcommands.push_back(word);
            } else if (section == Section::options) {
                std::istringstream spellings(word);
                std::string spelling;
                while (std::getline(spellings, spelling, ','))
                    help.options.insert(spelling);
            }
        }
    }
    return help;
}

std::vector<CommandHelp> help_tree()
{
    std::vector<CommandHelp> tree;
    std::vector<std::vector<std::string>> pending = {{}};
    while (!pending.empty()) {
        std::vector<std::string> path = pending.front();
        pending.erase(pending.begin());
        std::vector<std::string> args = path;
        args.push_back("--help");
        const CliResult result = run_cli(args);
        if (result.code != 0)
            throw std::runtime_error("pgfo --help failed for a command: " + result.err);
        CommandHelp help = parse_help(result.out, path);
        for (const auto& sub : help.subcommands) {
            auto child = path;
            child.push_back(sub);
            pending.push_back(child);
        }
        tree.push_back(std::move(help));
    }
    return tree;
}

}  // namespace pgfo::test
