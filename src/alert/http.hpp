#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "util/units.hpp"

namespace pgfo::alert {

struct HttpRequest {
    std::string url;
    std::string display_url;          // how URL may appear in messages: secrets removed
    std::vector<std::string> headers; // "Name: value", added to Content-Type: application/json
    std::string body;
    util::Millis timeout{10000}; // the whole request
    util::Millis connect_timeout{5000};
    std::vector<std::string> secrets; // replaced by [redacted] in any message, should one slip in
};

struct HttpResponse {
    long status = 0;
    std::string reason; // the status line's reason phrase; empty for HTTP/2
    std::string body;   // at most 64 KiB; the rest is dropped
};

// POSTs a JSON body over http or https, following no redirects. An answer with any status is
// a response; no answer is an error (ErrorKind::timeout when the time ran out). Messages
// name the request by display_url only.
Result<HttpResponse> post_json(const HttpRequest& request);

// "HTTP 401: DESCRIPTION", falling back to the reason phrase, then to the start of the body.
std::string status_summary(const HttpResponse& response, std::string_view description = {});

// URL with a Telegram bot token ("/bot<token>/"), user info and the query replaced by [redacted].
std::string redact_url(std::string_view url);

// "scheme://host[:port]" of URL, without user info: safe to show when the path may hold a secret.
std::string url_origin(std::string_view url);

} // namespace pgfo::alert
