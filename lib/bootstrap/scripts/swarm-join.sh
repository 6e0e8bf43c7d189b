# docknet swarm-join (after ssh-lib.sh): runs on the machine running terraform (workers cannot
# ssh to the manager). Every run asks the member for its actual swarm state, so a member that left
# by hand is joined again when the join runs (terraform apply -replace=<join>), and a stale "Down"
# entry of the same address is removed from the manager first.
# The join token: read from the manager into this shell's memory, sent over ssh's stdin to the
# member, read there with `read` and given to `docker swarm join` (the CLI takes it only as an
# argument: it is on the member's own process list while the join runs). Never on an ssh command
# line, in the local process list, in the apply log or in the state.
# Environment: DOCKNET_ROLE (worker|manager), DOCKNET_MANAGER_* / DOCKNET_MEMBER_* (ssh-lib.sh),
# DOCKNET_MANAGER_DOCKER / DOCKNET_MEMBER_DOCKER (docker CLI on each), DOCKNET_MANAGER_ADDR
# (manager's advertise address), DOCKNET_ADVERTISE (member's). Addresses are checked at synth.
member_state=$(dn_info MEMBER '{{.Swarm.LocalNodeState}}') || {
  echo "docknet: cannot reach the dockerd of $DOCKNET_MEMBER_NAME over ssh: $member_state" >&2
  exit 1
}
case "$member_state" in
  active) echo "docknet: $DOCKNET_MEMBER_NAME is already a swarm member; join skipped"; exit 0 ;;
  inactive) ;;
  *) echo "docknet: $DOCKNET_MEMBER_NAME swarm state is '$member_state', expected 'inactive' or 'active'" >&2; exit 1 ;;
esac
token=$(dn_ssh MANAGER "$DOCKNET_MANAGER_DOCKER swarm join-token -q $DOCKNET_ROLE" 2>/dev/null)
case "$token" in
  SWMTKN-*) ;;
  *) echo "docknet: could not read the $DOCKNET_ROLE join token from $DOCKNET_MANAGER_NAME (not printed)" >&2; exit 1 ;;
esac
# A node that left by hand stays listed under its old ID (Down once the manager notices, which
# takes several heartbeats). The member keeps the ID of its last join (DOCKNET_MEMBER_ID_FILE):
# the member is out of the swarm now, so that entry is stale whatever its state and is removed
# first, as is any Down entry of the same address.
# The file's path is checked at synth and quoted here all the same (dn_q): it reaches a remote shell.
old_id=$(dn_ssh MEMBER "cat $(dn_q "$DOCKNET_MEMBER_ID_FILE")" 2>/dev/null)
case "$old_id" in *[!a-z0-9]*|'') old_id='-' ;; esac
stale=$(printf '%s\n' "d='$DOCKNET_MANAGER_DOCKER'; for n in \$(\$d node ls -q); do \$d node inspect --format '{{.ID}} {{.Status.State}} {{.Status.Addr}}' \$n; done | awk '\$1 == \"$old_id\" || (\$2 == \"down\" && \$3 == \"$DOCKNET_ADVERTISE\") { print \$1 }' | while read -r id; do \$d node rm --force \$id >/dev/null && echo \$id; done" | dn_ssh MANAGER 'sh -s' 2>&1)
[ -n "$stale" ] && echo "docknet: removed the stale Down node entry of $DOCKNET_MEMBER_NAME ($DOCKNET_ADVERTISE): $(printf '%s' "$stale" | tr '\n' ' ')"
out=$(printf '%s\n' "$token" | dn_ssh MEMBER "sh -c 'read -r t && exec $DOCKNET_MEMBER_DOCKER swarm join --token \"\$t\" --advertise-addr $DOCKNET_ADVERTISE $DOCKNET_MANAGER_ADDR:2377'" 2>&1)
rc=$?
token=''
printf '%s\n' "$out" | grep -v SWMTKN
[ "$rc" -eq 0 ] || { echo "docknet: the join of $DOCKNET_MEMBER_NAME failed (exit $rc)" >&2; exit 1; }
new_id=$(dn_info MEMBER '{{.Swarm.NodeID}}') || new_id=''
case "$new_id" in *[!a-z0-9]*|'') echo "docknet: warning: $DOCKNET_MEMBER_NAME did not answer its node ID after the join; not recorded" >&2; exit 0 ;; esac
printf '%s\n' "$new_id" | dn_ssh MEMBER "sh -c $(dn_q "cat > $(dn_q "$DOCKNET_MEMBER_ID_FILE")")" ||
  echo "docknet: warning: could not record the node ID in $DOCKNET_MEMBER_ID_FILE on $DOCKNET_MEMBER_NAME" >&2
exit 0
