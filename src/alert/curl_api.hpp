#pragma once

#include <curl/curl.h>

#include "util/result.hpp"

namespace pgfo::alert {

// libcurl, loaded with dlopen on first use and initialized once (curl_global_init), so
// that only commands that send alerts pay for loading it and its dependencies: linked
// normally, they cost every pgfo start (and so every keepalived health check) about 3 ms.
struct CurlApi {
    CURLcode (*global_init)(long flags);
    CURL* (*easy_init)();
    CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL* handle);
    CURLcode (*easy_getinfo)(CURL* handle, CURLINFO info, ...);
    void (*easy_cleanup)(CURL* handle);
    const char* (*easy_strerror)(CURLcode code);
    curl_slist* (*slist_append)(curl_slist* list, const char* text);
    void (*slist_free_all)(curl_slist* list);
};

// The loaded library; an error (the same on every call) names what could not be loaded.
Result<const CurlApi*> curl_api();

}  // namespace pgfo::alert
