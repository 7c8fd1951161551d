// Per-call cost of `pgfo check` against pg_isready and a bare TCP probe, on a PostgreSQL
// primary and a streaming standby started here: 500 calls each (interleaved, so load drift
// hits all alike), wall time (spawn to reap), CPU time of the child (user + sys from wait4)
// and its max RSS.
//
//   pgfo_bench_check --pgfo build/pgfo [--floor build/bench/pgfo_libpq_floor] [--calls 500]
//                    [--bin-dir /usr/lib/postgresql/15/bin]
//
// --floor adds two rows that bound any libpq check from below: a program that only loads libpq,
// and one that opens the check's session and closes it (bench/check/libpq_floor.cpp).
//
// Runs as root: the servers run as the postgres user in a fresh directory under $TMPDIR.
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
    double wall_ms = 0;
    double cpu_ms = 0;
    double rss_mb = 0;
    int status = 0;
};

struct Candidate {
    std::string name;
    std::vector<std::string> argv;
    std::vector<Sample> samples;
};

// Spawns ARGV with stdio on /dev/null and reaps it; wall from spawn to reap.
Sample run_once(const std::vector<std::string>& argv)
{
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd : {0, 1, 2})
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    Sample sample;
    const auto start = Clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0)
        throw std::runtime_error("could not start " + argv[0]);
    rusage usage{};
    int status = 0;
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    sample.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    posix_spawn_file_actions_destroy(&actions);
    auto ms = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
    };
    sample.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
    sample.rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    sample.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return sample;
}

void run_checked(const std::vector<std::string>& argv)
{
    Sample sample = run_once(argv);
    if (sample.status != 0) {
        std::string line;
        for (const auto& arg : argv)
            line += arg + " ";
        throw std::runtime_error("failed (" + std::to_string(sample.status) + "): " + line);
    }
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
    return values[std::min(index, values.size() - 1)];
}

int free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("no free port");
    ::close(fd);
    return ntohs(address.sin_port);
}

void write_file(const std::string& path, const std::string& text, mode_t mode)
{
    std::ofstream(path, std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
}

}  // namespace

int main(int argc, char** argv)
{
    std::string pgfo;
    std::string floor;
    std::string bin_dir = "/usr/lib/postgresql/15/bin";
    int calls = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--pgfo")
            pgfo = argv[i + 1];
        else if (flag == "--floor")
            floor = argv[i + 1];
        else if (flag == "--calls")
            calls = std::atoi(argv[i + 1]);
        else if (flag == "--bin-dir")
            bin_dir = argv[i + 1];
    }
    if (pgfo.empty() || calls < 1) {
        (void)std::fprintf(stderr, "usage: %s --pgfo PATH [--floor PATH] [--calls N] [--bin-dir DIR]\n", argv[0]);
        return 2;
    }

    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/pgfo-bench-check-XXXXXX";
    if (!::mkdtemp(dir.data()))
        throw std::runtime_error("mkdtemp failed");
    ::chmod(dir.c_str(), 0755);
    const std::string data = dir + "/data";
    const int port = free_port();
    const std::string address = "127.0.0.1:" + std::to_string(port);
    const std::vector<std::string> as_postgres = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    auto postgres = [&](std::vector<std::string> args) {
        args.insert(args.begin(), as_postgres.begin(), as_postgres.end());
        run_checked(args);
    };
    run_checked({"/usr/bin/chown", "postgres", dir});
    postgres({bin_dir + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"});
    std::ofstream(data + "/postgresql.conf", std::ios::app)
        << "port = " << port << "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" << dir
        << "'\nfsync = off\n";
    postgres({bin_dir + "/pg_ctl", "-D", data, "-l", dir + "/server.log", "-w", "start"});
    // A streaming standby of it, for the standby's check and as the primary's peer.
    const std::string standby_data = dir + "/standby";
    const int standby_port = free_port();
    const std::string standby_address = "127.0.0.1:" + std::to_string(standby_port);
    postgres({bin_dir + "/pg_basebackup", "-D", standby_data, "-h", "127.0.0.1", "-p", std::to_string(port), "-U",
              "postgres", "-X", "stream", "-c", "fast", "-R"});
    std::ofstream(standby_data + "/postgresql.conf", std::ios::app) << "port = " << standby_port << "\n";
    postgres({bin_dir + "/pg_ctl", "-D", standby_data, "-l", dir + "/standby.log", "-w", "start"});

    auto config = [&](const std::string& name, const std::string& node, const std::string& postgres_section) {
        std::string path = dir + "/" + name + ".conf";
        write_file(path,
                   "[node]\nname = \"bench\"\nstate_dir = \"" + dir + "/" + name + "-state\"\n" + node +
                       "[postgres]\nbin_dir = \"" + bin_dir + "\"\n" + postgres_section + "[log]\nfile = \"" + dir +
                       "/pgfo.log\"\n",
                   0600);
        return path;
    };
    const std::string primary_postgres = "data_dir = \"" + data +
                                         "\"\nconninfo = \"host=127.0.0.1 port=" + std::to_string(port) +
                                         " user=postgres dbname=postgres\"\n";
    const std::string standby_postgres = "data_dir = \"" + standby_data +
                                         "\"\nconninfo = \"host=127.0.0.1 port=" + std::to_string(standby_port) +
                                         " user=postgres dbname=postgres\"\n";
    const std::string lone = config("lone", "", primary_postgres);
    const std::string peered = config("peered", "peers = [\"" + standby_address + "\"]\n", primary_postgres);
    const std::string standby = config("standby", "peers = [\"" + address + "\"]\n", standby_postgres);
    const std::string paused = config("paused", "", primary_postgres);
    run_checked({pgfo, "-c", paused, "pause", "--reason", "bench"});
    for (const auto& path : {lone, peered, standby})
        run_checked({pgfo, "-c", path, "check"});  // warms the page cache, creates the state files

    std::vector<Candidate> candidates = {
        {"pgfo check: primary", {pgfo, "-c", lone, "check"}, {}},
        {"pgfo check: primary + peer", {pgfo, "-c", peered, "check"}, {}},
        {"pgfo check: standby", {pgfo, "-c", standby, "check"}, {}},
        // As root without -U the server refuses the login (no such role) before it attaches to a
        // database; with the check's user and database it opens a whole session, as the check does.
        {"pg_isready (no such role)",
         {bin_dir + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", std::to_string(port)},
         {}},
        {"pg_isready -U postgres",
         {bin_dir + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", std::to_string(port), "-U", "postgres", "-d",
          "postgres"},
         {}},
        {"tcp probe (bash /dev/tcp)", {"/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)}, {}},
        {"pgfo check: paused (no SQL)", {pgfo, "-c", paused, "check"}, {}},
        {"pgfo --version (start only)", {pgfo, "--version"}, {}},
        {"/bin/true (spawn floor)", {"/bin/true"}, {}},
    };
    if (!floor.empty()) {
        candidates.push_back({"libpq load only (floor)", {floor}, {}});
        candidates.push_back({"libpq session only (floor)",
                              {floor, "host=127.0.0.1 port=" + std::to_string(port) +
                                          " user=postgres dbname=postgres connect_timeout=2"},
                              {}});
    }
    int failures = 0;
    for (int call = 0; call < calls; ++call) {
        for (auto& candidate : candidates) {
            candidate.samples.push_back(run_once(candidate.argv));
            failures += candidate.samples.back().status != 0;
        }
    }
    postgres({bin_dir + "/pg_ctl", "-D", standby_data, "-m", "immediate", "-w", "stop"});
    postgres({bin_dir + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"});
    run_checked({"/bin/rm", "-rf", dir});

    std::printf("%d calls each, interleaved; wall = spawn to reap; cpu = user+sys of the child\n\n", calls);
    std::printf("| %-27s | wall median |  wall p99 | cpu median |   cpu p99 | max RSS |\n", "command");
    std::printf("|%s|------------:|----------:|-----------:|----------:|--------:|\n", std::string(29, '-').c_str());
    for (const auto& candidate : candidates) {
        std::vector<double> wall, cpu, rss;
        for (const auto& s : candidate.samples) {
            wall.push_back(s.wall_ms);
            cpu.push_back(s.cpu_ms);
            rss.push_back(s.rss_mb);
        }
        std::printf("| %-27s | %8.2f ms | %6.2f ms | %7.2f ms | %6.2f ms | %4.1f MB |\n", candidate.name.c_str(),
                    percentile(wall, 0.5), percentile(wall, 0.99), percentile(cpu, 0.5), percentile(cpu, 0.99),
                    *std::max_element(rss.begin(), rss.end()));
    }
    if (failures) {
        (void)std::fprintf(stderr, "%d calls failed\n", failures);
        return 1;
    }
    return 0;
}
