/**
 * The reviewed plan is the applied plan, for real: one docknet environment's hosts stack (Terraform
 * built-ins: the daemon.json rollout over ssh) on a one-host lab, with the workflow's own scripts
 * (bin/tf-stack.sh, bin/gitops.ts) and real terraform in the lab controller's netns.
 *
 * State is in Terraform's pg backend on a throwaway PostgreSQL (unix socket, reachable from the
 * controller netns), not local state: that is what the workflow requires (local state is refused in
 * CI, and .ci/run sets CI=true), and it lets the plan run as a read-only role as the plan job does.
 * Plan and apply run in separate working folders, as the plan job and the deploy job run on
 * separate runners: the apply folder gets the synth and the saved plan, like the artifact.
 *
 * 1. plan -out (read-only role), apply that file: the state equals the saved plan, the host's
 *    daemon.json is the planned content.
 * 2. plan a change (P1), apply another change in between (P2), apply P1: terraform refuses
 *    "Saved plan is stale", the script says why; state serial/lineage and daemon.json unchanged.
 * 3. the merged synth differs from the planned one: `gitops verify` refuses before terraform runs.
 */
import { createHash } from 'crypto';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inNetns } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { TfJson } from '../../lab/replay';
import { e2eGate, elapsed, report, useLab } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const ENV = 'planfile';
const STACK = `${ENV}-hosts`;
const PLAN_ROLE = 'docknet_plan';

/** PostgreSQL refuses to run as root: as root, run it as this user. */
function pgUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return ['postgres', 'nobody'].find((u) => spawnSync('id', ['-u', u], { stdio: 'ignore' }).status === 0);
}

function missingForPlanFile(): string | undefined {
  for (const bin of ['terraform', 'initdb', 'pg_ctl', 'postgres', 'psql']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0) return `needs "${bin}" on the PATH`;
  }
  if (process.getuid?.() === 0 && !pgUser()) return 'running as root needs a "postgres" or "nobody" user to run PostgreSQL';
  return undefined;
}

const gate = e2eGate('saved plan files', missingForPlanFile);

function pgCommand(args: string[]): [string, string[]] {
  const user = pgUser();
  return user ? ['runuser', ['-u', user, '--', ...args]] : [args[0], args.slice(1)];
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

gate.describe('saved plan files on the lab: applied exactly, refused when stale or when the code moved', () => {
  const lab = useLab('dnplanf', 1);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dnplanf-'));
  const pgDir = path.join(root, 'pg');
  let pgStarted = false;
  let connStr = '';

  beforeAll(() => {
    const user = pgUser();
    fs.mkdirSync(pgDir);
    if (user) spawnSync('chown', [user, pgDir]);
    fs.chmodSync(root, 0o755);
    const init = spawnSync(...pgCommand(['initdb', '-D', path.join(pgDir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']), { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    // Unix socket only: no TCP port, and the controller netns reaches it through the file system.
    const start = spawnSync(...pgCommand(['pg_ctl', '-D', path.join(pgDir, 'data'), '-o', `-c listen_addresses= -k ${pgDir}`, '-l', path.join(pgDir, 'log'), '-w', '-t', '30', 'start']), { encoding: 'utf8' });
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr || start.stdout}`);
    pgStarted = true;
    // No role in it, as the workflow requires: the plan file carries this string into the apply, so the
    // role comes from PGUSER (the plan role when planning, the owner when applying).
    connStr = `postgres:///postgres?host=${encodeURIComponent(pgDir)}&sslmode=disable`;
    psql(`CREATE ROLE ${PLAN_ROLE} LOGIN`);
    fs.writeFileSync(path.join(root, 'terraformrc'), '');
  }, 60_000);

  afterAll(() => {
    if (pgStarted) spawnSync(...pgCommand(['pg_ctl', '-D', path.join(pgDir, 'data'), '-m', 'fast', '-w', 'stop']), { encoding: 'utf8' });
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  function psql(sql: string): string {
    const r = spawnSync('psql', ['-h', pgDir, '-U', 'postgres', '-d', 'postgres', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** The environment written with the library, its hosts stack moved to the pg backend, in `<out>/stacks/<stack>`. */
  function synth(out: string, dns: string): void {
    const le = labEnvironment(lab.info(), {
      name: ENV,
      host: () => ({ daemon: { mtu: 1400, dns: [dns] } }),
    });
    try {
      const { hosts } = le.synth();
      expect(Object.keys(hosts.provider ?? {})).not.toContain('docker'); // built-ins only
      const doc = hosts as TfJson & { terraform: Record<string, unknown> };
      doc.terraform.backend = { pg: { conn_str: connStr, schema_name: `docknet_${ENV}_hosts` } };
      const dir = path.join(out, 'stacks', STACK);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(doc, null, 2));
    } finally {
      le.dispose();
    }
  }

  /** bin/tf-stack.sh from the controller netns (where the lab hosts' ssh is reachable). */
  async function tfStack(mode: 'plan' | 'apply', out: string, env: Record<string, string> = {}) {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, ['bash', path.join(ROOT, 'bin/tf-stack.sh'), mode, STACK], {
      allowFail: true,
      timeoutMs: 300_000,
      // CI=true: the backend check runs as in the workflow (local state, or a role in conn_str, refused).
      env: { ...process.env, DOCKNET_OUT: out, TF_CLI_CONFIG_FILE: path.join(root, 'terraformrc'), GITHUB_ACTIONS: '', CI: 'true', ...env },
    });
    report(`tf-stack.sh ${mode} (${path.basename(out)}) -> exit ${r.code} in ${elapsed(t)}`);
    return { code: r.code, out: r.stdout + r.stderr };
  }
  const plan = (out: string) => tfStack('plan', out, { PGUSER: PLAN_ROLE });
  const apply = (out: string) => tfStack('apply', out, { PGUSER: 'postgres' });

  async function terraform(out: string, args: string[]) {
    const r = await inNetns(lab.info().controller.netns, ['terraform', `-chdir=${path.join(out, 'stacks', STACK)}`, ...args], {
      allowFail: true,
      timeoutMs: 120_000,
      env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: path.join(root, 'terraformrc'), PGUSER: 'postgres' },
    });
    return { code: r.code, out: r.stdout, err: r.stderr };
  }
  const json = async (out: string, args: string[]) => {
    const r = await terraform(out, args);
    if (r.code !== 0) throw new Error(`terraform ${args.join(' ')}: ${r.err}`);
    return JSON.parse(r.out);
  };
  const stateOf = async (out: string) => json(out, ['state', 'pull']);

  /** What the deploy job gets: the merged commit's synth plus the saved plan from the artifact. */
  function deployFolder(name: string, planned: string, dns: string): string {
    const out = path.join(root, name);
    synth(out, dns);
    fs.copyFileSync(path.join(planned, 'stacks', STACK, `${STACK}.tfplan`), path.join(out, 'stacks', STACK, `${STACK}.tfplan`));
    return out;
  }

  function gitops(args: string[]): { code: number; out: string } {
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(ROOT, 'bin/gitops.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_ACTIONS: '', CI: 'true' },
    });
    return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
  }

  test('plan -out with the read-only role, then apply exactly that file: state and host match the plan', async () => {
    const h1 = lab.info().hosts[0];
    const before = fs.readFileSync(h1.configFile, 'utf8');

    // The deploy role's first init creates the backend's schema and table; the plan role may only read.
    const planned = path.join(root, 'pr-1');
    synth(planned, '198.18.0.253');
    const boot = await terraform(planned, ['init', '-input=false', '-no-color']);
    expect(boot.code).toBe(0);
    fs.rmSync(path.join(planned, 'stacks', STACK, '.terraform'), { recursive: true, force: true });
    // The plan really runs as the plan role: before it is granted anything, it cannot even read.
    const denied = await plan(planned);
    expect(denied.code).toBe(1);
    expect(denied.out).toMatch(/permission denied for schema docknet_planfile_hosts/);
    psql(`GRANT USAGE ON SCHEMA docknet_${ENV}_hosts TO ${PLAN_ROLE}; GRANT SELECT ON ALL TABLES IN SCHEMA docknet_${ENV}_hosts TO ${PLAN_ROLE}`);
    expect(psql(`SELECT has_table_privilege('${PLAN_ROLE}', 'docknet_${ENV}_hosts.states', 'INSERT, UPDATE, DELETE')`)).toBe('f');

    const p = await plan(planned);
    if (p.code !== 2) report(p.out);
    expect(p.code).toBe(2); // -detailed-exitcode: changes
    expect(fs.existsSync(path.join(planned, 'stacks', STACK, `${STACK}.tfplan`))).toBe(true);
    expect(p.out).not.toMatch(/gitops: (?!state backends ok)/); // the plan role's flags were made
    const planText = fs.readFileSync(path.join(planned, 'stacks', STACK, `${STACK}.plan.txt`), 'utf8');
    expect(planText).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(fs.readFileSync(h1.configFile, 'utf8')).toBe(before); // planning changed nothing

    // The deploy job: merged synth identical to the planned one, the saved plan applied.
    expect(gitops(['digest', '--dir', planned, '--out', path.join(planned, 'synth.json'), '--commit', 'a'.repeat(40), STACK]).code).toBe(0);
    const deploy = deployFolder('main-1', planned, '198.18.0.253');
    const ok = gitops(['verify', '--dir', deploy, '--planned', path.join(planned, 'synth.json'), '--commit', 'b'.repeat(40), STACK]);
    expect(ok).toEqual({ code: 0, out: expect.stringContaining('matches the reviewed plan') });
    const a = await apply(deploy);
    if (a.code !== 0) report(a.out);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
    expect(a.out).not.toMatch(/auto-approve/);

    // The applied result is the plan: the same resources, every planned (known) value in state.
    const savedPlan = await json(deploy, ['show', '-json', `${STACK}.tfplan`]);
    const state = await json(deploy, ['show', '-json']);
    const plannedRes = savedPlan.planned_values.root_module.resources as { address: string; values: Record<string, unknown> }[];
    const stateRes = state.values.root_module.resources as { address: string; values: Record<string, unknown> }[];
    expect(stateRes.map((r) => r.address).sort()).toEqual(plannedRes.map((r) => r.address).sort());
    expect(plannedRes.length).toBeGreaterThan(0);
    for (const r of plannedRes) {
      const s = stateRes.find((x) => x.address === r.address)!;
      for (const [k, v] of Object.entries(r.values)) if (v !== null) expect({ address: r.address, [k]: s.values[k] }).toEqual({ address: r.address, [k]: v });
    }
    const now = JSON.parse(fs.readFileSync(h1.configFile, 'utf8'));
    expect(now).toMatchObject({ mtu: 1400, dns: ['198.18.0.253'] });
    // The planned rollout carries the hash of exactly this file.
    const rollout = plannedRes.find((r) => /DaemonRollout/.test(r.address))!;
    expect(JSON.stringify(rollout.values)).toContain(sha(fs.readFileSync(h1.configFile, 'utf8')));
  }, 600_000);

  test('a plan made stale by another apply in between is refused by terraform; nothing changes', async () => {
    const h1 = lab.info().hosts[0];
    // PR 2 plans dns .252; PR 3 plans dns .251 and is deployed first.
    const pr2 = path.join(root, 'pr-2');
    synth(pr2, '198.18.0.252');
    expect((await plan(pr2)).code).toBe(2);
    const pr3 = path.join(root, 'pr-3');
    synth(pr3, '198.18.0.251');
    expect((await plan(pr3)).code).toBe(2);
    const other = await apply(deployFolder('main-3', pr3, '198.18.0.251'));
    expect(other.code).toBe(0);
    const daemonJson = fs.readFileSync(h1.configFile, 'utf8');
    expect(JSON.parse(daemonJson).dns).toEqual(['198.18.0.251']);

    const deploy2 = deployFolder('main-2', pr2, '198.18.0.252');
    const before = await stateOf(path.join(root, 'main-3')); // the state in PostgreSQL, read through an initialized folder
    const stale = await apply(deploy2);
    report(`stale apply:\n${stale.out.split('\n').filter((l) => /stale|refused|Error/.test(l)).join('\n')}`);
    expect(stale.code).not.toBe(0);
    expect(stale.out).toContain('Saved plan is stale');
    expect(stale.out).toContain(`tf-stack: ${STACK}: refused by terraform: Saved plan is stale. The state moved since the plan was reviewed (another apply ran in between), so nothing was applied.`);
    expect(stale.out).not.toMatch(/Apply complete|Creating\.\.\.|Destroying\.\.\./);

    const after = await stateOf(path.join(root, 'main-3'));
    expect({ serial: after.serial, lineage: after.lineage }).toEqual({ serial: before.serial, lineage: before.lineage });
    expect(after.resources).toEqual(before.resources);
    expect(fs.readFileSync(h1.configFile, 'utf8')).toBe(daemonJson);
  }, 600_000);

  test('the merged code differs from the planned code: refused before terraform runs', async () => {
    const h1 = lab.info().hosts[0];
    const pr4 = path.join(root, 'pr-4');
    synth(pr4, '198.18.0.250');
    expect((await plan(pr4)).code).toBe(2);
    expect(gitops(['digest', '--dir', pr4, '--out', path.join(pr4, 'synth.json'), '--commit', 'c'.repeat(40), STACK]).code).toBe(0);
    // main moved on before the merge: the merged synth is not the planned one.
    const merged = deployFolder('main-4', pr4, '198.18.0.249');
    const daemonJson = fs.readFileSync(h1.configFile, 'utf8');
    const r = gitops(['verify', '--dir', merged, '--planned', path.join(pr4, 'synth.json'), '--commit', 'd'.repeat(40), STACK]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/planfile-hosts: refused: the code moved since the plan was reviewed\. The synth at dddddddddddd differs from the planned synth \(planned at cccccccccccc\)/);
    expect(fs.readFileSync(h1.configFile, 'utf8')).toBe(daemonJson);
  }, 300_000);
});
