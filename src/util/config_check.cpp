#include "util/config_check.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string_view>

#include "util/files.hpp"
#include "util/program.hpp"
#include "util/user.hpp"

namespace pgfo {
namespace {

bool is_directory(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool is_executable_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The executable NAME resolves to: itself when it holds a slash, else the first hit on $PATH.
std::optional<std::string> find_program(const std::string& name)
{
    if (name.find('/') != std::string::npos)
        return is_executable_file(name) ? std::optional(name) : std::nullopt;
    const char* env = std::getenv("PATH");
    const std::string_view path = env && *env ? env : util::k_default_path;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find(':', start);
        if (end == std::string_view::npos)
            end = path.size();
        std::string dir(path.substr(start, end - start));
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (is_executable_file(candidate))
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

bool user_exists(const std::string& name)
{
    return util::lookup_user(name).ok();
}

class EnvironmentCheck {
public:
    explicit EnvironmentCheck(const Config& config) : m_config(config) {}

    std::vector<ConfigProblem> run()
    {
        const PostgresConfig& pg = m_config.postgres;
        existing_directory("postgres.data_dir", pg.data_dir);
        const bool tools_on_host = pg.runtime != RuntimeKind::compose || m_config.compose.tools == "host";
        if (tools_on_host && existing_directory("postgres.bin_dir", pg.bin_dir)) {
            if (pg.runtime == RuntimeKind::pg_ctl)
                executable("postgres.bin_dir", pg.bin_dir + "/pg_ctl");
            for (const char* tool : {"pg_rewind", "pg_basebackup", "pg_controldata"})
                executable("postgres.bin_dir", pg.bin_dir + "/" + tool);
        }
        if (pg.runtime == RuntimeKind::compose)
            compose();
        if (pg.runtime == RuntimeKind::systemd && !find_program("systemctl"))
            report("systemctl not found on PATH; hint: postgres.runtime \"systemd\" needs systemd");
        creatable_directory("node.state_dir", m_config.node.state_dir);
        if (!m_config.log.file.empty())
            creatable_directory("log.file", util::parent_dir(m_config.log.file));
        if (!m_config.check.track_file.empty())
            creatable_directory("check.track_file", util::parent_dir(m_config.check.track_file));
        if (!pg.os_user.empty() && !user_exists(pg.os_user))
            report(fmt::format("postgres.os_user: no such user \"{}\"; hint: create it or set os_user", pg.os_user));
        return std::move(m_problems);
    }

private:
    void report(std::string message) { m_problems.push_back({m_config.path, 0, std::move(message)}); }

    bool existing_directory(const std::string& key, const std::string& dir)
    {
        if (dir.empty())
            return false;
        if (is_directory(dir))
            return true;
        if (exists(dir))
            report(fmt::format("{}: {} is not a directory", key, dir));
        else
            report(fmt::format("{}: directory {} does not exist; hint: create it or fix {}", key, dir, key));
        return false;
    }

    void executable(const std::string& key, const std::string& path)
    {
        if (is_executable_file(path))
            return;
        if (exists(path))
            report(fmt::format("{}: {} is not an executable file; hint: chmod +x {}", key, path, path));
        else
            report(fmt::format("{}: {} does not exist; hint: install the PostgreSQL server package or fix {}", key,
                               path, key));
    }

    void compose()
    {
        const ComposeConfig& compose = m_config.compose;
        if (auto command = util::resolve_command(compose.command, "compose.command"); !command.ok())
            report(command.error().message);
        for (const auto& [key, file] : {std::pair{"compose.primary_file", &compose.primary_file},
                                        {"compose.standby_file", &compose.standby_file}})
            if (!file->empty() && !exists(*file))
                report(fmt::format("{}: {} does not exist", key, *file));
    }

    // DIR exists and is writable, or its nearest existing ancestor is a writable directory.
    void creatable_directory(const std::string& key, const std::string& dir)
    {
        if (dir.empty())
            return;
        if (exists(dir)) {
            if (!is_directory(dir))
                report(fmt::format("{}: {} is not a directory", key, dir));
            else if (::access(dir.c_str(), W_OK) != 0)
                report(fmt::format("{}: directory {} is not writable", key, dir));
            return;
        }
        std::string ancestor = util::parent_dir(dir);
        while (!exists(ancestor) && ancestor != "/" && ancestor != ".")
            ancestor = util::parent_dir(ancestor);
        if (!is_directory(ancestor))
            report(fmt::format("{}: cannot create {}: {} is not a directory", key, dir, ancestor));
        else if (::access(ancestor.c_str(), W_OK) != 0)
            report(fmt::format("{}: cannot create {}: {} is not writable", key, dir, ancestor));
    }

    const Config& m_config;
    std::vector<ConfigProblem> m_problems;
};

}  // namespace

std::vector<ConfigProblem> check_environment(const Config& config)
{
    return EnvironmentCheck(config).run();
}

}  // namespace pgfo
