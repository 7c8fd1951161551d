#include "cli/self_exec.hpp"

#include <unistd.h>

namespace pgfo::cli {

std::string self_executable()
{
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return "pgfo";
    path[n] = '\0';
    return path;
}

}  // namespace pgfo::cli
