#!/bin/sh
# docknet swarm-join: runs on the machine running terraform (workers cannot ssh to the manager).
# Reads the join token from the manager over ssh and runs `swarm join` on the member over ssh,
# unless the member is already in a swarm.
# Environment: DOCKNET_ROLE (worker|manager), DOCKNET_MANAGER_SSH / DOCKNET_MEMBER_SSH
# ("ssh options user@host"), DOCKNET_MANAGER_DOCKER / DOCKNET_MEMBER_DOCKER (docker CLI on each),
# DOCKNET_MANAGER_ADDR (manager's advertise address), DOCKNET_ADVERTISE (member's).
set -u
member_state=$(ssh $DOCKNET_MEMBER_SSH "$DOCKNET_MEMBER_DOCKER info --format '{{.Swarm.LocalNodeState}}'" 2>&1) || {
  echo "docknet: cannot reach the member's dockerd over ssh: $member_state" >&2
  exit 1
}
case "$member_state" in
  active) echo "docknet: already a swarm member; join skipped"; exit 0 ;;
  inactive) ;;
  *) echo "docknet: member swarm state is '$member_state', expected 'inactive' or 'active'" >&2; exit 1 ;;
esac
token=$(ssh $DOCKNET_MANAGER_SSH "$DOCKNET_MANAGER_DOCKER swarm join-token -q $DOCKNET_ROLE" 2>&1) || {
  echo "docknet: cannot read the $DOCKNET_ROLE join token from the manager: $token" >&2
  exit 1
}
case "$token" in SWMTKN-*) ;; *) echo "docknet: unexpected join token answer from the manager: $token" >&2; exit 1 ;; esac
# The token goes over ssh's stdin, not its command line, so it stays out of process listings.
printf '%s\n' "$token" | ssh $DOCKNET_MEMBER_SSH \
  "read -r t && $DOCKNET_MEMBER_DOCKER swarm join --token \"\$t\" --advertise-addr $DOCKNET_ADVERTISE $DOCKNET_MANAGER_ADDR:2377"
