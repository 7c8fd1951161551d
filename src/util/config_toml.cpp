#include "util/config_toml.hpp"

#include <fmt/format.h>

#include <charconv>
#include <utility>

namespace pgfo::util {
namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_name(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text)
        if (!is_name_char(c))
            return false;
    return true;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

bool looks_like_integer(std::string_view word)
{
    if (!word.empty() && (word.front() == '+' || word.front() == '-'))
        word.remove_prefix(1);
    if (word.empty())
        return false;
    for (char c : word)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// A cursor over the whole text. Each read_* reports its own problems; after a problem the
// rest of the line is skipped, so one bad line never hides the problems of the next ones.
class Reader {
public:
    explicit Reader(std::string_view text) : m_text(text)
    {
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF")
            m_pos = 3;
    }

    TomlDocument run()
    {
        while (!at_end())
            read_line();
        return std::move(m_doc);
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    bool at_eol() const { return at_end() || m_text[m_pos] == '\n'; }
    char cur() const { return m_text[m_pos]; }

    void skip_blanks()
    {
        while (!at_end() && is_blank(cur()))
            ++m_pos;
    }

    void skip_to_eol()
    {
        while (!at_eol())
            ++m_pos;
    }

    void next_line()
    {
        skip_to_eol();
        if (!at_end()) {
            ++m_pos;
            ++m_line;
        }
    }

    bool only_comment_left()
    {
        skip_blanks();
        return at_eol() || cur() == '#';
    }

    void problem(int line, std::string message) { m_doc.problems.push_back({line, std::move(message)}); }

    void read_line()
    {
        m_resumed = false;
        skip_blanks();
        if (at_eol() || cur() == '#') {
            next_line();
            return;
        }
        if (cur() == '[')
            read_section();
        else
            read_entry();
        if (!m_resumed)
            next_line();
    }

    void read_section()
    {
        const int line = m_line;
        ++m_pos;
        if (!at_eol() && cur() == '[') {
            problem(line, "arrays of tables ([[...]]) are not supported");
            m_doc.sections.push_back({line, "", false});
            return;
        }
        const std::size_t start = m_pos;
        while (!at_eol() && cur() != ']' && cur() != '#')
            ++m_pos;
        if (at_eol() || cur() != ']') {
            problem(line, "unterminated section header; hint: close it with ]");
            m_doc.sections.push_back({line, "", false});
            return;
        }
        const std::string name(trim(m_text.substr(start, m_pos - start)));
        ++m_pos;
        if (name.empty()) {
            problem(line, "empty section name");
            m_doc.sections.push_back({line, "", false});
            return;
        }
        if (!is_name(name)) {
            problem(line,
                    fmt::format("invalid section name {}; hint: names are letters, digits, _ and -", quoted(name)));
            m_doc.sections.push_back({line, name, false});
            return;
        }
        m_doc.sections.push_back({line, name, true});
        if (!only_comment_left())
            problem(line, fmt::format("unexpected text after section header [{}]", name));
    }

    void read_entry()
    {
        const int line = m_line;
        const std::size_t start = m_pos;
        while (!at_eol() && !is_blank(cur()) && cur() != '=' && cur() != '#' && cur() != '"' && cur() != '\'' &&
               cur() != '[')
            ++m_pos;
        const std::string key(m_text.substr(start, m_pos - start));
        if (!check_key(line, key))
            return;
        skip_blanks();
        if (at_eol() || cur() != '=') {
            problem(line, fmt::format("missing \"=\" after key \"{}\"", key));
            return;
        }
        ++m_pos;

        TomlEntry entry{line, static_cast<int>(m_doc.sections.size()) - 1, key, {}};
        const std::string name = entry.section >= 0 && m_doc.sections[entry.section].valid
                                     ? m_doc.sections[entry.section].name + "." + key
                                     : key;
        skip_blanks();
        if (at_eol() || cur() == '#') {
            problem(line, name + ": missing value");
        } else if (read_value(name, entry.value) && !only_comment_left()) {
            problem(m_line, name + ": unexpected text after the value; hint: quote the whole value, and start "
                                   "comments with #");
            entry.value = TomlValue{};
        }
        m_doc.entries.push_back(std::move(entry));
    }

    bool check_key(int line, const std::string& key)
    {
        if (key.empty()) {
            if (cur() == '=')
                problem(line, "empty key before \"=\"");
            else
                problem(line, "quoted keys are not supported; hint: write key = \"value\"");
            return false;
        }
        if (is_name(key))
            return true;
        const auto dot = key.find('.');
        if (dot != std::string::npos && is_name(key.substr(0, dot)) && is_name(key.substr(dot + 1)))
            problem(line, fmt::format("dotted key {} is not supported; hint: put {} below a [{}] header", quoted(key),
                                      key.substr(dot + 1), key.substr(0, dot)));
        else if (key.back() == ':' && is_name(key.substr(0, key.size() - 1)))
            problem(line, fmt::format("missing \"=\" after key \"{}\"", key.substr(0, key.size() - 1)));
        else
            problem(line, fmt::format("invalid key {}; hint: keys are letters, digits, _ and -", quoted(key)));
        return false;
    }

    // Leaves VALUE invalid (and reports) on a syntax problem.
    bool read_value(const std::string& name, TomlValue& value)
    {
        const char c = cur();
        if (c == '"') {
            if (m_text.substr(m_pos, 3) == "\"\"\"") {
                problem(m_line, name + ": multi-line strings (\"\"\") are not supported");
                return false;
            }
            if (!read_string(name, value.text))
                return false;
            value.kind = TomlValue::Kind::string;
            return true;
        }
        if (c == '\'') {
            problem(m_line, name + ": strings must be in double quotes");
            return false;
        }
        if (c == '[')
            return read_array(name, value);
        return read_word(name, value);
    }

    bool read_word(const std::string& name, TomlValue& value)
    {
        const std::size_t start = m_pos;
        while (!at_eol() && !is_blank(cur()) && cur() != '#')
            ++m_pos;
        const std::string_view word = m_text.substr(start, m_pos - start);
        if (word == "true" || word == "false") {
            value.kind = TomlValue::Kind::boolean;
            value.boolean = word == "true";
            return true;
        }
        if (looks_like_integer(word)) {
            const std::string_view digits = word.front() == '+' ? word.substr(1) : word;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value.integer);
            if (ec != std::errc() || end != digits.data() + digits.size()) {
                problem(m_line, name + ": integer out of range");
                return false;
            }
            value.kind = TomlValue::Kind::integer;
            return true;
        }
        value.kind = TomlValue::Kind::bare;
        value.text = std::string(word);
        return true;
    }

    // Cursor on the opening quote; on success it is just past the closing one.
    bool read_string(const std::string& name, std::string& out)
    {
        const int line = m_line;
        ++m_pos;
        std::string error;
        for (;;) {
            if (at_eol()) {
                problem(line, name + ": unterminated string; hint: close it with \" on the same line");
                return false;
            }
            const char c = cur();
            ++m_pos;
            if (c == '"')
                break;
            if (c == '\\') {
                if (at_eol())
                    continue;
                const char escaped = cur();
                ++m_pos;
                switch (escaped) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                default:
                    if (error.empty())
                        error = fmt::format("invalid escape {} in string; hint: write \\\\ for a backslash",
                                            quoted(std::string{'\\', escaped}));
                }
                continue;
            }
            const auto byte = static_cast<unsigned char>(c);
            if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
                if (error.empty())
                    error = "control character in string; hint: write \\n or \\t";
                continue;
            }
            out += c;
        }
        if (!error.empty()) {
            problem(line, name + ": " + error);
            return false;
        }
        return true;
    }

    // Cursor on '['. Elements are strings; the array may span lines as long as each
    // continuation line starts with a string, "," or "]".
    bool read_array(const std::string& name, TomlValue& value)
    {
        const int line = m_line;
        ++m_pos;
        bool expect_item = true;
        for (;;) {
            if (!skip_array_space(name, line))
                return false;
            const char c = cur();
            if (c == ']') {
                ++m_pos;
                value.kind = TomlValue::Kind::array;
                return true;
            }
            if (expect_item && c == '"') {
                std::string item;
                if (!read_string(name, item))
                    return skip_rest_of_array();
                value.items.push_back(std::move(item));
                expect_item = false;
            } else if (!expect_item && c == ',') {
                ++m_pos;
                expect_item = true;
            } else {
                problem(m_line, expect_item ? name + ": expected a string in the array, as in [\"a\", \"b\"]"
                                            : name + ": expected \",\" or \"]\" in the array");
                return skip_rest_of_array();
            }
        }
    }

    bool continues_array(std::size_t line_start) const
    {
        std::size_t p = line_start;
        while (p < m_text.size() && is_blank(m_text[p]))
            ++p;
        if (p >= m_text.size())
            return true;
        const char c = m_text[p];
        return c == '"' || c == ']' || c == ',' || c == '#' || c == '\n';
    }

    bool skip_array_space(const std::string& name, int line)
    {
        for (;;) {
            skip_blanks();
            if (!at_end() && cur() == '#') {
                skip_to_eol();
                continue;
            }
            if (!at_end() && cur() == '\n' && continues_array(m_pos + 1)) {
                ++m_pos;
                ++m_line;
                continue;
            }
            if (at_eol()) {
                problem(line, name + ": unterminated array; hint: close it with ]");
                if (!at_end()) {
                    ++m_pos;
                    ++m_line;
                }
                m_resumed = true;
                return false;
            }
            return true;
        }
    }

    // After a bad element: skip the array's continuation lines so they are not read as entries.
    bool skip_rest_of_array()
    {
        for (;;) {
            const std::size_t eol = m_text.find('\n', m_pos);
            const std::size_t end = eol == std::string_view::npos ? m_text.size() : eol;
            if (m_text.substr(m_pos, end - m_pos).find(']') != std::string_view::npos ||
                eol == std::string_view::npos || !continues_array(eol + 1)) {
                m_pos = end;
                return false;
            }
            m_pos = eol + 1;
            ++m_line;
        }
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    int m_line = 1;
    bool m_resumed = false; // the cursor already sits at the start of the next line to read
    TomlDocument m_doc;
};

} // namespace

TomlDocument parse_toml(std::string_view text)
{
    return Reader(text).run();
}

std::string quoted(std::string_view text)
{
    constexpr std::size_t k_max_shown = 40;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == k_max_shown) {
            out += "...";
            break;
        }
        const auto byte = static_cast<unsigned char>(text[i]);
        if (text[i] == '"')
            out += "\\\"";
        else if (byte < 0x20 || byte == 0x7f)
            out += fmt::format("\\x{:02x}", byte);
        else
            out += text[i];
    }
    out += '"';
    return out;
}

} // namespace pgfo::util
