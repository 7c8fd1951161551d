#include <catch2/catch.hpp>

#include <cmath>

#include "alert/json.hpp"

using namespace pgfo::alert;

TEST_CASE("json strings escape quotes, backslashes and control characters")
{
    CHECK(json::quote("") == R"("")");
    CHECK(json::quote("plain") == R"("plain")");
    CHECK(json::quote("say \"hi\"") == R"("say \"hi\"")");
    CHECK(json::quote("C:\\dir") == R"("C:\\dir")");
    CHECK(json::quote("a\nb\tc\rd") == R"("a\nb\tc\rd")");
    CHECK(json::quote(std::string("nul\0x", 5)) == R"("nul\u0000x")");
    CHECK(json::quote("\x01\x1f") == R"("\u0001\u001f")");
    CHECK(json::quote("\b\f") == R"("\b\f")");
}

TEST_CASE("json strings keep unicode and repair invalid utf8")
{
    CHECK(json::quote("é € 😀") == "\"é € 😀\"");
    CHECK(json::quote("bad\xFF") == R"("bad\ufffd")");
}

TEST_CASE("json objects keep member order and types")
{
    json::Object object;
    object.add_string("s", "v").add_int("i", -42).add_bool("t", true).add_bool("f", false).add_null("n");
    object.add_string_array("a", {"x", "y\"z"});
    object.add_object("o", json::Object().add_bool("is_disabled", true));
    CHECK(object.str() == R"({"s":"v","i":-42,"t":true,"f":false,"n":null,"a":["x","y\"z"],"o":{"is_disabled":true}})");
    CHECK(json::Object().str() == "{}");
    CHECK(json::Object().add_string_array("e", {}).str() == R"({"e":[]})");
}

TEST_CASE("json objects take numbers with fractions and arrays of objects")
{
    json::Object object;
    object.add_double("half", 0.5).add_double("whole", 3.0).add_double("nan", std::nan(""));
    object.add_double("inf", HUGE_VAL);
    object.add_object_array("items", {json::Object().add_int("a", 1), json::Object().add_int("a", 2)});
    object.add_object_array("none", {});
    CHECK(object.str() == R"({"half":0.5,"whole":3,"nan":null,"inf":null,"items":[{"a":1},{"a":2}],"none":[]})");
    auto parsed = json::parse(object.str());
    REQUIRE(parsed);
    CHECK(parsed->get("half")->as_double() == 0.5);
}

TEST_CASE("json parses what it quotes")
{
    for (const std::string text : {"", "plain", "q\"b\\s/", "ctl\x01\n\t", "é € 😀", "&lt;b&gt;"}) {
        auto parsed = json::parse(json::quote(text));
        REQUIRE(parsed);
        CHECK(parsed->is_string());
        CHECK(parsed->text == text);
    }
}

TEST_CASE("json reads unicode escapes and surrogate pairs")
{
    auto parsed = json::parse(R"("\u00e9\u20ac\ud83d\ude00\/")");
    REQUIRE(parsed);
    CHECK(parsed->text == "é€😀/");
    CHECK_FALSE(json::parse(R"("\ud83d")"));       // lone high surrogate
    CHECK_FALSE(json::parse(R"("\ude00")"));       // lone low surrogate
    CHECK_FALSE(json::parse(R"("\ud83d\u0041")")); // high surrogate then not a low one
    CHECK_FALSE(json::parse(R"("\u12")"));
}

TEST_CASE("json reads a telegram answer")
{
    auto parsed = json::parse(R"( {"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7",
                                   "parameters":{"retry_after":7}} )");
    REQUIRE(parsed);
    REQUIRE(parsed->is_object());
    CHECK(parsed->get("ok")->is_bool());
    CHECK(parsed->get("ok")->boolean == false);
    CHECK(parsed->get("error_code")->as_int() == 429);
    CHECK(parsed->get("description")->text == "Too Many Requests: retry after 7");
    CHECK(parsed->get("parameters")->get("retry_after")->as_int() == 7);
    CHECK(parsed->get("missing") == nullptr);
    CHECK(parsed->get("description")->get("x") == nullptr);
}

TEST_CASE("json numbers, arrays and literals")
{
    auto parsed = json::parse(R"([1, -2.5, 3e2, true, null, [], {}])");
    REQUIRE(parsed);
    REQUIRE(parsed->items.size() == 7);
    CHECK(parsed->items[0].as_int() == 1);
    CHECK_FALSE(parsed->items[1].as_int());
    CHECK(parsed->items[1].as_double() == -2.5);
    CHECK(parsed->items[2].as_double() == 300.0);
    CHECK(parsed->items[3].boolean);
    CHECK(parsed->items[4].is_null());
    CHECK(parsed->items[5].is_array());
    CHECK(parsed->items[6].is_object());
}

TEST_CASE("json rejects what is not json")
{
    CHECK_FALSE(json::parse(""));
    CHECK_FALSE(json::parse("{"));
    CHECK_FALSE(json::parse(R"({"a":1,})"));
    CHECK_FALSE(json::parse(R"({"a" 1})"));
    CHECK_FALSE(json::parse("[1,]"));
    CHECK_FALSE(json::parse(R"("unterminated)"));
    CHECK_FALSE(json::parse("\"raw\nnewline\""));
    CHECK_FALSE(json::parse("tru"));
    CHECK_FALSE(json::parse("1."));
    CHECK_FALSE(json::parse("-"));
    CHECK_FALSE(json::parse("{} x"));
    CHECK_FALSE(json::parse("<html>Bad Gateway</html>"));
    CHECK_FALSE(json::parse(std::string(100, '[') + std::string(100, ']'))); // nested too deep
    CHECK(json::parse(std::string(50, '[') + std::string(50, ']')));
}
