#include "node/status_report.hpp"

#include <fmt/format.h>

#include <future>

#include "alert/json.hpp"
#include "node/health.hpp"
#include "node/observe.hpp"
#include "node/track_file.hpp"
#include "pg/conninfo.hpp"
#include "util/interfaces.hpp"
#include "util/logfmt.hpp"
#include "util/units.hpp"

namespace pgfo::node {
namespace {

using alert::json::Object;

std::string peer_role(const core::PeerObservation& peer)
{
    if (!peer.reachable)
        return "unreachable";
    return peer.in_recovery ? "standby" : "primary";
}

void add_lsn(Object& object, std::string_view key, pg::Lsn lsn)
{
    if (lsn == 0)
        object.add_null(key);
    else
        object.add_string(key, pg::format_lsn(lsn));
}

void add_optional_double(Object& object, std::string_view key, const std::optional<double>& value)
{
    if (value)
        object.add_double(key, *value);
    else
        object.add_null(key);
}

void add_optional_string(Object& object, std::string_view key, const std::string& value)
{
    if (value.empty())
        object.add_null(key);
    else
        object.add_string(key, value);
}

Object client_json(const pg::ReplicationClient& client, pg::Lsn primary_lsn)
{
    Object object;
    object.add_string("application_name", client.application_name);
    add_optional_string(object, "client_addr", client.client_addr);
    object.add_string("state", client.state);
    object.add_string("sync_state", client.sync_state);
    add_lsn(object, "sent_lsn", client.sent_lsn);
    add_lsn(object, "write_lsn", client.write_lsn);
    add_lsn(object, "flush_lsn", client.flush_lsn);
    add_lsn(object, "replay_lsn", client.replay_lsn);
    if (client.replay_lsn != 0 && primary_lsn >= client.replay_lsn)
        object.add_int("replay_lag_bytes", static_cast<std::int64_t>(primary_lsn - client.replay_lsn));
    else
        object.add_null("replay_lag_bytes");
    add_optional_double(object, "replay_lag_seconds", client.replay_lag_seconds);
    return object;
}

Object server_json(const StatusReport& report)
{
    Object object;
    object.add_bool("running", report.server_running);
    object.add_bool("reachable", report.server_ok());
    add_optional_string(object, "address", report.server_address);
    add_optional_string(object, "error", report.server_error);
    if (!report.server) {
        for (const char* key :
             {"version", "in_recovery", "timeline", "current_lsn", "receive_lsn", "replay_lsn", "replay_lag_bytes",
              "replay_lag_seconds", "replay_paused", "wal_receiver", "synchronous_standby_names", "replication"})
            object.add_null(key);
        return object;
    }
    const pg::ServerState& server = *report.server;
    object.add_int("version", server.server_version);
    object.add_bool("in_recovery", server.in_recovery);
    object.add_int("timeline", server.timeline);
    add_lsn(object, "current_lsn", server.current_lsn);
    add_lsn(object, "receive_lsn", server.in_recovery ? server.receive_lsn : 0);
    add_lsn(object, "replay_lsn", server.in_recovery ? server.replay_lsn : 0);
    if (auto lag = report.replay_lag_bytes())
        object.add_int("replay_lag_bytes", static_cast<std::int64_t>(*lag));
    else
        object.add_null("replay_lag_bytes");
    add_optional_double(object, "replay_lag_seconds", server.in_recovery ? server.replay_lag_seconds : std::nullopt);
    if (server.in_recovery)
        object.add_bool("replay_paused", server.replay_paused);
    else
        object.add_null("replay_paused");
    if (server.wal_receiver_status.empty()) {
        object.add_null("wal_receiver");
    } else {
        Object receiver;
        receiver.add_string("status", server.wal_receiver_status);
        add_optional_string(receiver, "upstream",
                            server.upstream_host.empty()
                                ? std::string()
                                : server.upstream_host + ":" + std::to_string(server.upstream_port));
        receiver.add_int("timeline", server.received_timeline);
        add_lsn(receiver, "latest_end_lsn", server.latest_end_lsn);
        object.add_object("wal_receiver", receiver);
    }
    object.add_string("synchronous_standby_names", server.synchronous_standby_names);
    std::vector<Object> clients;
    for (const auto& client : server.clients)
        clients.push_back(client_json(client, server.in_recovery ? server.replay_lsn : server.current_lsn));
    object.add_object_array("replication", clients);
    return object;
}

std::string server_line(const StatusReport& report)
{
    const std::string at = report.server_address.empty() ? "" : " at " + report.server_address;
    if (report.server) {
        const int version = report.server->server_version;
        return fmt::format("running, accepting connections{} (PostgreSQL {}.{})", at, version / 10000, version % 10000);
    }
    if (!report.server_running)
        return "not running" + (report.server_error.empty() ? "" : ": " + report.server_error);
    return "running, not answering" + at + ": " + report.server_error;
}

std::string lag_text(std::optional<std::uint64_t> bytes, const std::optional<double>& seconds)
{
    std::string text = bytes ? util::human_size(*bytes) : "?";
    if (seconds)
        text += fmt::format(", {:.3f}s", *seconds);
    return text;
}

}  // namespace

std::string StatusReport::role() const
{
    if (server)
        return server->in_recovery ? "standby" : "primary";
    return server_running ? "unreachable" : "stopped";
}

std::optional<std::uint64_t> StatusReport::replay_lag_bytes() const
{
    if (!server || !server->in_recovery)
        return std::nullopt;
    return standby_lag(*server);
}

LastTransition parse_last_transition(const std::string& line)
{
    LastTransition last;
    last.raw = line;
    auto pairs = util::parse_logfmt(line);
    if (!pairs)
        return last;
    for (const auto& [key, value] : *pairs) {
        if (key == "ts")
            last.ts = value;
        else if (key == "tx")
            last.tx = value;
        else if (key == "state")
            last.state = value;
        else if (key == "outcome")
            last.outcome = value;
        else if (key == "msg")
            last.message = value;
        else if (key == "ms")
            last.ms = util::parse_number<long long>(value);
    }
    return last;
}

StatusReport gather_status(const Config& config, runtime::Runtime& runtime)
{
    StatusReport report;
    report.node = config.node.name;
    report.server_address = local_address(config);
    auto peers = std::async(std::launch::async, [&config] { return observe_peers(config, config.node.peers); });

    auto running = runtime.is_running();
    report.server_running = running.ok() && running.value();
    if (!running.ok())
        report.server_error = running.error().message;
    if (report.server_running) {
        auto conn = connect_local(config);
        if (!conn.ok()) {
            report.server_error = conn.error().message;
        } else {
            report.server_address = conn->server_address();
            auto state = pg::inspect_server(conn.value(), config.timeouts.connect);
            if (state.ok())
                report.server = std::move(state.value());
            else
                report.server_error = state.error().message;
        }
    }

    report.vip = config.node.vip;
    if (!report.vip.empty()) {
        auto held = util::host_has_address(report.vip);
        if (held.ok())
            report.vip_held = held.value();
        else
            report.vip_error = held.error().message;
    }
    util::StateStore store(config.node.state_dir);
    report.paused = store.paused();
    report.keepalived = store.latest_request();
    if (auto line = store.last_transition())
        report.last_transition = parse_last_transition(*line);
    report.last_check = util::StateStore(config.node.state_dir).health();
    report.track_file = config.check.track_file;
    if (!report.track_file.empty())
        report.track_weight = read_track_file(report.track_file);
    report.peers = peers.get();
    return report;
}

std::string render_status_json(const StatusReport& report)
{
    Object root;
    root.add_int("schema", 1);
    root.add_string("node", report.node);
    root.add_string("role", report.role());
    root.add_object("server", server_json(report));

    if (report.vip.empty()) {
        root.add_null("vip");
    } else {
        Object vip;
        vip.add_string("address", report.vip);
        if (report.vip_held)
            vip.add_bool("held", *report.vip_held);
        else
            vip.add_null("held");
        add_optional_string(vip, "error", report.vip_error);
        root.add_object("vip", vip);
    }

    if (report.paused) {
        Object paused;
        paused.add_string("reason", report.paused->reason);
        add_optional_string(paused, "since", report.paused->ts);
        root.add_object("paused", paused);
    } else {
        root.add_null("paused");
    }

    if (report.keepalived) {
        Object keepalived;
        keepalived.add_string("state", report.keepalived->state);
        keepalived.add_int("seq", static_cast<std::int64_t>(report.keepalived->seq));
        add_optional_string(keepalived, "ts", report.keepalived->ts);
        add_optional_string(keepalived, "tx", report.keepalived->tx);
        root.add_object("keepalived", keepalived);
    } else {
        root.add_null("keepalived");
    }

    if (report.last_transition) {
        const LastTransition& last = *report.last_transition;
        Object object;
        add_optional_string(object, "ts", last.ts);
        add_optional_string(object, "tx", last.tx);
        add_optional_string(object, "state", last.state);
        add_optional_string(object, "outcome", last.outcome);
        if (last.ms)
            object.add_int("ms", *last.ms);
        else
            object.add_null("ms");
        add_optional_string(object, "message", last.message);
        object.add_string("raw", last.raw);
        root.add_object("last_transition", object);
    } else {
        root.add_null("last_transition");
    }

    if (report.last_check) {
        Object check;
        check.add_bool("healthy", report.last_check->healthy);
        check.add_string("reason", report.last_check->reason);
        add_optional_string(check, "since", report.last_check->ts);
        root.add_object("last_check", check);
    } else {
        root.add_null("last_check");
    }

    if (report.track_file.empty()) {
        root.add_null("track_file");
    } else {
        Object track;
        track.add_string("path", report.track_file);
        if (report.track_weight)
            track.add_int("weight", *report.track_weight);
        else
            track.add_null("weight");
        root.add_object("track_file", track);
    }

    std::vector<Object> peers;
    for (const auto& peer : report.peers) {
        Object object;
        object.add_string("address", peer.address);
        object.add_bool("reachable", peer.reachable);
        object.add_string("role", peer_role(peer));
        if (peer.reachable) {
            object.add_int("timeline", peer.timeline);
            add_lsn(object, "lsn", peer.lsn);
        } else {
            object.add_null("timeline");
            object.add_null("lsn");
        }
        add_optional_string(object, "error", peer.error);
        peers.push_back(std::move(object));
    }
    root.add_object_array("peers", peers);
    return root.str();
}

std::string render_status_human(const StatusReport& report)
{
    std::vector<std::pair<std::string, std::string>> rows;
    auto row = [&rows](std::string label, std::string value) { rows.emplace_back(std::move(label), std::move(value)); };

    row("node", report.node);
    std::string role = report.role();
    if (report.server)
        role += fmt::format(", timeline {}", report.server->timeline);
    row("role", role);
    row("server", server_line(report));
    if (const auto* server = report.server ? &*report.server : nullptr) {
        if (server->in_recovery) {
            row("wal", fmt::format("receive {}, replay {}, lag {}{}", pg::format_lsn(server->receive_lsn),
                                   pg::format_lsn(server->replay_lsn),
                                   lag_text(report.replay_lag_bytes(), server->replay_lag_seconds),
                                   server->replay_paused ? " (replay paused)" : ""));
            if (server->wal_receiver_status.empty())
                row("receiver", "none (not connected to an upstream)");
            else
                row("receiver", fmt::format("{} from {}:{}, timeline {}", server->wal_receiver_status,
                                            server->upstream_host, server->upstream_port, server->received_timeline));
        } else {
            row("wal", "current " + pg::format_lsn(server->current_lsn));
            row("sync names", server->synchronous_standby_names.empty()
                                  ? std::string("'' (asynchronous)")
                                  : "'" + server->synchronous_standby_names + "'");
        }
        const pg::Lsn top = server->in_recovery ? server->replay_lsn : server->current_lsn;
        if (server->clients.empty())
            row("replication", "no clients");
        for (std::size_t i = 0; i < server->clients.size(); ++i) {
            const auto& client = server->clients[i];
            std::optional<std::uint64_t> lag;
            if (client.replay_lsn != 0 && top >= client.replay_lsn)
                lag = top - client.replay_lsn;
            row(i == 0 ? "replication" : "",
                fmt::format("{} ({}) {} {}, replay {}, lag {}", client.application_name,
                            client.client_addr.empty() ? "local" : client.client_addr, client.state, client.sync_state,
                            pg::format_lsn(client.replay_lsn), lag_text(lag, client.replay_lag_seconds)));
        }
    }

    if (report.vip.empty())
        row("vip", "(node.vip not set)");
    else if (report.vip_held)
        row("vip", report.vip + (*report.vip_held ? " held by this host" : " not on this host"));
    else
        row("vip", report.vip + ": " + report.vip_error);

    if (report.paused)
        row("paused",
            "yes: " + report.paused->reason + (report.paused->ts.empty() ? "" : " (since " + report.paused->ts + ")"));
    else
        row("paused", "no");
    if (report.keepalived)
        row("keepalived",
            fmt::format("{} (#{} at {})", report.keepalived->state, report.keepalived->seq, report.keepalived->ts));
    else
        row("keepalived", "no state recorded yet");
    if (report.last_transition) {
        const LastTransition& last = *report.last_transition;
        if (last.ts.empty())
            row("last", last.raw);
        else
            row("last", fmt::format("{} {} {}{}: {}", last.ts, last.state, last.outcome,
                                    last.ms ? fmt::format(" in {}ms", *last.ms) : "", last.message));
    } else {
        row("last", "no transition yet");
    }
    if (report.last_check)
        row("check", fmt::format("{} since {}: {}", report.last_check->healthy ? "healthy" : "unhealthy",
                                 report.last_check->ts, report.last_check->reason));
    if (!report.track_file.empty())
        row("track_file", report.track_file + " = " +
                              (report.track_weight ? std::to_string(*report.track_weight) : std::string("(none)")));

    if (report.peers.empty())
        row("peers", "none configured");
    for (std::size_t i = 0; i < report.peers.size(); ++i) {
        const auto& peer = report.peers[i];
        std::string text = peer.address + "  " + peer_role(peer);
        if (peer.reachable)
            text += fmt::format(", timeline {}, {}", peer.timeline, pg::format_lsn(peer.lsn));
        else if (!peer.error.empty())
            text += ": " + peer.error;
        row(i == 0 ? "peers" : "", text);
    }

    std::size_t width = 0;
    for (const auto& [label, value] : rows)
        width = std::max(width, label.size());
    std::string out;
    for (const auto& [label, value] : rows)
        out += fmt::format("{:<{}}  {}\n", label, width, value);
    return out;
}

}  // namespace pgfo::node
