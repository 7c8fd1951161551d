#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "util/interfaces.hpp"

using namespace pgfo;

TEST_CASE("host_has_address finds the loopback address and not others", "[interfaces]")
{
    CHECK(util::host_has_address("127.0.0.1").value());
    CHECK(util::host_has_address("127.0.0.1/8").value());
    CHECK_FALSE(util::host_has_address("127.0.0.2").value());  // inside 127/8 but not an address of lo
    CHECK_FALSE(util::host_has_address("192.0.2.77").value());
    CHECK_FALSE(util::host_has_address("2001:db8::77").value());
}

TEST_CASE("host_has_address finds ::1 when the kernel lists it", "[interfaces]")
{
    std::ifstream inet6("/proc/net/if_inet6");
    std::string line;
    bool listed = false;
    while (std::getline(inet6, line))
        listed = listed || line.rfind("00000000000000000000000000000001 ", 0) == 0;
    if (!listed)
        return;  // IPv6 is off here
    CHECK(util::host_has_address("::1").value());
    CHECK(util::host_has_address("[::1]").value());
    CHECK_FALSE(util::host_has_address("::2").value());
}

TEST_CASE("host_has_address refuses what is not an IP address", "[interfaces]")
{
    for (const char* bad : {"", "vip.example.com", "10.0.0", "10.0.0.300"}) {
        auto result = util::host_has_address(bad);
        INFO(bad);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().kind == ErrorKind::config);
        CHECK_THAT(result.error().message, Catch::Matchers::Contains("is not an IP address"));
    }
}
