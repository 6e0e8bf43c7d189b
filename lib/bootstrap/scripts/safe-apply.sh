#!/bin/sh
# docknet safe-apply: install a new daemon.json on a Docker host without ever leaving it with a
# half-written file or without a running dockerd.
#
#   safe-apply.sh NEW_FILE TARGET_FILE
#
# Environment (all optional):
#   DOCKNET_RESTART       command that restarts dockerd            (default: systemctl restart docker)
#   DOCKNET_DOCKER        docker CLI used to see the daemon answer (default: docker)
#   DOCKNET_VALIDATE      command + NEW_FILE appended; "none" skips; default: dockerd --validate
#                         --config-file when this dockerd has it (23.0+), else JSON-only checks
#   DOCKNET_LOGS          command printing dockerd's recent log on failure
#                         (default: journalctl -u docker, last 20 lines)
#   DOCKNET_WAIT_SECONDS  how long to wait for the daemon to answer (default: 60)
#
# Exit: 0 applied (or already in place); 1 refused or rolled back (previous file restored and
# dockerd running on it); 2 rolled back but dockerd did not come back either.
set -u

new=${1:?usage: safe-apply.sh NEW_FILE TARGET_FILE}
target=${2:?usage: safe-apply.sh NEW_FILE TARGET_FILE}
restart=${DOCKNET_RESTART:-systemctl restart docker}
docker_cmd=${DOCKNET_DOCKER:-docker}
validate=${DOCKNET_VALIDATE:-auto}
logs=${DOCKNET_LOGS:-journalctl -u docker --no-pager -o cat -n 20}
wait_s=${DOCKNET_WAIT_SECONDS:-60}

dir=$(dirname "$target")
stage="$target.docknet-new"
backup="$target.docknet-bak"
lock="$target.docknet-lock"

say() { echo "docknet: $*" >&2; }

# One rollout at a time per file; a stale lock from a killed run names itself.
mkdir -p "$dir" || { say "cannot create $dir"; exit 1; }
if ! mkdir "$lock" 2>/dev/null; then
  say "another rollout holds $lock (remove it if no docknet apply is running)"
  exit 1
fi
trap 'rm -rf "$lock"; rm -f "$stage"' EXIT

[ -f "$new" ] || { say "new daemon.json $new was not uploaded"; exit 1; }

daemon_answers() { $docker_cmd info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

wait_for_daemon() {
  i=0
  while [ "$i" -lt "$wait_s" ]; do
    daemon_answers && return 0
    sleep 1
    i=$((i + 1))
  done
  return 1
}

# dockerd's own error lines first (its startup log is long); the whole tail if none match.
print_daemon_log() {
  log_text=$(sh -c "$logs" 2>&1)
  errors=$(printf '%s\n' "$log_text" | grep -iE 'failed to start|level=(fatal|error)' | tail -n 5)
  say "dockerd log:"
  printf '%s\n' "${errors:-$log_text}" | sed 's/^/  dockerd: /' >&2
}

# Same bytes already in place: nothing to restart (re-runs and replaced resources stay no-ops).
if [ -f "$target" ] && cmp -s "$new" "$target"; then
  rm -f "$new"
  say "$target already up to date"
  exit 0
fi

# 1. Validate before touching anything.
if [ "$validate" = auto ]; then
  dockerd_bin=$(command -v dockerd || ls /usr/bin/dockerd /usr/sbin/dockerd 2>/dev/null | head -n 1)
  if [ -n "$dockerd_bin" ] && "$dockerd_bin" --help 2>&1 | grep -q -- '--validate'; then
    validate="$dockerd_bin --validate --config-file"
  else
    validate=none
    say "this dockerd has no --validate (before 23.0); relying on docknet's checks and the restart"
  fi
fi
if [ "$validate" != none ]; then
  if ! out=$(sh -c "$validate \"\$1\"" validate "$new" 2>&1); then
    say "new daemon.json refused by validation ($validate); $target left unchanged:"
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    rm -f "$new"
    exit 1
  fi
fi

# 2. Stage next to the target (same filesystem) so the swap is one atomic rename.
if ! cat "$new" > "$stage" || ! chmod 0644 "$stage"; then
  say "cannot write $stage"
  exit 1
fi
sync 2>/dev/null

# 3. Keep the current file (or remember there was none).
had_old=no
if [ -f "$target" ]; then
  cp -p "$target" "$backup" || { say "cannot back up $target"; exit 1; }
  had_old=yes
fi

# 4. Swap and restart.
mv -f "$stage" "$target" || { say "cannot move $stage to $target"; exit 1; }
restart_out=$(sh -c "$restart" 2>&1)
restart_rc=$?
if [ "$restart_rc" -eq 0 ] && wait_for_daemon; then
  rm -f "$new"
  say "applied $target; dockerd answers"
  exit 0
fi

# 5. Roll back: the new file did not give a running daemon.
say "dockerd did not start with the new $target (restart exit $restart_rc); rolling back"
[ -n "$restart_out" ] && printf '%s\n' "$restart_out" | sed 's/^/  restart: /' >&2
print_daemon_log
failed_copy="$target.docknet-failed"
cp "$target" "$failed_copy" 2>/dev/null && say "the refused file is kept as $failed_copy"
if [ "$had_old" = yes ]; then
  cp -p "$backup" "$stage" && mv -f "$stage" "$target"
else
  rm -f "$target"
fi
sh -c "$restart" >/dev/null 2>&1
if wait_for_daemon; then
  say "restored the previous $target; dockerd answers with the old settings"
  rm -f "$new"
  exit 1
fi
say "restored the previous $target but dockerd does not answer either; check the host now"
print_daemon_log
exit 2
