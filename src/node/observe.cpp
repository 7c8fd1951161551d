#include "node/observe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <future>

#include <fmt/format.h>

#include "pg/conninfo.hpp"
#include "util/files.hpp"

namespace pgfo::node {
namespace {

core::PeerObservation observe_peer(const Config& config, const std::string& address)
{
    core::PeerObservation peer;
    peer.address = address;
    const auto syn_budget = std::min(config.timeouts.connect, k_host_alive_budget);
    if (!tcp_reachable(address, syn_budget)) {
        peer.error = fmt::format("no TCP connection within {} ms (host down, cut off, or nothing listening)",
                                 syn_budget.count());
        return peer;
    }
    auto conn = connect_peer(config, address);
    if (!conn.ok()) {
        peer.error = conn.error().message;
        return peer;
    }
    auto state = pg::inspect_server(conn.value(), config.timeouts.connect, true);
    if (!state.ok()) {
        peer.error = state.error().message;
        return peer;
    }
    record_peer_state(peer, state.value());
    return peer;
}

}  // namespace

void record_peer_state(core::PeerObservation& peer, const pg::ServerState& state)
{
    peer.reachable = true;
    peer.in_recovery = state.in_recovery;
    peer.timeline = state.timeline;
    peer.lsn = state.in_recovery ? std::max(state.receive_lsn, state.replay_lsn) : state.current_lsn;
}

Result<pg::Connection> connect_local(const Config& config)
{
    auto conninfo = pg::client_conninfo(config.postgres.conninfo, config.timeouts.connect);
    if (!conninfo.ok())
        return conninfo.error();
    return pg::Connection::open(conninfo.value(), config.timeouts.connect, pg::SessionSetup::startup);
}

Result<pg::Connection> connect_peer(const Config& config, const std::string& address,
                                    std::optional<std::chrono::milliseconds> timeout)
{
    auto conninfo = pg::client_conninfo(config.postgres.conninfo, config.timeouts.connect, address);
    if (!conninfo.ok())
        return conninfo.error();
    return pg::Connection::open(conninfo.value(), timeout.value_or(config.timeouts.connect), pg::SessionSetup::startup);
}

core::LocalObservation observe_local(const Config& config, runtime::Runtime& runtime)
{
    core::LocalObservation local;
    const std::string& data_dir = config.postgres.data_dir;
    local.data_dir_exists = util::path_exists(data_dir + "/PG_VERSION");
    local.standby_signal = util::path_exists(data_dir + "/standby.signal");
    auto running = runtime.is_running();
    if (!running.ok()) {
        // Unknown is not stopped: a server that may run is never resynced or started twice. The
        // planner fails promotions and rejoins on a running server that does not answer; a fence
        // still tries to stop it.
        local.running = true;
        local.error = "its runtime cannot tell whether it runs: " + running.error().message;
        local.timed_out = running.error().kind == ErrorKind::timeout;
        return local;
    }
    local.running = running.value();
    if (!local.running)
        return local;
    auto conn = connect_local(config);
    if (!conn.ok()) {
        local.error = conn.error().message;
        local.timed_out = conn.error().kind == ErrorKind::timeout;
        return local;
    }
    auto state = pg::inspect_server(conn.value(), config.timeouts.connect, true);
    if (!state.ok()) {
        local.error = state.error().message;
        local.timed_out = state.error().kind == ErrorKind::timeout;
        return local;
    }
    local.reachable = true;
    local.in_recovery = state->in_recovery;
    local.timeline = state->timeline;
    local.lsn = state->in_recovery ? state->replay_lsn : state->current_lsn;
    local.receive_lsn = state->receive_lsn;
    local.streaming = state->wal_receiver_streaming;
    if (!state->upstream_host.empty())
        local.upstream = state->upstream_host + ":" + std::to_string(state->upstream_port);
    return local;
}

std::string local_address(const Config& config)
{
    auto conninfo = pg::Conninfo::parse(config.postgres.conninfo);
    if (!conninfo.ok())
        return "";
    const std::string host = conninfo->get("host").value_or("localhost");
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           conninfo->get("port").value_or("5432");
}

std::vector<core::PeerObservation> observe_peers(const Config& config, const std::vector<std::string>& addresses)
{
    return probe_in_parallel(addresses,
                             [&config](const std::string& address) { return observe_peer(config, address); });
}

bool tcp_reachable(const std::string& address, std::chrono::milliseconds timeout)
{
    auto host_port = pg::parse_host_port(address);
    if (!host_port)
        return false;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(host_port->host.c_str(), std::to_string(host_port->port).c_str(), &hints, &found) != 0)
        return false;
    bool reachable = false;
    for (addrinfo* ai = found; ai && !reachable; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            reachable = true;
        } else if (errno == EINPROGRESS) {
            pollfd pfd{fd, POLLOUT, 0};
            if (::poll(&pfd, 1, static_cast<int>(timeout.count())) == 1) {
                int error = 0;
                socklen_t len = sizeof(error);
                reachable = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
            }
        }
        ::close(fd);
    }
    freeaddrinfo(found);
    return reachable;
}

}  // namespace pgfo::node
