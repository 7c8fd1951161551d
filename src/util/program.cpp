#include "util/program.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string_view>

namespace pgfo::util {
namespace {

bool is_executable_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> search(std::string_view path, const std::string& program)
{
    std::size_t start = 0;
    while (start < path.size()) {
        auto end = path.find(':', start);
        if (end == std::string_view::npos)
            end = path.size();
        const std::string dir(path.substr(start, end - start));
        if (!dir.empty() && dir.front() == '/' && is_executable_file(dir + "/" + program))
            return dir + "/" + program;
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> resolve_program(const std::string& program)
{
    if (program.empty())
        return std::nullopt;
    if (program.find('/') != std::string::npos)
        return is_executable_file(program) ? std::optional(program) : std::nullopt;
    if (const char* path = std::getenv("PATH"); path && *path)
        if (auto found = search(path, program))
            return found;
    return search(k_default_path, program);
}

Result<ResolvedCommand> resolve_command(const std::string& command, const std::string& key)
{
    ResolvedCommand resolved;
    std::istringstream in(command);
    for (std::string word; in >> word;) {
        const auto eq = word.find('=');
        if (resolved.argv.empty() && eq != std::string::npos && eq > 0 && word.find('/') > eq)
            resolved.env[word.substr(0, eq)] = word.substr(eq + 1);
        else
            resolved.argv.push_back(word);
    }
    if (resolved.argv.empty())
        return make_error(ErrorKind::config, key + " names no program");
    auto program = resolve_program(resolved.argv.front());
    if (!program)
        return make_error(ErrorKind::config, key + ": " + resolved.argv.front() + " not found on PATH or in " +
                                                 k_default_path + "; hint: install it or give an absolute path");
    resolved.argv.front() = *program;
    return resolved;
}

ProcessResult run_program(std::vector<std::string> argv, std::map<std::string, std::string> env,
                          std::chrono::milliseconds timeout)
{
    Command command;
    command.argv = std::move(argv);
    command.env = std::move(env);
    if (!std::getenv("PATH"))
        command.env["PATH"] = k_default_path;
    command.cwd = "/";
    command.timeout = timeout;
    return run_process(command);
}

}  // namespace pgfo::util
