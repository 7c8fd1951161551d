#include "runtime/program.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string_view>

namespace pgfo::runtime {
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

Result<std::vector<std::string>> resolve_command(const std::string& command, const std::string& key)
{
    std::vector<std::string> words;
    std::istringstream in(command);
    for (std::string word; in >> word;)
        words.push_back(word);
    if (words.empty())
        return make_error(ErrorKind::config, key + " is empty");
    auto program = resolve_program(words.front());
    if (!program)
        return make_error(ErrorKind::config, key + ": " + words.front() + " not found on PATH or in " + k_default_path +
                                                 "; hint: install it or give an absolute path");
    words.front() = *program;
    return words;
}

}  // namespace pgfo::runtime
