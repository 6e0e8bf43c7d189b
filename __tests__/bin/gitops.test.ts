/**
 * bin/gitops.ts, the workflow's guards: local state refused in CI, no password in a backend, a saved
 * plan applied only to the synth it was made from, the plan role's backend flags. The example's own
 * synth is checked too: every environment keeps remote state without a secret in cdk.tf.json.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendProblems, digestProblems, digestStacks, listStacks, planBackendConfig, readBackend } from '../../bin/gitops';
import { DocknetApp, PlanStore } from '../../lib';
import { buildEnvironment } from '../../stacks/topology';
import { dev } from '../../stacks/dev';
import { staging } from '../../stacks/staging';
import { prod } from '../../stacks/prod';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A synth folder with hand-written stacks. */
function synthDir(stacks: Record<string, object>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-gitops-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ stacks: Object.fromEntries(Object.keys(stacks).map((s) => [s, {}])) }));
  for (const [name, doc] of Object.entries(stacks)) {
    fs.mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(doc));
  }
  return dir;
}
const pg = (conn: string) => ({ terraform: { backend: { pg: { conn_str: conn, schema_name: 's' } } } });
const local = { terraform: { backend: { local: { path: '/runner/work/terraform.dev-hosts.tfstate' } } } };

describe('check-backend', () => {
  const dir = synthDir({ 'dev-hosts': local, 'dev-network': {}, 'prod-hosts': pg('postgres://state/docknet'), 'prod-network': pg('postgres://:hunter2@state/docknet') });

  test('local or no state is refused in CI, with the reason; allowed on a workstation', () => {
    const [problem] = backendProblems(readBackend(dir, 'dev-hosts'), true);
    expect(problem).toMatch(/^dev-hosts: refused in CI: its Terraform state is a local file \(\/runner\/work\/terraform\.dev-hosts\.tfstate\)/);
    expect(problem).toMatch(/discarded after the job/);
    expect(problem).toMatch(/stateConnStr in stacks\/<env>\.ts/);
    expect(backendProblems(readBackend(dir, 'dev-network'), true)[0]).toMatch(/the stack declares no backend/);
    expect(backendProblems(readBackend(dir, 'dev-hosts'), false)).toEqual([]);
    expect(backendProblems(readBackend(dir, 'prod-hosts'), true)).toEqual([]);
  });

  test.each([
    ['postgres://docknet:hunter2@state/docknet', true],
    ['postgres://docknet@state/docknet?password=hunter2', true],
    ['host=state password=hunter2', true],
    // As libpq reads them (the regex check let these through):
    ['host=state password = hunter2', true],
    ["host=state password='hunter 2'", true],
    ['postgresql://docknet:@state/docknet?password=hunter2&sslmode=require', true],
    ['postgres://state/docknet?sslmode=require', false],
    ['host=state dbname=docknet', false],
  ])('a password in conn_str is refused everywhere: %s', (conn, refused) => {
    const problems = backendProblems({ stack: 'x', type: 'pg', config: { conn_str: conn } }, false);
    expect(problems.length > 0).toBe(refused);
    if (refused) expect(problems[0]).toMatch(/PGPASSWORD/);
  });

  test('the CLI reports every problem of the synth together and exits 1; CI=true is what turns local state into an error', () => {
    const cli = (env: Record<string, string>) => {
      try {
        execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.resolve(__dirname, '../../bin/gitops.ts'), 'check-backend', '--dir', dir], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
        return { code: 0, err: '' };
      } catch (e) {
        return { code: (e as { status: number }).status, err: (e as { stderr: string }).stderr };
      }
    };
    const ci = cli({ CI: 'true', GITHUB_ACTIONS: '' });
    expect(ci.code).toBe(1);
    expect(ci.err.match(/^gitops: /gm)).toHaveLength(3); // dev-hosts, dev-network, prod-network's password
    const laptop = cli({ CI: '' });
    expect(laptop.code).toBe(1);
    expect(laptop.err.match(/^gitops: /gm)).toHaveLength(1); // the password only
  }, 30_000);
});

describe('digest and verify: the saved plan only for the synth it was made from', () => {
  test('an unchanged synth verifies; a changed or unplanned stack is refused with both hashes', () => {
    const planned = synthDir({ 'dev-hosts': pg('postgres://a@b/c'), 'dev-network': { resource: { x: 1 } } });
    const digest = digestStacks(planned, ['dev-network', 'dev-hosts'], 'a'.repeat(40));
    expect(Object.keys(digest.stacks)).toEqual(['dev-hosts', 'dev-network']);
    expect(digestProblems(digest, digestStacks(planned, ['dev-hosts', 'dev-network'], 'b'.repeat(40)))).toEqual([]);

    const moved = synthDir({ 'dev-hosts': pg('postgres://a@b/c'), 'dev-network': { resource: { x: 2 } }, 'prod-hosts': {} });
    const problems = digestProblems(digest, digestStacks(moved, ['dev-hosts', 'dev-network', 'prod-hosts'], 'c'.repeat(40)));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^dev-network: refused: the code moved since the plan was reviewed\. The synth at cccccccccccc differs from the planned synth \(planned at aaaaaaaaaaaa\)/);
    expect(problems[0]).toContain(`${digestStacks(moved, ['dev-network']).stacks['dev-network'].slice(0, 12)} ≠ ${digest.stacks['dev-network'].slice(0, 12)}`);
    expect(problems[0]).toMatch(/nothing was applied/);
    expect(problems[1]).toMatch(/^prod-hosts: no reviewed plan exists for this stack/);
  });
});

describe('plan-backend-config', () => {
  test('no DDL for the read-only role, and no role in the flags (a saved plan carries them into the apply)', () => {
    const b = { stack: 's', type: 'pg', config: { conn_str: 'postgres://state.internal/docknet?sslmode=require' } };
    expect(planBackendConfig(b)).toEqual([
      '-backend-config=skip_schema_creation=true',
      '-backend-config=skip_table_creation=true',
      '-backend-config=skip_index_creation=true',
    ]);
    expect(planBackendConfig({ stack: 's', type: 'local', config: {} })).toEqual([]);
  });

  test.each([
    ['postgres://docknet@state.internal/docknet', 'docknet'],
    ['postgresql://docknet@/postgres?host=%2Ftmp', 'docknet'],
    ['postgres://state.internal/docknet?user=docknet', 'docknet'],
    ['host=state user=docknet', 'docknet'],
    ['postgres://state.internal/docknet?sslmode=require', undefined],
    ['postgres:///postgres?host=%2Ftmp', undefined],
  ])('a role named in conn_str is refused in CI (plan and deploy need their own): %s', (conn, user) => {
    const problems = backendProblems({ stack: 'x', type: 'pg', config: { conn_str: conn } }, true);
    if (user) expect(problems).toEqual([expect.stringContaining(`names the user "${user}"`)]);
    else expect(problems).toEqual([]);
    expect(backendProblems({ stack: 'x', type: 'pg', config: { conn_str: conn } }, false)).toEqual([]);
  });
});

test('the example: every environment keeps remote state (pg), no password in cdk.tf.json, as CI requires', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-gitops-example-'));
  dirs.push(outdir);
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  for (const v of [dev, staging, prod]) buildEnvironment(app, v);
  app.synth();
  const stacks = listStacks(outdir);
  expect(stacks).toHaveLength(6);
  for (const s of stacks) {
    const b = readBackend(outdir, s);
    expect({ s, type: b.type, problems: backendProblems(b, true) }).toEqual({ s, type: 'pg', problems: [] });
    expect(fs.readFileSync(path.join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8')).not.toMatch(/password/i);
  }
}, 60_000);
