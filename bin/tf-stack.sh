#!/usr/bin/env bash
# One stack, one saved plan: the plan and apply steps of the GitOps workflow (.github/workflows/docknet.yml,
# here and in every project `docknet init` makes, which gets this file as scripts/tf-stack.sh).
#
#   tf-stack.sh plan  <stack>   init (read-only plan role), swarm check, plan -out=<stack>.tfplan, show it
#   tf-stack.sh apply <stack>   init, apply exactly <stack>.tfplan; a stale plan is refused by terraform
#
# Works in cdktf.out/stacks/<stack> (DOCKNET_OUT overrides cdktf.out), run from the project's root.
# Writes next to the plan: <stack>.plan.txt (the swarm check's report, then terraform show -no-color)
# and <stack>.plan.json (terraform show -json).
# Exit: plan 0 (no changes) or 2 (changes) like -detailed-exitcode; apply 0, or 1 with a message.
# Nothing here approves a fresh plan: terraform applies the reviewed plan file or nothing.
set -euo pipefail

mode=${1:?usage: tf-stack.sh plan|apply <stack>}
stack=${2:?usage: tf-stack.sh plan|apply <stack>}
out=${DOCKNET_OUT:-cdktf.out}
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/gitops.ts" ]; then
  # docknet's own repository (bin/): its CLIs from source.
  gitops() { npx --no-install ts-node --transpile-only "$here/gitops.ts" "$@"; }
  docknet() { npx --no-install ts-node --transpile-only "$here/docknet.ts" "$@"; }
else
  # A project with docknet as a dependency (scripts/ of `docknet init`): the installed CLIs.
  gitops() { npm run -s gitops -- "$@"; }
  docknet() { npx --no-install docknet "$@"; }
fi
dir="$out/stacks/$stack"
[ -f "$dir/cdk.tf.json" ] || { echo "tf-stack: $dir/cdk.tf.json does not exist: run npm run synth first" >&2; exit 1; }
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

# Local state on a CI runner is lost after the job: refuse it before terraform touches anything.
gitops check-backend --dir "$out" "$stack"

case "$mode" in
  plan)
    # (Not a process substitution: its failure would not stop the script, and the plan would run as the deploy role.)
    flags_text=$(gitops plan-backend-config --dir "$out" "$stack")
    # None for a non-pg backend (an empty line would reach init as an empty argument).
    flags=()
    [ -z "$flags_text" ] || mapfile -t flags <<< "$flags_text"
    terraform -chdir="$dir" init -input=false -no-color ${flags[@]+"${flags[@]}"} >/dev/null
    # What Terraform cannot see: a swarm member that left by hand (or sits in the wrong role) is
    # asked through the Docker API and its join replaced in this plan, with the reason in the plan text. A host
    # that cannot be asked is reported (exit 5) and the plan goes on without touching it.
    replace=()
    swarm_report="$dir/$stack.swarm.txt"
    rm -f "$swarm_report"
    if grep -q 'docknet-swarm-' "$dir/cdk.tf.json"; then
      set +e
      # Through the Docker API as the providers connect: all the plan environment's read-only key may do.
      replace_text=$(docknet swarm-replace --via api --dir "$out" --report "$swarm_report" "$stack")
      src=$?
      set -e
      case "$src" in 0|2|5) ;; *) echo "tf-stack: the swarm check of $stack failed (exit $src); nothing was planned" >&2; exit 1 ;; esac
      [ -z "$replace_text" ] || mapfile -t replace <<< "$replace_text"
    fi
    set +e
    terraform -chdir="$dir" plan -input=false -no-color -lock-timeout=120s -detailed-exitcode -out="$stack.tfplan" ${replace[@]+"${replace[@]}"}
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || exit "$rc"
    { [ -s "$swarm_report" ] && cat "$swarm_report" && echo; terraform -chdir="$dir" show -no-color "$stack.tfplan"; } > "$dir/$stack.plan.txt"
    terraform -chdir="$dir" show -json "$stack.tfplan" > "$dir/$stack.plan.json"
    exit "$rc"
    ;;
  apply)
    [ -f "$dir/$stack.tfplan" ] || { echo "tf-stack: $dir/$stack.tfplan does not exist: no reviewed plan for $stack; nothing was applied" >&2; exit 1; }
    terraform -chdir="$dir" init -input=false -no-color >/dev/null
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    set +e
    terraform -chdir="$dir" apply -input=false -no-color -lock-timeout=120s "$stack.tfplan" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ] && grep -q 'Saved plan is stale' "$log"; then
      msg="$stack: refused by terraform: Saved plan is stale. The state moved since the plan was reviewed (another apply ran in between), so nothing was applied. Re-plan: re-run the merged pull request's docknet workflow (it plans its commit against the current state), review the new plan in its comment, then re-run all jobs of this deploy (it takes the newest plan)."
      echo "tf-stack: $msg" >&2
      [ "${GITHUB_ACTIONS:-}" = "true" ] && echo "::error::$msg"
    fi
    exit "$rc"
    ;;
  *)
    echo "tf-stack: unknown mode \"$mode\": use plan or apply" >&2
    exit 1
    ;;
esac
