/**
 * Lints the GitHub workflows shipped for users: GitHub's own parser must accept them, and the
 * policies the docs promise must hold: permissions and timeouts on every job, actions pinned to
 * commit SHAs, an LTS Node and a current Terraform, plans made with read-only credentials and
 * applied as saved files (never a fresh `-auto-approve` plan), a backend check before any state is
 * touched, environments and per-environment concurrency on deploys, the address plan checked on the
 * merge result.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { removeTempDirs, tempDir } from './fixtures';
import { FLEET_SHARDS as RACKS } from '../../stacks/fleet';

afterAll(removeTempDirs);

const DIR = path.resolve(__dirname, '../../.github/workflows');
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(DIR, f));
const MAIN = path.join(DIR, 'docknet.yml');

type Job = Record<string, any>;
const text = fs.readFileSync(MAIN, 'utf8');
const workflow = parse(fs.readFileSync(MAIN, 'utf8'));
const jobs: [string, Job][] = Object.entries(workflow.jobs as Record<string, Job>);
const runs = (job: Job): string => (job.steps ?? []).map((s: any) => s.run ?? '').join('\n');
const uses = (job: Job, action: string): any[] => (job.steps ?? []).filter((s: any) => String(s.uses ?? '').startsWith(`${action}@`));
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
/** The example's sharded environment (stacks/fleet.ts): a pair of stacks per shard. */
const FLEET_SHARDS = RACKS.map((r) => `fleet-${r}`);
/** Runs terraform against an environment's state (a command line, not a message mentioning it). */
const touchesState = (job: Job): boolean => /tf-stack\.sh (plan|apply)|^\s*terraform /m.test(runs(job));
const deployJobs = jobs.filter(([id]) => id.startsWith('deploy-') && !id.startsWith('deploy-fleet'));
const TF_STACK = fs.readFileSync(path.resolve(__dirname, '../../bin/tf-stack.sh'), 'utf8');

describe('GitHub workflows', () => {
  test('GitHub\'s workflow parser reports no errors', () => {
    // The parser is ESM-only with JSON imports Node cannot load from jest: validate in a child process.
    const out = execFileSync(process.execPath, [path.join(__dirname, 'workflow-lint.mjs'), ...FILES], { encoding: 'utf8' });
    const results = JSON.parse(out) as { file: string; errors: string[]; jobs: string[] }[];
    expect(results.map((r) => ({ file: path.basename(r.file), errors: r.errors }))).toEqual(FILES.map((f) => ({ file: path.basename(f), errors: [] })));
    expect(results.find((r) => r.file === MAIN)!.jobs).toEqual(jobs.map(([id]) => id));
  }, 60_000);

  test('the parser catches a broken workflow (the lint is not a no-op)', () => {
    const bad = path.join(tempDir('docknet-wf-'), 'bad.yml');
    fs.writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout: 5\n    steps:\n      - run: true\n');
    const [result] = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'workflow-lint.mjs'), bad], { encoding: 'utf8' }));
    expect(result.errors.join('\n')).toMatch(/Unexpected value 'timeout'/);
  }, 60_000);

  test('least privilege: nothing at the top, explicit permissions on every job', () => {
    expect(workflow.permissions).toEqual({});
    for (const [id, job] of jobs) expect({ id, permissions: job.permissions !== undefined }).toEqual({ id, permissions: true });
    // The jobs that run the PR's code never hold a write token.
    for (const id of ['review', 'plan', 'plan-check']) {
      expect({ id, readOnly: Object.values(workflow.jobs[id].permissions ?? {}).every((v) => v === 'read') }).toEqual({ id, readOnly: true });
    }
    expect(workflow.jobs.comment.permissions).toEqual({ 'pull-requests': 'write' });
  });

  test('every job has a timeout', () => {
    for (const [id, job] of jobs) {
      expect({ id, timeout: typeof job['timeout-minutes'] }).toEqual({ id, timeout: 'number' });
      expect(job['timeout-minutes']).toBeLessThanOrEqual(60);
    }
  });

  test('every action is pinned to a full commit SHA', () => {
    for (const file of FILES) {
      const used = [...fs.readFileSync(file, 'utf8').matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]);
      expect(used.length).toBeGreaterThan(0);
      for (const u of used) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
  });

  test('Node is an LTS line (even major, 22 or later: 20 is past its end of life) and every job uses it', () => {
    const major = Number(workflow.env.NODE_VERSION);
    expect(Number.isInteger(major) && major % 2 === 0 && major >= 22).toBe(true);
    const setups = jobs.flatMap(([, j]) => uses(j, 'actions/setup-node'));
    expect(setups.length).toBeGreaterThan(0);
    for (const s of setups) expect(s.with['node-version']).toBe('${{ env.NODE_VERSION }}');
  });

  test('Terraform: one current 1.x release (1.14 or later), no wrapper, in every job that runs terraform', () => {
    const m = /^1\.(\d+)\.(\d+)$/.exec(workflow.env.TERRAFORM_VERSION);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(14);
    for (const [id, job] of jobs.filter(([, j]) => touchesState(j))) {
      const [setup] = uses(job, 'hashicorp/setup-terraform');
      expect({ id, version: setup?.with.terraform_version, wrapper: setup?.with.terraform_wrapper }).toEqual({ id, version: '${{ env.TERRAFORM_VERSION }}', wrapper: false });
    }
  });

  test('pull requests: a plan per environment with read-only credentials, plan files and synth kept as artifacts', () => {
    const plan = workflow.jobs.plan;
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    // One job per pair of stacks: an environment's, or each shard's of a sharded one.
    expect(plan.strategy.matrix.include).toEqual([
      ...ENVIRONMENTS.map((e) => ({ environment: e, stacks: e })),
      ...FLEET_SHARDS.map((s) => ({ environment: 'fleet', stacks: s })),
    ]);
    expect(plan.env.STACKS).toBe('${{ matrix.stacks }}');
    expect(plan.concurrency.group).toContain('${{ matrix.stacks }}');
    // Plan credentials live in their own GitHub environment, never the deploy one.
    expect(plan.environment.name).toBe('${{ matrix.environment }}-plan');
    const r = runs(plan);
    expect(r).toContain('npm ci');
    expect(r).toContain('npx cdktf synth');
    expect(r).toMatch(/bin\/tf-stack\.sh plan "\$stack"/);
    expect(r).toMatch(/gitops\.ts digest --out cdktf\.out\/synth\.json --commit "\$HEAD_SHA"/);
    const [upload] = uses(plan, 'actions/upload-artifact');
    expect(upload.with.name).toBe('docknet-plan-${{ matrix.stacks }}');
    expect(r).toMatch(/for stack in "\$STACKS-hosts" "\$STACKS-network"/);
    expect(upload.with.path).toContain('cdktf.out/synth.json');
    expect(upload.with.path).toContain('-network/*.tfplan');
    expect(upload.with.path).toContain('-hosts/*.tfplan');
    // tf-stack.sh plan: a real init and plan -out per stack, in the stack's synth folder.
    expect(TF_STACK).toContain('-out="$stack.tfplan"');
    expect(TF_STACK).toContain('dir="$out/stacks/$stack"');
  });

  test('no fresh plan is ever applied: no cdktf deploy, no -auto-approve; deploys apply the downloaded plan file', () => {
    expect(text).not.toMatch(/cdktf deploy|auto-approve/);
    expect(TF_STACK).not.toMatch(/auto-approve/);
    expect(TF_STACK).toMatch(/terraform -chdir="\$dir" apply [^\n]*"\$stack\.tfplan"/);
    expect(TF_STACK).toContain('Saved plan is stale');
  });

  test('deploys: one per environment, in order, behind environments and per-environment concurrency, applying the reviewed plan', () => {
    expect(deployJobs.map(([id]) => id)).toEqual(ENVIRONMENTS.map((e) => `deploy-${e}`));
    let previous = 'test';
    for (const [id, job] of deployJobs) {
      const env = id.replace('deploy-', '');
      expect(job.environment?.name ?? job.environment).toBe(env);
      expect(job.needs).toEqual([previous, 'find-plan']);
      expect(job.env.ENV_NAME).toBe(env);
      expect(job.env.STACKS).toBe(env);
      expect(job.concurrency).toEqual({ group: `docknet-deploy-${env}`, 'cancel-in-progress': false });
      expect(job.if).toContain("github.event_name == 'push'");
      const steps = job.steps as any[];
      const download = steps.findIndex((s) => String(s.uses ?? '').startsWith('actions/download-artifact@'));
      const verify = steps.findIndex((s) => /gitops\.ts verify --planned planned\/synth\.json/.test(s.run ?? ''));
      const apply = steps.findIndex((s) => /bin\/tf-stack\.sh apply "\$stack"/.test(s.run ?? ''));
      expect(download).toBeGreaterThan(-1);
      expect(steps[download].with).toMatchObject({ name: 'docknet-plan-${{ env.STACKS }}', 'run-id': '${{ needs.find-plan.outputs.run-id }}' });
      expect(verify).toBeGreaterThan(download);
      expect(apply).toBeGreaterThan(verify);
      expect(steps[apply].run).toContain('cp "planned/stacks/$stack/$stack.tfplan"');
      previous = id;
    }
    // The sharded environment: the manager's shard first, then the other shards in parallel, one job
    // (and one deploy concurrency group, one state lock) per shard, with the same reviewed-plan steps.
    const first = workflow.jobs['deploy-fleet-rack-a'];
    const rest = workflow.jobs['deploy-fleet'];
    expect(first.env).toMatchObject({ ENV_NAME: 'fleet', STACKS: 'fleet-rack-a' });
    expect(first.concurrency).toEqual({ group: 'docknet-deploy-fleet-rack-a', 'cancel-in-progress': false });
    expect(rest.needs).toEqual(['deploy-fleet-rack-a', 'find-plan']);
    expect(rest.strategy.matrix.stacks).toEqual(FLEET_SHARDS.slice(1));
    expect(rest.env).toMatchObject({ ENV_NAME: 'fleet', STACKS: '${{ matrix.stacks }}' });
    expect(rest.concurrency).toEqual({ group: 'docknet-deploy-${{ matrix.stacks }}', 'cancel-in-progress': false });
    for (const j of [first, rest]) {
      expect(j.environment.name).toBe('fleet');
      expect(j.steps).toEqual(workflow.jobs['deploy-dev'].steps);
    }
    expect(workflow.jobs['find-plan'].permissions).toEqual({ actions: 'read', contents: 'read', 'pull-requests': 'read' });
  });

  test('every job that touches state checks its backend first (local state refused in CI)', () => {
    const touching = jobs.filter(([, j]) => touchesState(j));
    expect(touching.map(([id]) => id).sort()).toEqual(['deploy-dev', 'deploy-fleet', 'deploy-fleet-rack-a', 'deploy-prod', 'deploy-staging', 'plan']);
    for (const [id, job] of touching) {
      const r = runs(job);
      const check = r.indexOf('gitops.ts check-backend');
      expect({ id, checked: check > -1 && check < r.indexOf('tf-stack.sh') }).toEqual({ id, checked: true });
      // The state's password comes from the environment's secret, never the synthesized JSON.
      expect(job.env.PGPASSWORD).toBe('${{ secrets.DOCKNET_PG_PASSWORD }}');
      // The role too: the plan file carries the backend config, so the role cannot be written into it.
      expect(job.env.PGUSER).toBe('${{ vars.DOCKNET_PG_USER }}');
    }
    // And the script checks again before every init, whoever runs it.
    expect(TF_STACK.indexOf('gitops check-backend')).toBeLessThan(TF_STACK.indexOf('init -input=false'));
  });

  test('concurrent address allocations are checked on the merge result and in the merge queue', () => {
    expect(workflow.on).toHaveProperty('merge_group');
    const job = workflow.jobs['plan-check'];
    expect(job.if).toContain("github.event_name == 'pull_request'");
    expect(job.if).toContain("github.event_name == 'merge_group'");
    expect(runs(job)).toContain('docknet -- plan-check');
    expect(workflow.env.DOCKNET_PLAN_FROZEN).toBe('1');
    // A merge queue waits for every required check: those that gate pull requests report there too.
    for (const id of ['test', 'gate']) expect({ id, runs: /merge_group|!= 'push'/.test(workflow.jobs[id].if) }).toEqual({ id, runs: true });
  });

  test('PRs: diff, report and plans end in one sticky comment; replacements, drift and failed plans block', () => {
    expect(text).toContain('docknet -- diff --base ../base/cdktf.out --head cdktf.out');
    expect(text).toContain('docknet -- report --dir cdktf.out');
    expect(text).toContain('<!-- docknet:pr-report -->');
    expect(text).toContain('updateComment');
    expect(workflow.jobs.comment.needs).toEqual(['review', 'plan']);
    expect(runs(workflow.jobs.comment)).toContain('.plan.txt');
    expect(workflow.jobs.gate.steps[0].env.ALLOW_REPLACEMENTS).toContain('docknet/allow-replacements');
    expect(workflow.jobs.gate.steps[0].env.PLAN_RESULT).toBe('${{ needs.plan.result }}');
    expect(workflow.on.pull_request.types).toEqual(expect.arrayContaining(['labeled', 'unlabeled']));
  });
});
