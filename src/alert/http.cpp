#include "alert/http.hpp"

#include "alert/curl_api.hpp"
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "alert/utf8.hpp"

namespace pgfo::alert {
namespace {

constexpr std::size_t k_max_body = 64 * 1024;
constexpr std::size_t k_max_snippet = 200;

struct Collected {
    std::string body;
    std::string status_line;
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* collected = static_cast<Collected*>(user);
    const std::size_t bytes = size * count;
    if (collected->body.size() < k_max_body)
        collected->body.append(data, std::min(bytes, k_max_body - collected->body.size()));
    return bytes;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* collected = static_cast<Collected*>(user);
    const std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    if (line.substr(0, 5) == "HTTP/") {
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
            line.remove_suffix(1);
        collected->status_line = std::string(line);
    }
    return bytes;
}

// "HTTP/1.1 401 Unauthorized" -> "Unauthorized".
std::string reason_phrase(std::string_view status_line)
{
    const auto first = status_line.find(' ');
    if (first == std::string_view::npos)
        return {};
    const auto second = status_line.find(' ', first + 1);
    if (second == std::string_view::npos)
        return {};
    return std::string(status_line.substr(second + 1));
}

std::string scrub(std::string text, const HttpRequest& request, const std::string& display_url)
{
    auto replace_all = [&text](const std::string& from, const std::string& to) {
        if (from.empty())
            return;
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    };
    replace_all(request.url, display_url);
    for (const auto& secret : request.secrets)
        replace_all(secret, "[redacted]");
    return text;
}

long as_curl_ms(util::Millis duration)
{
    return static_cast<long>(std::max<util::Millis::rep>(duration.count(), 1));
}

struct CurlDeleter {
    const CurlApi* api;
    void operator()(CURL* handle) const { api->easy_cleanup(handle); }
    void operator()(curl_slist* list) const { api->slist_free_all(list); }
};

} // namespace

Result<HttpResponse> post_json(const HttpRequest& request)
{
    const std::string display_url = request.display_url.empty() ? redact_url(request.url) : request.display_url;
    auto loaded = curl_api();
    if (!loaded.ok())
        return make_error(ErrorKind::failed, "request to " + display_url + " failed: " + loaded.error().message);
    const CurlApi* api = loaded.value();
    std::unique_ptr<CURL, CurlDeleter> curl(api->easy_init(), CurlDeleter{api});
    if (!curl)
        return make_error(ErrorKind::failed, "request to " + display_url + " failed: curl_easy_init failed");

    std::unique_ptr<curl_slist, CurlDeleter> headers(nullptr, CurlDeleter{api});
    auto add_header = [&headers, api](const std::string& header) {
        curl_slist* list = api->slist_append(headers.get(), header.c_str());
        if (list) {
            (void)headers.release();
            headers.reset(list);
        }
    };
    add_header("Content-Type: application/json");
    add_header("Expect:"); // no 100-continue round trip
    for (const auto& header : request.headers)
        add_header(header);

    Collected collected;
    char error_buffer[CURL_ERROR_SIZE] = {};
    const std::string user_agent = std::string("pgfo/") + PGFO_VERSION;
    CURL* handle = curl.get();
    api->easy_setopt(handle, CURLOPT_VERBOSE, 0L);
    api->easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    api->easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    api->easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    api->easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    api->easy_setopt(handle, CURLOPT_POST, 1L);
    api->easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    api->easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    api->easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    api->easy_setopt(handle, CURLOPT_USERAGENT, user_agent.c_str());
    api->easy_setopt(handle, CURLOPT_TIMEOUT_MS, as_curl_ms(request.timeout));
    api->easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, as_curl_ms(std::min(request.connect_timeout, request.timeout)));
    api->easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
    api->easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect_body);
    api->easy_setopt(handle, CURLOPT_WRITEDATA, &collected);
    api->easy_setopt(handle, CURLOPT_HEADERFUNCTION, collect_header);
    api->easy_setopt(handle, CURLOPT_HEADERDATA, &collected);

    const CURLcode code = api->easy_perform(handle);
    if (code == CURLE_OPERATION_TIMEDOUT)
        return make_error(ErrorKind::timeout, scrub(fmt::format("no answer from {} within {}", display_url,
                                                                util::format_duration(request.timeout)),
                                                    request, display_url));
    if (code != CURLE_OK) {
        const std::string why = error_buffer[0] ? error_buffer : api->easy_strerror(code);
        return make_error(ErrorKind::failed,
                          scrub("request to " + display_url + " failed: " + why, request, display_url));
    }

    HttpResponse response;
    api->easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
    response.reason = reason_phrase(collected.status_line);
    response.body = std::move(collected.body);
    return response;
}

std::string status_summary(const HttpResponse& response, std::string_view description)
{
    std::string summary = fmt::format("HTTP {}", response.status);
    std::string why(description);
    if (why.empty())
        why = response.reason;
    if (why.empty()) {
        std::string_view body = response.body;
        body = body.substr(0, body.find_first_of("\r\n"));
        why = sanitize_utf8(truncate_utf16(body, k_max_snippet, "…"));
    }
    if (!why.empty())
        summary += ": " + sanitize_utf8(why);
    if (response.status >= 300 && response.status < 400)
        summary += " (redirects are not followed; hint: use the final URL)";
    return summary;
}

std::string redact_url(std::string_view url)
{
    const auto scheme_end = url.find("://");
    const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    std::size_t path_start = url.find_first_of("/?#", authority_start);
    if (path_start == std::string_view::npos)
        path_start = url.size();

    std::string out(url.substr(0, authority_start));
    std::string_view authority = url.substr(authority_start, path_start - authority_start);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    out += authority;

    std::string_view rest = url.substr(path_start);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
        rest = rest.substr(0, hash);
    std::string_view query;
    if (const auto question = rest.find('?'); question != std::string_view::npos) {
        query = rest.substr(question);
        rest = rest.substr(0, question);
    }
    while (!rest.empty()) {
        // rest starts with '/': copy one segment, redacting a bot token
        auto next = rest.find('/', 1);
        if (next == std::string_view::npos)
            next = rest.size();
        const std::string_view segment = rest.substr(1, next - 1);
        out += '/';
        out +=
            segment.substr(0, 3) == "bot" && segment.size() > 3 ? std::string("bot[redacted]") : std::string(segment);
        rest.remove_prefix(next);
    }
    if (!query.empty())
        out += "?[redacted]";
    return out;
}

std::string url_origin(std::string_view url)
{
    const auto scheme_end = url.find("://");
    const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    std::size_t path_start = url.find_first_of("/?#", authority_start);
    if (path_start == std::string_view::npos)
        path_start = url.size();
    std::string_view authority = url.substr(authority_start, path_start - authority_start);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    return std::string(url.substr(0, authority_start)) + std::string(authority);
}

} // namespace pgfo::alert
