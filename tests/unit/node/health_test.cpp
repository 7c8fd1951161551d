#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "node/health.hpp"

using namespace pgfo;
using namespace pgfo::node;

namespace {

constexpr std::uint64_t k_max_lag = 16ull << 20;

pg::ServerState primary(std::uint32_t timeline = 2)
{
    pg::ServerState server;
    server.timeline = timeline;
    server.current_lsn = 0x5000000;
    return server;
}

// A standby streaming from its primary, LAG bytes of received WAL not replayed yet.
pg::ServerState standby(pg::Lsn lag = 0, bool streaming = true)
{
    pg::ServerState server;
    server.in_recovery = true;
    server.timeline = 2;
    server.replay_lsn = server.current_lsn = 0x5000000;
    server.receive_lsn = server.replay_lsn + lag;
    server.wal_receiver_streaming = streaming;
    server.wal_receiver_status = streaming ? "streaming" : "";
    if (streaming)
        server.latest_end_lsn = server.receive_lsn;
    return server;
}

core::PeerObservation peer(bool reachable, bool in_recovery, std::uint32_t timeline)
{
    core::PeerObservation p;
    p.address = "10.0.0.2:5432";
    p.reachable = reachable;
    p.in_recovery = in_recovery;
    p.timeline = timeline;
    if (!reachable)
        p.error = "connection refused";
    return p;
}

HealthObservation observed(std::optional<pg::ServerState> server, std::vector<core::PeerObservation> peers = {},
                           std::optional<bool> witness = std::nullopt, std::string requested = "")
{
    HealthObservation o;
    o.server = std::move(server);
    if (!o.server)
        o.server_error = "server is not answering: connection refused";
    o.peers = std::move(peers);
    o.witness_reachable = witness;
    o.requested_state = std::move(requested);
    return o;
}

struct Case {
    std::string name;
    HealthObservation observation;
    bool healthy;
    HealthRole role;
    std::string reason_part;
    std::optional<int> weight;
};

}  // namespace

TEST_CASE("decide_health: every role and reason", "[health]")
{
    HealthSettings settings;
    settings.max_lag = k_max_lag;
    settings.witness = "10.0.0.9:22";

    HealthObservation paused_down = observed(std::nullopt);
    paused_down.paused = true;
    paused_down.pause_reason = "kernel upgrade";

    const std::vector<Case> cases = {
        {"paused, even with the server down", paused_down, true, HealthRole::paused, "paused: kernel upgrade",
         std::nullopt},
        {"server down", observed(std::nullopt), false, HealthRole::down, "connection refused", k_weight_down},
        {"lone primary", observed(primary()), true, HealthRole::primary, "primary on timeline 2", k_weight_primary},
        {"primary whose timeline was not asked", observed(primary(0)), true, HealthRole::primary,
         "primary accepting connections", k_weight_primary},
        {"primary, witness answers", observed(primary(), {}, true), true, HealthRole::primary, "primary",
         k_weight_primary},
        {"primary, witness unreachable", observed(primary(), {}, false), false, HealthRole::primary,
         "witness 10.0.0.9:22 is unreachable", k_weight_primary},
        {"primary, standby peer", observed(primary(), {peer(true, true, 2)}), true, HealthRole::primary, "primary",
         k_weight_primary},
        {"primary, peer primary on a newer timeline", observed(primary(2), {peer(true, false, 3)}), false,
         HealthRole::primary, "peer 10.0.0.2:5432 is a primary on a newer timeline (3 > 2)", k_weight_primary},
        {"primary, peer primary on the same timeline", observed(primary(2), {peer(true, false, 2)}), true,
         HealthRole::primary, "primary", k_weight_primary},
        {"primary, peer primary on an older timeline", observed(primary(3), {peer(true, false, 2)}), true,
         HealthRole::primary, "primary", k_weight_primary},
        {"primary, unreachable peer", observed(primary(), {peer(false, false, 0)}), true, HealthRole::primary,
         "primary", k_weight_primary},
        {"standby caught up", observed(standby()), true, HealthRole::standby, "standby on timeline 2",
         k_weight_standby_best},
        {"standby at max_lag", observed(standby(k_max_lag)), true, HealthRole::standby, "standby",
         k_weight_standby_best - k_weight_standby_lag_range},
        {"standby beyond max_lag", observed(standby(k_max_lag + 1)), false, HealthRole::standby,
         "standby replay is 16777217B behind", k_weight_lagging},
        {"standby whose primary just died", observed(standby(0, false), {peer(false, false, 0)}), true,
         HealthRole::standby, "standby", k_weight_standby_best - k_weight_not_streaming},
        {"standby holding the VIP while a peer is primary", observed(standby(), {peer(true, false, 2)}, {}, "MASTER"),
         false, HealthRole::standby, "holding the VIP while peer 10.0.0.2:5432 is the primary", k_weight_standby_best},
        {"standby told BACKUP, peer primary", observed(standby(), {peer(true, false, 2)}, {}, "BACKUP"), true,
         HealthRole::standby, "standby", k_weight_standby_best},
        {"standby told MASTER, peer unreachable (promotion candidate)",
         observed(standby(0, false), {peer(false, false, 0)}, {}, "MASTER"), true, HealthRole::standby, "standby",
         k_weight_standby_best - k_weight_not_streaming},
        {"standby told MASTER, peer is a standby", observed(standby(), {peer(true, true, 2)}, {}, "MASTER"), true,
         HealthRole::standby, "standby", k_weight_standby_best},
        {"standby lagging is unhealthy before the VIP question",
         observed(standby(k_max_lag * 2), {peer(true, false, 2)}, {}, "MASTER"), false, HealthRole::standby,
         "behind the last known WAL position", k_weight_lagging},
    };
    for (const auto& c : cases) {
        SECTION(c.name)
        {
            const HealthVerdict verdict = decide_health(c.observation, settings);
            CHECK(verdict.healthy == c.healthy);
            CHECK(verdict.role == c.role);
            CHECK_THAT(verdict.reason, Catch::Matchers::Contains(c.reason_part));
            CHECK(verdict.weight == c.weight);
            CHECK_FALSE(verdict.new_sync_standby_names);  // synchronous = off
        }
    }
}

TEST_CASE("decide_health: the lag of a standby counts from the newest position it knows of", "[health]")
{
    HealthSettings settings;
    settings.max_lag = 1000;
    pg::ServerState server = standby();
    server.receive_lsn = server.replay_lsn + 10;
    server.latest_end_lsn = server.replay_lsn + 2000;  // the primary is further than what was received
    auto verdict = decide_health(observed(server), settings);
    CHECK_FALSE(verdict.healthy);
    CHECK(verdict.lag_bytes == 2000);
    CHECK_THAT(verdict.reason, Catch::Matchers::Contains(pg::format_lsn(server.latest_end_lsn)));

    server.latest_end_lsn = 0;
    verdict = decide_health(observed(server), settings);
    CHECK(verdict.healthy);
    CHECK(verdict.lag_bytes == 10);

    server.replay_lsn = server.receive_lsn + 50;  // replayed WAL found locally beyond what streamed
    CHECK(standby_lag(server) == 0);
}

TEST_CASE("decide_health: synchronous_standby_names follows the streaming standbys", "[health]")
{
    struct SyncCase {
        SyncMode mode;
        int streaming;
        std::string current;
        std::optional<std::string> wanted;
    };
    const std::vector<SyncCase> cases = {
        {SyncMode::off, 0, "", std::nullopt},
        {SyncMode::off, 2, "", std::nullopt},
        {SyncMode::off, 0, "*", std::nullopt},
        {SyncMode::on, 0, "", std::nullopt},
        {SyncMode::on, 1, "", "*"},
        {SyncMode::on, 1, "*", std::nullopt},
        {SyncMode::on, 0, "*", ""},
        {SyncMode::on, 0, "node-b", ""},
        {SyncMode::strict, 0, "", "*"},
        {SyncMode::strict, 0, "*", std::nullopt},
        {SyncMode::strict, 3, "", "*"},
    };
    for (const auto& c : cases) {
        HealthSettings settings;
        settings.synchronous = c.mode;
        pg::ServerState server = primary();
        server.streaming_standbys = c.streaming;
        server.synchronous_standby_names = c.current;
        INFO("mode " << to_string(c.mode) << ", " << c.streaming << " streaming, current '" << c.current << "'");
        CHECK(decide_health(observed(server), settings).new_sync_standby_names == c.wanted);
    }

    SECTION("an unhealthy primary is left as it is")
    {
        HealthSettings settings;
        settings.synchronous = SyncMode::on;
        settings.witness = "10.0.0.9:22";
        pg::ServerState server = primary();
        server.synchronous_standby_names = "*";
        auto verdict = decide_health(observed(server, {}, false), settings);
        CHECK_FALSE(verdict.healthy);
        CHECK_FALSE(verdict.new_sync_standby_names);
    }
}

TEST_CASE("standby_weight orders standbys by freshness, between the primary and a lagging standby", "[health]")
{
    const std::vector<std::pair<pg::Lsn, bool>> fresher_first = {
        {0, true}, {1 << 20, true}, {4 << 20, true}, {8 << 20, true}, {16 << 20, true}};
    int previous = k_weight_primary;
    for (const auto& [lag, streaming] : fresher_first) {
        const int weight = standby_weight(lag, k_max_lag, streaming);
        INFO("lag " << lag);
        CHECK(weight < previous);
        CHECK(weight >= k_weight_standby_worst);
        CHECK(weight > k_weight_lagging);
        previous = weight;
    }
    CHECK(standby_weight(0, k_max_lag, true) == k_weight_standby_best);
    CHECK(standby_weight(0, k_max_lag, false) == k_weight_standby_best - k_weight_not_streaming);
    CHECK(standby_weight(k_max_lag, k_max_lag, false) == k_weight_standby_worst);
    CHECK(standby_weight(k_max_lag + 1, k_max_lag, true) == k_weight_lagging);
    CHECK(standby_weight(0, 0, true) == k_weight_standby_best);
    CHECK(standby_weight(1, 0, true) == k_weight_lagging);
    CHECK(standby_weight(1ull << 62, 1ull << 63, true) == k_weight_standby_best - k_weight_standby_lag_range / 2);
    CHECK(k_weight_down < k_weight_lagging);
}

TEST_CASE("health_needs: peers and witness only where the verdict can depend on them", "[health]")
{
    Config config;
    config.node.peers = {"10.0.0.2:5432"};
    config.failover.witness = "10.0.0.9:22";
    struct NeedCase {
        bool standby_signal;
        std::string requested;
        bool peers;
        bool witness;
    };
    const std::vector<NeedCase> cases = {
        {false, "", true, true},        {false, "BACKUP", true, true}, {true, "", false, false},
        {true, "BACKUP", false, false}, {true, "FAULT", false, false}, {true, "MASTER", true, false},
    };
    for (const auto& c : cases) {
        INFO("standby.signal " << c.standby_signal << ", requested " << c.requested);
        auto needs = health_needs(config, c.standby_signal, c.requested);
        CHECK(needs.peers == c.peers);
        CHECK(needs.witness == c.witness);
    }
    Config lone;
    auto needs = health_needs(lone, false, "MASTER");
    CHECK_FALSE(needs.peers);
    CHECK_FALSE(needs.witness);
}

TEST_CASE("rejoin_reason: only a down or yielding node with a reachable peer primary rejoins", "[health]")
{
    HealthSettings settings;
    settings.max_lag = k_max_lag;
    auto reason = [&](const HealthObservation& o) { return rejoin_reason(o, decide_health(o, settings)); };

    SECTION("a down server and a peer primary: rejoin it")
    {
        auto r = reason(observed(std::nullopt, {peer(true, false, 3)}));
        REQUIRE(r);
        CHECK_THAT(*r, Catch::Contains("server is down and peer 10.0.0.2:5432 is a primary"));
    }
    SECTION("the newest of several peer primaries is named")
    {
        auto older = peer(true, false, 2);
        older.address = "10.0.0.3:5432";
        auto r = reason(observed(std::nullopt, {older, peer(true, false, 4)}));
        REQUIRE(r);
        CHECK_THAT(*r, Catch::Contains("10.0.0.2:5432"));
    }
    SECTION("a down server and no primary among the peers: nothing to follow")
    {
        CHECK(!reason(observed(std::nullopt)));
        CHECK(!reason(observed(std::nullopt, {peer(false, false, 0)})));
        CHECK(!reason(observed(std::nullopt, {peer(true, true, 3)})));
    }
    SECTION("a server that timed out may be running (frozen): never rejoined from the check")
    {
        auto o = observed(std::nullopt, {peer(true, false, 3)});
        o.server_timed_out = true;
        CHECK(!reason(o));
    }
    SECTION("paused: nothing, even down")
    {
        auto o = observed(std::nullopt, {peer(true, false, 3)});
        o.paused = true;
        CHECK(!reason(o));
    }
    SECTION("a primary that must yield to a newer timeline rejoins; same timeline or older does not")
    {
        auto r = reason(observed(primary(2), {peer(true, false, 3)}));
        REQUIRE(r);
        CHECK_THAT(*r, Catch::Contains("timeline 2") && Catch::Contains("timeline 3"));
        CHECK(!reason(observed(primary(2), {peer(true, false, 2)})));
        CHECK(!reason(observed(primary(3), {peer(true, false, 2)})));
    }
    SECTION("an isolated primary (witness unreachable) is unhealthy but has nobody to rejoin")
    {
        CHECK(!reason(observed(primary(2), {}, false)));
    }
    SECTION("healthy nodes never rejoin")
    {
        CHECK(!reason(observed(standby(), {peer(true, false, 2)})));
        CHECK(!reason(observed(primary(2), {peer(true, true, 2)})));
    }
    SECTION("a lagging standby is unhealthy but keeps replaying")
    {
        CHECK(!reason(observed(standby(k_max_lag + 1), {peer(true, false, 2)})));
    }
}

TEST_CASE("decide_health: a server restarted on purpose by a transition stays healthy", "[health]")
{
    HealthSettings settings;
    auto o = observed(std::nullopt, {peer(true, false, 3)});
    o.planned_restart = "recreate_primary (tx ab12cd)";
    const auto v = decide_health(o, settings);
    CHECK(v.healthy);
    CHECK(v.role == HealthRole::restarting);
    CHECK_THAT(v.reason, Catch::Contains("recreate_primary (tx ab12cd)"));
    CHECK_FALSE(v.weight);  // the track file keeps its value
    CHECK_FALSE(rejoin_reason(o, v));

    o.planned_restart.clear();
    CHECK_FALSE(decide_health(o, settings).healthy);
}
