#include "alert/webhook.hpp"

#include <fmt/format.h>

#include "alert/budget.hpp"
#include "alert/http.hpp"
#include "alert/json.hpp"

namespace pgfo::alert {
namespace {

bool is_header_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// "Name: value" with a token name and no line breaks (which would inject headers).
bool is_valid_header(std::string_view header)
{
    const auto colon = header.find(':');
    if (colon == 0 || colon == std::string_view::npos)
        return false;
    for (const char c : header.substr(0, colon))
        if (!is_header_name_char(c))
            return false;
    return header.find_first_of("\r\n") == std::string_view::npos;
}

} // namespace

std::string webhook_body(const AlertEvent& event, std::string_view text)
{
    json::Object body;
    body.add_string("text", text)
        .add_string("node", event.node)
        .add_string("event", event.event)
        .add_string("state", event.keepalived_state)
        .add_string("result", event.result)
        .add_string("role", event.role_after);
    if (event.timeline != 0)
        body.add_int("timeline", event.timeline);
    else
        body.add_null("timeline");
    body.add_string("lsn", event.lsn);
    if (event.duration_ms >= 0)
        body.add_int("duration_ms", event.duration_ms);
    else
        body.add_null("duration_ms");
    body.add_string("error", event.error);
    body.add_string_array("steps", event.steps);
    if (event.discarded_wal_bytes)
        body.add_int("discarded_wal_bytes", static_cast<std::int64_t>(*event.discarded_wal_bytes));
    return body.str();
}

SendResult send_webhook(const WebhookConfig& config, const AlertEvent& event, std::string_view text)
{
    SendResult result;
    result.channel = "webhook";
    for (std::size_t i = 0; i < config.headers.size(); ++i) {
        if (!is_valid_header(config.headers[i])) {
            result.detail = fmt::format("webhook header #{} is not \"Name: value\" on one line; hint: check "
                                        "webhook.header",
                                        i + 1);
            return result;
        }
    }

    Budget budget(config.timeout);
    HttpRequest request;
    request.url = config.url;
    request.display_url = url_origin(config.url);
    request.headers = config.headers;
    request.body = webhook_body(event, text);

    std::string last_problem;
    while (!budget.exhausted()) {
        request.timeout = budget.remaining();
        auto response = post_json(request);
        ++result.attempts;
        if (!response) {
            last_problem = response.error().message;
            result.timed_out = response.error().kind == ErrorKind::timeout;
        } else {
            result.timed_out = false;
            const long status = response->status;
            if (status >= 200 && status < 300) {
                result.ok = true;
                return result;
            }
            last_problem = status_summary(*response);
            if (status != 429 && status < 500) {
                result.detail = last_problem;
                return result;
            }
        }
        const util::Millis backoff = budget.next_backoff();
        if (backoff >= budget.remaining())
            break;
        budget.sleep(backoff);
    }
    result.detail = give_up_detail(last_problem, result.attempts, budget);
    return result;
}

} // namespace pgfo::alert
