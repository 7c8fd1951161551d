#pragma once

namespace CLI {
class App;
}

namespace pgfo::cli {

class Context;

// One function per command file; each adds its subcommand and the callback that runs it.
void add_notify_command(CLI::App& app, Context& ctx);
void add_check_command(CLI::App& app, Context& ctx);
void add_promote_command(CLI::App& app, Context& ctx);
void add_demote_command(CLI::App& app, Context& ctx);
void add_status_command(CLI::App& app, Context& ctx);
void add_log_command(CLI::App& app, Context& ctx);
void add_pause_commands(CLI::App& app, Context& ctx);  // pause and resume
void add_config_command(CLI::App& app, Context& ctx);  // config check
void add_alert_command(CLI::App& app, Context& ctx);   // alert test
void add_rejoin_command(CLI::App& app, Context& ctx);  // internal, started by check

}  // namespace pgfo::cli
