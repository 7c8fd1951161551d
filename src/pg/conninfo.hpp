#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace pgfo::pg {

// A libpq keyword/value conninfo, parsed with PQconninfoParse and rendered back
// with proper quoting. Keeps the keywords the user gave, in a stable order.
class Conninfo {
public:
    static Result<Conninfo> parse(const std::string& text);

    std::optional<std::string> get(const std::string& key) const;
    Conninfo& set(const std::string& key, const std::string& value);
    Conninfo& set_default(const std::string& key, const std::string& value);  // only when absent
    Conninfo& erase(const std::string& key);

    // Sets host and, when given, port from "host[:port]" (IPv6 as "[::1]:5432").
    Conninfo& set_address(const std::string& host_port);

    std::string to_string() const;
    // to_string() with the password value replaced, for logs and messages.
    std::string redacted() const;

private:
    std::vector<std::pair<std::string, std::string>> m_pairs;
};

// Splits "host[:port]" / "[v6]:port"; port 5432 when absent.
struct HostPort {
    std::string host;
    int port = 5432;
    std::string to_string() const;
};
std::optional<HostPort> parse_host_port(const std::string& text);

// The conninfo pgfo connects with: BASE plus connect_timeout (whole seconds, at least 1)
// and application_name=pgfo unless BASE already sets one; ADDRESS (host[:port]) overrides
// host and port when not empty.
Result<std::string> client_conninfo(const std::string& base, std::chrono::milliseconds connect_timeout,
                                    const std::string& address = "");

}  // namespace pgfo::pg
