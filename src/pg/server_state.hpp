#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pgfo::pg {

struct ReplicationClient {
    std::string application_name;
    std::string client_addr;
    std::string state;       // streaming, catchup, ...
    std::string sync_state;  // async, sync, potential, quorum
    Lsn sent_lsn = 0;
    Lsn write_lsn = 0;
    Lsn flush_lsn = 0;
    Lsn replay_lsn = 0;
    std::optional<double> replay_lag_seconds;
};

// What one round trip tells about a running server.
struct ServerState {
    bool in_recovery = false;
    std::uint32_t timeline = 0;  // primary: of its current WAL; standby: of replay (or received)
    Lsn current_lsn = 0;         // primary: pg_current_wal_lsn; standby: replay position
    Lsn receive_lsn = 0;         // standby: last WAL received (flushed) from upstream
    Lsn replay_lsn = 0;          // standby: last WAL replayed
    std::optional<double> replay_lag_seconds;  // standby, full inspection: now() - pg_last_xact_replay_timestamp()
    bool wal_receiver_streaming = false;
    std::string wal_receiver_status;  // pg_stat_wal_receiver.status, empty when none
    std::string upstream_host;        // from the WAL receiver's conninfo
    int upstream_port = 0;
    std::uint32_t received_timeline = 0;
    bool replay_paused = false;
    Lsn latest_end_lsn = 0;      // standby: upstream's WAL end as last reported to the WAL receiver
    int streaming_standbys = 0;  // primary: pg_stat_replication rows in state streaming
    std::string synchronous_standby_names;
    std::vector<ReplicationClient> clients;  // pg_stat_replication (primary or cascading standby)
    int server_version = 0;
    std::string data_directory;
};

// Inspects the server behind CONN within TIMEOUT. With brief, a single light query
// that fills in_recovery, timeline, LSNs, WAL receiver, streaming_standbys and
// synchronous_standby_names (for check); otherwise also replication clients and
// settings (for status and the engine).
Result<ServerState> inspect_server(Connection& conn, std::chrono::milliseconds timeout, bool brief = false);

}  // namespace pgfo::pg
