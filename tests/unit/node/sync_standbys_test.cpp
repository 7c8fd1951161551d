#include <catch2/catch.hpp>

#include "node/sync_standbys.hpp"

using namespace pgfo;
using namespace pgfo::node;

TEST_CASE("wanted_sync_standby_names per mode and streaming standbys", "[sync]")
{
    CHECK_FALSE(wanted_sync_standby_names(SyncMode::off, 0));
    CHECK_FALSE(wanted_sync_standby_names(SyncMode::off, 1));
    CHECK(wanted_sync_standby_names(SyncMode::on, 0) == "");
    CHECK(wanted_sync_standby_names(SyncMode::on, 1) == "*");
    CHECK(wanted_sync_standby_names(SyncMode::on, 5) == "*");
    CHECK(wanted_sync_standby_names(SyncMode::strict, 0) == "*");
    CHECK(wanted_sync_standby_names(SyncMode::strict, 2) == "*");
}
