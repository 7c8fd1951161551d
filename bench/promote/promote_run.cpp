#include "promote_run.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "pg_cluster.hpp"
#include "pgfo_node.hpp"
#include "shell.hpp"
#include "write_poller.hpp"

namespace pgfo::bench {
namespace {

using namespace std::chrono_literals;
using test::ClusterOptions;
using test::PgCluster;
using test::PgfoNode;
using test::StopMode;

constexpr auto k_write_limit = 60s;

double ms_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double ms_after(std::chrono::system_clock::time_point t0, std::chrono::system_clock::time_point at)
{
    return std::chrono::duration<double, std::milli>(at - t0).count();
}

// "2026-11-29T12:33:43.697Z" (pgfo) or "2026-11-29 12:33:43.697 UTC" (server log) -> time
// point, nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text)
{
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, text.size() > 10 && text[10] == 'T' ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S");
    char dot = 0;
    int millis = 0;
    if (in.fail() || !(in >> dot >> millis) || dot != '.')
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(millis);
}

void read_pgfo_log(const PgfoNode& node, std::chrono::system_clock::time_point t0_wall, RunResult& result)
{
    for (const auto& line : node.log_lines()) {
        const std::string event = test::logfmt_value(line, "event");
        auto at = parse_utc(test::logfmt_value(line, "ts"));
        if (event.empty() || !at)
            continue;
        result.events.try_emplace(event, ms_after(t0_wall, *at));
        const std::string ms = test::logfmt_value(line, "ms");
        if (event.size() > 5 && event.ends_with(".done") && !ms.empty())
            result.step_ms.try_emplace(event.substr(0, event.size() - 5), std::stod(ms));
    }
}

void read_server_log(const PgCluster& standby, std::chrono::system_clock::time_point t0_wall, RunResult& result)
{
    std::ifstream in(standby.log_file());
    std::string line;
    while (std::getline(in, line)) {
        auto at = parse_utc(line.substr(0, 23));
        if (!at || *at < t0_wall - 1ms)
            continue;
        if (line.find("received promote request") != std::string::npos ||
            line.find("promote trigger file found") != std::string::npos) {
            result.server_promote_requested_ms = ms_after(t0_wall, *at);
            return;
        }
    }
}

}  // namespace

const char* to_string(Approach approach)
{
    return approach == Approach::pgfo ? "pgfo notify MASTER" : "classic trigger+restart";
}

RunResult run_once(Approach approach, const std::string& dir, const RunSettings& settings)
{
    const std::string trigger = dir + "/b/promote.trigger";
    ClusterOptions options;
    options.data_checksums = true;
    options.fsync = true;
    // Both servers get it (a primary ignores it); only the classic approach touches the file.
    options.settings = {"promote_trigger_file = '" + trigger + "'", "shared_buffers = '128MB'"};

    std::filesystem::remove_all(dir);  // a kept run from before
    RunResult result;
    {
        PgCluster primary(dir + "/a", options);
        primary.start();
        primary.exec("CREATE TABLE public.bench_writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
        PgCluster standby = PgCluster::make_standby_of(primary, dir + "/b", "node-b");
        if (settings.load_mb > 0) {
            primary.exec("CREATE TABLE public.bench_load (id int, filler text)");
            primary.exec("INSERT INTO public.bench_load SELECT g, repeat('x', 1000) FROM generate_series(1, " +
                         std::to_string(settings.load_mb * 1000) + ") g");
        }
        standby.wait_for_replay_of(primary, 120s);
        const PgfoNode node = PgfoNode::write(dir, "node-b", standby, {primary.address()});
        primary.stop(StopMode::immediate);  // the primary dies

        const auto t0_wall = std::chrono::system_clock::now();
        WritePoller poller(standby.conninfo() + " application_name=bench_writer",
                           "INSERT INTO public.bench_writes DEFAULT VALUES", settings.poll, k_write_limit);
        if (approach == Approach::pgfo) {
            auto run = node.run({"notify", "INSTANCE", "VI_1", "MASTER", "100"}, 60s);
            result.command_ms = ms_between(poller.started(), std::chrono::steady_clock::now());
            if (!run.succeeded())
                throw std::runtime_error("pgfo notify MASTER " + run.describe());
        } else {
            std::ofstream(trigger).close();
            test::chown_to(trigger, "postgres");
            test::run_checked("postgres",
                              {std::string(test::k_pg_bin_dir) + "/pg_ctl", "restart", "-D", standby.data_dir(), "-m",
                               "fast", "-w", "-t", "60", "-l", standby.log_file(), "-s"},
                              70s);
            result.command_ms = ms_between(poller.started(), std::chrono::steady_clock::now());
        }
        auto first = poller.first_write();
        result.attempts = poller.attempts();
        if (!first)
            throw std::runtime_error(std::string(to_string(approach)) + ": no INSERT accepted within 60 s\n" +
                                     standby.log_tail());
        result.first_write_ms = static_cast<double>(first->count()) / 1000.0;
        if (approach == Approach::pgfo)
            read_pgfo_log(node, t0_wall, result);
        read_server_log(standby, t0_wall, result);
    }
    if (!settings.keep)
        std::filesystem::remove_all(dir);
    return result;
}

}  // namespace pgfo::bench
