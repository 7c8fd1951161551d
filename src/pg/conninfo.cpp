#include "pg/conninfo.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>

namespace pgfo::pg {
namespace {

constexpr const char* k_redacted = "********";

std::string trim(std::string text)
{
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return "";
    auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::string first_line(const std::string& text)
{
    auto trimmed = trim(text);
    return trimmed.substr(0, trimmed.find('\n'));
}

// Words of TEXT that could be (part of) a password: everything after "password" and
// the userinfo of a URI. libpq quotes the fragment it complains about, so a message
// quoting one of these might show a secret.
std::vector<std::string> secret_candidates(const std::string& text)
{
    std::vector<std::string> words;
    auto add_words = [&](const std::string& part) {
        std::size_t pos = 0;
        while (pos < part.size()) {
            auto start = part.find_first_not_of(" \t\r\n=", pos);
            if (start == std::string::npos)
                break;
            auto end = part.find_first_of(" \t\r\n=", start);
            words.push_back(part.substr(start, end == std::string::npos ? std::string::npos : end - start));
            pos = end == std::string::npos ? part.size() : end;
        }
    };
    if (auto at = text.find("password"); at != std::string::npos)
        add_words(text.substr(at + 8));
    if (auto scheme = text.find("://"); scheme != std::string::npos) {
        auto at = text.find('@', scheme);
        if (at != std::string::npos)
            add_words(text.substr(scheme + 3, at - scheme - 3));
    }
    return words;
}

std::string scrub(std::string message, const std::string& text)
{
    for (const auto& word : secret_candidates(text)) {
        std::string quoted = "\"" + word + "\"";
        for (auto pos = message.find(quoted); pos != std::string::npos; pos = message.find(quoted, pos))
            message.replace(pos, quoted.size(), std::string("\"") + k_redacted + "\"");
    }
    return message;
}

bool needs_quotes(const std::string& value)
{
    return value.empty() || value.find_first_of(" \t\r\n\f\v'\\") != std::string::npos;
}

std::string quote_value(const std::string& value)
{
    if (!needs_quotes(value))
        return value;
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

std::optional<int> parse_port(const std::string& text)
{
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return port;
}

// Host and the port exactly as written (empty when absent).
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close == 1)
            return std::nullopt;
        std::string host = text.substr(1, close - 1);
        std::string rest = text.substr(close + 1);
        if (rest.empty())
            return std::pair{host, std::string()};
        if (rest.front() != ':' || rest.size() == 1)
            return std::nullopt;
        return std::pair{host, rest.substr(1)};
    }
    auto colon = text.find(':');
    if (colon == std::string::npos)
        return std::pair{text, std::string()};
    if (text.find(':', colon + 1) != std::string::npos)
        return std::pair{text, std::string()}; // a bare IPv6 address
    if (colon == 0 || colon + 1 == text.size())
        return std::nullopt;
    return std::pair{text.substr(0, colon), text.substr(colon + 1)};
}

} // namespace

Result<Conninfo> Conninfo::parse(const std::string& text)
{
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
    if (!options) {
        std::string message = error ? first_line(error) : "out of memory";
        PQfreemem(error);
        return make_error(ErrorKind::config, "conninfo is invalid: " + scrub(message, text));
    }
    Conninfo conninfo;
    for (auto* option = options; option->keyword; ++option)
        if (option->val)
            conninfo.m_pairs.emplace_back(option->keyword, option->val);
    PQconninfoFree(options);
    return conninfo;
}

std::optional<std::string> Conninfo::get(const std::string& key) const
{
    for (const auto& [k, v] : m_pairs)
        if (k == key)
            return v;
    return std::nullopt;
}

Conninfo& Conninfo::set(const std::string& key, const std::string& value)
{
    for (auto& [k, v] : m_pairs)
        if (k == key) {
            v = value;
            return *this;
        }
    m_pairs.emplace_back(key, value);
    return *this;
}

Conninfo& Conninfo::set_default(const std::string& key, const std::string& value)
{
    if (!get(key))
        set(key, value);
    return *this;
}

Conninfo& Conninfo::erase(const std::string& key)
{
    std::erase_if(m_pairs, [&](const auto& pair) { return pair.first == key; });
    return *this;
}

Conninfo& Conninfo::set_address(const std::string& host_port)
{
    auto split = split_host_port(host_port);
    if (!split)
        return set("host", host_port); // libpq will name it when connecting fails
    erase("hostaddr");
    set("host", split->first);
    if (!split->second.empty())
        set("port", split->second);
    return *this;
}

std::string Conninfo::to_string() const
{
    std::string text;
    for (const auto& [key, value] : m_pairs) {
        if (!text.empty())
            text += ' ';
        text += key + "=" + quote_value(value);
    }
    return text;
}

std::string Conninfo::redacted() const
{
    Conninfo copy = *this;
    if (copy.get("password"))
        copy.set("password", k_redacted);
    return copy.to_string();
}

std::string HostPort::to_string() const
{
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::optional<HostPort> parse_host_port(const std::string& text)
{
    auto split = split_host_port(text);
    if (!split)
        return std::nullopt;
    HostPort result{split->first};
    if (!split->second.empty()) {
        auto port = parse_port(split->second);
        if (!port)
            return std::nullopt;
        result.port = *port;
    }
    return result;
}

Result<std::string> client_conninfo(const std::string& base, std::chrono::milliseconds connect_timeout,
                                    const std::string& address)
{
    auto conninfo = Conninfo::parse(base);
    if (!conninfo)
        return conninfo.error();
    auto seconds = std::max<std::int64_t>(1, (connect_timeout.count() + 999) / 1000);
    conninfo->set("connect_timeout", std::to_string(seconds));
    conninfo->set_default("application_name", "pgfo");
    if (!address.empty()) {
        if (!parse_host_port(address))
            return make_error(ErrorKind::config,
                              "address \"" + address + "\" is invalid; hint: use host, host:port or [v6addr]:port");
        conninfo->set_address(address);
    }
    return conninfo->to_string();
}

} // namespace pgfo::pg
