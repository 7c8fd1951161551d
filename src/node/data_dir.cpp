#include "node/data_dir.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <regex>
#include <sstream>
#include <vector>

#include "util/files.hpp"
#include "util/user.hpp"

namespace pgfo::node {

SavedFiles save_config_files(const std::string& data_dir)
{
    SavedFiles files;
    for (const char* name : k_node_config_files) {
        auto content = util::read_file(data_dir + "/" + name);
        if (content.ok())
            files[name] = content.value();
    }
    return files;
}

Status restore_config_files(const std::string& data_dir, const SavedFiles& files, const std::string& os_user)
{
    for (const auto& [name, content] : files) {
        auto written = write_owned_file(data_dir + "/" + name, content, os_user, 0600);
        if (!written.ok())
            return written;
    }
    return ok_status();
}

Status chown_to_user(const std::string& path, const std::string& os_user)
{
    if (os_user.empty())
        return ok_status();
    auto user = util::lookup_user(os_user);
    if (!user.ok())
        return make_error(ErrorKind::config, "os_user " + os_user + " does not exist");
    if (::chown(path.c_str(), user->uid, user->gid) != 0)
        return make_error(ErrorKind::failed, "could not give " + path + " to " + os_user);
    return ok_status();
}

Status write_owned_file(const std::string& path, const std::string& content, const std::string& os_user, unsigned mode)
{
    auto written = util::write_file_atomic(path, content, static_cast<mode_t>(mode));
    if (!written.ok())
        return written;
    return chown_to_user(path, os_user);
}

std::string set_conf_setting(const std::string& content, const std::string& key, const std::string& value)
{
    std::istringstream in(content);
    std::string line;
    std::string out;
    const std::regex setting("^\\s*" + key + "\\s*=");
    while (std::getline(in, line))
        if (!std::regex_search(line, setting))
            out += line + "\n";
    std::string quoted;
    for (char c : value) {
        if (c == '\'')
            quoted += "''";
        else
            quoted += c;
    }
    out += key + " = '" + quoted + "'\n";
    return out;
}

std::map<std::string, std::string> parse_controldata(const std::string& output)
{
    std::map<std::string, std::string> fields;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        auto start = value.find_first_not_of(" \t");
        fields[key] = start == std::string::npos ? "" : value.substr(start);
    }
    return fields;
}

std::optional<pg::Lsn> parse_rewind_divergence(const std::string& output)
{
    static const std::regex diverged("servers diverged at WAL location ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");
    std::smatch match;
    if (!std::regex_search(output, match, diverged))
        return std::nullopt;
    return pg::parse_lsn(match[1].str());
}

std::string aside_path(const std::string& data_dir)
{
    std::string dir = data_dir;
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::string path = dir + ".pgfo-" + stamp;
    for (int n = 2; util::path_exists(path); ++n)
        path = dir + ".pgfo-" + stamp + "-" + std::to_string(n);
    return path;
}

}  // namespace pgfo::node
