// The compose runtime against the real Docker engine: two compose projects on one engine
// (a primary and a standby host of the classic two-file layout), the local pgfo/postgres:15
// image, and the real pgfo binary with runtime = "compose".
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>

#include "compose_pair.hpp"
#include "pgfo_node.hpp"
#include "test_dir.hpp"

using namespace pgfo::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// The pair, with a way to fork its history.
struct DivergingPair : ComposePair {
    using ComposePair::ComposePair;

    // a crashed, b promoted by SQL, a back up as a primary on the old timeline with rows b never saw.
    void diverge()
    {
        a.kill();
        b.exec("SELECT pg_promote(true, 60)");
        b.exec("INSERT INTO public.t VALUES (2000, 'after failover')");
        a.up(ComposeRole::primary);
        REQUIRE_FALSE(a.in_recovery());
        a.exec("INSERT INTO public.t SELECT g, 'diverged' FROM generate_series(5000, 5099) g");
    }
};

}  // namespace

TEST_CASE("compose: notify MASTER on the standby promotes it, recreates it from the primary file, accepts writes",
          "[docker][compose]")
{
    DivergingPair pair;
    pair.a.kill();
    const std::string before = pair.b.container_id();
    REQUIRE(pair.b.container_file() == pair.b.file(ComposeRole::standby));

    auto result = pair.b.pgfo({"notify", "INSTANCE", "VI_1", "MASTER", "100"});
    INFO(result.output);
    INFO(read_text(pair.b.pgfo_log()));
    REQUIRE(result.code == 0);

    CHECK_FALSE(pair.b.in_recovery());
    CHECK(pair.b.container_id() != before);
    CHECK(pair.b.container_file() == pair.b.file(ComposeRole::primary));
    pair.b.exec("INSERT INTO public.t VALUES (1000, 'after')");
    CHECK(pair.b.scalar("SELECT count(*) FROM public.t") == "101");
    CHECK(pair.b.scalar("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") == "00000002");
    CHECK(pair.b.events("promote.done").size() == 1);
    CHECK(pair.b.events("recreate_primary.done").size() == 1);
    CHECK_FALSE(fs::exists(pair.b.data_dir() + "/standby.signal"));
}

TEST_CASE("compose: notify BACKUP on the old primary fences it, rewinds it in a one-off container, starts it "
          "from the standby file, streaming, diverged rows gone",
          "[docker][compose]")
{
    DivergingPair pair;
    pair.diverge();
    const std::string system_id = pair.a.scalar("SELECT system_identifier FROM pg_control_system()");

    auto result = pair.a.pgfo({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    INFO(read_text(pair.a.pgfo_log()));
    REQUIRE(result.code == 0);

    CHECK(pair.a.in_recovery());
    pair.a.wait_until("SELECT status = 'streaming' FROM pg_stat_wal_receiver");
    CHECK(pair.a.container_file() == pair.a.file(ComposeRole::standby));
    pair.a.wait_for_replay_of(pair.b);
    CHECK(pair.a.scalar("SELECT count(*) FROM public.t WHERE note = 'diverged'") == "0");
    CHECK(pair.a.scalar("SELECT count(*) FROM public.t WHERE note = 'after failover'") == "1");
    // Rewound in place: the same cluster (not a fresh copy), nothing moved aside or deleted.
    CHECK(pair.a.scalar("SELECT system_identifier FROM pg_control_system()") == system_id);
    auto rewound = pair.a.events("rewind.done");
    REQUIRE(rewound.size() == 1);
    CHECK(std::stoull(logfmt_value(rewound[0], "discarded_bytes")) > 0);
    CHECK(pair.a.events("fence.done").size() == 1);
    CHECK(pair.a.one_off_containers().empty());
    // The node's own settings and the superuser password never reach the log.
    CHECK(read_text(pair.a.pgfo_log()).find(k_compose_password) == std::string::npos);
}

TEST_CASE("compose: resync = basebackup: the old primary's data is moved aside, never deleted, and a fresh copy "
          "made in a one-off container streams",
          "[docker][compose]")
{
    DivergingPair pair({"failover.resync = \"basebackup\""});
    pair.diverge();

    auto result = pair.a.pgfo({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    INFO(read_text(pair.a.pgfo_log()));
    REQUIRE(result.code == 0);

    CHECK(pair.a.in_recovery());
    pair.a.wait_until("SELECT status = 'streaming' FROM pg_stat_wal_receiver");
    pair.a.wait_for_replay_of(pair.b);
    CHECK(pair.a.scalar("SELECT count(*) FROM public.t WHERE note = 'diverged'") == "0");
    std::vector<std::string> aside;
    for (const auto& entry : fs::directory_iterator(pair.a.dir()))
        if (entry.path().filename().string().rfind("data.pgfo-", 0) == 0)
            aside.push_back(entry.path().string());
    REQUIRE(aside.size() == 1);
    CHECK(fs::exists(aside[0] + "/PG_VERSION"));
    CHECK(fs::exists(aside[0] + "/global/pg_control"));
    CHECK(pair.a.events("basebackup.done").size() == 1);
    CHECK(pair.a.one_off_containers().empty());
}

TEST_CASE("compose: a crashed old primary that comes back stopped is crash-recovered and rewound in one-off "
          "containers, then streams",
          "[docker][compose]")
{
    DivergingPair pair;
    pair.diverge();
    pair.a.kill();  // the host dies again before pgfo runs: its data directory was not shut down cleanly
    const std::string container = pair.a.container_id();

    auto result = pair.a.pgfo({"notify", "INSTANCE", "VI_1", "BACKUP", "100"});
    INFO(result.output);
    INFO(read_text(pair.a.pgfo_log()));
    REQUIRE(result.code == 0);

    CHECK(pair.a.in_recovery());
    pair.a.wait_for_replay_of(pair.b);
    CHECK(pair.a.scalar("SELECT count(*) FROM public.t WHERE note = 'diverged'") == "0");
    CHECK(pair.a.events("rewind.recovered").size() == 1);
    auto rewound = pair.a.events("rewind.done");
    REQUIRE(rewound.size() == 1);
    CHECK(std::stoull(logfmt_value(rewound[0], "discarded_bytes")) > 0);
    CHECK(pair.a.events("fence.start").empty());
    CHECK(pair.a.container_id() != container);
    CHECK(pair.a.container_file() == pair.a.file(ComposeRole::standby));
    CHECK(pair.a.one_off_containers().empty());
}
