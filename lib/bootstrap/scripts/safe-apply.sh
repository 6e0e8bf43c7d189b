#!/bin/sh
# docknet safe-apply: install a new daemon.json on a Docker host without ever leaving it with a
# half-written file or without a running dockerd.
#
#   safe-apply.sh RUN_DIR NEW_FILE TARGET_FILE
#
# RUN_DIR is a private (0700) directory holding this script and NEW_FILE, and optionally
# daemon.readback: the settings gate's list of keys dockerd reports back (one per line, tab-separated:
# key, source info|bridge, match equal|includes, default or "-", Go template, expected value; written
# at synth from lib/core/daemon/daemon-readback.ts). The work runs in a
# worker detached from the ssh session (setsid: its own session, no terminal), so a dropped
# session cannot stop it half-way; this process waits for the worker's status file and prints its
# log. If this process dies, the worker still finishes (applied, or rolled back) and keeps its log
# in TARGET_FILE.docknet-log.
#
# Environment (all optional):
#   DOCKNET_RESTART       command that restarts dockerd            (default: systemctl restart docker)
#   DOCKNET_DOCKER        docker CLI used to see the daemon answer (default: docker)
#   DOCKNET_VALIDATE      command + NEW_FILE appended; "none" skips; default: dockerd --validate
#                         --config-file when this dockerd has it (23.0+), else JSON-only checks
#   DOCKNET_LOGS          command printing dockerd's recent log on failure
#                         (default: journalctl -u docker, last 20 lines)
#   DOCKNET_WAIT_SECONDS  how long to wait for the daemon to answer (default: 60)
#   DOCKNET_PIDFILE       dockerd's pidfile (default: /var/run/docker.pid)
#   DOCKNET_DROP_KEYS     space-separated daemon.json keys on the host that may be dropped
#   DOCKNET_KEEP_BACKUPS  timestamped backups of the last good file to keep (default: 5)
#
# Health gate after the restart: dockerd answers; its process started after the file was in place;
# every key in daemon.readback reads back as declared (a mismatch rolls back like a failed start);
# the swarm node is back; the containers that ran before run again.
#
# Exit: 0 applied (or already in place); 1 refused, or rolled back (previous file restored and
# dockerd running on it), or the health gate failed with the new settings running; 2 rolled back
# but dockerd did not come back, or the restore itself failed: the host needs a person now.
set -u

usage='usage: safe-apply.sh RUN_DIR NEW_FILE TARGET_FILE'
run=${1:?$usage}
new=${2:?$usage}
target=${3:?$usage}
say() { echo "docknet: $*" >&2; }

# ---------------------------------------------------------------- launcher (in the ssh session)
if [ "${DOCKNET_WORKER:-}" != 1 ]; then
  status="$run/status"
  log="$run/log"
  rm -f "$status"
  : > "$log" || { say "cannot write $log: the run directory $run is not writable"; exit 2; }
  # shellcheck disable=SC2209 # the name of the command that detaches the worker, not its output
  if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=nohup; fi
  DOCKNET_WORKER=1 $detach sh "$0" "$run" "$new" "$target" </dev/null >>"$log" 2>&1 &
  worker=$!
  # The worker forks once more under setsid when it is a group leader: follow the status file,
  # and give up only when no worker runs any more and no status came.
  while [ ! -f "$status" ]; do
    sleep 1
    if [ ! -f "$status" ] && ! kill -0 "$worker" 2>/dev/null; then
      [ -f "$run/worker.pid" ] && kill -0 "$(cat "$run/worker.pid")" 2>/dev/null && continue
      sleep 1
      [ -f "$status" ] && break
      cat "$log" >&2
      say "the rollout worker on $(hostname) ended without a status; check $target and dockerd now"
      exit 2
    fi
  done
  cat "$log" >&2
  rc=$(cat "$status")
  rm -rf "$run"
  exit "${rc:-2}"
fi

# ---------------------------------------------------------------- worker (detached)
echo $$ > "$run/worker.pid"
restart=${DOCKNET_RESTART:-systemctl restart docker}
docker_cmd=${DOCKNET_DOCKER:-docker}
validate=${DOCKNET_VALIDATE:-auto}
logs=${DOCKNET_LOGS:-journalctl -u docker --no-pager -o cat -n 20}
wait_s=${DOCKNET_WAIT_SECONDS:-60}
pidfile=${DOCKNET_PIDFILE:-/var/run/docker.pid}
drop_keys=${DOCKNET_DROP_KEYS:-}
keep=${DOCKNET_KEEP_BACKUPS:-5}

dir=$(dirname "$target")
stage="$target.docknet-new"
restore="$target.docknet-restore"
lock="$target.docknet-lock"
applied="$target.docknet-last-applied"   # the file docknet last saw dockerd running with
readback="$run/daemon.readback"
tab=$(printf '\t')
lastlog="$target.docknet-log"

finish() {
  cp "$run/log" "$lastlog" 2>/dev/null
  # Our lock goes before the status (never another rollout's: `locked` is set once we own it), so
  # whoever reads the status as "done" finds the host free.
  if [ "${locked:-}" = yes ]; then rm -f "$stage" "$applied.tmp"; rm -rf "$lock"; locked=; fi
  # Status last, and atomically: the launcher reads it as "done".
  echo "$1" > "$run/status.tmp" && mv -f "$run/status.tmp" "$run/status"
  rm -f "$new" "$run/safe-apply.sh" "$run/worker.pid"
  exit "$1"
}
fail_step() { say "$*"; finish 1; }

# Process start time (seconds since boot) from /proc: a pid alone can be reused.
start_ticks() { [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# --- lock: mkdir is atomic; the owner (pid + start time) is written inside. A lock whose owner is
# gone (or whose pid now belongs to another process) is stale and taken over, with a message.
take_lock() {
  waited=0
  while :; do
    if err=$(mkdir "$lock" 2>&1); then
      # cat reports a failed write as what it is (e.g. "No space left on device").
      if ! echo "$$ $(start_ticks $$)" | cat > "$lock/owner" 2>"$run/err"; then
        rm -rf "$lock"
        fail_step "cannot write $lock/owner: $(cat "$run/err")"
      fi
      return 0
    fi
    if [ ! -d "$lock" ]; then
      # mkdir failed for another reason than an existing lock: say the real one.
      say "cannot create the lock $lock: ${err#mkdir: }"
      finish 1
    fi
    owner=$(cat "$lock/owner" 2>/dev/null)
    opid=${owner%% *}
    oticks=${owner#* }
    if [ -z "$owner" ]; then
      # Owner not written yet (a rollout starting this very moment) or a crash between the two.
      age=$(( $(date +%s) - $(stat -c %Y "$lock" 2>/dev/null || date +%s) ))
      if [ "$age" -gt 10 ]; then say "removing stale lock $lock (no owner recorded)"; rm -rf "$lock"; continue; fi
    elif [ "$(start_ticks "$opid")" != "$oticks" ]; then
      say "removing stale lock $lock: its owner (pid $opid) is gone"
      rm -rf "$lock"
      continue
    fi
    if [ "$waited" -ge $((wait_s * 3)) ]; then
      say "another rollout (pid $opid) still holds $lock after ${waited}s; wait for it, or stop it, then apply again"
      finish 1
    fi
    [ "$waited" -eq 0 ] && say "waiting for the rollout running as pid $opid (it holds $lock)"
    sleep 1
    waited=$((waited + 1))
  done
}

# Milliseconds since the epoch where date knows %N (GNU, busybox), else whole seconds; "S.ss s" since $1.
now_ms() { t=$(date +%s%N 2>/dev/null); case $t in ''|*[!0-9]*) echo $(( $(date +%s) * 1000 )) ;; *) echo $(( t / 1000000 )) ;; esac; }
since() { d=$(( $(now_ms) - $1 )); printf '%d.%02d s' $(( d / 1000 )) $(( d % 1000 / 10 )); }

# An answer of dockerd counts only when it carries a well-formed server version: CLI 26.1 (and 28.0,
# docker/cli#5900) exits 0 from `docker info --format` when the daemon is unreachable, printing the
# template over an empty Info (cli/command/system/info.go at v26.1.5). No decision rests on that exit code.
well_formed_version() { case $1 in '' | [!A-Za-z0-9]* | *[!A-Za-z0-9.+~_-]*) return 1 ;; esac; }

# info_read TEMPLATE: `docker info --format TEMPLATE` printed only when dockerd answered it; else 1,
# with docker's error (or why the answer does not count) in $run/err.
info_read() {
  ir_out=$($docker_cmd info --format "{{.ServerVersion}}|$1" </dev/null 2>"$run/err") || return 1
  if ! well_formed_version "${ir_out%%|*}"; then
    [ -s "$run/err" ] || echo "dockerd's answer carries no server version" > "$run/err"
    return 1
  fi
  printf '%s\n' "${ir_out#*|}"
}

daemon_answers() { info_read '' >/dev/null 2>&1; }

wait_for_daemon() {
  i=0
  while [ "$i" -lt "$wait_s" ]; do
    daemon_answers && return 0
    sleep 1
    i=$((i + 1))
  done
  return 1
}

# dockerd runs with the file in place if it answers and its process started after the file was
# last changed (it reads daemon.json only at start). Without a readable pidfile, docknet's own
# record of the last file it saw running decides.
# dockerd's start relative to the file's last change: 0 started after (it read this file, as it
# reads daemon.json only at start), 1 before, 2 unknown (no readable pidfile).
started_after_file() {
  pid=$(cat "$pidfile" 2>/dev/null)
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 2
  btime=$(sed -n 's/^btime //p' /proc/stat)
  hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  started=$((btime + $(start_ticks "$pid") / hz))
  # btime and ticks/hz are each truncated to whole seconds, so `started` can read up to 2 s early
  # (seen on a loaded machine: a dockerd restarted 0.3 s after the swap counted as "before").
  [ "$((started + 2))" -ge "$(stat -c %Y "$target")" ]
}

# dockerd runs with the file in place: it answers and started after the file changed. Without a
# readable pidfile, docknet's own record of the last file it saw running decides.
running_with_target() {
  daemon_answers && [ -f "$target" ] || return 1
  started_after_file
  case $? in 0) return 0 ;; 1) return 1 ;; esac
  cmp -s "$target" "$applied"
}

# Top-level keys of a JSON object, one per line (a small tokenizer: no jq or python on most hosts).
json_keys() {
  awk 'BEGIN { RS = "\001" } {
    depth = 0; instr = 0; esc = 0; key = ""; cur = ""
    n = length($0)
    for (i = 1; i <= n; i++) {
      c = substr($0, i, 1)
      if (instr) {
        if (esc) { esc = 0; cur = cur c; continue }
        if (c == "\\") { esc = 1; cur = cur c; continue }
        if (c == "\"") { instr = 0; last = cur; continue }
        cur = cur c; continue
      }
      if (c == "\"") { instr = 1; cur = ""; continue }
      if (c == "{" || c == "[") { depth++; continue }
      if (c == "}" || c == "]") { depth--; continue }
      if (c == ":" && depth == 1) { print last }
    }
  }' "$1"
}

print_daemon_log() {
  log_text=$(sh -c "$logs" 2>&1)
  # "will not take affect" (sic): dockerd 20.10 keeping the old default bridge for live-restored containers.
  errors=$(printf '%s\n' "$log_text" | grep -iE 'failed to start|level=(fatal|error)|will not take affect' | tail -n 5)
  say "dockerd log:"
  printf '%s\n' "${errors:-$log_text}" | sed 's/^/  dockerd: /' >&2
}

# The settings gate: every key of daemon.readback as dockerd reports it now (docker info, or the
# default bridge), against the declared value. Keys of the new file that are not in the list, or that
# this dockerd does not report (the template fails), rest on the start-time check; the log says
# which key was checked how. Returns 1 naming each key that reads back differently.
settings_gate() {
  t_gate=$(now_ms)
  json_keys "$target" | sort > "$run/keys.all"
  if [ ! -f "$readback" ]; then
    say "settings gate: no read-back list; every key rests on the start-time check: $(tr '\n' ' ' < "$run/keys.all")"
    return 0
  fi
  read_ok='' unread='' bad=0
  set -f
  while IFS="$tab" read -r key src match dflt tpl want; do
    [ -n "$key" ] || continue
    case $src in
      bridge) seen=$($docker_cmd network inspect bridge --format "$tpl" </dev/null 2>"$run/err") ;;
      *) seen=$(info_read "$tpl") ;;
    esac
    # shellcheck disable=SC2181 # the status of whichever read the case above ran
    if [ $? -ne 0 ]; then
      key_err=$(head -n 1 "$run/err")
      # A key this dockerd does not report, or no dockerd at all: only the first rests on the start time.
      if ! daemon_answers; then
        bad=1
        say "settings gate: $key not read back: dockerd does not answer any more ($(head -n 1 "$run/err"))"
        continue
      fi
      unread="$unread $key"
      say "settings gate: $key not read back ($src: $key_err): start-time check only"
      continue
    fi
    # JSON-quoted list items and blank runs do not count.
    seen=$(printf '%s' "$seen" | tr -d '"' | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//')
    [ -z "$seen" ] && [ "$dflt" != - ] && seen=$dflt
    ok=yes
    if [ "$match" = includes ]; then
      for w in $want; do case " $seen " in *" $w "*) ;; *) ok=no ;; esac; done
    else
      [ "$seen" = "$want" ] || ok=no
    fi
    if [ "$ok" = yes ]; then
      read_ok="$read_ok $key"
    else
      bad=1
      say "settings gate: $key is not in effect: expected ${want}, dockerd reports ${seen:-nothing} ($([ "$src" = bridge ] && echo 'docker network inspect bridge' || echo 'docker info'))"
    fi
  done < "$readback"
  set +f
  cut -f1 "$readback" | sort > "$run/keys.read"
  rest=$(comm -23 "$run/keys.all" "$run/keys.read" | tr '\n' ' ' | sed 's/ $//')
  rest="$unread${rest:+ $rest}"
  say "settings gate: read back from dockerd:${read_ok:- none}; start-time check only:${rest:- none} ($(since "$t_gate"))"
  return "$bad"
}

# Running containers (swarm tasks excluded: swarm replaces those itself), "id name policy" lines.
running_containers() {
  ids=$($docker_cmd ps -q --no-trunc 2>/dev/null)
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086 # container IDs (hex), one argument each
  $docker_cmd inspect --format '{{.Id}} {{.Name}} {{.HostConfig.RestartPolicy.Name}} {{index .Config.Labels "com.docker.swarm.task.id"}}' $ids 2>/dev/null |
    awk '$4 == "" || $4 == "<no" { sub(/^\//, "", $2); print $1, $2, $3 }'
}

swarm_state() { info_read '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null; }

# After a restart with the new file: swarm membership back (Ready + Active where this node can see
# it), and every container that ran before running again. Containers whose restart policy cannot
# bring them back are named, not waited for.
health_gate() {
  i=0
  if [ "${swarm_before%% *}" = active ]; then
    while :; do
      s=$(swarm_state)
      if [ "${s%% *}" = active ]; then
        if [ "${s#* }" = true ]; then
          ns=$($docker_cmd node inspect self --format '{{.Status.State}} {{.Spec.Availability}}' 2>/dev/null)
          [ "$ns" = "ready active" ] && break
        else
          break
        fi
      fi
      i=$((i + 1))
      if [ "$i" -ge "$wait_s" ]; then
        say "health gate: the node did not come back to the swarm as Ready and Active within ${wait_s}s (state: ${s:-no answer}${ns:+, node: $ns})"
        return 1
      fi
      sleep 1
    done
    say "health gate: swarm node back (${s%% *}${ns:+, $ns})"
  fi
  [ -s "$run/containers" ] || return 0
  stuck=''
  while read -r id name policy; do
    case "$policy" in
      always|unless-stopped|on-failure) ;;
      *) say "warning: container $name has restart policy '${policy:-no}': dockerd does not start it again after a restart; it stays stopped (docker start $name)"; continue ;;
    esac
    while :; do
      st=$($docker_cmd inspect --format '{{.State.Running}}' "$id" 2>/dev/null)
      [ "$st" = true ] && break
      i=$((i + 1))
      if [ "$i" -ge "$wait_s" ]; then stuck="$stuck $name"; break; fi
      sleep 1
    done
  done < "$run/containers"
  if [ -n "$stuck" ]; then
    say "health gate: containers that ran before the restart are not running again after ${wait_s}s:$stuck"
    return 1
  fi
  say "health gate: the containers that ran before run again"
  return 0
}

[ -f "$new" ] || { say "new daemon.json $new was not uploaded"; finish 1; }
take_lock
locked=yes
trap 'if [ "${locked:-}" = yes ]; then rm -rf "$lock"; rm -f "$stage" "$applied.tmp"; fi' EXIT

# "Up to date" means dockerd runs with exactly this file, not merely that the bytes are in place.
if [ -f "$target" ] && cmp -s "$new" "$target"; then
  if running_with_target; then
    if ! cmp -s "$target" "$applied"; then
      if ! cp -p "$target" "$applied.tmp" 2>"$run/err" || ! cmp -s "$target" "$applied.tmp" || ! mv -f "$applied.tmp" "$applied" 2>>"$run/err"; then
        rm -f "$applied.tmp"
        fail_step "$target is in place and dockerd runs with it, but docknet cannot record it as $applied: $(cat "$run/err")"
      fi
    fi
    say "$target already up to date; dockerd runs with it"
    finish 0
  fi
  say "$target has the new content but dockerd does not run with it (stopped, or started before the file changed): restarting"
fi

# 1. Keys on the host that the code does not declare are not dropped silently. Keys docknet itself
#    wrote last time (its record) may go; others must be adopted (extra) or listed to drop.
if [ -f "$target" ]; then
  json_keys "$new" > "$run/keys.new"
  [ -f "$applied" ] && json_keys "$applied" > "$run/keys.ours"
  undeclared=''
  for k in $(json_keys "$target"); do
    grep -qxF "$k" "$run/keys.new" && continue
    [ -f "$run/keys.ours" ] && grep -qxF "$k" "$run/keys.ours" && continue
    case " $drop_keys " in *" $k "*) say "dropping $k from $target (listed in dropUndeclaredKeys)"; continue ;; esac
    undeclared="$undeclared $k"
  done
  if [ -n "$undeclared" ]; then
    say "$target on $(hostname) has keys the code does not declare:$undeclared"
    say "nothing was changed. Adopt them into the host's daemon settings (extra: { ... }), or list them in dropUndeclaredKeys to let docknet remove them, then apply again"
    finish 1
  fi
fi

# 2. Validate before touching anything.
if [ "$validate" = auto ]; then
  dockerd_bin=$(command -v dockerd || for f in /usr/bin/dockerd /usr/sbin/dockerd; do [ -x "$f" ] && { echo "$f"; break; }; done)
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
    finish 1
  fi
fi

# 3. Every write happens before the swap, so the rollback is one rename that needs no space:
#    the staged new file, a restore copy of the current file, and a timestamped backup of it when
#    dockerd runs with it (a "last good" file is never overwritten: each backup has its own name).
mkdir -p "$dir" 2>"$run/err" || fail_step "cannot create $dir: $(cat "$run/err")"
write_copy() { # SRC DST: copy, flush, or say exactly what failed
  if ! cp -p "$1" "$2" 2>"$run/err" || ! sync 2>/dev/null; then
    rm -f "$2"
    fail_step "cannot write $2: $(cat "$run/err"); $target left unchanged, dockerd untouched"
  fi
  # A full disk can also show as a short file: compare.
  cmp -s "$1" "$2" || { rm -f "$2"; fail_step "cannot write $2: the copy is incomplete (disk full?); $target left unchanged"; }
}
write_copy "$new" "$stage"
chmod 0644 "$stage" 2>"$run/err" || fail_step "cannot chmod $stage: $(cat "$run/err")"
had_old=no
if [ -f "$target" ]; then
  had_old=yes
  write_copy "$target" "$restore"
  if running_with_target; then
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    write_copy "$target" "$target.docknet-good-$stamp"
    # Keep the newest few.
    for f in "$target".docknet-good-*; do [ -e "$f" ] && printf '%s\n' "$f"; done | sort -r | tail -n +$((keep + 1)) | while read -r f; do rm -f "$f"; done
  else
    say "warning: dockerd does not run with the current $target; it is not kept as a good backup"
  fi
fi

# 4. Record what runs, swap, restart.
running_containers > "$run/containers"
swarm_before=$(swarm_state)
mv -f "$stage" "$target" 2>"$run/err" || fail_step "cannot move $stage to $target: $(cat "$run/err")"
say "restarting dockerd on $(hostname) with the new $target"
t_restart=$(now_ms)
restart_out=$(sh -c "$restart" 2>&1)
restart_rc=$?
why=''
if [ "$restart_rc" -ne 0 ]; then
  why="dockerd did not start with the new $target (restart exit $restart_rc)"
elif ! wait_for_daemon; then
  why="dockerd did not start with the new $target (no answer within ${wait_s}s)"
else
  started_after_file
  if [ $? -eq 1 ]; then
    why="dockerd answers but its process started before the new $target was in place"
  elif ! settings_gate; then
    why="dockerd runs, but not with the settings of the new $target"
  fi
fi
if [ -z "$why" ]; then
  say "applied $target; dockerd answers with it ($(since "$t_restart") after the restart began)"
  # The record decides later which keys docknet may remove: written whole or not at all, and a
  # failed write (disk full) fails the rollout with its own error instead of passing unnoticed.
  # Nothing is removed before it is written (the restore copy goes after), so the space a removal
  # frees does not hide a disk that is full.
  recorded=yes
  if ! cp -p "$target" "$applied.tmp" 2>"$run/err" || ! cmp -s "$target" "$applied.tmp" || ! mv -f "$applied.tmp" "$applied" 2>>"$run/err"; then
    recorded=no
    rm -f "$applied.tmp"
    say "cannot record the applied file as $applied: $(cat "$run/err")"
  fi
  rm -f "$restore"
  if health_gate; then
    say "health gate passed on $(hostname) $(since "$t_restart") after the restart began"
    [ "$recorded" = yes ] && finish 0
    say "dockerd runs with the new $target (complete, in place), but docknet could not record it: free space in $dir, then apply again"
    finish 1
  fi
  say "the new settings run, but the health gate failed on $(hostname): the rollout stops here"
  finish 1
fi

# 5. Roll back: the new file did not give a daemon running with it.
say "$why; rolling back"
[ -n "$restart_out" ] && printf '%s\n' "$restart_out" | sed 's/^/  restart: /' >&2
print_daemon_log
cp "$target" "$target.docknet-failed" 2>/dev/null && say "the refused file is kept as $target.docknet-failed"
if [ "$had_old" = yes ]; then
  if ! mv -f "$restore" "$target" 2>"$run/err"; then
    say "RESTORE FAILED: could not put the previous file back ($restore -> $target): $(cat "$run/err")"
    say "the refused file is live and dockerd may be down on $(hostname): restore $restore (or the newest $target.docknet-good-*) by hand and restart dockerd NOW"
    finish 2
  fi
else
  rm -f "$target" 2>"$run/err" || { say "RESTORE FAILED: cannot remove the refused $target: $(cat "$run/err")"; finish 2; }
fi
sh -c "$restart" >/dev/null 2>&1
if wait_for_daemon; then
  say "restored the previous $target; dockerd answers with the old settings"
  health_gate || say "warning: after the rollback the health gate still fails on $(hostname)"
  finish 1
fi
say "RESTORE INCOMPLETE: restored the previous $target but dockerd does not answer either; check the host now"
print_daemon_log
finish 2
