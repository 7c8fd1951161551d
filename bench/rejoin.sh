#!/usr/bin/env bash
# Old-primary rejoin time (stop -> streaming again) after a fork with the same rows changed on
# both sides: pgfo rewind vs pgfo basebackup vs the classic rsync of the live primary's data
# directory, on loopback and over a 1 Gbit/s veth link between two network namespaces.
#
#   bench/rejoin.sh [--sizes "1 4 8"] [--links "loopback 1gbit"] [--methods "rewind basebackup rsync"]
#                   [--runs N] [--large-runs N] [--rows N] [--profile default|keep|lean|slots]
#                   [--set 'guc = value']... [--fill-wal-mb N] [--new-side-wal-mb N]
#                   [--start-timeout pgfo-duration] [--dir DIR]
#   bench/rejoin.sh [--rows N] [--profile P] --report RESULTS.tsv...   (the table of earlier runs)
#
# --sizes       database sizes in GB (pgbench_accounts and its index, ~15 MB per scale unit)
# --runs        rejoins per method for sizes below 8 GB (default 3); --large-runs for 8 GB+ (default 3)
# --rows        rows of pgbench_accounts updated on each side after the fork (default 100000, ~12 MB)
# --profile     WAL settings of both servers (see profile_settings below); --set adds more lines
# --fill-wal-mb WAL written (as segment switches) before every fork, so pg_wal on both nodes holds
#               what a pair that has been writing holds: retained and recycled segments (default 1024)
# --new-side-wal-mb  more WAL (segment switches) on the new primary after the fork: a rejoin that
#               comes late, after the new primary wrote more than the retained WAL (default 0)
# Methods: rewind, basebackup (pgfo notify BACKUP with failover.resync = that), rsync (classic),
#   pg_rewind (by hand with --progress --debug, to see what it copies), rewind+slot (pgfo rewind
#   plus what the proposed engine change would do: a physical slot made on the standby just before
#   its promotion and on the old primary just before its fence, so both keep the WAL a rewind needs)
#
# Each rejoin is one failover cycle on a pair built once per size: CHECKPOINT on the primary P,
# promote the standby S (P keeps running: a split brain), update --rows rows on each side, then
# rejoin P as a standby of S with the method, timed from the first command to a streaming WAL
# receiver on P. The roles swap for the next cycle. Methods are interleaved within each round.
# Needs root (network namespaces pgfb-*, tc, servers run as postgres); subnet 10.78.0.0/24.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

sizes="1 4 8"
links="loopback 1gbit"
methods="rewind basebackup rsync"
runs=3
large_runs=3
rows=100000
fill_wal_mb=1024
new_side_wal_mb=0
start_timeout=10m
profile=default
extra_settings=()
base_dir="${TMPDIR:-/tmp}/pgfb"
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --links) links=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --large-runs) large_runs=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --fill-wal-mb) fill_wal_mb=$2; shift 2 ;;
    --new-side-wal-mb) new_side_wal_mb=$2; shift 2 ;;
    --start-timeout) start_timeout=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --set) extra_settings+=("$2"); shift 2 ;;
    --dir) base_dir=$2; shift 2 ;;
    --report) report_only=1; shift; report_files=("$@"); break ;;
    *) echo "rejoin.sh: unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
done

pg_bin=/usr/lib/postgresql/15/bin
build=${PGFO_BUILD_DIR:-build}
pgfo=$repo/$build/pgfo
rsync_port=8730

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

profile_settings() {
  case "$1" in
    # PostgreSQL's defaults, written out: nothing keeps WAL for pg_rewind.
    default) printf '%s\n' "max_wal_size = '1GB'" "min_wal_size = '80MB'" "wal_keep_size = 0" "wal_recycle = on" ;;
    # A common standby-friendly setup: keep 1 GB of WAL for a standby that falls behind.
    keep) printf '%s\n' "max_wal_size = '1GB'" "min_wal_size = '80MB'" "wal_keep_size = '1GB'" "wal_recycle = on" ;;
    # What pgfo recommends today: checkpoints at least every 256 MB of WAL, twice that kept (so the
    # last checkpoint before a fork is still on both nodes), no pre-allocated future segments.
    lean) printf '%s\n' "max_wal_size = '256MB'" "min_wal_size = '32MB'" "wal_keep_size = '512MB'" "wal_recycle = off" ;;
    # For the proposed engine change (method rewind+slot): no kept WAL, slots pin what a rewind needs.
    slots) printf '%s\n' "max_wal_size = '1GB'" "min_wal_size = '32MB'" "wal_keep_size = 0" "wal_recycle = off" \
      "max_slot_wal_keep_size = '8GB'" ;;
    *) die "unknown profile $1 (default, keep, lean, slots)" ;;
  esac
}

# --- namespaces ---------------------------------------------------------------------------
# Per node: namespace, address, port. Loopback: both nodes in pgfb-lo on 127.0.0.1.
declare -A ns addr
declare -A port=([a]=5432 [b]=5433)
started_pids=()

link_up() {
  case "$1" in
    loopback)
      ip netns add pgfb-lo
      ip -n pgfb-lo link set lo up
      ns=([a]=pgfb-lo [b]=pgfb-lo)
      addr=([a]=127.0.0.1 [b]=127.0.0.1)
      ;;
    1gbit)
      ip netns add pgfb-a
      ip netns add pgfb-b
      ip link add pgfb-va type veth peer name pgfb-vb
      ip link set pgfb-va netns pgfb-a
      ip link set pgfb-vb netns pgfb-b
      ip -n pgfb-a addr add 10.78.0.1/24 dev pgfb-va
      ip -n pgfb-b addr add 10.78.0.2/24 dev pgfb-vb
      for side in a b; do
        ip -n "pgfb-$side" link set lo up
        ip -n "pgfb-$side" link set "pgfb-v$side" up
        ip netns exec "pgfb-$side" tc qdisc add dev "pgfb-v$side" root tbf rate 1gbit burst 256kb latency 50ms
      done
      ns=([a]=pgfb-a [b]=pgfb-b)
      addr=([a]=10.78.0.1 [b]=10.78.0.2)
      ;;
    *) die "unknown link $1 (loopback, 1gbit)" ;;
  esac
}

link_down() {
  for name in pgfb-lo pgfb-a pgfb-b; do
    ip netns del "$name" 2>/dev/null || true
  done
}

# Bytes received on the interface that carries the pair's traffic (lo counts both directions once).
link_rx_bytes() {
  if [[ ${ns[a]} == "${ns[b]}" ]]; then
    ip netns exec "${ns[a]}" cat /sys/class/net/lo/statistics/rx_bytes
  else
    echo $(($(ip netns exec pgfb-a cat /sys/class/net/pgfb-va/statistics/rx_bytes) +
      $(ip netns exec pgfb-b cat /sys/class/net/pgfb-vb/statistics/rx_bytes)))
  fi
}

# --- servers ------------------------------------------------------------------------------
as_pg() { local node=$1; shift; ip netns exec "${ns[$node]}" runuser -u postgres -- "$@"; }
data_of() { echo "$base_dir/$1/data"; }
psql_on() { local node=$1; shift; as_pg "$node" "$pg_bin/psql" -X -At -v ON_ERROR_STOP=1 -h "$base_dir/$node" -p "${port[$node]}" -U postgres -d postgres -c "$*"; }
other() { [[ $1 == a ]] && echo b || echo a; }

pg_start() { as_pg "$1" "$pg_bin/pg_ctl" start -D "$(data_of "$1")" -w -t 600 -l "$base_dir/$1/server.log" -s; }
pg_stop() {
  local node=$1 mode=${2:-fast}
  [[ -f $(data_of "$node")/postmaster.pid ]] || return 0
  as_pg "$node" "$pg_bin/pg_ctl" stop -D "$(data_of "$node")" -m "$mode" -w -t 600 -s || true
}

# Settings outside the data directory, so a copied postgresql.conf fits either node.
write_node_conf() {
  local node=$1
  cat >"$base_dir/$node/node.conf" <<EOF
port = ${port[$node]}
listen_addresses = '${addr[$node]}'
unix_socket_directories = '$base_dir/$node'
EOF
  chown postgres: "$base_dir/$node/node.conf"
}

# primary_conninfo of NODE pointing at its peer, as pgfo writes it.
set_upstream() {
  local node=$1 peer
  peer=$(other "$node")
  local auto
  auto=$(data_of "$node")/postgresql.auto.conf
  sed -i '/^primary_conninfo/d' "$auto"
  echo "primary_conninfo = 'user=replicator host=${addr[$peer]} port=${port[$peer]} application_name=node-$node'" >>"$auto"
  chown postgres: "$auto"
}

write_pgfo_conf() {
  local node=$1 method=$2 peer
  peer=$(other "$node")
  cat >"$base_dir/$node/pgfo-$method.conf" <<EOF
[node]
name = "node-$node"
peers = ["${addr[$peer]}:${port[$peer]}"]
state_dir = "$base_dir/$node/state"

[postgres]
runtime = "pg_ctl"
data_dir = "$(data_of "$node")"
bin_dir = "$pg_bin"
os_user = "postgres"
conninfo = "host=${addr[$node]} port=${port[$node]} user=postgres dbname=postgres"
replication_conninfo = "user=replicator"
server_log = "$base_dir/$node/server.log"

[failover]
resync = "$method"
peer_wait = "3s"

[timeouts]
start = "$start_timeout"
stop = "5m"
resync = "1h"

[log]
file = "$base_dir/$node/pgfo.log"
level = "debug"
EOF
  chmod 600 "$base_dir/$node/pgfo-$method.conf"
}

rsync_daemons_up() {
  cat >"$base_dir/rsyncd.conf" <<EOF
uid = root
gid = root
use chroot = no
read only = yes
[a]
path = $base_dir/a/data
[b]
path = $base_dir/b/data
EOF
  local seen=""
  for node in a b; do
    [[ $seen == *"${ns[$node]}"* ]] && continue
    seen+=" ${ns[$node]}"
    ip netns exec "${ns[$node]}" rsync --daemon --no-detach --config="$base_dir/rsyncd.conf" \
      --address="${addr[$node]}" --port=$rsync_port --log-file="$base_dir/rsyncd-$node.log" &
    started_pids+=($!)
  done
  sleep 0.5
}

rsync_daemons_down() {
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  started_pids=()
}

wait_streaming() {
  local node=$1 limit=${2:-600} start=$SECONDS
  until [[ $(psql_on "$node" "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null) == streaming ]]; do
    ((SECONDS - start < limit)) || die "node $node not streaming within ${limit}s; see $base_dir/$node/server.log"
    sleep 0.1
  done
}

# True once NODE streams within LIMIT seconds.
streams_within() {
  local node=$1 limit=$2 start=$SECONDS
  until [[ $(psql_on "$node" "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null) == streaming ]]; do
    ((SECONDS - start < limit)) || return 1
    sleep 0.1
  done
}

# A failed baseline leaves NODE unusable: copy it afresh from PEER (untimed) so the cycles go on.
recover_by_basebackup() {
  local node=$1 peer=$2
  pg_stop "$node" immediate
  rm -rf "$(data_of "$node")"
  as_pg "$node" "$pg_bin/pg_basebackup" -D "$(data_of "$node")" -X stream -c fast -N \
    -d "host=${addr[$peer]} port=${port[$peer]} user=replicator"
}

wait_replayed() {
  local node=$1 lsn=$2 start=$SECONDS
  until [[ $(psql_on "$node" "SELECT pg_last_wal_replay_lsn() >= '$lsn'") == t ]]; do
    ((SECONDS - start < 600)) || die "node $node did not replay up to $lsn within 600s; see $base_dir/$node/server.log"
    sleep 0.1
  done
}

cleanup() {
  rsync_daemons_down
  for node in a b; do [[ -d $base_dir/$node/data ]] && pg_stop "$node" immediate; done
  link_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- building one size ----------------------------------------------------------------------
build_pair() {
  local gb=$1
  local scale
  scale=$(awk -v gb="$gb" 'BEGIN { s = int(gb * 1024 / 15 + 0.5); print (s < 1 ? 1 : s) }')
  rm -rf "$base_dir/a" "$base_dir/b"
  mkdir -p "$base_dir/a" "$base_dir/b"
  chown postgres: "$base_dir/a" "$base_dir/b"
  chmod 755 "$base_dir" "$base_dir/a" "$base_dir/b"
  for node in a b; do write_node_conf "$node"; done
  as_pg a "$pg_bin/initdb" -D "$(data_of a)" -U postgres -A trust -E UTF8 --locale=C --data-checksums -N >/dev/null
  {
    echo "include_if_exists = '../node.conf'"
    echo "wal_level = replica"
    echo "max_wal_senders = 10"
    echo "hot_standby = on"
    echo "fsync = on"
    echo "shared_buffers = '256MB'"
    echo "log_line_prefix = '%m [%p] %a: '"
    echo "log_checkpoints = on"
    profile_settings "$profile"
    for line in "${extra_settings[@]}"; do echo "$line"; done
  } >>"$(data_of a)/postgresql.conf"
  cat >"$(data_of a)/pg_hba.conf" <<EOF
local all all trust
local replication all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
host all all 10.78.0.0/24 trust
host replication all 10.78.0.0/24 trust
EOF
  pg_start a
  psql_on a "CREATE ROLE replicator WITH REPLICATION LOGIN" >/dev/null
  log "size ${gb} GB: pgbench -i -s $scale"
  as_pg a "$pg_bin/pgbench" -i -s "$scale" -I dtGvp -q -h "$base_dir/a" -p "${port[a]}" -U postgres postgres >/dev/null 2>&1
  psql_on a "CHECKPOINT" >/dev/null
  as_pg b "$pg_bin/pg_basebackup" -D "$(data_of b)" -d "host=${addr[a]} port=${port[a]} user=replicator" \
    -X stream -c fast -N
  touch "$(data_of b)/standby.signal"
  chown postgres: "$(data_of b)/standby.signal"
  set_upstream b
  pg_start b
  wait_streaming b
  primary=a
  db_bytes=$(psql_on a "SELECT pg_database_size('postgres')")
  log "size ${gb} GB: built, database $((db_bytes / 1048576)) MB"
}

# Steady state: write MB of WAL through segment switches on the primary and checkpoint it, so each
# pg_wal holds what a pair that has been writing holds (the standby restartpoints on its own).
fill_wal() {
  local mb=$1 standby
  standby=$(other "$primary")
  ((mb > 0)) || return 0
  psql_on "$primary" "CREATE TABLE IF NOT EXISTS wal_filler (x int)" >/dev/null 2>&1
  # Switches outrun the standby; keep what it still needs meanwhile (the profile's own retention
  # is back in force for the checkpoint that ends the fill).
  psql_on "$primary" "ALTER SYSTEM SET wal_keep_size = '4GB'" >/dev/null
  psql_on "$primary" "SELECT pg_reload_conf()" >/dev/null
  for ((done = 0; done < mb; done += 256)); do
    psql_on "$primary" "DO \$\$ BEGIN FOR i IN 1..16 LOOP INSERT INTO wal_filler VALUES (i); PERFORM pg_switch_wal(); END LOOP; END \$\$" >/dev/null
    wait_replayed "$standby" "$(psql_on "$primary" "SELECT pg_current_wal_lsn()")"
  done
  psql_on "$primary" "ALTER SYSTEM RESET wal_keep_size" >/dev/null
  psql_on "$primary" "SELECT pg_reload_conf()" >/dev/null
  psql_on "$primary" "CHECKPOINT" >/dev/null
  wait_replayed "$standby" "$(psql_on "$primary" "SELECT pg_current_wal_lsn()")"
  log "filled $mb MB of WAL: pg_wal $(du -sm "$(data_of "$primary")/pg_wal" | cut -f1) MB on the primary, $(du -sm "$(data_of "$standby")/pg_wal" | cut -f1) MB on the standby"
}

# Moves the running pair into the namespaces of LINK.
enter_link() {
  for node in a b; do pg_stop "$node"; done
  rsync_daemons_down
  link_down
  link_up "$1"
  for node in a b; do
    write_node_conf "$node"
    for method in rewind basebackup; do write_pgfo_conf "$node" "$method"; done
  done
  set_upstream "$(other "$primary")"
  pg_start "$primary"
  pg_start "$(other "$primary")"
  wait_streaming "$(other "$primary")"
  rsync_daemons_up
}

# --- one failover cycle ---------------------------------------------------------------------
pgfo_step_ms() { # LOG FROM_LINE EVENT -> ms of the last EVENT line after FROM_LINE
  tail -n +"$(($2 + 1))" "$1" | grep " event=$3 " | tail -1 | sed -n 's/.* ms=\([0-9]*\).*/\1/p'
}

cycle() {
  local method=$1 label=$2
  local old=$primary new
  new=$(other "$old")
  fill_wal "$fill_wal_mb"
  # The fork: right after a checkpoint on the old primary, the standby is promoted.
  psql_on "$old" "CHECKPOINT" >/dev/null
  wait_replayed "$new" "$(psql_on "$old" "SELECT pg_current_wal_lsn()")"
  if [[ $method == rewind+slot ]]; then
    psql_on "$new" "SELECT pg_create_physical_replication_slot('pgfo_rejoin', true)" >/dev/null
  fi
  as_pg "$new" "$pg_bin/pg_ctl" promote -D "$(data_of "$new")" -w -t 60 -s
  local n_rows
  n_rows=$(($(psql_on "$old" "SELECT count(*) FROM pgbench_branches") * 100000))
  local lo=$((1 + (RANDOM * 32768 + RANDOM) % (n_rows - 2 * rows)))
  local wal_old wal_new
  wal_old=$(psql_on "$old" "SELECT pg_current_wal_lsn()")
  psql_on "$old" "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid >= $lo AND aid < $lo + $rows" >/dev/null
  wal_old=$(psql_on "$old" "SELECT pg_current_wal_lsn() - '$wal_old'")
  wal_new=$(psql_on "$new" "SELECT pg_current_wal_lsn()")
  psql_on "$new" "UPDATE pgbench_accounts SET abalance = abalance - 1 WHERE aid >= $lo + $rows AND aid < $lo + 2 * $rows" >/dev/null
  if ((new_side_wal_mb > 0)); then
    psql_on "$new" "CREATE TABLE IF NOT EXISTS wal_filler (x int)" >/dev/null 2>&1
    psql_on "$new" "DO \$\$ BEGIN FOR i IN 1..$((new_side_wal_mb / 16)) LOOP INSERT INTO wal_filler VALUES (i); PERFORM pg_switch_wal(); END LOOP; END \$\$" >/dev/null
    psql_on "$new" "CHECKPOINT" >/dev/null
  fi
  wal_new=$(psql_on "$new" "SELECT pg_current_wal_lsn() - '$wal_new'")
  local src_wal
  src_wal=$(du -sb "$(data_of "$new")/pg_wal" | cut -f1)

  local log_file=$base_dir/$old/pgfo.log
  local log_from=0
  [[ -f $log_file ]] && log_from=$(wc -l <"$log_file")
  local rx0 t0 t1 rx1 detail rx_failed=""
  rx0=$(link_rx_bytes)
  t0=$EPOCHREALTIME
  case "$method" in
    rewind | basebackup | rewind+slot)
      local resync_mode=${method%+slot}
      if [[ $method == rewind+slot ]]; then
        psql_on "$old" "SELECT pg_create_physical_replication_slot('pgfo_rejoin', true)" >/dev/null
      fi
      ip netns exec "${ns[$old]}" "$pgfo" -c "$base_dir/$old/pgfo-$resync_mode.conf" notify INSTANCE VI_1 BACKUP 100 \
        >"$base_dir/last-pgfo.out" 2>&1 || die "pgfo $method failed: $(cat "$base_dir/last-pgfo.out")"
      t1=$EPOCHREALTIME
      local fence resync start
      fence=$(pgfo_step_ms "$log_file" "$log_from" fence.done)
      resync=$(pgfo_step_ms "$log_file" "$log_from" "$resync_mode.done")
      start=$(pgfo_step_ms "$log_file" "$log_from" start_standby.done)
      [[ -n $resync ]] || die "pgfo did not $method; see $log_file"
      detail="fence=${fence}ms $resync_mode=${resync}ms start=${start}ms"
      # pgfo falls back to basebackup when pg_rewind fails: count that run apart.
      if tail -n +"$((log_from + 1))" "$log_file" | grep -q " event=rewind.\(fallback\|impossible\) "; then
        method="$method>bb"
        detail+=" pg_rewind failed: $(tail -n +"$((log_from + 1))" "$log_file" | grep -o 'pg_rewind: error: [^"]*' | head -1 | tr ' ' '_')"
      fi
      ;;
    pg_rewind)
      # pg_rewind by hand (what pgfo runs, plus --progress --debug), to see what it copies.
      local ts=$EPOCHREALTIME
      pg_stop "$old" fast
      psql_on "$new" "CHECKPOINT" >/dev/null
      local t_stop=$EPOCHREALTIME
      local t_rewind
      if ! as_pg "$old" "$pg_bin/pg_rewind" --target-pgdata="$(data_of "$old")" --progress --debug \
        --source-server="host=${addr[$new]} port=${port[$new]} user=postgres dbname=postgres" \
        >"$base_dir/last-pg_rewind.log" 2>&1; then
        # Recorded as failed; the node is then copied afresh (untimed) so the cycles go on.
        t_rewind=$EPOCHREALTIME
        rx_failed=$(link_rx_bytes)
        method="pg_rewind(failed)"
        recover_by_basebackup "$old" "$new"
      else
        t_rewind=$EPOCHREALTIME
      fi
      touch "$(data_of "$old")/standby.signal"
      chown postgres: "$(data_of "$old")/standby.signal"
      set_upstream "$old"
      pg_start "$old"
      wait_streaming "$old"
      t1=$EPOCHREALTIME
      detail=$(awk -v a="$ts" -v b="$t_stop" -v c="$t_rewind" -v d="$t1" \
        'BEGIN { printf "stop=%dms pg_rewind=%dms start=%dms", (b-a)*1000, (c-b)*1000, (d-c)*1000 }')
      detail+=" $(grep -o 'need to copy .*\|error: .*' "$base_dir/last-pg_rewind.log" | head -1 | tr ' ' '_')"
      [[ $method == pg_rewind ]] || t1=$t_rewind
      ;;
    rsync)
      local ts=$EPOCHREALTIME
      pg_stop "$old" fast
      local t_stop=$EPOCHREALTIME
      local ctl_old ctl_new
      ctl_old=$(stat -c %y "$(data_of "$old")/global/pg_control")
      ctl_new=$(stat -c %y "$(data_of "$new")/global/pg_control")
      ip netns exec "${ns[$old]}" rsync -a --delete --numeric-ids --exclude=postmaster.pid --exclude=postmaster.opts \
        "rsync://${addr[$new]}:$rsync_port/$new/" "$(data_of "$old")/"
      local t_rsync=$EPOCHREALTIME
      touch "$(data_of "$old")/standby.signal"
      chown postgres: "$(data_of "$old")/standby.signal"
      set_upstream "$old"
      # A torn copy may never become consistent: give up after 2 minutes and count a failure.
      if as_pg "$old" "$pg_bin/pg_ctl" start -D "$(data_of "$old")" -w -t 120 -l "$base_dir/$old/server.log" -s &&
        streams_within "$old" 120; then
        t1=$EPOCHREALTIME
      else
        t1=$EPOCHREALTIME
        rx_failed=$(link_rx_bytes)
        method="rsync(failed)"
        detail=" $(grep -v 'STATEMENT\|DETAIL' "$base_dir/$old/server.log" | grep 'FATAL\|PANIC\|invalid\|not in this' | tail -1 | cut -c 25- | tr ' ' '_')"
        detail+=" pg_control_mtime_before:_old=${ctl_old// /_}_new=${ctl_new// /_}"
        recover_by_basebackup "$old" "$new"
        touch "$(data_of "$old")/standby.signal"
        chown postgres: "$(data_of "$old")/standby.signal"
        set_upstream "$old"
        pg_start "$old"
        wait_streaming "$old"
      fi
      detail=$(awk -v a="$ts" -v b="$t_stop" -v c="$t_rsync" -v d="$t1" \
        'BEGIN { printf "stop=%dms rsync=%dms start=%dms", (b-a)*1000, (c-b)*1000, (d-c)*1000 }')"${detail:-}"
      ;;
  esac
  rx1=${rx_failed:-$(link_rx_bytes)}
  rx_failed=""
  [[ $(psql_on "$old" "SELECT status FROM pg_stat_wal_receiver") == streaming ]] || die "node $old is not streaming"
  rm -rf "$base_dir/$old"/data.pgfo-*
  if [[ $method == rewind+slot* ]]; then
    psql_on "$new" "SELECT pg_drop_replication_slot('pgfo_rejoin')" >/dev/null
  fi
  detail+=" load=$(cut -d' ' -f1 /proc/loadavg)"
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$gb" "$method" "$secs" \
    "$(((rx1 - rx0) / 1048576))" "$((src_wal / 1048576))" "$((wal_old / 1048576))" "$((wal_new / 1048576))" \
    "$((db_bytes / 1048576))" "$profile" "$detail" >>"$results"
  log "$label ${gb}GB $method: ${secs}s, link $(((rx1 - rx0) / 1048576)) MB, source pg_wal $((src_wal / 1048576)) MB; $detail"
  primary=$new
}

# --- report ---------------------------------------------------------------------------------
report() {
  local file=$1
  echo
  echo "rejoin: stop -> streaming again ($(nproc) cpus, $(awk '/MemTotal/ { printf "%.0f GB", $2/1048576 }' /proc/meminfo), $("$pg_bin/postgres" --version))"
  echo "changed rows per side: $rows; WAL profile: $profile ${extra_settings[*]:-}"
  echo
  printf '| %-8s | %6s | %-17s | %4s | %8s | %8s | %8s | %8s | %9s | %11s |\n' link "db MB" method runs "median s" "min s" \
    "max s" "link MB" "src wal MB" "vs basebkp"
  echo "|----------|--------|-------------------|------|----------|----------|----------|----------|-----------|-------------|"
  sort -t$'\t' -k1,1 -k2,2n -k3,3 -k4,4n "$file" | awk -F'\t' '
    function flush() {
      if (n == 0) return
      med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      mi = (n % 2) ? (n + 1) / 2 : n / 2 + 1
      lm = m[mi]; sw = w[mi]
      key = link SUBSEP gb
      median[key, meth] = med
      line[++lines] = sprintf("%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%s\t%s", link, db, meth, n, med, v[1], v[n], lm, sw)
      keys[lines] = key
      n = 0
    }
    {
      if ($1 != link || $2 != gb || $3 != meth) { flush(); link = $1; gb = $2; meth = $3 }
      n++; v[n] = $4; m[n] = $5; w[n] = $6; db = $9
    }
    END {
      flush()
      for (i = 1; i <= lines; i++) {
        split(line[i], f, "\t")
        base = median[keys[i], "basebackup"]
        ratio = (base > 0 && f[5] > 0) ? sprintf("%.1fx", base / f[5]) : "-"
        printf "| %-8s | %6s | %-17s | %4d | %8.2f | %8.2f | %8.2f | %8s | %9s | %11s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], ratio
      }
    }'
}

# --- main -----------------------------------------------------------------------------------
if [[ ${report_only:-} ]]; then
  cat "${report_files[@]}" >"${TMPDIR:-/tmp}/pgfb-report.$$"
  report "${TMPDIR:-/tmp}/pgfb-report.$$"
  rm -f "${TMPDIR:-/tmp}/pgfb-report.$$"
  trap - EXIT
  exit 0
fi
[[ $(id -u) == 0 ]] || die "run as root"
[[ -x $pgfo ]] || { cmake -S . -B "$build" -G Ninja >/dev/null; cmake --build "$build" -j2 --target pgfo; }
mkdir -p "$base_dir"
chmod 755 "$base_dir"
results=$base_dir/results-$(date +%Y%m%d-%H%M%S).tsv
: >"$results"
link_down
log "results: $results (link, GB, method, seconds, link MB, source pg_wal MB, WAL MB old/new side, db MB, profile, steps)"

for gb in $sizes; do
  link_up loopback
  build_pair "$gb"
  n=$runs
  awk -v g="$gb" 'BEGIN { exit !(g >= 8) }' && n=$large_runs
  for link in $links; do
    enter_link "$link"
    read -r -a method_list <<<"$methods"
    for ((round = 0; round < n; round++)); do
      for ((i = 0; i < ${#method_list[@]}; i++)); do
        cycle "${method_list[$(((i + round) % ${#method_list[@]}))]}" "$link"
      done
    done
  done
  for node in a b; do pg_stop "$node"; done
  rsync_daemons_down
  link_down
  rm -rf "$base_dir/a" "$base_dir/b"
done
report "$results"
