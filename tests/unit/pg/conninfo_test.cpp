#include <catch2/catch.hpp>

#include "pg/conninfo.hpp"

using namespace pgfo;
using namespace pgfo::pg;
using namespace std::chrono_literals;

TEST_CASE("conninfo parses keywords and URIs")
{
    auto plain = Conninfo::parse("host=db1 port=5433 user=postgres dbname=app");
    REQUIRE(plain.ok());
    CHECK(plain->get("host") == "db1");
    CHECK(plain->get("port") == "5433");
    CHECK(plain->get("user") == "postgres");
    CHECK(plain->get("dbname") == "app");
    CHECK_FALSE(plain->get("password"));

    auto uri = Conninfo::parse("postgresql://me:pw@db2:6000/app?application_name=x");
    REQUIRE(uri.ok());
    CHECK(uri->get("host") == "db2");
    CHECK(uri->get("port") == "6000");
    CHECK(uri->get("user") == "me");
    CHECK(uri->get("password") == "pw");
    CHECK(uri->get("dbname") == "app");
    CHECK(uri->get("application_name") == "x");

    auto empty = Conninfo::parse("");
    REQUIRE(empty.ok());
    CHECK(empty->to_string().empty());
}

TEST_CASE("malformed conninfo is a config error with libpq's reason on one line")
{
    auto unknown = Conninfo::parse("host=db1 hots=db2");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorKind::config);
    CHECK(unknown.error().message.find("hots") != std::string::npos);
    CHECK(unknown.error().message.find('\n') == std::string::npos);

    auto unterminated = Conninfo::parse("host='db1");
    REQUIRE_FALSE(unterminated.ok());
    CHECK(unterminated.error().message.find("unterminated") != std::string::npos);
}

TEST_CASE("conninfo parse errors never show the password")
{
    // An unquoted password with a space: libpq complains about its second word.
    auto result = Conninfo::parse("host=db1 password=s3cret part2 user=x");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("missing \"=\"") != std::string::npos);
    CHECK(result.error().message.find("part2") == std::string::npos);
    CHECK(result.error().message.find("s3cret") == std::string::npos);

    auto uri = Conninfo::parse("postgresql://me:s3cret@db1/app?bogus=1");
    REQUIRE_FALSE(uri.ok());
    CHECK(uri.error().message.find("bogus") != std::string::npos);
    CHECK(uri.error().message.find("s3cret") == std::string::npos);
}

TEST_CASE("conninfo renders values quoted and escaped only where libpq needs it")
{
    Conninfo conninfo;
    conninfo.set("host", "db1").set("dbname", "my db").set("password", "it's \\x").set("options", "");
    CHECK(conninfo.to_string() == "host=db1 dbname='my db' password='it\\'s \\\\x' options=''");
}

TEST_CASE("conninfo round trips values with spaces, quotes and backslashes")
{
    const std::vector<std::string> values{"plain",     "two words", "it's",  "back\\slash", "'quoted'", "\\'",
                                          "tab\there", "",          " lead", "trail ",      "=eq=",     "uni\xc3\xa9"};
    for (const auto& value : values) {
        Conninfo conninfo;
        conninfo.set("host", "h").set("password", value).set("application_name", value);
        auto reparsed = Conninfo::parse(conninfo.to_string());
        REQUIRE(reparsed.ok());
        CHECK(reparsed->get("password") == value);
        CHECK(reparsed->get("application_name") == value);
        CHECK(reparsed->get("host") == "h");
        CHECK(Conninfo::parse(reparsed->to_string())->to_string() == reparsed->to_string());
    }
}

TEST_CASE("conninfo set, set_default and erase")
{
    auto conninfo = Conninfo::parse("host=db1 application_name=mine").value();
    conninfo.set_default("application_name", "pgfo").set_default("user", "postgres");
    CHECK(conninfo.get("application_name") == "mine");
    CHECK(conninfo.get("user") == "postgres");
    conninfo.set("host", "db2");
    CHECK(conninfo.get("host") == "db2");
    CHECK(conninfo.to_string().find("db1") == std::string::npos);
    conninfo.erase("host");
    CHECK_FALSE(conninfo.get("host"));
    CHECK(conninfo.to_string().find("host=") == std::string::npos);
}

TEST_CASE("redacted conninfo hides the password and keeps the rest")
{
    auto conninfo = Conninfo::parse("host=db1 user=u password='s3 cret'").value();
    auto redacted = conninfo.redacted();
    CHECK(redacted.find("s3") == std::string::npos);
    CHECK(redacted.find("cret") == std::string::npos);
    CHECK(redacted.find("password=") != std::string::npos);
    CHECK(redacted.find("host=db1") != std::string::npos);
    CHECK(conninfo.get("password") == "s3 cret");

    auto without = Conninfo::parse("host=db1").value();
    CHECK(without.redacted() == without.to_string());
}

TEST_CASE("set_address overrides host and, when given, port")
{
    auto conninfo = Conninfo::parse("host=db1 hostaddr=10.0.0.1 port=5433").value();
    conninfo.set_address("db2:6000");
    CHECK(conninfo.get("host") == "db2");
    CHECK(conninfo.get("port") == "6000");
    CHECK_FALSE(conninfo.get("hostaddr"));

    conninfo.set_address("db3");
    CHECK(conninfo.get("host") == "db3");
    CHECK(conninfo.get("port") == "6000");

    conninfo.set_address("[::1]:7000");
    CHECK(conninfo.get("host") == "::1");
    CHECK(conninfo.get("port") == "7000");
}

TEST_CASE("client_conninfo adds connect_timeout and application_name")
{
    auto text = client_conninfo("host=db1 user=postgres", 2000ms);
    REQUIRE(text.ok());
    auto conninfo = Conninfo::parse(*text).value();
    CHECK(conninfo.get("connect_timeout") == "2");
    CHECK(conninfo.get("application_name") == "pgfo");
    CHECK(conninfo.get("host") == "db1");
    CHECK(conninfo.get("user") == "postgres");

    auto seconds = [](std::chrono::milliseconds timeout) {
        return Conninfo::parse(client_conninfo("host=h connect_timeout=99", timeout).value())
            .value()
            .get("connect_timeout");
    };
    CHECK(seconds(1500ms) == "2");
    CHECK(seconds(1001ms) == "2");
    CHECK(seconds(1000ms) == "1");
    CHECK(seconds(300ms) == "1");
    CHECK(seconds(0ms) == "1");
    CHECK(seconds(60s) == "60");

    auto named = Conninfo::parse(client_conninfo("host=h application_name=pg-01", 1s).value()).value();
    CHECK(named.get("application_name") == "pg-01");
}

TEST_CASE("client_conninfo address overrides host and port")
{
    auto text = client_conninfo("host=db1 port=5433 user=postgres", 1s, "10.0.0.12:6432");
    REQUIRE(text.ok());
    auto conninfo = Conninfo::parse(*text).value();
    CHECK(conninfo.get("host") == "10.0.0.12");
    CHECK(conninfo.get("port") == "6432");
    CHECK(conninfo.get("user") == "postgres");

    auto bad_address = client_conninfo("host=db1", 1s, "db2:notaport");
    REQUIRE_FALSE(bad_address.ok());
    CHECK(bad_address.error().message.find("db2:notaport") != std::string::npos);

    auto bad_base = client_conninfo("host=db1 nonsense", 1s);
    REQUIRE_FALSE(bad_base.ok());
    CHECK(bad_base.error().kind == ErrorKind::config);
}

TEST_CASE("parse_host_port splits host, port and bracketed IPv6")
{
    auto check = [](const std::string& text, const std::string& host, int port) {
        auto parsed = parse_host_port(text);
        INFO(text);
        REQUIRE(parsed);
        CHECK(parsed->host == host);
        CHECK(parsed->port == port);
    };
    check("db1", "db1", 5432);
    check("db1:6000", "db1", 6000);
    check("10.0.0.12:5433", "10.0.0.12", 5433);
    check("[::1]:6000", "::1", 6000);
    check("[fe80::1]", "fe80::1", 5432);
    check("::1", "::1", 5432);
    check("db1:65535", "db1", 65535);
    check("db1:1", "db1", 1);

    for (std::string bad : {"", "db1:", ":5432", "db1:0", "db1:65536", "db1:abc", "db1:-1", "db1:+5", "db1:5x", "[::1",
                            "[::1]x", "[::1]:", "[]:5432", "[::1]:0"}) {
        INFO(bad);
        CHECK_FALSE(parse_host_port(bad));
    }
}

TEST_CASE("HostPort renders IPv6 hosts in brackets")
{
    CHECK(HostPort{"db1", 6000}.to_string() == "db1:6000");
    CHECK(HostPort{"::1", 5432}.to_string() == "[::1]:5432");
    CHECK(parse_host_port("[::1]:7000")->to_string() == "[::1]:7000");
}
