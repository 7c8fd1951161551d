#!/bin/bash
# The classic keepalived notify script that pgfo replaces (the "keepalived + PostgreSQL
# master/slave" recipe), with pg_ctl where the recipe runs docker-compose:
#   MASTER: promote through the trigger file (promote_trigger_file; PostgreSQL 15 only)
#   BACKUP: stop, rsync the master's data directory over ours, start as a standby
#   FAULT:  nothing
# One guard was added so the lab can start at all: the rsync is skipped unless another
# node answers on the VIP (every node is told BACKUP when keepalived starts, and two
# nodes rsyncing from each other destroy the primary).
# Usage: notify.sh ENV_FILE master|backup|fault   (ENV_FILE sets NODE PGDATA PG_BIN
# PEER_DATA PEER_IP SERVER_LOG LOG VIP)
set -u
# shellcheck disable=SC1090
source "$1"
state=$2
log() { echo "$(date -u +%FT%T.%3NZ) $NODE $state: $*" >>"$LOG"; }

case $state in
master)
    touch "$PGDATA/promote.trigger"
    log "trigger file created"
    ;;
backup)
    [[ -f $PGDATA/standby.signal ]] && exit 0
    if ! timeout 1 bash -c "</dev/tcp/$VIP/5432" 2>/dev/null; then
        log "no master answers on the VIP; rsync skipped"
        exit 0
    fi
    log "stop, rsync from $PEER_IP, start as standby"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast >>"$LOG" 2>&1
    rsync -a --delete --exclude postmaster.pid "$PEER_DATA/" "$PGDATA/" >>"$LOG" 2>&1
    rm -f "$PGDATA/promote.trigger"
    touch "$PGDATA/standby.signal"
    echo "primary_conninfo = 'host=$PEER_IP port=5432 user=replicator application_name=$NODE'" >>"$PGDATA/postgresql.auto.conf"
    chown -R postgres: "$PGDATA"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$SERVER_LOG" start >>"$LOG" 2>&1
    log "started"
    ;;
fault) ;;
esac
exit 0
