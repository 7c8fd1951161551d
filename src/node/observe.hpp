#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "core/observation.hpp"
#include "pg/server_state.hpp"
#include "runtime/runtime.hpp"
#include "util/config.hpp"

namespace pgfo::node {

// This node's server: running (runtime), standby.signal, and what it says over SQL.
core::LocalObservation observe_local(const Config& config, runtime::Runtime& runtime);

// PROBE(address) for every address at once; the answers in the order of ADDRESSES.
template <typename Probe>
std::vector<core::PeerObservation> probe_in_parallel(const std::vector<std::string>& addresses, const Probe& probe)
{
    std::vector<std::future<core::PeerObservation>> futures;
    futures.reserve(addresses.size());
    for (const auto& address : addresses)
        futures.push_back(std::async(std::launch::async, [&probe, address] { return probe(address); }));
    std::vector<core::PeerObservation> peers;
    peers.reserve(futures.size());
    for (auto& future : futures)
        peers.push_back(future.get());
    return peers;
}

// Every address in ADDRESSES, in parallel, each bounded by timeouts.connect.
std::vector<core::PeerObservation> observe_peers(const Config& config, const std::vector<std::string>& addresses);

// The local server's host:port as postgres.conninfo names it (libpq's defaults when it does
// not; an IPv6 host in brackets); "" when the conninfo does not parse.
std::string local_address(const Config& config);

// Marks PEER reachable and records what STATE says of it (role, timeline, newest WAL position).
void record_peer_state(core::PeerObservation& peer, const pg::ServerState& state);

// A TCP connect to host:port within TIMEOUT (the witness).
bool tcp_reachable(const std::string& address, std::chrono::milliseconds timeout);

// How long a transition waits for a peer host's TCP handshake before it counts the peer as
// down. VRRP peers share a LAN segment, where a live host's kernel answers a SYN within a
// millisecond however busy its PostgreSQL; a dead or cut-off one never does, and waiting
// timeouts.connect for it would add that much to every failover after a node death.
inline constexpr std::chrono::milliseconds k_host_alive_budget{50};

// Connects to this node's own server with the configured conninfo.
Result<pg::Connection> connect_local(const Config& config);
// Connects to ADDRESS (host[:port]) with the configured conninfo's user and database, within
// TIMEOUT (default timeouts.connect).
Result<pg::Connection> connect_peer(const Config& config, const std::string& address,
                                    std::optional<std::chrono::milliseconds> timeout = std::nullopt);

}  // namespace pgfo::node
