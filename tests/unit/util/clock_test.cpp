#include <catch2/catch.hpp>

#include "util/clock.hpp"

using namespace pgfo::util;
using namespace std::chrono_literals;

namespace {

std::chrono::system_clock::time_point at_ms(std::int64_t ms)
{
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

} // namespace

TEST_CASE("utc timestamps have milliseconds and a Z")
{
    CHECK(utc_timestamp(at_ms(1795955623697)) == "2026-11-29T12:33:43.697Z");
    CHECK(utc_timestamp(at_ms(0)) == "1970-01-01T00:00:00.000Z");
    CHECK(utc_timestamp(at_ms(1795955623005)) == "2026-11-29T12:33:43.005Z");
    CHECK(utc_timestamp(at_ms(-1)) == "1969-12-31T23:59:59.999Z");
    CHECK(utc_timestamp(at_ms(1795955623697) + 999us) == "2026-11-29T12:33:43.697Z");
}
