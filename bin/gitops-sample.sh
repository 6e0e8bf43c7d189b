#!/usr/bin/env bash
# Regenerates the sample pull request comments in docs/gitops.md with the real commands on the
# built-in example, so the walk-through shows what the CLI prints today.
#
#   bin/gitops-sample.sh            print both samples
#   bin/gitops-sample.sh --write    replace the blocks between <!-- sample:NAME:begin/end --> in docs/gitops.md
#
# Samples: "pr" (dev gets a third DNS server) and "promote" (the same for staging and prod).
# Each runs on a copy of HEAD: synth main, apply the change, synth again, then what the workflow's
# review job runs (docknet diff, promote, report) and, for the hosts stacks, a real terraform plan.
# The example's hosts do not exist here, so the "deployed" state of each hosts stack is made by
# applying main's synth with its provisioners stripped to a local state file (only this sample does
# that; the workflow refuses local state). Network stacks need the docker provider and the hosts:
# their plans appear in CI only, and the sample says so.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/docknet-sample-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 DOCKNET_PLAN_FROZEN=1
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"
: > "$TF_CLI_CONFIG_FILE"

mkdir "$tmp/repo"
git -C "$here" archive HEAD | tar -x -C "$tmp/repo"
ln -s "$here/node_modules" "$tmp/repo/node_modules"
cd "$tmp/repo"
docknet() { npx --no-install ts-node --transpile-only bin/docknet.ts "$@"; }
synth() { npx --no-install cdktf synth --output "$1" > "$tmp/synth.log" 2>&1 || { cat "$tmp/synth.log" >&2; exit 1; }; }

# The state a stack would have after main's synth was applied (provisioners do not change state).
deployed_state() {
  local stack=$1 base=$2 dir="$tmp/state/$1"
  mkdir -p "$dir"
  node -e '
    const fs = require("fs");
    const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const r of Object.values(doc.resource?.terraform_data ?? {})) delete r.provisioner;
    doc.terraform.backend = { local: { path: process.argv[3] } };
    fs.writeFileSync(process.argv[2], JSON.stringify(doc));
  ' "$base/stacks/$stack/cdk.tf.json" "$dir/main.tf.json" "$tmp/state/$stack.tfstate"
  terraform -chdir="$dir" init -input=false -no-color > /dev/null
  terraform -chdir="$dir" apply -input=false -no-color -auto-approve > /dev/null
}

# terraform plan of the head's stack against that state, summarized as the workflow's comment job does.
plan_summary() {
  local stack=$1 head=$2 dir="$tmp/plan/$1"
  mkdir -p "$dir"
  cp "$head/stacks/$stack/cdk.tf.json" "$dir/"
  printf '{"terraform":{"backend":{"local":{"path":"%s"}}}}\n' "$tmp/state/$stack.tfstate" > "$dir/backend_override.tf.json"
  terraform -chdir="$dir" init -input=false -no-color > /dev/null
  terraform -chdir="$dir" plan -input=false -no-color -out="$stack.tfplan" > /dev/null
  terraform -chdir="$dir" show -no-color "$stack.tfplan" > "$dir/$stack.plan.txt"
  local line
  line=$(grep -m1 -E '^(Plan: |No changes\.)' "$dir/$stack.plan.txt" || echo "see the plan")
  echo "<details><summary><code>$stack</code>: $line</summary>"
  echo
  echo '```'
  # The sample keeps the resource headers and the summary; the comment has the whole plan (200 lines).
  grep -E '^  # |^Plan: |^No changes\.' "$dir/$stack.plan.txt" || true
  echo '```'
  echo
  echo "</details>"
}

change() {
  case "$1" in
    pr) sed -i "s/dns: \['10.10.0.2', '10.10.0.3'\]/dns: ['10.10.0.2', '10.10.0.3', '10.10.0.4']/" stacks/dev.ts ;;
    promote)
      sed -i "s/dns: \['10.20.0.2', '10.20.0.3'\]/dns: ['10.20.0.2', '10.20.0.3', '10.20.0.4']/" stacks/staging.ts
      sed -i "s/dns: \['10.30.0.2', '10.30.0.3'\]/dns: ['10.30.0.2', '10.30.0.3', '10.30.0.4']/" stacks/prod.ts ;;
  esac
}

comment() {
  local name=$1 base="$tmp/$1-base" head="$tmp/$1-head"
  git -C "$here" archive HEAD stacks | tar -x -C "$tmp/repo"
  # The promotion comes after the first pull request was merged: its base has dev's change.
  [ "$name" = promote ] && change pr
  synth "$base"
  change "$name"
  synth "$head"
  echo '<!-- docknet:pr-report -->'
  docknet diff --base "$base" --head "$head" --fail-on never
  echo
  docknet promote --from staging --to prod --dir "$head" || true
  echo
  echo "<details><summary>Topology report</summary>"
  echo
  echo "_(the three environments' topology reports, folded; omitted from this sample)_"
  echo
  echo "</details>"
  echo
  echo "### Terraform plans (applied as is on merge)"
  echo
  for env in dev staging prod; do
    deployed_state "$env-hosts" "$base"
    plan_summary "$env-hosts" "$head"
    rm -rf "$tmp/state" "$tmp/plan"
  done
  echo "_In CI the network stacks' plans follow here (\`dev-network\`, ...: \`No changes.\` for this change); they need the docker provider and the hosts, so this offline sample leaves them out._"
}

pr=$(comment pr)
promote=$(comment promote)
if [ "${1:-}" != "--write" ]; then
  printf '%s\n\n----\n\n%s\n' "$pr" "$promote"
  exit 0
fi
doc="$here/docs/gitops.md"
SAMPLE_pr="$pr" SAMPLE_promote="$promote" node -e '
  const fs = require("fs");
  let text = fs.readFileSync(process.argv[1], "utf8");
  for (const name of ["pr", "promote"]) {
    const re = new RegExp(`(<!-- sample:${name}:begin -->\\n)[\\s\\S]*?(<!-- sample:${name}:end -->)`);
    if (!re.test(text)) throw new Error(`docs/gitops.md has no <!-- sample:${name}:begin/end --> block`);
    // Four backticks: the sample itself contains fenced blocks.
    text = text.replace(re, (_, a, b) => `${a}\n\`\`\`\`markdown\n${process.env["SAMPLE_" + name]}\n\`\`\`\`\n\n${b}`);
  }
  fs.writeFileSync(process.argv[1], text);
' "$doc"
echo "gitops-sample: refreshed the samples in docs/gitops.md"
