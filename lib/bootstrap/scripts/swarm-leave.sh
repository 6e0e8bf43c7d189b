#!/bin/sh
# docknet swarm-leave: runs when a member's join is destroyed (on the machine running terraform).
# A manager is demoted first (raft keeps quorum), the member leaves, and the manager forgets the
# node, so `docker node ls` does not keep a "Down" entry.
# Environment: as swarm-join.sh (DOCKNET_ROLE, DOCKNET_MANAGER_SSH, DOCKNET_MEMBER_SSH,
# DOCKNET_MANAGER_DOCKER, DOCKNET_MEMBER_DOCKER).
set -u
answer=$(ssh $DOCKNET_MEMBER_SSH "$DOCKNET_MEMBER_DOCKER info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}'" 2>&1) || {
  echo "docknet: cannot reach the member's dockerd over ssh to leave the swarm: $answer" >&2
  exit 1
}
set -- $answer
state=${1:-}
node=${2:-}
case "$state" in
  inactive) echo "docknet: not a swarm member; nothing to leave"; exit 0 ;;
  active) ;;
  *) echo "docknet: member swarm state is '$state', expected 'active' or 'inactive'" >&2; exit 1 ;;
esac
if [ "$DOCKNET_ROLE" = manager ]; then
  out=$(ssh $DOCKNET_MANAGER_SSH "$DOCKNET_MANAGER_DOCKER node demote $node" 2>&1) || {
    echo "docknet: could not demote manager $node before it leaves: $out" >&2
    exit 1
  }
fi
out=$(ssh $DOCKNET_MEMBER_SSH "$DOCKNET_MEMBER_DOCKER swarm leave" 2>&1) || {
  echo "docknet: swarm leave failed on the member: $out" >&2
  exit 1
}
echo "docknet: node $node left the swarm"
out=$(ssh $DOCKNET_MANAGER_SSH "$DOCKNET_MANAGER_DOCKER node rm --force $node" 2>&1) ||
  echo "docknet: warning: the manager still lists node $node ($out); remove it with: docker node rm $node" >&2
exit 0
