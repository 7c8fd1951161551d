#!/bin/sh
# Run by the official image once, when it initialises an empty data directory.
# The official image's pg_hba.conf has no `host replication` line: standbys, pg_basebackup
# and pgfo's rejoin need one. REPLICATION_PASSWORD comes from postgresql.env.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD';
SQL
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
