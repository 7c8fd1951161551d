// The classic seed topology end to end with docker-compose (scripts/compose-lab): two nodes,
// each a network namespace with its own dockerd, PostgreSQL in compose projects with
// network_mode: host and the two-file layout (role from the environment, restart: always),
// keepalived per node with pgfo (runtime "compose") as notify and check, a VIP.
#include <catch2/catch.hpp>

#include <thread>

#include "compose_node.hpp"
#include "pgfo_node.hpp"
#include "shell.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;

namespace {

const std::string k_lab_dir = "/tmp/pgfoc";

ShellResult lab(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 300s)
{
    std::vector<std::string> argv = {"/usr/bin/env", std::string("PGFO_BIN=") + PGFO_BINARY,
                                     "PGFO_COMPOSE_LAB_DIR=" + k_lab_dir,
                                     std::string(PGFO_SOURCE_DIR) + "/scripts/compose-lab"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_as("", argv, timeout);
}

std::string lab_checked(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 300s)
{
    auto result = lab(args, timeout);
    if (!result.succeeded())
        throw std::runtime_error("compose-lab " + args.front() + " " + result.describe());
    std::string out = result.output;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

std::vector<std::string> events(const std::string& node, const std::string& event)
{
    return log_events(k_lab_dir + "/" + node + "/pgfo.log", event);
}

// The last line of a command's output (the scripts print progress before the answer).
std::string last_line(const std::string& text)
{
    const auto end = text.find_last_not_of('\n');
    if (end == std::string::npos)
        return "";
    const auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

struct ComposeLab {
    ComposeLab()
    {
        ensure_docker();
        (void)lab({"down"});
        lab_checked({"up"}, 600s);
    }
    ~ComposeLab()
    {
        if (failed_assertions() == 0)
            (void)lab({"down"});
        else
            std::fprintf(stderr, "compose lab kept at %s; scripts/compose-lab down removes it\n", k_lab_dir.c_str());
    }
};

}  // namespace

TEST_CASE("compose seed topology: the primary node dies, the VIP and the primary move, the old node rejoins",
          "[e2e][docker][compose]")
{
    ComposeLab up;
    lab_checked({"sql", "vip", "CREATE TABLE public.t (id int PRIMARY KEY, note text)"});
    lab_checked({"sql", "vip", "INSERT INTO public.t SELECT g, 'before' FROM generate_series(1, 100) g"});
    CHECK(last_line(lab_checked({"role", "n1"})) == "primary");

    lab_checked({"kill-node", "n1"});
    CHECK(last_line(lab_checked({"wait-stable", "60", "--except", "n1"})) == "n2");
    // The promotion is followed by the recreate from the primary file; wait for it and for the
    // VIP to settle again (the recreate restarts the server, keepalived may see one failed check).
    for (int i = 0; i < 120 && events("n2", "recreate_primary.done").empty(); ++i)
        std::this_thread::sleep_for(500ms);
    CHECK(last_line(lab_checked({"wait-stable", "60", "--except", "n1"})) == "n2");
    lab_checked({"sql", "vip", "INSERT INTO public.t VALUES (1000, 'after failover')"});
    CHECK(last_line(lab_checked({"sql", "vip", "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"})) ==
          "00000002");
    CHECK(events("n2", "promote.done").size() == 1);
    CHECK(events("n2", "recreate_primary.done").size() == 1);
    CHECK(events("n2", "fence.done").empty());  // the recreate's restart did not FAULT the new primary

    // Power n1 back on: its dockerd restarts the old primary's container (restart: always,
    // created from the primary file); keepalived starts. pgfo must not let it serve as a
    // second primary on the old timeline.
    lab_checked({"start-node", "n1"});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::string role = "primary";
    while (std::chrono::steady_clock::now() < deadline) {
        role = last_line(lab_checked({"role", "n1"}));
        if (role != "primary" && !events("n1", "transition.done").empty())
            break;
        std::this_thread::sleep_for(500ms);
    }
    CHECK(role != "primary");
    // It rejoins by itself: through keepalived's BACKUP at start when that came first, else its
    // keepalived sits in FAULT (no notify) and its check, seeing n2 as the primary, starts the rejoin.
    CHECK(last_line(lab_checked({"wait-stable", "90"})) == "n2");
    CHECK(last_line(lab_checked({"role", "n1"})) == "standby");
    CHECK(!events("n1", "rewind.done").empty());
    CHECK(events("n1", "basebackup.done").empty());
    CHECK(last_line(lab_checked({"sql", "n1", "SELECT count(*) FROM public.t"})) == "101");
    CHECK(last_line(lab_checked({"sql", "n1", "SELECT note FROM public.t WHERE id = 1000"})) == "after failover");
}
