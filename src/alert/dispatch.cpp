#include "alert/dispatch.hpp"

#include <exception>
#include <functional>
#include <system_error>
#include <thread>

#include "alert/telegram.hpp"
#include "alert/webhook.hpp"

namespace pgfo::alert {
namespace {

// Runs SEND, turning any exception into a failed result for CHANNEL.
void run_channel(const std::string& channel, const std::function<SendResult()>& send, SendResult& out)
{
    try {
        out = send();
    } catch (const std::exception& e) {
        out = SendResult{channel, false, std::string("alert failed unexpectedly: ") + e.what(), 0, false};
    } catch (...) {
        out = SendResult{channel, false, "alert failed unexpectedly", 0, false};
    }
}

} // namespace

bool any_channel(const Config& config)
{
    return config.telegram.enabled() || config.webhook.enabled();
}

std::vector<SendResult> send_alert(const Config& config, const AlertEvent& event)
{
    std::vector<std::pair<std::string, std::function<SendResult()>>> senders;
    std::string text;
    std::vector<SendResult> results;
    std::vector<std::thread> threads;
    try {
        text = render_text(event);
        if (config.telegram.enabled())
            senders.emplace_back("telegram", [&] { return send_telegram(config.telegram, text); });
        if (config.webhook.enabled())
            senders.emplace_back("webhook", [&] { return send_webhook(config.webhook, event, text); });
        results.resize(senders.size());
        threads.reserve(senders.size());
    } catch (const std::exception& e) {
        return {SendResult{"alert", false, std::string("alert could not be prepared: ") + e.what(), 0, false}};
    }

    for (std::size_t i = 0; i < senders.size(); ++i) {
        const auto& [channel, send] = senders[i];
        try {
            threads.emplace_back(run_channel, std::cref(channel), std::cref(send), std::ref(results[i]));
        } catch (const std::system_error&) {
            run_channel(channel, send, results[i]); // no thread to be had: send in turn
        }
    }
    for (auto& thread : threads)
        thread.join();
    return results;
}

} // namespace pgfo::alert
