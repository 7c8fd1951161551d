#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/self_exec.hpp"
#include "cli/transition_command.hpp"
#include "util/error.hpp"
#include "util/subprocess.hpp"

namespace pgfo::cli {
namespace {

struct NotifyArgs {
    std::vector<std::string> words;  // TYPE NAME STATE [PRIORITY]
};

// Validates keepalived's words; the message names what is wrong.
std::optional<std::string> notify_usage_problem(const std::vector<std::string>& words)
{
    if (words.size() < 3)
        return fmt::format("notify needs TYPE NAME STATE [PRIORITY], got {} word(s)", words.size());
    if (words.size() > 4)
        return fmt::format("notify takes at most 4 words (TYPE NAME STATE PRIORITY), got {}", words.size());
    if (words[0] != "INSTANCE" && words[0] != "GROUP")
        return fmt::format("notify TYPE must be INSTANCE or GROUP, got \"{}\"", words[0]);
    if (words[1].empty())
        return std::string("notify NAME is empty");
    if (!core::parse_keepalived_state(words[2]))
        return fmt::format("notify STATE must be MASTER, BACKUP, FAULT, STOP or DELETED, got \"{}\"", words[2]);
    if (words.size() == 4) {
        const std::string& prio = words[3];
        if (prio.empty() || prio.size() > 3 || prio.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(prio) > 255)
            return fmt::format("notify PRIORITY must be a number from 0 to 255, got \"{}\"", prio);
    }
    return std::nullopt;
}

void run_notify(Context& ctx, const NotifyArgs& args)
{
    if (auto problem = notify_usage_problem(args.words)) {
        try {
            ctx.logger().error("notify.usage", *problem);
        } catch (const Failure&) {
            // No usable config: the error line on stderr is all there is.
        }
        throw Failure(ErrorKind::usage, *problem);
    }
    const auto state = *core::parse_keepalived_state(args.words[2]);
    core::Request request = core::request_for(state);
    const Config& config = ctx.config();
    util::Logger& log = ctx.logger();
    log.info("notify", fmt::format("keepalived {} {} -> {}", args.words[0], args.words[1], args.words[2]),
             {{"state", args.words[2]},
              {"type", args.words[0]},
              {"instance", args.words[1]},
              {"priority", args.words.size() == 4 ? args.words[3] : ""}});

    // keepalived SIGKILLs a STOP notify's process group after 1 s: hand the work to a detached process.
    const bool stopping = state == core::KeepalivedState::stop || state == core::KeepalivedState::deleted;
    if (stopping && !ctx.options.dry_run && !std::getenv(k_detached_env)) {
        util::Command command;
        command.argv = ctx.argv;
        command.argv[0] = self_executable();
        command.env[k_detached_env] = "1";
        command.timeout = config.timeouts.stop + config.timeouts.lock;
        if (!util::spawn_detached(command))
            throw Failure(ErrorKind::failed, "could not start the detached process for " + args.words[2]);
        log.info("notify.detached", "the fence runs in a detached process", {{"state", args.words[2]}});
        return;
    }
    run_transition_command(ctx, request);
}

}  // namespace

void add_notify_command(CLI::App& app, Context& ctx)
{
    auto args = std::make_shared<NotifyArgs>();
    auto* sub = app.add_subcommand("notify", "keepalived notify hook: TYPE NAME STATE [PRIORITY]");
    sub->add_option("words", args->words,
                    "TYPE (INSTANCE|GROUP) NAME STATE (MASTER|BACKUP|FAULT|STOP|DELETED) [PRIORITY]");
    sub->callback([&ctx, args] { run_notify(ctx, *args); });
}

}  // namespace pgfo::cli
