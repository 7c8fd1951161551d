#include <catch2/catch.hpp>

#include "pg/lsn.hpp"

using namespace pgfo::pg;

TEST_CASE("lsns parse from X/Y hex")
{
    CHECK(parse_lsn("0/0") == Lsn(0));
    CHECK(parse_lsn("0/1") == Lsn(1));
    CHECK(parse_lsn("16/B374D848") == Lsn(0x16B374D848));
    CHECK(parse_lsn("16/b374d848") == Lsn(0x16B374D848));
    CHECK(parse_lsn("1/0") == Lsn(1) << 32);
    CHECK(parse_lsn("FFFFFFFF/FFFFFFFF") == Lsn(0xFFFFFFFFFFFFFFFF));
    CHECK(parse_lsn("00000000/00000010") == Lsn(16));
}

TEST_CASE("malformed lsns are rejected")
{
    CHECK_FALSE(parse_lsn(""));
    CHECK_FALSE(parse_lsn("/"));
    CHECK_FALSE(parse_lsn("0/"));
    CHECK_FALSE(parse_lsn("/0"));
    CHECK_FALSE(parse_lsn("16B374D848"));
    CHECK_FALSE(parse_lsn("1/2/3"));
    CHECK_FALSE(parse_lsn("G/0"));
    CHECK_FALSE(parse_lsn("0/0x10"));
    CHECK_FALSE(parse_lsn("-1/0"));
    CHECK_FALSE(parse_lsn("+1/0"));
    CHECK_FALSE(parse_lsn(" 1/0"));
    CHECK_FALSE(parse_lsn("1/0 "));
    CHECK_FALSE(parse_lsn("100000000/0"));
    CHECK_FALSE(parse_lsn("0/100000000"));
}

TEST_CASE("lsns format as upper-case hex halves without padding")
{
    CHECK(format_lsn(0) == "0/0");
    CHECK(format_lsn(0x16B374D848) == "16/B374D848");
    CHECK(format_lsn(Lsn(1) << 32) == "1/0");
    CHECK(format_lsn(0xFFFFFFFFFFFFFFFF) == "FFFFFFFF/FFFFFFFF");
}

TEST_CASE("lsns survive a format and parse round trip")
{
    for (Lsn lsn :
         {Lsn(0), Lsn(1), Lsn(0x16B374D848), Lsn(0x0000000100000000), Lsn(0xFFFFFFFFFFFFFFFF), Lsn(0xDEADBEEF00C0FFEE)})
        CHECK(parse_lsn(format_lsn(lsn)) == lsn);
}
