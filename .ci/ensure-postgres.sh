#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use is up: a server on 127.0.0.1:5432
# that lets user `postgres` in without a password (trust) from 127.0.0.1,
# with a database `test`. Idempotent: on a machine where that already holds
# it only checks. Otherwise it installs PostgreSQL (apt-get), creates the
# cluster if there is none, adds the trust lines to pg_hba.conf, starts the
# cluster, waits for pg_isready and creates the database.
#
#   bash .ci/ensure-postgres.sh
#
# Needs root (or sudo) for the install/start steps only. ENSURE_PG_PORT and
# ENSURE_PG_CLUSTER (default 5432, main) exist to try it on a spare cluster.
set -euo pipefail

HOST=127.0.0.1
PORT=${ENSURE_PG_PORT:-5432}
CLUSTER=${ENSURE_PG_CLUSTER:-main}
DB=test
ROLE=postgres

say() { printf '[ensure-postgres] %s\n' "$*"; }
fail() { printf '[ensure-postgres] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else fail "need root (or sudo) to run: $*"
  fi
}

can_connect() { psql -h "$HOST" -p "$PORT" -U "$ROLE" -d "$1" -tAc 'SELECT 1' >/dev/null 2>&1; }

has_test_db() {
  [ "$(psql -h "$HOST" -p "$PORT" -U "$ROLE" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" 2>/dev/null)" = 1 ]
}

# Fast path: everything is already there.
if command -v psql >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null && can_connect "$DB"; then
  say "PostgreSQL is up on $HOST:$PORT and database '$DB' answers"
  exit 0
fi

# 1. Installed? (the server binaries and Debian's cluster tools)
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  say "installing PostgreSQL (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends postgresql postgresql-client
fi
command -v pg_ctlcluster >/dev/null 2>&1 || fail "pg_ctlcluster not found after installing postgresql"

# 2. A cluster to run: the newest installed server version, cluster main (Debian's default).
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
CONF_DIR=/etc/postgresql/$VERSION/$CLUSTER
if [ ! -f "$CONF_DIR/postgresql.conf" ]; then
  say "creating cluster $VERSION/$CLUSTER on port $PORT"
  as_root pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >/dev/null
fi
HBA=$CONF_DIR/pg_hba.conf
[ -f "$HBA" ] || fail "no $HBA: is cluster $VERSION/$CLUSTER complete?"

CLUSTER_PORT=$(awk -F'[= \t]+' '/^[ \t]*port[ \t]*=/{print $2; exit}' "$CONF_DIR/postgresql.conf" 2>/dev/null || true)
if [ -n "$CLUSTER_PORT" ] && [ "$CLUSTER_PORT" != "$PORT" ]; then
  fail "cluster $VERSION/$CLUSTER is configured for port $CLUSTER_PORT, the tests expect $PORT (set port = $PORT in $CONF_DIR/postgresql.conf)"
fi

# 3. Trust from 127.0.0.1 and ::1 (first matching line wins, so they go on top).
hba_changed=0
if ! as_root grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA"; then
  say "allowing trust auth from 127.0.0.1 in $HBA"
  tmp=$(mktemp)
  { echo '# added by .ci/ensure-postgres.sh: the tests connect without a password'
    echo 'host all all 127.0.0.1/32 trust'
    echo 'host all all ::1/128 trust'
    as_root cat "$HBA"; } >"$tmp"
  as_root cp "$tmp" "$HBA"
  rm -f "$tmp"
  hba_changed=1
fi

# 4. Running?
if pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}' | grep -q online; then
  if [ "$hba_changed" = 1 ]; then
    say "reloading $VERSION/$CLUSTER for the new pg_hba.conf"
    as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" reload
  fi
else
  say "starting cluster $VERSION/$CLUSTER"
  as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start
fi

# 5. Wait until it answers.
for _ in $(seq 1 60); do
  pg_isready -q -h "$HOST" -p "$PORT" && break
  sleep 0.5
done
pg_isready -h "$HOST" -p "$PORT" || fail "PostgreSQL did not answer on $HOST:$PORT within 30 s (see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log)"

can_connect postgres || fail "cannot connect as $ROLE to $HOST:$PORT without a password (check $HBA)"

# 6. The test database.
if ! has_test_db; then
  say "creating database '$DB'"
  psql -h "$HOST" -p "$PORT" -U "$ROLE" -d postgres -qc "CREATE DATABASE $DB"
fi
can_connect "$DB" || fail "database '$DB' does not answer"
say "PostgreSQL $VERSION is up on $HOST:$PORT and database '$DB' answers"
