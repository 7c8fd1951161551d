#include "util/kv_line.hpp"

namespace pgfo::util {
namespace {

bool needs_quotes(std::string_view value)
{
    if (value.empty())
        return true;
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
            return true;
    return false;
}

std::string quote(std::string_view value)
{
    std::string quoted = "\"";
    for (char c : value) {
        switch (c) {
        case '"':
            quoted += "\\\"";
            break;
        case '\\':
            quoted += "\\\\";
            break;
        case '\n':
            quoted += "\\n";
            break;
        case '\r':
            quoted += "\\r";
            break;
        case '\t':
            quoted += "\\t";
            break;
        default:
            quoted += c;
        }
    }
    return quoted + "\"";
}

// Reads a quoted value starting after the opening quote; advances POS past the closing one.
std::optional<std::string> read_quoted(std::string_view line, std::size_t& pos)
{
    std::string value;
    while (pos < line.size()) {
        char c = line[pos++];
        if (c == '"')
            return value;
        if (c != '\\') {
            value += c;
            continue;
        }
        if (pos == line.size())
            return std::nullopt;
        char escaped = line[pos++];
        switch (escaped) {
        case 'n':
            value += '\n';
            break;
        case 'r':
            value += '\r';
            break;
        case 't':
            value += '\t';
            break;
        default:
            value += escaped;
        }
    }
    return std::nullopt;
}

} // namespace

std::string format_kv_line(const std::vector<std::pair<std::string, std::string>>& fields)
{
    std::string line;
    for (const auto& [key, value] : fields) {
        if (!line.empty())
            line += ' ';
        line += key;
        line += '=';
        line += needs_quotes(value) ? quote(value) : value;
    }
    return line;
}

std::optional<std::map<std::string, std::string>> parse_kv_line(std::string_view line)
{
    std::map<std::string, std::string> fields;
    std::size_t pos = 0;
    while (true) {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\n' || line[pos] == '\r'))
            ++pos;
        if (pos == line.size())
            break;
        const std::size_t eq = line.find('=', pos);
        if (eq == std::string_view::npos || eq == pos)
            return std::nullopt;
        std::string key(line.substr(pos, eq - pos));
        if (key.find_first_of(" \t\"") != std::string::npos)
            return std::nullopt;
        pos = eq + 1;
        std::string value;
        if (pos < line.size() && line[pos] == '"') {
            ++pos;
            auto quoted = read_quoted(line, pos);
            if (!quoted)
                return std::nullopt;
            value = std::move(*quoted);
            if (pos < line.size() && line[pos] != ' ' && line[pos] != '\n' && line[pos] != '\r' && line[pos] != '\t')
                return std::nullopt;
        } else {
            const std::size_t end = line.find_first_of(" \t\r\n", pos);
            value = std::string(line.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
            if (value.find('"') != std::string::npos)
                return std::nullopt;
            pos = end == std::string_view::npos ? line.size() : end;
        }
        fields[std::move(key)] = std::move(value);
    }
    if (fields.empty())
        return std::nullopt;
    return fields;
}

} // namespace pgfo::util
