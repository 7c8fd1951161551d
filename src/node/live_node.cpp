#include "node/live_node.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <thread>

#include "node/data_dir.hpp"
#include "node/observe.hpp"
#include "node/sync_standbys.hpp"
#include "pg/conninfo.hpp"
#include "pg/server_state.hpp"
#include "util/clock.hpp"
#include "util/files.hpp"
#include "util/units.hpp"

namespace pgfo::node {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A conninfo for a child tool, with the password moved to the environment (never argv).
struct ToolConninfo {
    std::string conninfo;
    std::map<std::string, std::string> env;
};

Result<ToolConninfo> tool_conninfo(const std::string& base, const std::string& target, const Config& config,
                                   bool set_application_name)
{
    auto parsed = pg::Conninfo::parse(base);
    if (!parsed.ok())
        return parsed.error();
    pg::Conninfo conninfo = parsed.value();
    conninfo.set_address(target);
    if (set_application_name)
        conninfo.set("application_name", config.node.name);
    else
        conninfo.set_default("application_name", "pgfo");
    conninfo.set_default("connect_timeout",
                         std::to_string(std::max<long long>(1, (config.timeouts.connect.count() + 999) / 1000)));
    ToolConninfo tool;
    if (auto password = conninfo.get("password")) {
        tool.env["PGPASSWORD"] = *password;
        conninfo.erase("password");
    }
    tool.conninfo = conninfo.to_string();
    return tool;
}

std::vector<std::string> peer_addresses(const Config& config, const std::string& hint)
{
    std::vector<std::string> addresses = config.node.peers;
    if (!hint.empty() && std::find(addresses.begin(), addresses.end(), hint) == addresses.end())
        addresses.push_back(hint);
    return addresses;
}

core::StepReport report(std::string message, std::vector<util::LogField> fields = {})
{
    core::StepReport result;
    result.message = std::move(message);
    result.fields = std::move(fields);
    return result;
}

}  // namespace

LiveNode::LiveNode(const Config& config, runtime::Runtime& runtime, util::Logger& log, std::uint64_t seq)
    : m_config(config), m_runtime(runtime), m_log(log), m_state(config.node.state_dir), m_seq(seq)
{
}

bool LiveNode::superseded()
{
    if (m_seq == 0)
        return false;
    auto latest = m_state.latest_request();
    return latest && latest->seq > m_seq;
}

core::Observation LiveNode::observe(const core::Request& request)
{
    core::Observation observation;
    observation.local = observe_local(m_config, m_runtime);
    if (observation.local.reachable && !observation.local.in_recovery)
        m_last_primary_lsn = std::max(m_last_primary_lsn, observation.local.lsn);
    observation.peers = observe_peers(m_config, peer_addresses(m_config, request.primary_hint));
    if (auto paused = m_state.paused()) {
        observation.paused = true;
        observation.pause_reason = paused->reason;
    }
    if (!m_config.failover.witness.empty())
        observation.witness_reachable = tcp_reachable(m_config.failover.witness, m_config.timeouts.connect);
    observation.last_resync_failed = m_state.resync_failed();
    return observation;
}

Result<core::StepReport> LiveNode::run_step(const core::Step& step, const core::Request& request)
{
    switch (step.kind) {
    case core::StepKind::start:
        return start();
    case core::StepKind::wait_for_primary:
        return wait_for_primary(request);
    case core::StepKind::promote:
        return promote();
    case core::StepKind::recreate_primary:
        return recreate_primary();
    case core::StepKind::configure_sync:
        return configure_sync();
    case core::StepKind::fence:
        return stop(true);
    case core::StepKind::stop:
        return stop(false);
    case core::StepKind::rewind:
        return rewind(step.target);
    case core::StepKind::basebackup:
        return basebackup(step.target);
    case core::StepKind::configure_standby:
        return configure_standby(step.target);
    case core::StepKind::start_standby:
        return start_standby(step.target);
    }
    return make_error(ErrorKind::failed, "unknown step");
}

Result<core::StepReport> LiveNode::start()
{
    const bool standby = util::path_exists(m_config.postgres.data_dir + "/standby.signal");
    auto started =
        m_runtime.start(standby ? runtime::ServerRole::standby : runtime::ServerRole::primary, m_config.timeouts.start);
    if (!started.ok())
        return started.error();
    return report(standby ? "started as standby" : "started as primary");
}

Result<core::StepReport> LiveNode::wait_for_primary(const core::Request& request)
{
    const auto limit = request.intent == core::Intent::demote ? m_config.timeouts.resync : m_config.failover.peer_wait;
    const auto deadline = Clock::now() + limit;
    while (true) {
        for (const auto& peer : observe_peers(m_config, peer_addresses(m_config, request.primary_hint)))
            if (peer.is_primary() && (request.primary_hint.empty() || peer.address == request.primary_hint))
                return report(fmt::format("peer {} is primary (timeline {})", peer.address, peer.timeline),
                              {{"primary", peer.address}});
        if (superseded() || Clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(200ms);
    }
    core::StepReport none = report(
        fmt::format("no peer became primary within {}; this node is left as it is", util::format_duration(limit)));
    none.found_primary = false;
    return none;
}

Result<core::StepReport> LiveNode::promote()
{
    auto conn = connect_local(m_config);
    if (!conn.ok())
        return conn.error();
    const auto wait_seconds = std::max<long long>(1, m_config.timeouts.promote.count() / 1000);
    auto promoted = conn->query("SELECT pg_catalog.pg_promote(true, $1::int)", {std::to_string(wait_seconds)},
                                m_config.timeouts.promote + 2s);
    if (!promoted.ok())
        return promoted.error();
    if (promoted->get(0, "pg_promote") != std::optional<std::string>("t"))
        return make_error(ErrorKind::timeout, fmt::format("pg_promote did not finish within {}s", wait_seconds));
    auto state = pg::inspect_server(conn.value(), m_config.timeouts.connect, true);
    if (!state.ok())
        return state.error();
    if (state->in_recovery)
        return make_error(ErrorKind::failed, "server is still in recovery after pg_promote");
    return report(fmt::format("promoted to primary, timeline {}", state->timeline),
                  {{"timeline", std::to_string(state->timeline)}, {"lsn", pg::format_lsn(state->current_lsn)}});
}

Result<core::StepReport> LiveNode::recreate_primary()
{
    // The recreate stops the server for a moment: the check must not FAULT the new primary for it.
    util::PlannedRestart restart;
    restart.what = "recreate_primary";
    restart.tx = m_log.tx();
    restart.until_ms = util::unix_now_ms() + (m_config.timeouts.start + m_config.timeouts.stop).count();
    if (auto begun = m_state.begin_planned_restart(restart); !begun.ok())
        m_log.warn("recreate_primary.warning", "could not tell the check about the restart: " + begun.error().message);
    auto verified = recreate_and_verify_primary();
    m_state.end_planned_restart();
    return verified;
}

Result<core::StepReport> LiveNode::recreate_and_verify_primary()
{
    auto recreated = m_runtime.recreate(runtime::ServerRole::primary, m_config.timeouts.start);
    if (!recreated.ok())
        return recreated.error();
    auto conn = connect_local(m_config);
    if (!conn.ok())
        return conn.error();
    auto state = pg::inspect_server(conn.value(), m_config.timeouts.connect, true);
    if (!state.ok())
        return state.error();
    if (state->in_recovery)
        return make_error(ErrorKind::failed, "server came back as a standby after recreating it as primary");
    return report("recreated as primary");
}

Result<core::StepReport> LiveNode::configure_sync()
{
    auto conn = connect_local(m_config);
    if (!conn.ok())
        return conn.error();
    auto state = pg::inspect_server(conn.value(), m_config.timeouts.connect, true);
    if (!state.ok())
        return state.error();
    const int standbys = state->streaming_standbys;
    const auto wanted = wanted_sync_standby_names(m_config.failover.synchronous, standbys);
    if (!wanted)
        return report("synchronous mode is off: synchronous_standby_names left alone");
    if (state->synchronous_standby_names == *wanted)
        return report(fmt::format("synchronous_standby_names already '{}'", *wanted));
    if (auto set = set_sync_standby_names(conn.value(), *wanted, m_config.timeouts.connect); !set.ok())
        return set.error();
    return report(fmt::format("synchronous_standby_names set to '{}' ({} standby streaming)", *wanted, standbys),
                  {{"sync_standbys", *wanted}});
}

Result<core::StepReport> LiveNode::stop(bool fence)
{
    auto conn = connect_local(m_config);
    if (conn.ok()) {
        auto state = pg::inspect_server(conn.value(), m_config.timeouts.connect, true);
        if (state.ok() && !state->in_recovery)
            m_last_primary_lsn = std::max(m_last_primary_lsn, state->current_lsn);
    }
    conn = Result<pg::Connection>(make_error(ErrorKind::failed, "closed"));
    auto stopped = m_runtime.stop(runtime::StopMode::fast, m_config.timeouts.stop);
    if (!stopped.ok()) {
        m_log.warn(fence ? "fence.escalate" : "stop.escalate",
                   "fast stop failed; stopping immediately: " + stopped.error().message);
        auto immediate = m_runtime.stop(runtime::StopMode::immediate, m_config.timeouts.stop);
        if (!immediate.ok())
            return immediate.error();
        return report(fence ? "fenced (immediate stop)" : "stopped (immediate)");
    }
    return report(fence ? "fenced: primary stopped, no more writes here" : "stopped");
}

Result<core::StepReport> LiveNode::rewind(const std::string& target)
{
    const std::string& data_dir = m_config.postgres.data_dir;
    auto read_control = [&]() -> Result<std::map<std::string, std::string>> {
        auto control =
            m_runtime.run_tool("pg_controldata", {"-D", data_dir}, {{"LC_ALL", "C"}}, m_config.timeouts.connect + 10s);
        if (!control.succeeded())
            return runtime::process_error("pg_controldata", control);
        return parse_controldata(control.out);
    };
    auto fields = read_control();
    if (!fields.ok())
        return fields.error();
    const std::string cluster_state = (*fields)["Database cluster state"];
    if (cluster_state == "in archive recovery") {
        // Without standby.signal, pg_rewind left this state: a run stopped after the rewind and
        // before the standby was configured. It must start as a standby (replaying to
        // minRecoveryPoint on the new timeline); crash recovery would end recovery and fork a
        // history of its own. With it, a standby stopped uncleanly resumes replay where it was.
        const bool rewound = !util::path_exists(data_dir + "/standby.signal");
        return report((rewound ? "already rewound (the control file is in archive recovery): starts as a standby of "
                               : "a standby stopped uncleanly: it resumes replay as a standby of ") +
                          target,
                      {{"discarded_bytes", "0"}});
    }
    if (cluster_state != "shut down" && cluster_state != "shut down in recovery") {
        // A crashed server: finish crash recovery in single-user mode (as pg_rewind would), so the
        // control file shows where this node's WAL really ends: what the rewind will discard.
        // wal_keep_size: the end-of-recovery checkpoint must not recycle the WAL pg_rewind reads next
        // (settings given on a container's command line do not reach this run).
        std::vector<std::string> single = {"--single", "-F", "-D", data_dir, "-c", "wal_keep_size=1TB"};
        // Images that keep postgresql.conf elsewhere (bitnami) leave none in the data directory.
        if (!util::path_exists(data_dir + "/postgresql.conf"))
            single.insert(single.end(), {"-c", "config_file=/dev/null"});
        single.emplace_back("template1");
        auto recovered = m_runtime.run_tool("postgres", single, {{"LC_ALL", "C"}}, m_config.timeouts.start);
        if (!recovered.succeeded())
            return runtime::process_error("crash recovery (postgres --single) of " + data_dir, recovered);
        fields = read_control();
        if (!fields.ok())
            return fields.error();
        m_log.info("rewind.recovered", "crash recovery finished before the rewind",
                   {{"was", cluster_state}, {"end_lsn", (*fields)["Latest checkpoint location"]}});
    }
    // The new primary's control file must show its new timeline before pg_rewind compares them.
    if (auto source = connect_peer(m_config, target); source.ok()) {
        (void)source->query("CHECKPOINT", m_config.timeouts.promote);
        // pg_rewind would take this node back to an older history and discard what came after.
        const auto local_timeline = util::parse_number<std::uint32_t>((*fields)["Latest checkpoint's TimeLineID"]);
        auto state = pg::inspect_server(source.value(), m_config.timeouts.connect, true);
        if (local_timeline && state.ok() && state->timeline != 0 && *local_timeline > state->timeline)
            return make_error(ErrorKind::refused,
                              fmt::format("this node's data is on timeline {}, newer than {}'s timeline {}: "
                                          "rewinding would discard its newer history",
                                          *local_timeline, target, state->timeline));
    }

    const bool checksums = (*fields)["Data page checksum version"] != "0";
    const bool hints = (*fields)["wal_log_hints setting"] == "on";
    if (auto checkpoint = pg::parse_lsn((*fields)["Latest checkpoint location"]))
        m_last_primary_lsn = std::max(m_last_primary_lsn, *checkpoint);
    if (!checksums && !hints) {
        m_log.warn("rewind.impossible", "neither data checksums nor wal_log_hints: falling back to basebackup");
        auto fallback = basebackup(target);
        if (fallback.ok())
            fallback->fell_back_to_basebackup = true;
        return fallback;
    }

    const SavedFiles own = save_config_files(data_dir);
    auto source = tool_conninfo(m_config.postgres.conninfo, target, m_config, false);
    if (!source.ok())
        return source.error();
    auto env = source->env;
    env["LC_ALL"] = "C";
    auto rewound =
        m_runtime.run_tool("pg_rewind", {"--target-pgdata=" + data_dir, "--source-server=" + source->conninfo}, env,
                           m_config.timeouts.resync);
    if (!rewound.succeeded()) {
        if (rewound.status == util::ProcessResult::Status::timed_out)
            return runtime::process_error("pg_rewind", rewound);
        m_log.warn("rewind.fallback",
                   "pg_rewind failed; falling back to basebackup: " + rewound.describe_with_stderr());
        auto fallback = basebackup(target);
        if (fallback.ok())
            fallback->fell_back_to_basebackup = true;
        return fallback;
    }
    auto restored = restore_config_files(data_dir, own, m_config.postgres.os_user);
    if (!restored.ok())
        return restored.error();
    const std::string output = rewound.out + rewound.err;
    core::StepReport result;
    if (auto fork = parse_rewind_divergence(output)) {
        const std::uint64_t discarded = m_last_primary_lsn > *fork ? m_last_primary_lsn - *fork : 0;
        result.discarded_wal = discarded;
        result.message = fmt::format("rewound to {}'s history; diverged at {}, {} of WAL discarded", target,
                                     pg::format_lsn(*fork), util::format_size(discarded));
        result.fields = {{"fork_lsn", pg::format_lsn(*fork)}, {"discarded_bytes", std::to_string(discarded)}};
    } else {
        result.discarded_wal = 0;
        result.message = "no rewind required: this node's history is part of " + target + "'s";
        result.fields = {{"discarded_bytes", "0"}};
    }
    return result;
}

Result<core::StepReport> LiveNode::basebackup(const std::string& target)
{
    const std::string& data_dir = m_config.postgres.data_dir;
    const SavedFiles own = save_config_files(data_dir);
    const std::string fresh = data_dir + ".pgfo-new";
    if (util::path_exists(fresh)) {
        const std::string stale = aside_path(data_dir) + "-incomplete";
        if (std::rename(fresh.c_str(), stale.c_str()) != 0)
            return make_error(ErrorKind::failed, "could not move the leftover " + fresh + " aside");
        m_log.warn("basebackup.leftover", "moved an incomplete earlier copy aside", {{"path", stale}});
    }
    if (::mkdir(fresh.c_str(), 0700) != 0)
        return make_error(ErrorKind::failed, "could not create " + fresh);
    if (auto owned = chown_to_user(fresh, m_config.postgres.os_user); !owned.ok())
        return owned.error();

    auto source = tool_conninfo(m_config.postgres.replication_conninfo, target, m_config, true);
    if (!source.ok())
        return source.error();
    auto env = source->env;
    env["LC_ALL"] = "C";
    auto copied = m_runtime.run_tool(
        "pg_basebackup", {"-D", fresh, "-X", "stream", "-c", "fast", "--no-password", "-d", source->conninfo}, env,
        m_config.timeouts.resync);
    if (!copied.succeeded()) {
        const std::string failed = aside_path(data_dir) + "-incomplete";
        (void)std::rename(fresh.c_str(), failed.c_str());
        return runtime::process_error("pg_basebackup from " + target, copied);
    }
    std::string old_dir;
    if (util::path_exists(data_dir)) {
        old_dir = aside_path(data_dir);
        if (std::rename(data_dir.c_str(), old_dir.c_str()) != 0)
            return make_error(ErrorKind::failed, "could not move " + data_dir + " aside to " + old_dir);
    }
    if (std::rename(fresh.c_str(), data_dir.c_str()) != 0)
        return make_error(ErrorKind::failed, "could not move the new copy into " + data_dir);
    if (!own.empty()) {
        auto restored = restore_config_files(data_dir, own, m_config.postgres.os_user);
        if (!restored.ok())
            return restored.error();
    }
    core::StepReport result =
        report(old_dir.empty() ? fmt::format("copied from {}", target)
                               : fmt::format("copied from {}; old data directory kept at {}", target, old_dir),
               {{"old_data_dir", old_dir}});
    return result;
}

Result<core::StepReport> LiveNode::configure_standby(const std::string& target)
{
    const std::string& data_dir = m_config.postgres.data_dir;
    // primary_conninfo keeps its password (as pg_basebackup -R does) in the 0600 auto.conf.
    auto parsed = pg::Conninfo::parse(m_config.postgres.replication_conninfo);
    if (!parsed.ok())
        return parsed.error();
    pg::Conninfo conninfo = parsed.value();
    conninfo.set_address(target);
    conninfo.set("application_name", m_config.node.name);
    auto auto_conf = util::read_file(data_dir + "/postgresql.auto.conf");
    std::string content = set_conf_setting(auto_conf.value_or(""), "primary_conninfo", conninfo.to_string());
    auto written = write_owned_file(data_dir + "/postgresql.auto.conf", content, m_config.postgres.os_user, 0600);
    if (!written.ok())
        return written.error();
    written = write_owned_file(data_dir + "/standby.signal", "", m_config.postgres.os_user, 0600);
    if (!written.ok())
        return written.error();
    return report("standby.signal and primary_conninfo written", {{"upstream", target}});
}

Result<core::StepReport> LiveNode::start_standby(const std::string& target)
{
    const auto deadline = Clock::now() + m_config.timeouts.start;
    auto started = m_runtime.start(runtime::ServerRole::standby, m_config.timeouts.start);
    if (!started.ok())
        return started.error();
    std::string last_status = "no WAL receiver";
    while (Clock::now() < deadline) {
        auto conn = connect_local(m_config);
        if (conn.ok()) {
            auto state = pg::inspect_server(conn.value(), m_config.timeouts.connect, true);
            if (state.ok()) {
                if (!state->in_recovery)
                    return make_error(ErrorKind::failed, "server started as a primary, not as a standby");
                if (state->wal_receiver_streaming) {
                    m_state.clear_resync_failed();
                    return report(
                        fmt::format("streaming from {} on timeline {}", target, state->timeline),
                        {{"timeline", std::to_string(state->timeline)}, {"lsn", pg::format_lsn(state->replay_lsn)}});
                }
                if (!state->wal_receiver_status.empty())
                    last_status = "WAL receiver " + state->wal_receiver_status;
            }
        }
        std::this_thread::sleep_for(100ms);
    }
    const std::string why = fmt::format("standby did not stream from {} within {} ({})", target,
                                        util::format_duration(m_config.timeouts.start), last_status);
    // Only a primary that answers makes it this node's fault (its history, not the network).
    if (auto primary = connect_peer(m_config, target); primary.ok())
        (void)m_state.mark_resync_failed(why);
    return make_error(ErrorKind::timeout, why);
}

}  // namespace pgfo::node
