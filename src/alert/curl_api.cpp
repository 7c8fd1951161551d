#include "alert/curl_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace pgfo::alert {
namespace {

constexpr const char* k_library = "libcurl.so.4";

struct Loaded {
    CurlApi api{};
    std::string error;  // empty when loaded
};

template <class Function> bool resolve(void* library, const char* name, Function& function, std::string& error)
{
    void* symbol = ::dlsym(library, name);
    if (!symbol) {
        error = std::string("symbol ") + name + " is missing from " + k_library;
        return false;
    }
    function = reinterpret_cast<Function>(symbol);
    return true;
}

Loaded load()
{
    Loaded loaded;
    void* library = ::dlopen(k_library, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char* why = ::dlerror();
        loaded.error = std::string("could not load ") + k_library + ": " + (why ? why : "unknown error") +
                       "; hint: install libcurl (Debian: libcurl4)";
        return loaded;
    }
    CurlApi& api = loaded.api;
    std::string& error = loaded.error;
    if (resolve(library, "curl_global_init", api.global_init, error) &&
        resolve(library, "curl_easy_init", api.easy_init, error) &&
        resolve(library, "curl_easy_setopt", api.easy_setopt, error) &&
        resolve(library, "curl_easy_perform", api.easy_perform, error) &&
        resolve(library, "curl_easy_getinfo", api.easy_getinfo, error) &&
        resolve(library, "curl_easy_cleanup", api.easy_cleanup, error) &&
        resolve(library, "curl_easy_strerror", api.easy_strerror, error) &&
        resolve(library, "curl_slist_append", api.slist_append, error) &&
        resolve(library, "curl_slist_free_all", api.slist_free_all, error)) {
        if (const CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK)
            error = std::string("curl_global_init failed: ") + api.easy_strerror(code);
    }
    return loaded;  // the library stays loaded for the life of the process
}

}  // namespace

Result<const CurlApi*> curl_api()
{
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] { loaded = load(); });
    if (!loaded.error.empty())
        return make_error(ErrorKind::failed, loaded.error);
    return &loaded.api;
}

}  // namespace pgfo::alert
