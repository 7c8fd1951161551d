// notify MASTER -> first write accepted, in the compose runtime on the local Docker engine:
// pgfo (pg_promote over libpq, then recreate from the primary file) against the classic
// recipe's script (`docker exec ... touch` of promote_trigger_file, then `up -d
// --force-recreate` with the master file). Same engine, same image, same two-file layout
// with the role taken from the environment (as bitnami's image does), same run.
//   bench_compose [RUNS]     default 10 runs of each; prints a markdown table
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "compose_node.hpp"
#include "pg/connection.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* k_trigger = "/tmp/postgresql.trigger.5432";

struct Sample {
    double first_write_ms = 0;  // from the notify's start to the first INSERT that committed
    double done_ms = 0;         // from the notify's start to its end (exit)
    double last_gap_ms = 0;     // longest run of failed writes after the first success
    bool promoted = false;      // a new timeline (a real promotion) rather than a restart as primary
    bool ok = false;
};

// Tries an INSERT every 20 ms on a fresh connection; records when writes first succeed and
// the longest outage after that, until stopped.
class WriteProbe {
public:
    WriteProbe(std::string conninfo, Clock::time_point start) : m_conninfo(std::move(conninfo)), m_start(start)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~WriteProbe() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    std::optional<double> first_ms() const { return m_first; }
    double longest_gap_ms() const { return m_gap; }

private:
    void run()
    {
        std::optional<Clock::time_point> failing_since;
        int n = 0;
        while (!m_stop) {
            bool ok = false;
            auto conn = pgfo::pg::Connection::open(m_conninfo, 1s);
            if (conn.ok())
                ok = conn->query("INSERT INTO public.probe VALUES (" + std::to_string(++n) + ")", 1s).ok();
            const auto now = Clock::now();
            if (ok) {
                if (!m_first)
                    m_first = std::chrono::duration<double, std::milli>(now - m_start).count();
                if (failing_since)
                    m_gap = std::max(m_gap, std::chrono::duration<double, std::milli>(now - *failing_since).count());
                failing_since.reset();
            } else if (m_first && !failing_since) {
                failing_since = now;
            }
            std::this_thread::sleep_for(20ms);
        }
    }

    std::string m_conninfo;
    Clock::time_point m_start;
    std::optional<double> m_first;
    double m_gap = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A primary host and a streaming standby host; the primary is then killed (the host died).
struct Setup {
    std::string dir;
    ComposeNode a;
    ComposeNode b;

    Setup(const std::string& root, bool role_from_env)
        : dir(root), a(root + "/a", unique_project("benchpa"), options(role_from_env)),
          b(root + "/b", unique_project("benchpb"), options(role_from_env))
    {
        a.init_primary();
        a.exec("CREATE TABLE public.probe (n int)");
        b.init_standby_of(a);
        b.wait_for_replay_of(a);
        a.write_pgfo_config("node-a", {b.address()});
        b.write_pgfo_config("node-b", {a.address()},
                            {std::string("compose.recreate_after_promote = ") + (role_from_env ? "true" : "false"),
                             "log.level = \"info\""});
        a.kill();
    }

    static ComposeOptions options(bool role_from_env)
    {
        ComposeOptions options;
        options.role_from_env = role_from_env;
        options.settings = {std::string("promote_trigger_file=") + k_trigger};
        return options;
    }
};

// Until the probe saw a write, at most LIMIT.
void wait_for_write(const WriteProbe& probe, std::chrono::seconds limit)
{
    const auto deadline = Clock::now() + limit;
    while (!probe.first_ms() && Clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
}

Sample run_pgfo(const std::string& root, bool role_from_env)
{
    Setup setup(root, role_from_env);
    Sample sample;
    const auto start = Clock::now();
    WriteProbe probe(setup.b.conninfo(), start);
    auto result = setup.b.pgfo({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    sample.done_ms = ms_since(start);
    wait_for_write(probe, 60s);
    std::this_thread::sleep_for(1s);
    probe.stop();
    sample.ok = result.succeeded() && probe.first_ms().has_value();
    if (!result.succeeded())
        std::fprintf(stderr, "pgfo notify failed: %s\n", result.describe().c_str());
    sample.first_write_ms = probe.first_ms().value_or(0);
    sample.last_gap_ms = probe.longest_gap_ms();
    sample.promoted = setup.b.scalar("SELECT timeline_id FROM pg_control_checkpoint()") != "1" ||
                      setup.b.scalar("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") != "00000001";
    return sample;
}

// The recipe's MASTER branch: touch the trigger file in the container, recreate from the master file.
Sample run_classic(const std::string& root)
{
    Setup setup(root, true);
    Sample sample;
    const std::string container = setup.b.container_id();
    const auto start = Clock::now();
    WriteProbe probe(setup.b.conninfo(), start);
    auto touched = run_as("", {"/usr/local/bin/docker", "exec", container, "touch", k_trigger}, 60s);
    auto recreated = setup.b.compose(ComposeRole::primary, {"up", "-d", "--force-recreate", "postgresql"});
    sample.done_ms = ms_since(start);
    wait_for_write(probe, 60s);
    std::this_thread::sleep_for(1s);
    probe.stop();
    sample.ok = touched.succeeded() && recreated.succeeded() && probe.first_ms().has_value();
    if (!sample.ok)
        std::fprintf(stderr, "classic script failed: %s / %s\n", touched.describe().c_str(),
                     recreated.describe().c_str());
    sample.first_write_ms = probe.first_ms().value_or(0);
    sample.last_gap_ms = probe.longest_gap_ms();
    sample.promoted = setup.b.scalar("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") != "00000001";
    return sample;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

void print_row(const char* name, const std::vector<Sample>& samples)
{
    std::vector<double> first;
    std::vector<double> done;
    std::vector<double> gap;
    int promoted = 0;
    int ok = 0;
    for (const auto& s : samples) {
        if (!s.ok)
            continue;
        ++ok;
        first.push_back(s.first_write_ms);
        done.push_back(s.done_ms);
        gap.push_back(s.last_gap_ms);
        promoted += s.promoted ? 1 : 0;
    }
    std::printf("| %s | %d/%zu | %.0f | %.0f | %.0f | %.0f | %.0f | %d/%d |\n", name, ok, samples.size(),
                percentile(first, 0.5), percentile(first, 0.0), percentile(first, 1.0), percentile(done, 0.5),
                percentile(gap, 0.5), promoted, ok);
}

}  // namespace

int main(int argc, char** argv)
{
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    ensure_docker();
    char pattern[] = "/tmp/pgfo-bench-compose-XXXXXX";
    const std::string root = ::mkdtemp(pattern);
    ::chmod(root.c_str(), 0755);

    std::vector<Sample> pgfo;
    std::vector<Sample> pgfo_data_dir_role;
    std::vector<Sample> classic;
    for (int i = 0; i < runs; ++i) {
        // Interleaved, so drift on a shared machine hits all alike.
        pgfo.push_back(run_pgfo(root + "/pgfo-" + std::to_string(i), true));
        pgfo_data_dir_role.push_back(run_pgfo(root + "/pgfo-official-" + std::to_string(i), false));
        classic.push_back(run_classic(root + "/classic-" + std::to_string(i)));
        std::fprintf(stderr, "run %d: first write pgfo %.0f ms, pgfo (role in data dir) %.0f ms, classic %.0f ms\n",
                     i + 1, pgfo.back().first_write_ms, pgfo_data_dir_role.back().first_write_ms,
                     classic.back().first_write_ms);
    }
    std::filesystem::remove_all(root);

    std::printf("notify MASTER -> first write accepted, compose runtime (docker-compose v1, vfs), %d runs each\n\n",
                runs);
    std::printf("| | runs ok | first write p50 ms | min | max | notify done p50 ms | write outage after first "
                "write p50 ms | new timeline |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    print_row("pgfo, role from env (recreate_after_promote = true)", pgfo);
    print_row("pgfo, role in data dir (recreate_after_promote = false)", pgfo_data_dir_role);
    print_row("classic script (touch trigger, up --force-recreate)", classic);
    return 0;
}
