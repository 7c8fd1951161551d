// man/pgfo.1 and docs/config.md against what the program really accepts: the
// commands and options of `--help`, the config key table, the exit codes.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "help_tree.hpp"
#include "util/config.hpp"
#include "util/error.hpp"
#include "util/subprocess.hpp"

using namespace pgfo::test;

namespace {

const std::string k_man_page = std::string(PGFO_SOURCE_DIR) + "/man/pgfo.1";
const std::string k_config_doc = std::string(PGFO_SOURCE_DIR) + "/docs/config.md";

std::string read_text(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to)
{
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// Roff to plain words: font escapes dropped, \- as -, quotes of macro arguments dropped.
std::string plain(std::string line)
{
    for (const char* font : {"\\fB", "\\fI", "\\fR", "\\fP"})
        replace_all(line, font, "");
    replace_all(line, "\\-", "-");
    replace_all(line, "\"", "");
    for (const char* macro : {".BR ", ".BI ", ".IR ", ".RB ", ".RI ", ".IB ", ".B ", ".I ", ".SS ", ".SH "})
        if (line.rfind(macro, 0) == 0)
            return line.substr(std::string(macro).size());
    return line;
}

std::vector<std::string> words(const std::string& text)
{
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string word; in >> word;)
        result.push_back(word);
    return result;
}

// "--since" from "--since", "-n," and "[--connect]"; empty when the word is not an option.
std::string option_in(std::string word)
{
    while (!word.empty() && (word.back() == ',' || word.back() == ']'))
        word.pop_back();
    while (!word.empty() && word.front() == '[')
        word.erase(0, 1);
    static const std::regex option("--?[A-Za-z][A-Za-z0-9-]*");
    return std::regex_match(word, option) ? word : "";
}

// The man page as the test sees it: for each .SH section, each .SS heading and the
// tags of its .TP paragraphs.
struct ManPage {
    std::string title_line;
    // section -> subsection heading ("" before the first .SS) -> .TP tags
    std::map<std::string, std::map<std::string, std::vector<std::string>>> tags;

    explicit ManPage(const std::string& text)
    {
        std::istringstream lines(text);
        std::string line;
        std::string section;
        std::string subsection;
        bool tag_next = false;
        while (std::getline(lines, line)) {
            if (line.rfind(".TH ", 0) == 0) {
                title_line = line;
            } else if (line.rfind(".SH ", 0) == 0) {
                section = plain(line);
                subsection.clear();
                tags[section][subsection];
            } else if (line.rfind(".SS ", 0) == 0) {
                subsection = plain(line);
                tags[section][subsection];
            } else if (line == ".TP") {
                tag_next = true;
            } else if (tag_next && line.rfind(".\\\"", 0) != 0) {
                tags[section][subsection].push_back(plain(line));
                tag_next = false;
            }
        }
    }

    // Options named in the .TP tags of one (sub)section.
    std::set<std::string> options(const std::string& section, const std::string& subsection) const
    {
        std::set<std::string> found;
        for (const auto& tag : tags.at(section).at(subsection))
            for (const auto& word : words(tag))
                if (auto option = option_in(word); !option.empty())
                    found.insert(option);
        return found;
    }

    // The command a COMMANDS subsection documents: its leading lowercase words.
    static std::string command_of(const std::string& heading)
    {
        static const std::regex command_word("[a-z]+");
        std::string command;
        for (const auto& word : words(heading)) {
            if (!std::regex_match(word, command_word))
                break;
            command += (command.empty() ? "" : " ") + word;
        }
        return command;
    }

    std::map<std::string, std::string> command_headings() const
    {
        std::map<std::string, std::string> commands;
        for (const auto& [heading, unused] : tags.at("COMMANDS"))
            if (!heading.empty())
                commands[command_of(heading)] = heading;
        return commands;
    }
};

std::string command_of(const CommandHelp& help)
{
    std::string command;
    for (const auto& word : help.path)
        command += (command.empty() ? "" : " ") + word;
    return command;
}

std::set<std::string> without_help(std::set<std::string> options)
{
    options.erase("-h");
    options.erase("--help");
    return options;
}

std::string joined(const std::set<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : " ") + item;
    return text;
}

std::set<std::string> difference(const std::set<std::string>& a, const std::set<std::string>& b)
{
    std::set<std::string> result;
    for (const auto& item : a)
        if (!b.count(item))
            result.insert(item);
    return result;
}

}  // namespace

TEST_CASE("the help tree is read: every contract command, with its options")
{
    const auto tree = help_tree();
    std::set<std::string> leaves;
    for (const auto& help : tree)
        if (!help.path.empty() && help.is_leaf())
            leaves.insert(command_of(help));
    for (const char* command :
         {"notify", "check", "promote", "demote", "status", "log", "pause", "resume", "config check", "alert test"})
        CHECK(leaves.count(command) == 1);
    CHECK(tree.front().options.count("--dry-run") == 1);
    CHECK(tree.front().options.count("-c") == 1);
}

TEST_CASE("every command of --help has a section in the man page, and every section a command")
{
    const ManPage man(read_text(k_man_page));
    const auto headings = man.command_headings();
    std::set<std::string> in_help;
    for (const auto& help : help_tree()) {
        if (help.path.empty() || !help.is_leaf())
            continue;
        in_help.insert(command_of(help));
        INFO("missing from man/pgfo.1 COMMANDS: " << help.name());
        CHECK(headings.count(command_of(help)) == 1);
    }
    for (const auto& [command, heading] : headings) {
        INFO("man/pgfo.1 documents a command --help does not list: " << heading);
        CHECK(in_help.count(command) == 1);
    }
}

TEST_CASE("the options of each command are the same in --help and in the man page")
{
    const ManPage man(read_text(k_man_page));
    const auto headings = man.command_headings();
    for (const auto& help : help_tree()) {
        if (help.path.empty())
            continue;
        const auto in_help = without_help(help.options);
        if (!help.is_leaf()) {
            INFO(help.name() << " has options of its own; document them and extend this test: " << joined(in_help));
            CHECK(in_help.empty());
            continue;
        }
        const auto heading = headings.find(command_of(help));
        if (heading == headings.end())
            continue;  // reported by the test above
        const auto in_man = man.options("COMMANDS", heading->second);
        INFO("in --help of " << help.name() << " but not in its man section: " << joined(difference(in_help, in_man)));
        INFO("in the man section of " << help.name() << " but not in --help: " << joined(difference(in_man, in_help)));
        CHECK(in_man == in_help);
    }
}

TEST_CASE("the global options are the same in --help and in the man page's OPTIONS")
{
    const ManPage man(read_text(k_man_page));
    const auto in_help = help_tree().front().options;
    const auto in_man = man.options("OPTIONS", "");
    INFO("in pgfo --help but not in OPTIONS: " << joined(difference(in_help, in_man)));
    INFO("in OPTIONS but not in pgfo --help: " << joined(difference(in_man, in_help)));
    CHECK(in_man == in_help);
}

TEST_CASE("the man page's CONFIGURATION lists exactly the keys of the config table")
{
    const ManPage man(read_text(k_man_page));
    std::set<std::string> in_man;
    for (const auto& [heading, tags] : man.tags.at("CONFIGURATION")) {
        if (heading.empty())
            continue;
        REQUIRE(heading.front() == '[');
        REQUIRE(heading.back() == ']');
        const std::string section = heading.substr(1, heading.size() - 2);
        for (const auto& tag : tags)
            in_man.insert(section + "." + words(tag).at(0));
    }
    const auto names = pgfo::config_key_names();
    const std::set<std::string> in_table(names.begin(), names.end());
    INFO("config keys missing from man/pgfo.1: " << joined(difference(in_table, in_man)));
    INFO("keys in man/pgfo.1 the config parser does not know: " << joined(difference(in_man, in_table)));
    CHECK(in_man == in_table);
}

TEST_CASE("docs/config.md documents every config key in its section's table")
{
    const std::string doc = read_text(k_config_doc);
    std::set<std::string> in_doc;
    std::string section;
    std::istringstream lines(doc);
    static const std::regex heading("^### \\[([a-z]+)\\]");
    static const std::regex row("^\\| `([a-z_]+)` \\|");
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, heading))
            section = match[1];
        else if (line.rfind("## ", 0) == 0)
            section.clear();
        else if (!section.empty() && std::regex_search(line, match, row))
            in_doc.insert(section + "." + match[1].str());
    }
    const auto names = pgfo::config_key_names();
    const std::set<std::string> in_table(names.begin(), names.end());
    INFO("config keys missing from docs/config.md: " << joined(difference(in_table, in_doc)));
    INFO("keys in docs/config.md the config parser does not know: " << joined(difference(in_doc, in_table)));
    CHECK(in_doc == in_table);
}

TEST_CASE("the man page's EXIT STATUS lists every exit code the program uses")
{
    const ManPage man(read_text(k_man_page));
    std::set<std::string> in_man;
    for (const auto& tag : man.tags.at("EXIT STATUS").at(""))
        in_man.insert(tag);
    std::set<std::string> used = {"0"};
    for (auto kind : {pgfo::ErrorKind::failed, pgfo::ErrorKind::usage, pgfo::ErrorKind::config,
                      pgfo::ErrorKind::refused, pgfo::ErrorKind::timeout})
        used.insert(std::to_string(pgfo::exit_code(kind)));
    CHECK(in_man == used);
}

TEST_CASE("the man page names the version of the program and the files and environment it uses")
{
    const std::string text = read_text(k_man_page);
    const ManPage man(text);
    CHECK(man.title_line.find(std::string("\"pgfo ") + PGFO_VERSION + "\"") != std::string::npos);
    std::set<std::string> files;
    for (const auto& tag : man.tags.at("FILES").at(""))
        files.insert(tag);
    for (const char* file : {"/etc/pgfo/pgfo.conf", "/var/lib/pgfo/lock", "/var/lib/pgfo/requested",
                             "/var/lib/pgfo/paused", "/var/lib/pgfo/last", "/var/log/pgfo/pgfo.log"})
        CHECK(files.count(file) == 1);
    pgfo::Config defaults;
    CHECK(files.count(defaults.node.state_dir + "/lock") == 1);
    CHECK(files.count(defaults.log.file) == 1);
    CHECK(man.tags.at("ENVIRONMENT").at("") == std::vector<std::string>{"PGFO_CONFIG"});
}

TEST_CASE("the man page renders without groff warnings")
{
    pgfo::util::Command command;
    command.argv = {"groff", "-man", "-Tutf8", "-ww", "-z", k_man_page};
    const auto result = pgfo::util::run_process(command);
    if (result.status == pgfo::util::ProcessResult::Status::exec_failed) {
        WARN("groff is not installed; not rendered");
        return;
    }
    INFO(result.err);
    CHECK(result.succeeded());
    CHECK(result.err.empty());
}

TEST_CASE("the man page parser finds a missing option and a stale one")
{
    const ManPage man(".SH OPTIONS\n.TP\n.BR \\-c \", \" \\-\\-config \" \\fIFILE\\fR\"\n.TP\n.B \\-\\-gone\n"
                      ".SH COMMANDS\n.SS \"log [\\-n \\fIN\\fR]\"\n.TP\n.BR \\-n \", \" \\-\\-lines \" \\fIN\\fR\"\n");
    CHECK(man.options("OPTIONS", "") == std::set<std::string>{"-c", "--config", "--gone"});
    CHECK(man.command_headings().count("log") == 1);
    CHECK(man.options("COMMANDS", "log [-n N]") == std::set<std::string>{"-n", "--lines"});
}
