# docknet ssh-lib: prepended to every script that runs on the machine running terraform.
# Every hop checks the host key against the keys the environment declares (DOCKNET_KNOWN_HOSTS,
# written to a private temporary known_hosts file; nothing else is trusted) and has a connect
# timeout. dn_ssh ROLE COMMAND runs COMMAND (one sh command line) on the host described by
# DOCKNET_<ROLE>_DEST/_NAME/_PORT/_KEY/_TIMEOUT/_BECOME, with `sudo -n` when BECOME is sudo.
# dn_ssh and dn_info assign their dn_* variables with eval (from DOCKNET_<ROLE>_*).
# shellcheck disable=SC2154
set -u
dn_kh=$(mktemp "${TMPDIR:-/tmp}/docknet-known-hosts.XXXXXX") || { echo "docknet: cannot create a temporary known_hosts file" >&2; exit 1; }
trap 'rm -f "$dn_kh"' EXIT
# dash runs the EXIT trap on `exit` only, not when a signal ends the shell (an interrupted apply):
# turn those signals into an exit so the temporary known_hosts file never stays behind.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
printf '%s\n' "${DOCKNET_KNOWN_HOSTS:-}" > "$dn_kh"

dn_ssh() {
  eval "dn_dest=\$DOCKNET_$1_DEST dn_port=\$DOCKNET_$1_PORT dn_key=\${DOCKNET_$1_KEY:-} dn_timeout=\$DOCKNET_$1_TIMEOUT dn_become=\${DOCKNET_$1_BECOME:-none}"
  dn_cmd=$2
  [ "$dn_become" = sudo ] && dn_cmd="sudo -n $dn_cmd"
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dn_kh" -o GlobalKnownHostsFile=/dev/null \
    -o KnownHostsCommand=none -o VerifyHostKeyDNS=no -o NoHostAuthenticationForLocalhost=no \
    -o LogLevel=ERROR -o ConnectTimeout="$dn_timeout" -p "$dn_port" ${dn_key:+-i "$dn_key"} "$dn_dest" "$dn_cmd"
}

# True (0) when the host named $1 is listed in DOCKNET_UNREACHABLE (space-separated names): the
# documented way out when a host is dead and its destroy-time step cannot reach it.
dn_skipped() {
  case " ${DOCKNET_UNREACHABLE:-} " in *" $1 "*) return 0 ;; esac
  return 1
}

# dn_q VALUE: VALUE single-quoted for a remote shell (POSIX sh has no printf %q).
dn_q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# dn_info ROLE TEMPLATE: `docker info --format TEMPLATE` on the host ($DOCKNET_<ROLE>_DOCKER) over
# dn_ssh. Prints the fields when dockerd answered; else returns 1 and prints what came back instead
# (ssh's or docker's error). The answer must carry a well-formed server version: CLI 26.1 (and 28.0,
# docker/cli#5900) exits 0 from `docker info --format` when the daemon is unreachable, printing the
# template over an empty Info (cli/command/system/info.go at v26.1.5), so no decision rests on its exit code.
dn_info() {
  eval "dn_docker=\$DOCKNET_$1_DOCKER"
  dn_out=$(dn_ssh "$1" "$dn_docker info --format $(dn_q "docknet-answer {{.ServerVersion}} $2")" 2>&1)
  dn_line=$(printf '%s\n' "$dn_out" | sed -n 's/^docknet-answer //p' | head -n 1)
  case ${dn_line%% *} in
    '' | [!A-Za-z0-9]* | *[!A-Za-z0-9.+~_-]*) printf '%s\n' "${dn_out:-no answer}"; return 1 ;;
  esac
  printf '%s\n' "${dn_line#* }"
}
