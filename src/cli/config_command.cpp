#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "node/observe.hpp"
#include "pg/conninfo.hpp"
#include "pg/server_state.hpp"
#include "util/config.hpp"
#include "util/config_check.hpp"
#include "util/error.hpp"

namespace pgfo::cli {
namespace {

bool readable_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

// Connectivity is reported, not required: a fenced node's server or a dead peer is normal.
void report_connectivity(Context& ctx, const Config& config)
{
    auto describe = [](const core::PeerObservation& node) {
        if (!node.reachable)
            return "unreachable: " + node.error;
        return fmt::format("{}, timeline {}", node.in_recovery ? "standby" : "primary", node.timeline);
    };
    core::PeerObservation local;
    local.address = node::local_address(config);
    if (auto conn = node::connect_local(config); !conn.ok()) {
        local.error = conn.error().message;
    } else if (auto state = pg::inspect_server(conn.value(), config.timeouts.connect, true); !state.ok()) {
        local.error = state.error().message;
    } else {
        node::record_peer_state(local, state.value());
    }
    ctx.out() << "local " << local.address << ": " << describe(local) << "\n";
    for (const auto& peer : node::observe_peers(config, config.node.peers))
        ctx.out() << "peer " << peer.address << ": " << describe(peer) << "\n";
    if (!config.failover.witness.empty())
        ctx.out() << "witness " << config.failover.witness << ": "
                  << (node::tcp_reachable(config.failover.witness, config.timeouts.connect) ? "reachable"
                                                                                            : "unreachable")
                  << "\n";
}

// Unlike Context::config(), reports every problem, then the host checks, before failing.
void check_config(Context& ctx, bool connect)
{
    const std::string path = resolve_config_path(ctx.options.config_path);
    LoadedConfig loaded = load_config(path);
    std::vector<ConfigProblem> problems = std::move(loaded.problems);
    if (readable_file(path)) {
        auto environment = check_environment(loaded.config);
        problems.insert(problems.end(), environment.begin(), environment.end());
    }
    for (const auto& conninfo : {loaded.config.postgres.conninfo, loaded.config.postgres.replication_conninfo})
        if (auto parsed = pg::Conninfo::parse(conninfo); !parsed.ok())
            problems.push_back({path, 0, "invalid conninfo: " + parsed.error().message});
    for (const auto& problem : problems)
        ctx.err() << "pgfo: " << problem.to_string() << "\n";
    if (!problems.empty())
        throw Failure(ErrorKind::config,
                      fmt::format("{} problem{} in {}", problems.size(), problems.size() == 1 ? "" : "s", path));
    if (connect && !ctx.options.quiet)
        report_connectivity(ctx, loaded.config);
    if (!ctx.options.quiet)
        ctx.out() << path << ": ok\n";
}

}  // namespace

void add_config_command(CLI::App& app, Context& ctx)
{
    auto* config = app.add_subcommand("config", "configuration: config check");
    config->require_subcommand(1);
    auto* check = config->add_subcommand(
        "check", "validate the config file, its permissions, the runtime's tools and paths; exit 2 on error");
    auto connect = std::make_shared<bool>(false);
    check->add_flag("--connect", *connect,
                    "also connect to the local server, the peers and the witness and report them");
    check->callback([&ctx, connect] { check_config(ctx, *connect); });
}

}  // namespace pgfo::cli
