#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <ostream>

#include "alert/dispatch.hpp"
#include "alert/telegram.hpp"
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "util/error.hpp"

namespace pgfo::cli {
namespace {

std::string node_name(const Config& config)
{
    if (!config.node.name.empty())
        return config.node.name;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0')
        return host;
    return "unknown";
}

void run_alert_test(Context& ctx, const std::string& text)
{
    const Config& config = ctx.config();
    if (!alert::any_channel(config))
        throw Failure(ErrorKind::config, "no alert channel configured; hint: set [telegram] or [webhook]");

    util::Logger& logger = ctx.logger();
    if (config.telegram.enabled())
        if (auto token = alert::read_telegram_token(config.telegram))
            logger.add_secret(*token);

    alert::AlertEvent event;
    event.node = node_name(config);
    event.event = "alert.test";
    event.result = "ok";
    event.text_override = text.empty() ? "pgfo test alert from " + event.node : text;

    const std::vector<alert::SendResult> results = alert::send_alert(config, event);
    std::size_t failed = 0;
    for (const auto& result : results) {
        const std::vector<util::LogField> fields{{"channel", result.channel},
                                                 {"attempts", std::to_string(result.attempts)}};
        if (result.ok) {
            logger.info("alert.sent", "test alert sent through " + result.channel, fields);
            if (!ctx.options.quiet)
                ctx.out() << result.channel << ": ok\n";
        } else {
            ++failed;
            logger.error("alert.failed", "test alert through " + result.channel + " failed: " + result.detail, fields);
            ctx.out() << result.channel << ": failed: " << result.detail << "\n";
        }
    }
    if (failed > 0)
        throw Failure(ErrorKind::failed, fmt::format("{} of {} alert channels failed", failed, results.size()));
}

} // namespace

void add_alert_command(CLI::App& app, Context& ctx)
{
    auto* alert = app.add_subcommand("alert", "alerts");
    alert->require_subcommand(1);
    auto* test = alert->add_subcommand("test", "send a test alert through every configured channel");
    auto text = std::make_shared<std::string>();
    test->add_option("text", *text, "the message (default: \"pgfo test alert from NODE\")");
    test->callback([&ctx, text] { run_alert_test(ctx, *text); });
}

} // namespace pgfo::cli
