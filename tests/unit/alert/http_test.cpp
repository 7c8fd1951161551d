#include <catch2/catch.hpp>

#include "alert/http.hpp"

using namespace pgfo::alert;

TEST_CASE("a telegram token in a URL is redacted")
{
    CHECK(redact_url("https://api.telegram.org/bot123456:AAH-x_yz/sendMessage") ==
          "https://api.telegram.org/bot[redacted]/sendMessage");
    CHECK(redact_url("http://127.0.0.1:8080/prefix/bot42:abc/sendMessage") ==
          "http://127.0.0.1:8080/prefix/bot[redacted]/sendMessage");
    CHECK(redact_url("https://api.telegram.org/bot42:abc") == "https://api.telegram.org/bot[redacted]");
}

TEST_CASE("user info, query and fragment are redacted; the rest is kept")
{
    CHECK(redact_url("https://user:pw@example.com/hook?token=abc#frag") == "https://example.com/hook?[redacted]");
    CHECK(redact_url("https://example.com") == "https://example.com");
    CHECK(redact_url("https://example.com/") == "https://example.com/");
    CHECK(redact_url("https://example.com/bot/x") == "https://example.com/bot/x");
}

TEST_CASE("an origin has no path, query or user info")
{
    CHECK(url_origin("https://hooks.example.com/services/T000/B000/XXXX") == "https://hooks.example.com");
    CHECK(url_origin("http://u:p@127.0.0.1:8080/x?y") == "http://127.0.0.1:8080");
    CHECK(url_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
}

TEST_CASE("a status summary prefers the API's description, then the reason phrase, then the body")
{
    HttpResponse response;
    response.status = 401;
    response.reason = "Unauthorized";
    response.body = R"({"ok":false})";
    CHECK(status_summary(response, "Unauthorized: bot token invalid") == "HTTP 401: Unauthorized: bot token invalid");
    CHECK(status_summary(response) == "HTTP 401: Unauthorized");
    response.reason.clear();
    response.body = "invalid_token\nmore lines";
    CHECK(status_summary(response) == "HTTP 401: invalid_token");
    response.body.clear();
    CHECK(status_summary(response) == "HTTP 401");
    response.status = 301;
    response.reason = "Moved Permanently";
    CHECK(status_summary(response) ==
          "HTTP 301: Moved Permanently (redirects are not followed; hint: use the final URL)");
}
