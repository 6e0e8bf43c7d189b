# docknet node-gate (after ssh-lib.sh): the part of a rollout's health gate only a manager can see.
# After a member's daemon restart, waits until the manager lists the member's node as Ready and
# Active. A host that is not (yet) in a swarm is skipped: the first apply joins it later.
# Environment: DOCKNET_MEMBER_* and DOCKNET_MANAGER_* (ssh-lib.sh), DOCKNET_MEMBER_DOCKER,
# DOCKNET_MANAGER_DOCKER, DOCKNET_WAIT_SECONDS.
answer=$(dn_info MEMBER '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}') || {
  echo "docknet: health gate: cannot ask $DOCKNET_MEMBER_NAME for its swarm state: $answer" >&2
  exit 1
}
# shellcheck disable=SC2086 # split into its fields on purpose (state and node ID, checked below)
set -- $answer
[ "${1:-}" = active ] || { echo "docknet: health gate: $DOCKNET_MEMBER_NAME is not in a swarm (yet); node check skipped"; exit 0; }
node=${2:-}
# The ID goes into a command on the manager: only what swarm IDs are made of.
case "$node" in ''|*[!a-z0-9]*) echo "docknet: health gate: $DOCKNET_MEMBER_NAME answered an unexpected node ID" >&2; exit 1 ;; esac
i=0
while :; do
  st=$(dn_ssh MANAGER "$DOCKNET_MANAGER_DOCKER node inspect $node --format '{{.Status.State}} {{.Spec.Availability}}'" 2>&1)
  [ "$st" = "ready active" ] && break
  i=$((i + 1))
  if [ "$i" -ge "${DOCKNET_WAIT_SECONDS:-60}" ]; then
    echo "docknet: health gate: $DOCKNET_MANAGER_NAME lists $DOCKNET_MEMBER_NAME ($node) as '$st', expected 'ready active' within ${DOCKNET_WAIT_SECONDS:-60}s: the rollout stops here" >&2
    exit 1
  fi
  sleep 1
done
echo "docknet: health gate: $DOCKNET_MANAGER_NAME lists $DOCKNET_MEMBER_NAME as Ready and Active"
