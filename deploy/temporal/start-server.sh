#!/bin/sh
# The Compose cluster's Temporal server, from the configuration the test suite's cluster uses too
# (deploy/temporal/config/baton.yaml, rendered by the server from the environment). Inside a container the
# services bind the container's own address, which the other containers reach.
set -eu
: "${BIND_ON_IP:=$(getent hosts "$(hostname)" | awk '{print $1; exit}')}"
export BIND_ON_IP
exec temporal-server --root /deploy --config config --env baton start
