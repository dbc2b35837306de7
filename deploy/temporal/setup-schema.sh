#!/bin/sh
# Creates Temporal's two PostgreSQL databases on the first `up` and applies newer schema versions on
# later ones (after an image upgrade). Runs in the temporalio/admin-tools image; safe to run again.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT="${TEMPORAL_HOME:-/etc/temporal}/schema/postgresql/v12"
export SQL_PASSWORD="$POSTGRES_PWD"

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

setup() {
  db="$1"
  schema="$2"
  if sql create --db "$db" 2>/dev/null; then
    echo "created database $db"
    sql --db "$db" setup-schema -v 0.0
  else
    echo "database $db exists"
  fi
  sql --db "$db" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "Temporal schema is up to date"
