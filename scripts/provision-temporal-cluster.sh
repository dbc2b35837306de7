#!/usr/bin/env bash
# What a real Temporal cluster of the test suite needs (test/helpers/cluster.ts, DESIGN.md §12): the Temporal
# server and its SQL schema tool built from their Go module (the Go module proxy, as the Temporal CLI comes from
# PyPI), the PostgreSQL schema files of the same module, and Debian's PostgreSQL. Installed once into
# .baton/tools/temporal-server-<version> (as the Temporal CLI goes into .baton/tools); a finished install leaves a
# marker naming its version, a broken one is removed and done again. Prints the folder:
#   bin/temporal-server, bin/temporal-sql-tool, schema/postgresql/v12/{temporal,visibility}/versioned
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.29.1
dir="$PWD/.baton/tools/temporal-server-$version"
marker="$dir/.installed-temporal-server-$version"

# Go's own installer puts it in /usr/local/go, which a non-login shell may not have on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:$PATH"
fi

if [ ! -f "$marker" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "building the Temporal server needs Go (https://go.dev/dl/): go install go.temporal.io/server/cmd/server@v$version" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  echo "building the Temporal server $version and its SQL tool from the Go module into $dir" >&2
  started=$(date +%s)
  GOBIN="$dir/bin" go install "go.temporal.io/server/cmd/server@v$version" "go.temporal.io/server/cmd/tools/sql@v$version" >&2
  mv "$dir/bin/server" "$dir/bin/temporal-server"
  mv "$dir/bin/sql" "$dir/bin/temporal-sql-tool"
  # The schema files ship in the module's source, which `go install` left in the module cache (read-only there).
  module="$(go env GOMODCACHE)/go.temporal.io/server@v$version"
  mkdir -p "$dir/schema/postgresql"
  cp -R "$module/schema/postgresql/v12" "$dir/schema/postgresql/"
  chmod -R u+w "$dir/schema"
  echo "built in $(($(date +%s) - started)) s" >&2
  touch "$marker"
fi

# PostgreSQL: Debian's package (the helper runs initdb/pg_ctl from /usr/lib/postgresql/<major>/bin).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL (Debian package)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "the Temporal cluster tests need PostgreSQL: apt-get install postgresql" >&2
    exit 1
  fi
fi
echo "$dir"
