#!/bin/sh
# Entrypoint of the local pgfo/postgres:15 test image; behaves like the official
# postgres image's for what pgfo relies on:
#  - an empty (or missing) $PGDATA is initialised: initdb with data checksums, the
#    superuser named $POSTGRES_USER (default postgres) with password $POSTGRES_PASSWORD,
#    $POSTGRES_INITDB_ARGS added, listen_addresses = '*', and pg_hba.conf ending with
#    `host all all all $POSTGRES_HOST_AUTH_METHOD` (default scram-sha-256). Like the
#    official image there is no `host replication` line: add one in an init script.
#    Then *.sh (run) and *.sql (psql) in /docker-entrypoint-initdb.d, with a server
#    that listens on the unix socket only, and $POSTGRES_DB is created when not postgres.
#  - a data directory that holds PG_VERSION is used as it is: its standby.signal,
#    postgresql.auto.conf and pg_hba.conf decide the role; nothing is rewritten.
#  - postgres runs as the postgres user (uid 999) as PID 1 (exec).
#  - PGFO_IMAGE_ROLE=primary|standby (unset: the official behaviour) emulates images whose
#    role comes from the environment, like bitnami's: at every start "primary" deletes
#    standby.signal and "standby" creates it.
# Arguments: "postgres ARGS" or "-c ..." (postgres is prepended); anything else is exec'd.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 2777 /var/run/postgresql
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        chown postgres:postgres "$PGDATA"
    fi
    chmod 0700 "$PGDATA" 2>/dev/null || true
    # su would parse a "-c" among the arguments as its own: pass them quoted inside CMD.
    cmd=exec
    for arg in "$0" "$@"; do
        cmd="$cmd '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
    done
    exec su -p -s /bin/sh -c "$cmd" postgres
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
        echo "entrypoint: database is uninitialized and POSTGRES_PASSWORD is not set" \
            "(or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
        exit 1
    fi
    user="${POSTGRES_USER:-postgres}"
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
    initlog=$(mktemp)
    if ! initdb --username="$user" --pwfile="$pwfile" --data-checksums --locale=C --encoding=UTF8 \
        ${POSTGRES_INITDB_ARGS:-} >"$initlog" 2>&1; then
        cat "$initlog" >&2
        exit 1
    fi
    rm -f "$pwfile" "$initlog"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"

    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
    export PGUSER="$user" PGDATABASE=postgres PGHOST=/var/run/postgresql
    db="${POSTGRES_DB:-$user}"
    if [ "$db" != postgres ]; then
        psql -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh) echo "entrypoint: running $f" >&2; . "$f" ;;
            *.sql) echo "entrypoint: running $f" >&2; psql -v ON_ERROR_STOP=1 -q -f "$f" >/dev/null ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    unset PGUSER PGDATABASE PGHOST
    echo "entrypoint: initialised $PGDATA" >&2
fi

case "${PGFO_IMAGE_ROLE:-}" in
    primary) rm -f "$PGDATA/standby.signal" ;;
    standby) : >"$PGDATA/standby.signal" ;;
esac

exec "$@"
