#include "node/sync_standbys.hpp"

namespace pgfo::node {

std::optional<std::string> wanted_sync_standby_names(SyncMode mode, int streaming_standbys)
{
    switch (mode) {
    case SyncMode::off:
        return std::nullopt;
    case SyncMode::on:
        return std::string(streaming_standbys > 0 ? "*" : "");
    case SyncMode::strict:
        return std::string("*");
    }
    return std::nullopt;
}

Status set_sync_standby_names(pg::Connection& conn, const std::string& wanted, std::chrono::milliseconds timeout)
{
    if (wanted != "*" && !wanted.empty())
        return make_error(ErrorKind::failed, "refusing to set synchronous_standby_names to '" + wanted + "'");
    auto altered = conn.query("ALTER SYSTEM SET synchronous_standby_names = '" + wanted + "'", timeout);
    if (!altered.ok())
        return altered.error();
    auto reloaded = conn.query("SELECT pg_catalog.pg_reload_conf()", timeout);
    if (!reloaded.ok())
        return reloaded.error();
    return ok_status();
}

}  // namespace pgfo::node
