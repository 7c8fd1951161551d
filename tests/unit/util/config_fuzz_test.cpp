#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "util/config.hpp"

using namespace pgfo;

namespace {

std::string example_config()
{
    std::ifstream in(std::string(PGFO_SOURCE_DIR) + "/examples/pgfo.conf");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int line_count(const std::string& text)
{
    return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// Deterministic generator of hostile inputs: the same seed gives the same inputs on every run.
class Fuzzer {
public:
    explicit Fuzzer(std::uint32_t seed) : m_random(seed) {}

    std::size_t below(std::size_t n)
    {
        return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random);
    }

    std::string random_bytes()
    {
        std::string out(below(600), '\0');
        for (char& c : out)
            c = static_cast<char>(below(256));
        return out;
    }

    // Fragments of the syntax in random order: far more likely than random bytes to reach deep states.
    std::string token_soup()
    {
        static const std::vector<std::string> pieces = {"[",
                                                        "]",
                                                        "[[",
                                                        "]]",
                                                        "\"",
                                                        "\"\"\"",
                                                        "'",
                                                        "=",
                                                        "\n",
                                                        "\r\n",
                                                        "#",
                                                        ",",
                                                        " ",
                                                        "\t",
                                                        "\\",
                                                        "\\\"",
                                                        "\\n",
                                                        "\\q",
                                                        std::string(1, '\0'),
                                                        "\x01",
                                                        "\xff",
                                                        "node",
                                                        "postgres",
                                                        "telegram",
                                                        "peers",
                                                        "name",
                                                        "data_dir",
                                                        "token",
                                                        "chat_id",
                                                        "max_lag",
                                                        "connect",
                                                        "true",
                                                        "false",
                                                        "5s",
                                                        "16MB",
                                                        "-1",
                                                        "99999999999999999999",
                                                        "a:1",
                                                        ":",
                                                        ".",
                                                        "runtime",
                                                        "compose",
                                                        "header",
                                                        "\xEF\xBB\xBF"};
        std::string out;
        const std::size_t n = below(80);
        for (std::size_t i = 0; i < n; ++i)
            out += pieces[below(pieces.size())];
        return out;
    }

    std::string mutate(std::string text)
    {
        static const std::vector<std::string> inserts = {"\"", "[", "]",  "=",  "\n",     std::string(1, '\0'),
                                                         "#",  ",", "\\", "[[", "\"\"\"", "\r"};
        const std::size_t rounds = 1 + below(6);
        for (std::size_t r = 0; r < rounds && !text.empty(); ++r) {
            const std::size_t at = below(text.size());
            switch (below(5)) {
            case 0:
                text[at] = static_cast<char>(text[at] ^ (1 << below(8)));
                break;
            case 1:
                text.resize(at);
                break;
            case 2:
                text.insert(at, inserts[below(inserts.size())]);
                break;
            case 3:
                text.erase(at, 1 + below(20));
                break;
            default: {
                const std::size_t from = below(text.size());
                text.insert(at, text.substr(from, 1 + below(40)));
            }
            }
        }
        return text;
    }

private:
    std::mt19937 m_random;
};

void check_problems(const std::string& text)
{
    const LoadedConfig loaded = parse_config(text, "fuzz.conf");
    const int lines = line_count(text);
    for (const auto& problem : loaded.problems) {
        INFO("input of " << text.size() << " bytes; problem: " << problem.to_string());
        REQUIRE(problem.line >= 0);
        REQUIRE(problem.line <= lines + 1);
        REQUIRE_FALSE(problem.message.empty());
        REQUIRE(problem.message.find('\n') == std::string::npos);
        REQUIRE(problem.message.find('\0') == std::string::npos);
        REQUIRE(problem.file == "fuzz.conf");
    }
}

} // namespace

TEST_CASE("random bytes never crash the parser")
{
    Fuzzer fuzzer(20261129);
    for (int i = 0; i < 2000; ++i)
        check_problems(fuzzer.random_bytes());
}

TEST_CASE("random fragments of the syntax never crash the parser")
{
    Fuzzer fuzzer(7);
    for (int i = 0; i < 3000; ++i)
        check_problems(fuzzer.token_soup());
}

TEST_CASE("mutations of the example config never crash the parser")
{
    const std::string example = example_config();
    REQUIRE(example.size() > 1000);
    REQUIRE(parse_config(example, "fuzz.conf").problems.empty());
    Fuzzer fuzzer(42);
    std::size_t with_problems = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::string text = fuzzer.mutate(example);
        check_problems(text);
        if (!parse_config(text, "fuzz.conf").problems.empty())
            ++with_problems;
    }
    // The mutations must actually break configs, or this test proves nothing.
    CHECK(with_problems > 1000);
}

TEST_CASE("every truncation of the example config is handled")
{
    const std::string example = example_config();
    for (std::size_t n = 0; n <= example.size(); ++n)
        check_problems(example.substr(0, n));
}
