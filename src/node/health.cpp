#include "node/health.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "node/observe.hpp"
#include "node/sync_standbys.hpp"
#include "node/track_file.hpp"
#include "pg/conninfo.hpp"
#include "util/clock.hpp"
#include "util/files.hpp"
#include "util/state_store.hpp"
#include "util/units.hpp"

namespace pgfo::node {
namespace {

constexpr const char* k_vip_state = "MASTER";

HealthVerdict verdict(bool healthy, HealthRole role, std::string reason)
{
    HealthVerdict result;
    result.healthy = healthy;
    result.role = role;
    result.reason = std::move(reason);
    return result;
}

HealthVerdict decide_primary(const HealthObservation& observation, const HealthSettings& settings)
{
    const pg::ServerState& server = *observation.server;
    HealthVerdict result = verdict(true, HealthRole::primary,
                                   server.timeline != 0 ? fmt::format("primary on timeline {}", server.timeline)
                                                        : std::string("primary accepting connections"));
    result.weight = k_weight_primary;
    if (observation.witness_reachable == false) {
        result.healthy = false;
        result.reason = fmt::format("witness {} is unreachable: this primary may be isolated", settings.witness);
        return result;
    }
    for (const auto& peer : observation.peers) {
        if (peer.is_primary() && peer.timeline > server.timeline) {
            result.healthy = false;
            result.reason = fmt::format("peer {} is a primary on a newer timeline ({} > {}): this primary must yield",
                                        peer.address, peer.timeline, server.timeline);
            return result;
        }
    }
    auto wanted = wanted_sync_standby_names(settings.synchronous, server.streaming_standbys);
    if (wanted && *wanted != server.synchronous_standby_names)
        result.new_sync_standby_names = *wanted;
    return result;
}

HealthVerdict decide_standby(const HealthObservation& observation, const HealthSettings& settings)
{
    const pg::ServerState& server = *observation.server;
    const pg::Lsn lag = standby_lag(server);
    HealthVerdict result =
        verdict(true, HealthRole::standby,
                fmt::format("standby on timeline {}, replay {} behind", server.timeline, util::format_size(lag)));
    result.lag_bytes = lag;
    result.weight = standby_weight(lag, settings.max_lag, server.wal_receiver_streaming);
    if (lag > settings.max_lag) {
        result.healthy = false;
        result.reason = fmt::format("standby replay is {} behind the last known WAL position {} (max_lag {})",
                                    util::format_size(lag), pg::format_lsn(server.replay_lsn + lag),
                                    util::format_size(settings.max_lag));
        return result;
    }
    if (observation.requested_state == k_vip_state) {
        for (const auto& peer : observation.peers) {
            if (peer.is_primary()) {
                result.healthy = false;
                result.reason = fmt::format(
                    "holding the VIP while peer {} is the primary: keepalived made this standby MASTER", peer.address);
                return result;
            }
        }
    }
    return result;
}

// What the check asks a peer: is it a primary, on which timeline. A standby says so when
// the connection starts (in_hot_standby); a primary gets one statement. All of it within
// BUDGET: a peer that does not answer in time counts as not a primary, which can keep a
// check healthy but never fail it, so a dead peer host cannot make the check overrun.
core::PeerObservation probe_peer(const Config& config, const std::string& address, std::chrono::milliseconds budget)
{
    core::PeerObservation peer;
    peer.address = address;
    const auto deadline = std::chrono::steady_clock::now() + budget;
    auto conn = connect_peer(config, address, budget);
    if (!conn.ok()) {
        peer.error = conn.error().message;
        return peer;
    }
    conn->abandon_on_timeout();
    if (conn->parameter_status("in_hot_standby") == std::optional<std::string>("on")) {
        peer.reachable = peer.in_recovery = true;
        return peer;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto state = pg::inspect_server(conn.value(), std::max(left, std::chrono::milliseconds(1)), true);
    if (!state.ok()) {
        peer.error = state.error().message;
        return peer;
    }
    record_peer_state(peer, state.value());
    return peer;
}

std::vector<core::PeerObservation> probe_peers(const Config& config)
{
    const auto budget = std::min(config.timeouts.connect, k_peer_budget);
    return probe_in_parallel(config.node.peers, [&config, budget](const std::string& address) {
        return probe_peer(config, address, budget);
    });
}

// Whether a primary's verdict may need no statement: the server said at startup that it is
// not in recovery (in_hot_standby, PostgreSQL 14+) and synchronous mode is off. Unless a
// peer turns out to be a primary (whose timeline must then be compared with ours), the
// common case of a healthy primary costs a connection and no statement at all.
bool may_skip_query(const pg::Connection& conn, const Config& config)
{
    return config.failover.synchronous == SyncMode::off &&
           conn.parameter_status("in_hot_standby") == std::optional<std::string>("off");
}

}  // namespace

HealthSettings HealthSettings::from(const Config& config)
{
    HealthSettings settings;
    settings.max_lag = config.failover.max_lag;
    settings.witness = config.failover.witness;
    settings.synchronous = config.failover.synchronous;
    return settings;
}

HealthNeeds health_needs(const Config& config, bool standby_signal, const std::string& requested_state)
{
    HealthNeeds needs;
    const bool maybe_primary = !standby_signal;
    needs.peers = !config.node.peers.empty() && (maybe_primary || requested_state == k_vip_state);
    needs.witness = !config.failover.witness.empty() && maybe_primary;
    return needs;
}

pg::Lsn standby_lag(const pg::ServerState& server)
{
    const pg::Lsn known = std::max({server.receive_lsn, server.latest_end_lsn, server.replay_lsn});
    return known - server.replay_lsn;
}

int standby_weight(pg::Lsn lag, std::uint64_t max_lag, bool streaming)
{
    if (lag > max_lag)
        return k_weight_lagging;
    int weight = k_weight_standby_best;
    if (max_lag > 0)
        weight -= static_cast<int>(static_cast<long double>(k_weight_standby_lag_range) * lag / max_lag);
    if (!streaming)
        weight -= k_weight_not_streaming;
    return std::max(weight, k_weight_standby_worst);
}

HealthVerdict decide_health(const HealthObservation& observation, const HealthSettings& settings)
{
    if (observation.paused)
        return verdict(true, HealthRole::paused, "paused: " + observation.pause_reason);
    if (!observation.server && !observation.planned_restart.empty())
        return verdict(true, HealthRole::restarting, "server is restarting on purpose: " + observation.planned_restart);
    if (!observation.server) {
        HealthVerdict result = verdict(false, HealthRole::down, observation.server_error);
        result.weight = k_weight_down;
        return result;
    }
    return observation.server->in_recovery ? decide_standby(observation, settings)
                                           : decide_primary(observation, settings);
}

std::optional<std::string> rejoin_reason(const HealthObservation& observation, const HealthVerdict& verdict)
{
    if (observation.paused || verdict.healthy)
        return std::nullopt;
    const core::PeerObservation* newest = nullptr;
    for (const auto& peer : observation.peers)
        if (peer.is_primary() && (!newest || peer.timeline > newest->timeline))
            newest = &peer;
    if (!newest)
        return std::nullopt;
    if (!observation.server) {
        if (observation.server_timed_out)
            return std::nullopt;
        return fmt::format("server is down and peer {} is a primary: rejoin it as standby", newest->address);
    }
    if (!observation.server->in_recovery && observation.server->timeline != 0 &&
        newest->timeline > observation.server->timeline)
        return fmt::format("this primary is on timeline {} and peer {} is a primary on timeline {}: rejoin it",
                           observation.server->timeline, newest->address, newest->timeline);
    return std::nullopt;
}

std::string_view to_string(HealthRole role)
{
    switch (role) {
    case HealthRole::paused:
        return "paused";
    case HealthRole::restarting:
        return "restarting";
    case HealthRole::down:
        return "down";
    case HealthRole::primary:
        return "primary";
    case HealthRole::standby:
        return "standby";
    }
    return "unknown";
}

CheckOutcome run_check(const Config& config, bool dry_run)
{
    CheckOutcome outcome;
    HealthObservation& observation = outcome.observation;
    util::StateStore store(config.node.state_dir);
    if (auto paused = store.paused()) {
        observation.paused = true;
        observation.pause_reason = paused->reason;
        outcome.verdict = decide_health(observation, HealthSettings::from(config));
        return outcome;
    }
    if (auto request = store.latest_request())
        observation.requested_state = request->state;

    const bool standby_signal = util::path_exists(config.postgres.data_dir + "/standby.signal");
    const HealthNeeds needs = health_needs(config, standby_signal, observation.requested_state);
    std::future<std::vector<core::PeerObservation>> peers;
    if (needs.peers)
        peers = std::async(std::launch::async, [&config] { return probe_peers(config); });
    std::future<bool> witness;
    if (needs.witness)
        witness = std::async(std::launch::async,
                             [&config] { return tcp_reachable(config.failover.witness, config.timeouts.connect); });

    auto conn = connect_local(config);
    if (conn.ok() && may_skip_query(conn.value(), config)) {
        observation.peers = peers.valid() ? peers.get() : std::vector<core::PeerObservation>{};
        if (std::none_of(observation.peers.begin(), observation.peers.end(),
                         [](const auto& peer) { return peer.is_primary(); }))
            observation.server = pg::ServerState{};  // not in recovery; timeline not asked
    }
    if (!conn.ok()) {
        observation.server_error = "server is not answering: " + conn.error().message;
        observation.server_timed_out = conn.error().kind == ErrorKind::timeout;
        if (auto restart = store.planned_restart(util::unix_now_ms()))
            observation.planned_restart = restart->what + " (tx " + restart->tx + ")";
    } else if (!observation.server) {
        auto state = pg::inspect_server(conn.value(), config.timeouts.connect, true);
        if (state.ok()) {
            observation.server = std::move(state.value());
        } else {
            observation.server_error = state.error().message;
            observation.server_timed_out = state.error().kind == ErrorKind::timeout;
        }
    }
    if (peers.valid())
        observation.peers = peers.get();
    else if (!needs.peers && !observation.server && !observation.server_timed_out && !config.node.peers.empty())
        observation.peers = probe_peers(config);  // a down server: is there a primary to rejoin?
    if (witness.valid())
        observation.witness_reachable = witness.get();
    outcome.verdict = decide_health(observation, HealthSettings::from(config));
    const HealthVerdict& verdict = outcome.verdict;
    outcome.rejoin = rejoin_reason(observation, verdict);

    if (verdict.healthy && verdict.new_sync_standby_names) {
        const std::string& wanted = *verdict.new_sync_standby_names;
        const std::string change =
            fmt::format("synchronous_standby_names '{}' -> '{}' ({} standby streaming)",
                        observation.server->synchronous_standby_names, wanted, observation.server->streaming_standbys);
        if (dry_run)
            outcome.changes.push_back("would set " + change);
        else if (auto set = set_sync_standby_names(conn.value(), wanted, config.timeouts.connect); set.ok())
            outcome.changes.push_back("set " + change);
        else
            outcome.warnings.push_back("could not set " + change + ": " + set.error().message);
    }

    if (!config.check.track_file.empty() && verdict.weight) {
        if (dry_run) {
            outcome.changes.push_back(fmt::format("would write {} to {}", *verdict.weight, config.check.track_file));
        } else if (auto written = update_track_file(config.check.track_file, *verdict.weight); !written.ok()) {
            outcome.warnings.push_back(written.error().message);
        } else if (written.value()) {
            outcome.changes.push_back(fmt::format("wrote {} to {}", *verdict.weight, config.check.track_file));
        }
    }
    return outcome;
}

}  // namespace pgfo::node
