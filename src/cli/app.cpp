#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {
namespace {

std::string one_line(std::string text)
{
    for (char& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

}  // namespace

int run(int argc, char** argv)
{
    return run(argc, argv, std::cout, std::cerr);
}

int run(int argc, char** argv, std::ostream& out, std::ostream& err)
{
    Context ctx(out, err);
    ctx.argv.assign(argv, argv + argc);
    CLI::App app{"pgfo: make PostgreSQL's role follow keepalived's virtual IP", "pgfo"};
    app.set_version_flag("--version", std::string("pgfo ") + PGFO_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    app.add_option("-c,--config", ctx.options.config_path,
                   "config file (default: $PGFO_CONFIG, then /etc/pgfo/pgfo.conf)");
    app.add_flag("--dry-run", ctx.options.dry_run, "print the plan and change nothing");
    app.add_flag("-v,--verbose", ctx.options.verbose, "more output; echo log lines to stderr");
    app.add_flag("-q,--quiet", ctx.options.quiet, "print only errors");

    add_notify_command(app, ctx);
    add_check_command(app, ctx);
    add_promote_command(app, ctx);
    add_demote_command(app, ctx);
    add_status_command(app, ctx);
    add_log_command(app, ctx);
    add_pause_commands(app, ctx);
    add_config_command(app, ctx);
    add_alert_command(app, ctx);
    add_rejoin_command(app, ctx);

    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::Success& e) {
            std::ostringstream help_out;
            std::ostringstream help_err;
            int code = app.exit(e, help_out, help_err);
            out << help_out.str() << help_err.str();
            return code;
        } catch (const CLI::ParseError& e) {
            err << "pgfo: error: " << one_line(e.what()) << " (see 'pgfo --help')\n";
            return exit_code(ErrorKind::usage);
        }
        return ctx.exit_code;
    } catch (const Failure& f) {
        const char* prefix = f.kind() == ErrorKind::refused ? "pgfo: refused: " : "pgfo: error: ";
        err << prefix << one_line(f.what()) << "\n";
        return exit_code(f.kind());
    } catch (const std::exception& e) {
        err << "pgfo: error: " << one_line(e.what()) << "\n";
        return 1;
    }
}

}  // namespace pgfo::cli
