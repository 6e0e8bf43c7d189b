# docknet swarm-prune (after ssh-lib.sh and dn_leave, the leave of swarm-leave.sh): the destroy-time
# step of the swarm's Members resource, on the machine running terraform. A host removed from the
# code takes its join resource with it, and Terraform runs no destroy-time provisioner of a resource
# that is no longer in the configuration: without this, the node would stay in the swarm for ever.
# Members is replaced when the declared members change; its destroy-time step runs with the old
# instance's state (DOCKNET_MEMBERS: every member it knew, with its connection) and the current
# configuration's literal (DOCKNET_DECLARED: the addresses declared now), and makes every member the
# new list lacks leave, one at a time (managers demoted first). On a whole-stack destroy both lists
# are the same and nothing is done here (each join's own leave runs).
# Environment: DOCKNET_MANAGER_* (ssh-lib.sh), DOCKNET_MANAGER_DOCKER, DOCKNET_DECLARED (addresses,
# one a line), DOCKNET_MEMBERS (one member a line, "name role user@host port key|- timeout become
# advertise id-file docker-command"; every field checked at synth).
if dn_skipped "$DOCKNET_MANAGER_NAME"; then
  echo "docknet: the manager $DOCKNET_MANAGER_NAME is listed in DOCKNET_UNREACHABLE: members removed from the code are not pruned"
  exit 0
fi
declared=${DOCKNET_DECLARED:-}
failed=0
nl='
'
while IFS= read -r line; do
  set -f
  # shellcheck disable=SC2086 # one member a line, its fields split on purpose (globbing is off)
  set -- $line
  set +f
  [ "$#" -ge 10 ] || continue
  name=$1 role=$2 dest=$3 port=$4 key=$5 timeout=$6 become=$7 advertise=$8 idfile=$9
  shift 9
  case "$nl$declared$nl" in *"$nl$advertise$nl"*) continue ;; esac
  echo "docknet: $name ($advertise) is no longer declared: it leaves the swarm"
  [ "$key" = - ] && key=''
  # Read by dn_leave (swarm-leave.sh, put before this file) and ssh-lib.sh's dn_ssh.
  # shellcheck disable=SC2034
  DOCKNET_MEMBER_NAME=$name DOCKNET_MEMBER_DEST=$dest DOCKNET_MEMBER_PORT=$port DOCKNET_MEMBER_KEY=$key
  # shellcheck disable=SC2034
  DOCKNET_MEMBER_TIMEOUT=$timeout DOCKNET_MEMBER_BECOME=$become DOCKNET_ROLE=$role DOCKNET_ADVERTISE=$advertise
  # shellcheck disable=SC2034
  DOCKNET_MEMBER_ID_FILE=$idfile DOCKNET_MEMBER_DOCKER="$*"
  # One at a time, stdin kept from ssh (it would eat the list); a failed leave stops the rest.
  dn_leave </dev/null || { failed=1; break; }
done <<DOCKNET_MEMBERS_EOF
$DOCKNET_MEMBERS
DOCKNET_MEMBERS_EOF
exit "$failed"
