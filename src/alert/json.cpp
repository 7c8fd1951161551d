#include "alert/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "alert/utf8.hpp"
#include "util/log_query.hpp"

namespace pgfo::alert::json {
namespace {

constexpr int k_max_depth = 64;

void append_utf8(std::string& out, std::uint32_t code_point)
{
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    std::optional<Value> document()
    {
        Value value;
        if (!parse_value(value, 0))
            return std::nullopt;
        skip_space();
        if (m_pos != m_text.size())
            return std::nullopt;
        return value;
    }

private:
    bool parse_value(Value& out, int depth)
    {
        if (depth > k_max_depth)
            return false;
        skip_space();
        if (m_pos >= m_text.size())
            return false;
        switch (m_text[m_pos]) {
        case '{':
            return parse_object(out, depth);
        case '[':
            return parse_array(out, depth);
        case '"':
            out.type = Value::Type::string;
            return parse_string(out.text);
        case 't':
            out.type = Value::Type::boolean;
            out.boolean = true;
            return literal("true");
        case 'f':
            out.type = Value::Type::boolean;
            out.boolean = false;
            return literal("false");
        case 'n':
            out.type = Value::Type::null;
            return literal("null");
        default:
            out.type = Value::Type::number;
            return parse_number(out.text);
        }
    }

    bool parse_object(Value& out, int depth)
    {
        out.type = Value::Type::object;
        ++m_pos;
        skip_space();
        if (consume('}'))
            return true;
        while (true) {
            skip_space();
            std::string key;
            if (peek() != '"' || !parse_string(key))
                return false;
            skip_space();
            if (!consume(':'))
                return false;
            Value member;
            if (!parse_value(member, depth + 1))
                return false;
            out.members.emplace_back(std::move(key), std::move(member));
            skip_space();
            if (consume('}'))
                return true;
            if (!consume(','))
                return false;
        }
    }

    bool parse_array(Value& out, int depth)
    {
        out.type = Value::Type::array;
        ++m_pos;
        skip_space();
        if (consume(']'))
            return true;
        while (true) {
            Value item;
            if (!parse_value(item, depth + 1))
                return false;
            out.items.push_back(std::move(item));
            skip_space();
            if (consume(']'))
                return true;
            if (!consume(','))
                return false;
        }
    }

    bool parse_string(std::string& out)
    {
        ++m_pos;  // opening quote
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return false;
            if (c != '\\') {
                out += c;
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (m_pos >= m_text.size())
                return false;
            const char escape = m_text[m_pos++];
            switch (escape) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u':
                if (!parse_unicode_escape(out))
                    return false;
                break;
            default:
                return false;
            }
        }
        return false;
    }

    // After "\u": one code unit, or a surrogate pair written as two escapes.
    bool parse_unicode_escape(std::string& out)
    {
        auto high = hex4();
        if (!high)
            return false;
        std::uint32_t code_point = *high;
        if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            if (m_text.substr(m_pos, 2) != "\\u")
                return false;
            m_pos += 2;
            auto low = hex4();
            if (!low || *low < 0xDC00 || *low > 0xDFFF)
                return false;
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
        } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            return false;
        }
        append_utf8(out, code_point);
        return true;
    }

    std::optional<std::uint32_t> hex4()
    {
        if (m_text.size() - m_pos < 4)
            return std::nullopt;
        std::uint32_t value = 0;
        auto [end, ec] = std::from_chars(m_text.data() + m_pos, m_text.data() + m_pos + 4, value, 16);
        if (ec != std::errc() || end != m_text.data() + m_pos + 4)
            return std::nullopt;
        m_pos += 4;
        return value;
    }

    bool parse_number(std::string& out)
    {
        const std::size_t start = m_pos;
        consume('-');
        if (!digits())
            return false;
        if (consume('.') && !digits())
            return false;
        if (consume('e') || consume('E')) {
            if (!consume('+'))
                consume('-');
            if (!digits())
                return false;
        }
        out = std::string(m_text.substr(start, m_pos - start));
        return true;
    }

    bool digits()
    {
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
            ++m_pos;
        return m_pos > start;
    }

    bool literal(std::string_view word)
    {
        if (m_text.substr(m_pos, word.size()) != word)
            return false;
        m_pos += word.size();
        return true;
    }

    void skip_space()
    {
        while (m_pos < m_text.size() &&
               (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
            ++m_pos;
    }

    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

    bool consume(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace

std::string quote(std::string_view text)
{
    return util::json_string(text);
}

Object& Object::add_raw(std::string_view key, std::string_view json)
{
    if (!m_members.empty())
        m_members += ',';
    m_members += quote(key);
    m_members += ':';
    m_members += json;
    return *this;
}

Object& Object::add_string(std::string_view key, std::string_view value)
{
    return add_raw(key, quote(value));
}

Object& Object::add_int(std::string_view key, std::int64_t value)
{
    return add_raw(key, std::to_string(value));
}

Object& Object::add_bool(std::string_view key, bool value)
{
    return add_raw(key, value ? "true" : "false");
}

Object& Object::add_null(std::string_view key)
{
    return add_raw(key, "null");
}

Object& Object::add_object(std::string_view key, const Object& value)
{
    return add_raw(key, value.str());
}

Object& Object::add_double(std::string_view key, double value)
{
    if (!std::isfinite(value))
        return add_null(key);
    return add_raw(key, fmt::format("{}", value));
}

Object& Object::add_object_array(std::string_view key, const std::vector<Object>& values)
{
    std::string array = "[";
    for (const auto& value : values) {
        if (array.size() > 1)
            array += ',';
        array += value.str();
    }
    array += ']';
    return add_raw(key, array);
}

Object& Object::add_string_array(std::string_view key, const std::vector<std::string>& values)
{
    std::string array = "[";
    for (const auto& value : values) {
        if (array.size() > 1)
            array += ',';
        array += quote(value);
    }
    array += ']';
    return add_raw(key, array);
}

const Value* Value::get(std::string_view key) const
{
    for (const auto& [name, value] : members)
        if (name == key)
            return &value;
    return nullptr;
}

std::optional<std::int64_t> Value::as_int() const
{
    if (type != Type::number)
        return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<double> Value::as_double() const
{
    if (type != Type::number)
        return std::nullopt;
    return std::strtod(text.c_str(), nullptr);
}

std::optional<Value> parse(std::string_view text)
{
    return Parser(text).document();
}

}  // namespace pgfo::alert::json
