#include "util/logfmt.hpp"

namespace pgfo::util {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

bool is_bare_char(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && c != '"' && c != '=' && c != '\\';
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Reads a quoted value starting just after the opening quote; POS ends after the closing quote.
std::optional<std::string> parse_quoted(std::string_view line, std::size_t& pos)
{
    std::string value;
    while (pos < line.size()) {
        const char c = line[pos++];
        if (c == '"')
            return value;
        if (c != '\\') {
            value += c;
            continue;
        }
        if (pos >= line.size())
            return std::nullopt;
        const char e = line[pos++];
        switch (e) {
        case '"':
            value += '"';
            break;
        case '\\':
            value += '\\';
            break;
        case 'n':
            value += '\n';
            break;
        case 'r':
            value += '\r';
            break;
        case 't':
            value += '\t';
            break;
        case 'x': {
            if (pos + 2 > line.size())
                return std::nullopt;
            const int high = hex_digit(line[pos]);
            const int low = hex_digit(line[pos + 1]);
            if (high < 0 || low < 0)
                return std::nullopt;
            value += static_cast<char>(high * 16 + low);
            pos += 2;
            break;
        }
        default:
            return std::nullopt;
        }
    }
    return std::nullopt;
}

} // namespace

bool is_logfmt_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

bool needs_logfmt_quotes(std::string_view value)
{
    if (value.empty())
        return true;
    for (char c : value)
        if (!is_bare_char(c))
            return true;
    return false;
}

void append_logfmt_value(std::string& out, std::string_view value)
{
    if (!needs_logfmt_quotes(value)) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                out += "\\x";
                out += k_hex[byte >> 4];
                out += k_hex[byte & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void append_logfmt_pair(std::string& out, std::string_view key, std::string_view value)
{
    if (!out.empty())
        out += ' ';
    out += key;
    out += '=';
    append_logfmt_value(out, value);
}

std::string sanitize_logfmt_key(std::string_view key)
{
    if (key.empty())
        return "_";
    std::string clean(key);
    for (char& c : clean)
        if (!is_logfmt_key_char(c))
            c = '_';
    return clean;
}

std::optional<std::vector<LogfmtPair>> parse_logfmt(std::string_view line)
{
    std::vector<LogfmtPair> pairs;
    std::size_t pos = 0;
    while (true) {
        while (pos < line.size() && line[pos] == ' ')
            ++pos;
        if (pos >= line.size())
            return pairs;
        const std::size_t key_start = pos;
        while (pos < line.size() && is_logfmt_key_char(line[pos]))
            ++pos;
        if (pos == key_start || pos >= line.size() || line[pos] != '=')
            return std::nullopt;
        LogfmtPair pair{std::string(line.substr(key_start, pos - key_start)), {}};
        ++pos;
        if (pos < line.size() && line[pos] == '"') {
            ++pos;
            auto value = parse_quoted(line, pos);
            if (!value)
                return std::nullopt;
            pair.value = std::move(*value);
        } else {
            const std::size_t value_start = pos;
            while (pos < line.size() && is_bare_char(line[pos]))
                ++pos;
            if (pos == value_start)
                return std::nullopt;
            pair.value = std::string(line.substr(value_start, pos - value_start));
        }
        if (pos < line.size() && line[pos] != ' ')
            return std::nullopt;
        pairs.push_back(std::move(pair));
    }
}

} // namespace pgfo::util
