#include "alert/telegram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "alert/budget.hpp"
#include "alert/http.hpp"
#include "alert/json.hpp"
#include "alert/utf8.hpp"
#include "util/units.hpp"

namespace pgfo::alert {
namespace {

constexpr std::string_view k_parse_error = "can't parse entities";

std::string trim(std::string text)
{
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.back()))
        text.pop_back();
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start]))
        ++start;
    return text.substr(start);
}

bool is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
           c == '-';
}

void add_id(json::Object& body, std::string_view key, const std::string& id)
{
    if (auto number = util::parse_number<std::int64_t>(id))
        body.add_int(key, *number);
    else
        body.add_string(key, id);
}

std::string message_body(const TelegramConfig& config, const std::string& plain, bool html)
{
    json::Object body;
    add_id(body, "chat_id", config.chat_id);
    body.add_string("text", html ? html_escape(plain) : plain);
    if (html)
        body.add_string("parse_mode", "HTML");
    body.add_object("link_preview_options", json::Object().add_bool("is_disabled", true));
    body.add_bool("disable_web_page_preview", true);
    if (!config.thread_id.empty())
        add_id(body, "message_thread_id", config.thread_id);
    if (config.silent)
        body.add_bool("disable_notification", true);
    return body.str();
}

struct Answer {
    bool ok = false;
    std::string description;
    std::optional<std::int64_t> retry_after;
};

Answer read_answer(const std::string& body)
{
    Answer answer;
    auto parsed = json::parse(body);
    if (!parsed || !parsed->is_object())
        return answer;
    if (const auto* ok = parsed->get("ok"); ok && ok->is_bool())
        answer.ok = ok->boolean;
    if (const auto* description = parsed->get("description"); description && description->is_string())
        answer.description = description->text;
    if (const auto* parameters = parsed->get("parameters"); parameters && parameters->is_object())
        if (const auto* retry_after = parameters->get("retry_after"))
            answer.retry_after = retry_after->as_int();
    return answer;
}

}  // namespace

std::string html_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string telegram_plain_text(std::string_view text)
{
    return truncate_utf16(sanitize_utf8(text), k_telegram_max_chars, k_truncation_marker);
}

Result<std::string> read_telegram_token(const TelegramConfig& config)
{
    std::string token;
    if (!config.token_file.empty()) {
        std::ifstream file(config.token_file, std::ios::binary);
        if (!file)
            return make_error(ErrorKind::config,
                              fmt::format("telegram token file {} cannot be read: {}; hint: check telegram.token_file",
                                          config.token_file, std::strerror(errno)));
        std::ostringstream content;
        content << file.rdbuf();
        token = trim(content.str());
        if (token.empty())
            return make_error(
                ErrorKind::config,
                fmt::format("telegram token file {} is empty; hint: write the bot token into it", config.token_file));
    } else {
        token = trim(config.token);
        if (token.empty())
            return make_error(ErrorKind::config, "telegram has no bot token; hint: set telegram.token_file");
    }
    for (const char c : token)
        if (!is_token_char(c))
            return make_error(ErrorKind::config,
                              "telegram bot token has characters a token cannot have; hint: check telegram.token_file");
    return token;
}

SendResult send_telegram(const TelegramConfig& config, std::string_view text)
{
    SendResult result;
    result.channel = "telegram";
    auto token = read_telegram_token(config);
    if (!token) {
        result.detail = token.error().message;
        return result;
    }

    Budget budget(config.timeout);
    std::string api_url = config.api_url;
    while (!api_url.empty() && api_url.back() == '/')
        api_url.pop_back();
    HttpRequest request;
    request.url = api_url + "/bot" + *token + "/sendMessage";
    request.display_url = redact_url(request.url);
    request.secrets = {*token};

    const std::string plain = telegram_plain_text(text);
    bool html = true;
    std::string last_problem;
    while (!budget.exhausted()) {
        request.body = message_body(config, plain, html);
        request.timeout = budget.remaining();
        auto response = post_json(request);
        ++result.attempts;

        if (!response) {
            last_problem = response.error().message;
            result.timed_out = response.error().kind == ErrorKind::timeout;
        } else {
            result.timed_out = false;
            const Answer answer = read_answer(response->body);
            const std::string summary = status_summary(*response, answer.description);
            const long status = response->status;
            if (status >= 200 && status < 300) {
                result.ok = answer.ok;
                result.detail = answer.ok ? (html ? "" : "sent as plain text after an HTML parse error")
                                          : summary + " without ok:true; hint: check telegram.api_url";
                return result;
            }
            if (status == 400 && html && answer.description.find(k_parse_error) != std::string::npos) {
                html = false;
                last_problem = summary;
                continue;
            }
            if (status == 429) {
                const util::Millis wait(1000 * std::clamp<std::int64_t>(answer.retry_after.value_or(1), 0, 86400));
                if (wait >= budget.remaining()) {
                    result.detail = fmt::format("{}; waiting {} does not fit in the {} budget ({})", summary,
                                                util::format_duration(wait), util::format_duration(budget.total()),
                                                attempts_text(result.attempts));
                    return result;
                }
                last_problem = summary;
                budget.sleep(wait);
                continue;
            }
            if (status < 500) {
                result.detail = summary;
                return result;
            }
            last_problem = summary;
        }

        const util::Millis backoff = budget.next_backoff();
        if (backoff >= budget.remaining())
            break;
        budget.sleep(backoff);
    }
    result.detail = give_up_detail(last_problem, result.attempts, budget);
    return result;
}

}  // namespace pgfo::alert
