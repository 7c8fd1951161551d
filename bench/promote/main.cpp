// notify MASTER -> first write accepted: pgfo against the classic trigger-file promotion plus
// restart, interleaved on fresh pairs in one run. Prints a table of both.
//   pgfo_bench_promote [--runs N] [--poll-ms N] [--dir DIR] [--load-mb N] [--keep]
// --load-mb: MB of rows the primary writes just before it dies (the standby has them in dirty
// buffers at failover); --keep: leave each run's servers and logs.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "pg_cluster.hpp"
#include "promote_run.hpp"
#include "shell.hpp"
#include "stats.hpp"

using namespace pgfo::bench;

namespace {

struct Options {
    int runs = 20;
    int poll_ms = 5;
    std::string dir;
    bool keep = false;
    int load_mb = 0;
};

Options parse_args(int argc, char** argv)
{
    Options options;
    const char* tmp = std::getenv("TMPDIR");
    options.dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/pgfo-bench-promote";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error("option " + arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--runs")
            options.runs = std::stoi(value());
        else if (arg == "--poll-ms")
            options.poll_ms = std::stoi(value());
        else if (arg == "--dir")
            options.dir = value();
        else if (arg == "--keep")
            options.keep = true;
        else if (arg == "--load-mb")
            options.load_mb = std::stoi(value());
        else
            throw std::runtime_error("unknown option " + arg +
                                     "; usage: pgfo_bench_promote [--runs N] [--poll-ms N] "
                                     "[--dir DIR] [--load-mb N] [--keep]");
    }
    return options;
}

std::string server_version()
{
    return pgfo::test::run_checked("", {std::string(pgfo::test::k_pg_bin_dir) + "/postgres", "--version"});
}

void print_row(const std::string& name, const Summary& s, std::size_t n)
{
    std::cout << fmt::format("| {:<28} | {:>4} | {:>9.1f} | {:>9.1f} | {:>9.1f} | {:>9.1f} |\n", name, n, s.median,
                             s.p90, s.min, s.max);
}

void print_header(const std::string& first)
{
    std::cout << fmt::format("| {:<28} | {:>4} | {:>9} | {:>9} | {:>9} | {:>9} |\n", first, "runs", "median ms",
                             "p90 ms", "min ms", "max ms");
    std::cout << "|" << std::string(30, '-') << "|" << std::string(6, '-') << "|" << std::string(11, '-') << "|"
              << std::string(11, '-') << "|" << std::string(11, '-') << "|" << std::string(11, '-') << "|\n";
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const Options options = parse_args(argc, argv);
        std::filesystem::create_directories(options.dir);
        ::chmod(options.dir.c_str(), 0755);

        std::map<Approach, std::vector<RunResult>> results;
        for (int run = 0; run < options.runs; ++run) {
            // Alternate which approach goes first so drift in machine load hits both alike.
            const std::vector<Approach> order = run % 2 == 0 ? std::vector{Approach::pgfo, Approach::classic}
                                                             : std::vector{Approach::classic, Approach::pgfo};
            for (Approach approach : order) {
                const std::string dir =
                    fmt::format("{}/r{:02}-{}", options.dir, run, approach == Approach::pgfo ? "pgfo" : "classic");
                RunSettings settings{std::chrono::milliseconds(options.poll_ms), options.load_mb, options.keep};
                RunResult result = run_once(approach, dir, settings);
                std::cerr << fmt::format("run {:2} {:<28} first write {:7.1f} ms, command {:7.1f} ms, {} attempts\n",
                                         run + 1, to_string(approach), result.first_write_ms, result.command_ms,
                                         result.attempts);
                results[approach].push_back(std::move(result));
            }
        }

        utsname host{};
        ::uname(&host);
        std::cout << fmt::format("\nnotify MASTER -> first write accepted ({} runs each, interleaved, poll every {} "
                                 "ms, {} MB written just before the primary died)\n{}, {} cpus, kernel {}\n\n",
                                 options.runs, options.poll_ms, options.load_mb, server_version(),
                                 ::sysconf(_SC_NPROCESSORS_ONLN), host.release);
        print_header("approach (first write)");
        std::map<Approach, Summary> first_write;
        for (auto& [approach, runs] : results) {
            std::vector<double> values;
            for (const auto& r : runs)
                values.push_back(r.first_write_ms);
            first_write[approach] = summarize(values);
            print_row(to_string(approach), first_write[approach], runs.size());
        }
        std::cout << "\n";
        print_header("approach (command done)");
        for (auto& [approach, runs] : results) {
            std::vector<double> values;
            for (const auto& r : runs)
                values.push_back(r.command_ms);
            print_row(to_string(approach), summarize(values), runs.size());
        }

        std::cout << "\n";
        print_header("server saw promote request");
        for (auto& [approach, runs] : results) {
            std::vector<double> values;
            for (const auto& r : runs)
                values.push_back(r.server_promote_requested_ms);
            print_row(to_string(approach), summarize(values), runs.size());
        }
        std::cout << "\n";
        print_header("request -> first write");
        for (auto& [approach, runs] : results) {
            std::vector<double> values;
            for (const auto& r : runs)
                values.push_back(r.first_write_ms - r.server_promote_requested_ms);
            print_row(to_string(approach), summarize(values), runs.size());
        }

        // Where pgfo's time goes: when each logged event happened (ms after t0), and step durations.
        std::cout << "\n";
        print_header("pgfo event (ms after t0)");
        std::map<std::string, std::vector<double>> at;
        std::map<std::string, std::vector<double>> steps;
        for (const auto& r : results[Approach::pgfo]) {
            for (const auto& [event, ms] : r.events)
                at[event].push_back(ms);
            for (const auto& [step, ms] : r.step_ms)
                steps[step].push_back(ms);
        }
        std::vector<std::pair<double, std::string>> by_time;
        for (const auto& [event, values] : at)
            by_time.emplace_back(summarize(values).median, event);
        std::sort(by_time.begin(), by_time.end());
        for (const auto& [median, event] : by_time)
            print_row(event, summarize(at[event]), at[event].size());
        std::cout << "\n";
        print_header("pgfo step (own ms field)");
        for (const auto& [step, values] : steps)
            print_row(step, summarize(values), values.size());

        const double pgfo = first_write[Approach::pgfo].median;
        const double classic = first_write[Approach::classic].median;
        std::cout << fmt::format("\ntarget: pgfo median <= 300 ms: {:.1f} ms -> {}\n", pgfo,
                                 pgfo <= 300 ? "met" : "MISSED");
        std::cout << fmt::format("target: pgfo median <= 1/3 of classic: {:.1f} / {:.1f} = {:.2f} -> {}\n", pgfo,
                                 classic, pgfo / classic, pgfo * 3 <= classic ? "met" : "MISSED");
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "pgfo_bench_promote: error: " << error.what() << "\n";
        return 1;
    }
}
