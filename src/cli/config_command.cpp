#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/config.hpp"
#include "util/config_check.hpp"
#include "util/error.hpp"

namespace pgfo::cli {
namespace {

bool readable_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

// Unlike Context::config(), reports every problem, then the host checks, before failing.
void check_config(Context& ctx)
{
    const std::string path = resolve_config_path(ctx.options.config_path);
    LoadedConfig loaded = load_config(path);
    std::vector<ConfigProblem> problems = std::move(loaded.problems);
    if (readable_file(path)) {
        auto environment = check_environment(loaded.config);
        problems.insert(problems.end(), environment.begin(), environment.end());
    }
    for (const auto& problem : problems)
        ctx.err() << "pgfo: " << problem.to_string() << "\n";
    if (!problems.empty())
        throw Failure(ErrorKind::config,
                      fmt::format("{} problem{} in {}", problems.size(), problems.size() == 1 ? "" : "s", path));
    if (!ctx.options.quiet)
        ctx.out() << path << ": ok\n";
}

} // namespace

void add_config_command(CLI::App& app, Context& ctx)
{
    auto* config = app.add_subcommand("config", "configuration: config check");
    config->require_subcommand(1);
    auto* check = config->add_subcommand(
        "check", "validate the config file, its permissions, the runtime's tools and paths; exit 2 on error");
    check->callback([&ctx] { check_config(ctx); });
}

} // namespace pgfo::cli
