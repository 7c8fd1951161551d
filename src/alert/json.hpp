#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The small JSON subset alerts need: building flat objects and reading API answers.
namespace pgfo::alert::json {

// TEXT as a quoted JSON string (util::json_string): control characters escaped, invalid UTF-8 as \ufffd.
std::string quote(std::string_view text);

// Builds one JSON object, members in the order they are added.
class Object {
public:
    Object& add_string(std::string_view key, std::string_view value);
    Object& add_int(std::string_view key, std::int64_t value);
    Object& add_bool(std::string_view key, bool value);
    Object& add_null(std::string_view key);
    Object& add_string_array(std::string_view key, const std::vector<std::string>& values);
    Object& add_object(std::string_view key, const Object& value);
    // A finite number in its shortest round-trip form; NaN and infinities become null.
    Object& add_double(std::string_view key, double value);
    Object& add_object_array(std::string_view key, const std::vector<Object>& values);

    std::string str() const { return "{" + m_members + "}"; }

private:
    Object& add_raw(std::string_view key, std::string_view json);
    std::string m_members;
};

// A parsed JSON value.
class Value {
public:
    enum class Type { null, boolean, number, string, array, object };

    Type type = Type::null;
    bool boolean = false;
    std::string text; // the string's content, or a number as written
    std::vector<Value> items;
    std::vector<std::pair<std::string, Value>> members;

    bool is_null() const { return type == Type::null; }
    bool is_bool() const { return type == Type::boolean; }
    bool is_number() const { return type == Type::number; }
    bool is_string() const { return type == Type::string; }
    bool is_array() const { return type == Type::array; }
    bool is_object() const { return type == Type::object; }

    // The member KEY of an object; nullptr when absent or not an object.
    const Value* get(std::string_view key) const;
    // A number without fraction or exponent that fits in int64.
    std::optional<std::int64_t> as_int() const;
    std::optional<double> as_double() const;
};

// Parses a whole document; nullopt when it is not valid JSON (or nests deeper than 64).
std::optional<Value> parse(std::string_view text);

} // namespace pgfo::alert::json
