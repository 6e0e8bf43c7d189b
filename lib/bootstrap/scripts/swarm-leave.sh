# docknet swarm-leave (after ssh-lib.sh): runs when a member's join is destroyed (on the machine
# running terraform). A manager is demoted first (raft keeps quorum), the member leaves, and the
# manager forgets the node, so `docker node ls` does not keep a "Down" entry.
# A member listed in DOCKNET_UNREACHABLE (dead host) is not contacted: the manager just forgets it.
# Environment: as swarm-join.sh.
node=''
is_manager=false
[ "$DOCKNET_ROLE" = manager ] && is_manager=true
if dn_skipped "$DOCKNET_MEMBER_NAME"; then
  echo "docknet: $DOCKNET_MEMBER_NAME is listed in DOCKNET_UNREACHABLE: not contacted; the manager forgets it"
else
  answer=$(dn_info MEMBER '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}') || {
    echo "docknet: cannot reach $DOCKNET_MEMBER_NAME over ssh to leave the swarm: $answer" >&2
    echo "docknet: if the host is dead, run: DOCKNET_UNREACHABLE='$DOCKNET_MEMBER_NAME' terraform destroy (or apply)" >&2
    exit 1
  }
  # shellcheck disable=SC2086 # split into its fields on purpose (state, node ID, manager flag)
  set -- $answer
  state=${1:-}
  node=${2:-}
  # Promoted by hand (or declared a worker since): a manager must be demoted before it can leave.
  [ "${3:-}" = true ] && is_manager=true
  # The ID goes into commands on the manager: only what swarm IDs are made of.
  case "$node" in *[!a-z0-9]*) echo "docknet: $DOCKNET_MEMBER_NAME answered an unexpected node ID" >&2; exit 1 ;; esac
  case "$state" in
    inactive) echo "docknet: $DOCKNET_MEMBER_NAME is not a swarm member; nothing to leave"; exit 0 ;;
    active) ;;
    *) echo "docknet: $DOCKNET_MEMBER_NAME swarm state is '$state', expected 'active' or 'inactive'" >&2; exit 1 ;;
  esac
fi
if dn_skipped "$DOCKNET_MANAGER_NAME"; then
  echo "docknet: the manager $DOCKNET_MANAGER_NAME is listed in DOCKNET_UNREACHABLE: the swarm keeps its entry for $DOCKNET_MEMBER_NAME"
  [ -n "$node" ] && dn_ssh MEMBER "$DOCKNET_MEMBER_DOCKER swarm leave --force" >/dev/null 2>&1
  exit 0
fi
if [ -z "$node" ]; then
  # Dead member: find its node by address on the manager.
  node=$(printf '%s\n' "d='$DOCKNET_MANAGER_DOCKER'; for n in \$(\$d node ls -q); do \$d node inspect --format '{{.ID}} {{.Status.Addr}}' \$n; done | awk '\$2 == \"$DOCKNET_ADVERTISE\" { print \$1 }'" | dn_ssh MANAGER 'sh -s' 2>/dev/null | tr '\n' ' ')
  node=${node% }
  [ -n "$node" ] || { echo "docknet: the manager lists no node at $DOCKNET_ADVERTISE; nothing to forget"; exit 0; }
  case "$node" in *[!a-z0-9\ ]*) echo "docknet: the manager answered an unexpected node ID" >&2; exit 1 ;; esac
else
  if [ "$is_manager" = true ]; then
    out=$(dn_ssh MANAGER "$DOCKNET_MANAGER_DOCKER node demote $node" 2>&1) || {
      echo "docknet: could not demote manager $node before it leaves: $out" >&2
      exit 1
    }
    # The demotion reaches the node asynchronously; `swarm leave` refuses while it is still a manager.
    i=0
    while [ "$(dn_info MEMBER '{{.Swarm.ControlAvailable}}')" = true ] && [ "$i" -lt 60 ]; do
      sleep 0.5; i=$((i + 1))
    done
    echo "docknet: $DOCKNET_MEMBER_NAME demoted (the swarm keeps its other managers' quorum)"
  fi
  # dockerd can fail a leave while it stops the node's swarm agent ("context deadline exceeded",
  # moby/moby#34140 and #35337), and the node may have left all the same: read its state again; a
  # member still tries again, up to 3 times. Never --force: a manager whose demotion has not reached
  # it yet must keep refusing, or the swarm loses a voter without a vote.
  try=1
  until out=$(dn_ssh MEMBER "$DOCKNET_MEMBER_DOCKER swarm leave" 2>&1); do
    now=$(dn_info MEMBER '{{.Swarm.LocalNodeState}}') || now="no answer: $now"
    if [ "$now" = inactive ]; then
      echo "docknet: swarm leave on $DOCKNET_MEMBER_NAME answered: $out; the node is no longer a member all the same"
      break
    fi
    if [ "$try" -ge 3 ]; then
      echo "docknet: swarm leave failed on $DOCKNET_MEMBER_NAME ($try tries; its swarm state is now '$now'): $out" >&2
      exit 1
    fi
    echo "docknet: swarm leave on $DOCKNET_MEMBER_NAME failed (try $try of 3, state '$now'): $out; trying again" >&2
    try=$((try + 1))
    sleep 2
  done
  echo "docknet: node $node left the swarm"
fi
for id in $node; do
  if [ "$DOCKNET_ROLE" = manager ] && dn_skipped "$DOCKNET_MEMBER_NAME"; then
    dn_ssh MANAGER "$DOCKNET_MANAGER_DOCKER node demote $id" >/dev/null 2>&1
  fi
  out=$(dn_ssh MANAGER "$DOCKNET_MANAGER_DOCKER node rm --force $id" 2>&1) ||
    echo "docknet: warning: the manager still lists node $id ($out); remove it with: docker node rm --force $id" >&2
done
exit 0
