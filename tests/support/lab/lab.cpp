#include "lab/lab.hpp"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "pgfo_node.hpp"

namespace pgfo::test {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback)
{
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

std::string last_line(const std::string& text)
{
    auto pos = text.rfind('\n');
    return pos == std::string::npos ? text : text.substr(pos + 1);
}

}  // namespace

std::string build_output(const std::string& relative)
{
    return (fs::path(PGFO_BINARY).parent_path() / relative).string();
}

Lab::Lab(const std::string& dir, const std::string& log_dir, LabOptions options)
    : m_dir(dir), m_log_dir(log_dir), m_options(options)
{
    run({"down"});
    std::vector<std::string> up = {"up",
                                   "--nodes",
                                   std::to_string(options.nodes),
                                   "--sync",
                                   options.synchronous ? "on" : "off",
                                   "--keepalived",
                                   options.keepalived ? "on" : "off"};
    if (options.witness)
        up.push_back("--witness");
    try {
        run(up, std::chrono::seconds(180));
    } catch (...) {
        save_logs();
        try_run({"down"});
        throw;
    }
}

Lab::~Lab()
{
    try {
        save_logs();
    } catch (const std::exception& e) {
        std::cerr << "lab: could not save logs: " << e.what() << "\n";
    }
    auto down = try_run({"down"});
    if (!down.succeeded())
        std::cerr << "lab: down failed: " << down.describe() << "\n";
}

ShellResult Lab::try_run(const std::vector<std::string>& args, std::chrono::seconds timeout)
{
    // run_as drops PG* variables, so the lab's settings travel through env(1).
    std::vector<std::string> argv = {"/usr/bin/env", "PGFO_LAB_DIR=" + m_dir,
                                     "PGFO_BIN=" + env_or("PGFO_BIN", PGFO_BINARY), "/bin/bash",
                                     std::string(PGFO_SOURCE_DIR) + "/scripts/lab"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as("", argv, timeout);
}

std::string Lab::run(const std::vector<std::string>& args, std::chrono::seconds timeout)
{
    auto result = try_run(args, timeout);
    if (!result.succeeded()) {
        std::string command = "scripts/lab";
        for (const auto& arg : args)
            command += " " + arg;
        throw std::runtime_error(command + " " + result.describe());
    }
    return result.output;
}

std::string Lab::wait_stable(std::chrono::seconds limit, const std::vector<std::string>& except)
{
    std::vector<std::string> args = {"wait-stable", std::to_string(limit.count())};
    for (const auto& node : except) {
        args.push_back("--except");
        args.push_back(node);
    }
    return last_line(run(args, limit + std::chrono::seconds(30)));
}

std::string Lab::role(const std::string& node)
{
    return last_line(run({"role", node}));
}

std::vector<std::string> Lab::vip_holders()
{
    auto result = try_run({"vip-holder"});
    std::vector<std::string> holders;
    if (!result.succeeded())
        return holders;
    std::string word;
    for (char c : last_line(result.output) + " ") {
        if (c == ' ') {
            if (!word.empty())
                holders.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    return holders;
}

pg::Connection Lab::connect(const std::string& node)
{
    auto conn = pg::Connection::open("host=" + m_dir + "/" + node + "/pg port=5432 user=postgres dbname=postgres",
                                     std::chrono::seconds(3));
    if (!conn.ok())
        throw std::runtime_error("cannot connect to " + node + ": " + conn.error().message);
    return std::move(conn.value());
}

int Lab::postmaster_pid(const std::string& node) const
{
    std::ifstream in(m_dir + "/" + node + "/data/postmaster.pid");
    int pid = 0;
    if (!(in >> pid) || pid <= 0)
        return 0;
    return ::kill(pid, 0) == 0 ? pid : 0;
}

std::vector<std::string> Lab::events(const std::string& node, const std::string& event) const
{
    return log_events(m_dir + "/" + node + "/pgfo.log", event);
}

std::vector<std::string> Lab::events(const std::string& node, const std::string& event, const std::string& key,
                                     const std::string& value) const
{
    std::vector<std::string> found;
    for (const auto& line : events(node, event))
        if (logfmt_value(line, key) == value)
            found.push_back(line);
    return found;
}

std::vector<std::string> Lab::node_entries(const std::string& node, const std::string& part) const
{
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir + "/" + node, ec))
        if (entry.path().filename().string().find(part) != std::string::npos)
            found.push_back(entry.path().filename().string());
    return found;
}

std::vector<std::string> Lab::nodes() const
{
    std::vector<std::string> names;
    for (int i = 1; i <= m_options.nodes; ++i)
        names.push_back("n" + std::to_string(i));
    return names;
}

std::string Lab::ip_of(const std::string& host)
{
    if (host.size() == 2 && host[0] == 'n')
        return "10.77.0.1" + host.substr(1);
    if (host == "client")
        return "10.77.0.50";
    if (host == "witness")
        return "10.77.0.60";
    throw std::invalid_argument("unknown lab host " + host);
}

void Lab::save_logs() const
{
    std::error_code ec;
    fs::create_directories(m_log_dir, ec);
    auto copy = [&](const fs::path& from, const std::string& name) {
        std::error_code copy_ec;
        if (fs::exists(from, copy_ec))
            fs::copy_file(from, fs::path(m_log_dir) / name, fs::copy_options::overwrite_existing, copy_ec);
    };
    for (const auto& node : nodes()) {
        const fs::path dir = fs::path(m_dir) / node;
        copy(dir / "pgfo.log", node + "-pgfo.log");
        copy(dir / "keepalived.log", node + "-keepalived.log");
        copy(dir / "keepalived.conf", node + "-keepalived.conf");
        copy(dir / "pgfo.conf", node + "-pgfo.conf");
        copy(dir / "pg" / "server.log", node + "-server.log");
    }
    for (const auto& entry : fs::directory_iterator(fs::path(m_dir) / "client", ec))
        copy(entry.path(), "client-" + entry.path().filename().string());
}

}  // namespace pgfo::test
