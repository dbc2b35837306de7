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

# Each step leaves what exists as it is (as Temporal's own auto-setup does it): a database that exists is kept,
# version tables that exist keep their version, and only the newer schema versions are applied.
setup() {
  db="$1"
  schema="$2"
  sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
  echo "database $db is up to date"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "Temporal schema is up to date"
