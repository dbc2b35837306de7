#!/usr/bin/env bash
# The S3-compatible server of the artifact store's integration tests (test/helpers/s3-server.ts): moto's server
# from PyPI, installed once into .baton/tools/moto (as the Temporal CLI goes into .baton/tools). Idempotent: a
# finished install leaves a marker naming its version; a broken one is removed and done again. Prints the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.2.5
dir="$PWD/.baton/tools/moto"
marker="$dir/.installed-moto-$version"
if [ ! -f "$marker" ]; then
  rm -rf "$dir"
  echo "installing moto $version (its S3 server) into $dir" >&2
  python3 -m pip install --disable-pip-version-check --quiet --no-warn-conflicts --root-user-action=ignore --target "$dir" \
    "moto[s3]==$version" 'flask==3.1.3' 'flask-cors==6.0.5' >&2
  touch "$marker"
fi
echo "$dir"
