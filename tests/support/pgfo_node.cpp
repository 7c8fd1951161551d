#include "pgfo_node.hpp"

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace pgfo::test {
namespace {

std::string quote(const std::string& value)
{
    return "\"" + value + "\"";
}

}  // namespace

PgfoNode PgfoNode::write(const std::string& dir, const std::string& name, const PgCluster& cluster,
                         const std::vector<std::string>& peers, const std::vector<std::string>& extra)
{
    PgfoNode node;
    node.name = name;
    node.config_path = dir + "/" + name + ".conf";
    node.state_dir = dir + "/" + name + "-state";
    node.log_file = dir + "/" + name + ".log";

    // Overrides of the form "section.key = value" replace the defaults below.
    std::map<std::string, std::map<std::string, std::string>> sections;
    std::vector<std::string> raw;
    std::string peer_list;
    for (const auto& peer : peers)
        peer_list += (peer_list.empty() ? "" : ", ") + quote(peer);
    sections["node"] = {{"name", quote(name)}, {"peers", "[" + peer_list + "]"}, {"state_dir", quote(node.state_dir)}};
    sections["postgres"] = {{"runtime", quote("pg_ctl")},
                            {"data_dir", quote(cluster.data_dir())},
                            {"bin_dir", quote(k_pg_bin_dir)},
                            {"os_user", quote("postgres")},
                            {"conninfo", quote(cluster.conninfo())},
                            {"replication_conninfo", quote("user=replicator")},
                            {"server_log", quote(cluster.log_file())}};
    sections["failover"] = {{"peer_wait", quote("3s")}};
    sections["timeouts"] = {{"connect", quote("2s")}, {"promote", quote("30s")}, {"stop", quote("30s")},
                            {"start", quote("30s")},  {"resync", quote("5m")},   {"lock", quote("2m")}};
    sections["log"] = {{"file", quote(node.log_file)}, {"level", quote("debug")}};
    for (const auto& line : extra) {
        auto eq = line.find(" = ");
        auto dot = line.find('.');
        if (line.rfind('[', 0) != 0 && eq != std::string::npos && dot != std::string::npos && dot < eq)
            sections[line.substr(0, dot)][line.substr(dot + 1, eq - dot - 1)] = line.substr(eq + 3);
        else
            raw.push_back(line);
    }
    std::ofstream out(node.config_path, std::ios::trunc);
    for (const auto& [section, keys] : sections) {
        out << "[" << section << "]\n";
        for (const auto& [key, value] : keys)
            out << key << " = " << value << "\n";
        out << "\n";
    }
    for (const auto& line : raw)
        out << line << "\n";
    out.close();
    ::chmod(node.config_path.c_str(), 0600);
    return node;
}

ShellResult PgfoNode::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const
{
    std::vector<std::string> argv = {PGFO_BINARY, "-c", config_path};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as("", argv, timeout);
}

std::vector<std::string> PgfoNode::log_lines() const
{
    return read_lines(log_file);
}

std::vector<std::string> PgfoNode::events(const std::string& event) const
{
    return log_events(log_file, event);
}

std::string read_text(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool PgfoNode::wait_event(const std::string& event, std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!has_event(event) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return has_event(event);
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::vector<std::string> log_events(const std::string& log_file, const std::string& event)
{
    std::vector<std::string> found;
    for (auto& line : read_lines(log_file))
        if (event.empty() || logfmt_value(line, "event") == event)
            found.push_back(std::move(line));
    return found;
}

std::string logfmt_value(const std::string& line, const std::string& key)
{
    const std::string needle = key + "=";
    std::size_t pos = 0;
    while ((pos = line.find(needle, pos)) != std::string::npos) {
        if (pos == 0 || line[pos - 1] == ' ')
            break;
        pos += needle.size();
    }
    if (pos == std::string::npos)
        return "";
    pos += needle.size();
    if (pos < line.size() && line[pos] == '"') {
        std::string value;
        for (++pos; pos < line.size() && line[pos] != '"'; ++pos) {
            if (line[pos] == '\\' && pos + 1 < line.size())
                ++pos;
            value += line[pos];
        }
        return value;
    }
    auto end = line.find(' ', pos);
    return line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace pgfo::test
