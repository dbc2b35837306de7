#!/bin/sh
# Waits for the Temporal server, then creates baton's namespace and its search attributes (doing it
# here, once, keeps several workers starting together from racing to add them). Safe to run again.
set -eu
: "${TEMPORAL_ADDRESS:?}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"

retry() {
  attempts=0
  until "$@"; do
    attempts=$((attempts + 1))
    if [ "$attempts" -ge 60 ]; then
      echo "gave up after 60 tries: $*" >&2
      return 1
    fi
    sleep 2
  done
}

echo "waiting for Temporal at $TEMPORAL_ADDRESS"
retry temporal operator cluster health >/dev/null 2>&1

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
fi

add_search_attribute() {
  name="$1"
  type="$2"
  if temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$name"; then
    return 0
  fi
  temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
}
# A new namespace takes a few seconds to reach every frontend: retry until it answers.
retry add_search_attribute BatonPhase Keyword
retry add_search_attribute BatonWaiting Bool
echo "namespace $NAMESPACE is ready for baton"
