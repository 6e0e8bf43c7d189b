# docknet run-remote (after ssh-lib.sh): sends DOCKNET_PROGRAM (a sh program built at synth: it
# writes its files into a private mktemp -d directory on the host and runs the step) to the target
# over ssh's stdin, so no script sits at a predictable path and nothing is on a command line.
# DOCKNET_WHEN=destroy: a host listed in DOCKNET_UNREACHABLE is skipped with a message.
name=$DOCKNET_TARGET_NAME
if [ "${DOCKNET_WHEN:-}" = destroy ] && dn_skipped "$name"; then
  echo "docknet: $name is listed in DOCKNET_UNREACHABLE: skipped ($DOCKNET_STEP); clean it up by hand if it comes back"
  exit 0
fi
printf '%s\n' "$DOCKNET_PROGRAM" | dn_ssh TARGET 'sh -s'
rc=$?
if [ "$rc" -eq 255 ]; then
  echo "docknet: $DOCKNET_STEP on $name: ssh to $DOCKNET_TARGET_DEST port $DOCKNET_TARGET_PORT failed (host down or unreachable within ${DOCKNET_TARGET_TIMEOUT}s, or its host key does not match the declared one); nothing was run" >&2
fi
exit "$rc"
