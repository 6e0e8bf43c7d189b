#!/bin/sh
# docknet swarm-init: make this host the first manager of a new swarm, unless it already is in one.
# Environment: DOCKNET_DOCKER (docker CLI), DOCKNET_ADVERTISE (advertise address),
# DOCKNET_POOLS (space-separated CIDRs, may be empty), DOCKNET_POOL_MASK (may be empty),
# DOCKNET_DATA_PATH_PORT (may be empty).
set -u
docker_cmd=${DOCKNET_DOCKER:-docker}
state=$($docker_cmd info --format '{{.Swarm.LocalNodeState}}' 2>&1) || {
  echo "docknet: cannot ask dockerd for its swarm state: $state" >&2
  exit 1
}
case "$state" in
  active)
    # Re-apply is a no-op; pools and data path port are fixed at init, so a change is only reported.
    echo "docknet: already a swarm member; init skipped (address pools are set only at init)"
    exit 0 ;;
  inactive) ;;
  *)
    echo "docknet: swarm state is '$state', expected 'inactive' or 'active'; fix the node (docker swarm leave --force) and apply again" >&2
    exit 1 ;;
esac
set -- swarm init --advertise-addr "$DOCKNET_ADVERTISE"
for pool in ${DOCKNET_POOLS:-}; do
  set -- "$@" --default-addr-pool "$pool"
done
[ -n "${DOCKNET_POOL_MASK:-}" ] && set -- "$@" --default-addr-pool-mask-length "$DOCKNET_POOL_MASK"
[ -n "${DOCKNET_DATA_PATH_PORT:-}" ] && set -- "$@" --data-path-port "$DOCKNET_DATA_PATH_PORT"
$docker_cmd "$@"
