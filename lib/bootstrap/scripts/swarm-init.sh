#!/bin/sh
# docknet swarm-init: runs on the first manager (as root, or under sudo).
#   swarm-init.sh init    make this host the first manager of a new swarm, unless it is in one
#   swarm-init.sh leave   leave with --force (ends the swarm); used when the init is destroyed
# Environment: DOCKNET_DOCKER (docker CLI), DOCKNET_ADVERTISE (advertise address),
# DOCKNET_POOLS (space-separated CIDRs, may be empty), DOCKNET_POOL_MASK (may be empty),
# DOCKNET_DATA_PATH_PORT (may be empty).
set -u
docker_cmd=${DOCKNET_DOCKER:-docker}
# info TEMPLATE: the fields dockerd answered, or 1 with what came back instead. The answer must carry
# a well-formed server version: CLI 26.1 (and 28.0, docker/cli#5900) exits 0 from `docker info
# --format` when the daemon is unreachable, printing the template over an empty Info.
info() {
  out=$($docker_cmd info --format "docknet-answer {{.ServerVersion}} $1" 2>&1)
  line=$(printf '%s\n' "$out" | sed -n 's/^docknet-answer //p' | head -n 1)
  case ${line%% *} in
    '' | [!A-Za-z0-9]* | *[!A-Za-z0-9.+~_-]*) printf '%s\n' "${out:-no answer}"; return 1 ;;
  esac
  printf '%s\n' "${line#* }"
}
state=$(info '{{.Swarm.LocalNodeState}}') || {
  echo "docknet: cannot ask dockerd for its swarm state: $state" >&2
  exit 1
}
if [ "${1:-init}" = leave ]; then
  if [ "$state" = active ]; then
    $docker_cmd swarm leave --force >/dev/null && echo "docknet: the first manager left; the swarm is gone"
  else
    echo "docknet: not in a swarm; nothing to leave"
  fi
  exit
fi
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
# swarm init prints the worker join command with its token: keep it out of the apply log.
out=$($docker_cmd "$@" 2>&1) || { printf '%s\n' "$out" | grep -v SWMTKN >&2; exit 1; }
echo "docknet: swarm initialized; node $(info '{{.Swarm.NodeID}}') is its first manager"
