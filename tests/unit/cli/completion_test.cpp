// completions/pgfo.bash in a real bash: COMP_WORDS/COMP_CWORD set as bash would,
// the completion function called, COMPREPLY read back; compared with `--help`.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "help_tree.hpp"
#include "test_dir.hpp"
#include "util/subprocess.hpp"

using namespace pgfo::test;

namespace {

const std::string k_completion = std::string(PGFO_SOURCE_DIR) + "/completions/pgfo.bash";

std::string shell_quote(const std::string& word)
{
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// What bash completes for WORDS (the last one is the word being completed), run in CWD.
std::set<std::string> complete(const std::vector<std::string>& words, const std::string& cwd = "/")
{
    std::string array;
    std::string line;
    for (const auto& word : words) {
        array += " " + shell_quote(word);
        line += (line.empty() ? "" : " ") + word;
    }
    // The function is the one `complete -p pgfo` names, as bash itself would look it up.
    const std::string script = "source " + shell_quote(k_completion) +
                               " || exit 90\n"
                               "spec=$(complete -p pgfo) || exit 91\n"
                               "function=${spec#*-F }; function=${function%% *}\n"
                               "COMP_WORDS=(" +
                               array +
                               ")\n"
                               "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                               "COMP_LINE=" +
                               shell_quote(line) +
                               "\n"
                               "COMP_POINT=${#COMP_LINE}\n"
                               "COMPREPLY=()\n"
                               "\"$function\" pgfo \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                               "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    pgfo::util::Command command;
    command.argv = {"/bin/bash", "--norc", "--noprofile", "-c", script};
    command.cwd = cwd;
    command.timeout = std::chrono::seconds(20);
    const auto result = pgfo::util::run_process(command);
    if (!result.succeeded())
        throw std::runtime_error("bash completion failed: " + result.describe_with_stderr());
    std::set<std::string> offered;
    std::istringstream lines(result.out);
    for (std::string item; std::getline(lines, item);)
        if (!item.empty())
            offered.insert(item);
    return offered;
}

std::string joined(const std::set<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : " ") + item;
    return text;
}

std::set<std::string> dashed(const std::set<std::string>& options)
{
    std::set<std::string> result;
    for (const auto& option : options)
        if (option.rfind("-", 0) == 0)
            result.insert(option);
    return result;
}

}  // namespace

TEST_CASE("completing the first word offers exactly the commands of --help")
{
    const auto root = help_tree().front();
    const std::set<std::string> commands(root.subcommands.begin(), root.subcommands.end());
    REQUIRE(commands.size() >= 10);
    CHECK(complete({"pgfo", ""}) == commands);
    CHECK(complete({"pgfo", "pro"}) == std::set<std::string>{"promote"});
    CHECK(complete({"pgfo", "-c", "/etc/pgfo/pgfo.conf", "--dry-run", ""}) == commands);
    CHECK(complete({"pgfo", "--config", "=", "/x.conf", "-v", "st"}) == std::set<std::string>{"status"});
}

TEST_CASE("completing an option before the command offers exactly the global options of --help")
{
    const auto root = help_tree().front();
    CHECK(complete({"pgfo", "-"}) == root.options);
    CHECK(complete({"pgfo", "--d"}) == std::set<std::string>{"--dry-run"});
}

TEST_CASE("completing an option of a command offers exactly that command's options of --help")
{
    for (const auto& help : help_tree()) {
        if (help.path.empty())
            continue;
        std::vector<std::string> words = {"pgfo"};
        words.insert(words.end(), help.path.begin(), help.path.end());
        words.push_back("-");
        const auto offered = complete(words);
        INFO(help.name() << " --help: " << joined(help.options) << "; completion: " << joined(offered));
        CHECK(offered == dashed(help.options));
    }
}

TEST_CASE("the subcommands of config and alert are offered")
{
    for (const auto& help : help_tree()) {
        if (help.path.empty() || help.is_leaf())
            continue;
        std::vector<std::string> words = {"pgfo"};
        words.insert(words.end(), help.path.begin(), help.path.end());
        words.push_back("");
        INFO(help.name());
        CHECK(complete(words) == std::set<std::string>(help.subcommands.begin(), help.subcommands.end()));
    }
    CHECK(complete({"pgfo", "config", "ch"}) == std::set<std::string>{"check"});
    CHECK(complete({"pgfo", "alert", "t"}) == std::set<std::string>{"test"});
}

TEST_CASE("notify offers keepalived's TYPE words, then after the instance name its STATE words")
{
    CHECK(complete({"pgfo", "notify", ""}) == std::set<std::string>{"INSTANCE", "GROUP"});
    CHECK(complete({"pgfo", "-c", "/etc/pgfo/pgfo.conf", "notify", "G"}) == std::set<std::string>{"GROUP"});
    CHECK(complete({"pgfo", "notify", "INSTANCE", ""}).empty());
    CHECK(complete({"pgfo", "notify", "INSTANCE", "VI_1", ""}) ==
          std::set<std::string>{"MASTER", "BACKUP", "FAULT", "STOP", "DELETED"});
    CHECK(complete({"pgfo", "notify", "GROUP", "G1", "B"}) == std::set<std::string>{"BACKUP"});
    CHECK(complete({"pgfo", "notify", "INSTANCE", "VI_1", "MASTER", ""}).empty());
}

TEST_CASE("log --level offers the log levels")
{
    CHECK(complete({"pgfo", "log", "--level", ""}) == std::set<std::string>{"debug", "info", "warn", "error"});
    CHECK(complete({"pgfo", "log", "-n", ""}).empty());
}

TEST_CASE("file names are completed after -c and --config")
{
    TestDir dir;
    dir.write("pgfo.conf", "");
    dir.write("pgfo-b.conf", "");
    dir.write("other.txt", "");
    CHECK(complete({"pgfo", "-c", "pgfo"}, dir.path()) == std::set<std::string>{"pgfo.conf", "pgfo-b.conf"});
    CHECK(complete({"pgfo", "--config", "oth"}, dir.path()) == std::set<std::string>{"other.txt"});
    CHECK(complete({"pgfo", "--config", "=", "pgfo-"}, dir.path()) == std::set<std::string>{"pgfo-b.conf"});
    CHECK(complete({"pgfo", "-c", dir / "oth"}) == std::set<std::string>{dir / "other.txt"});
}
