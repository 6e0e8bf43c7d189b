/**
 * Two pull requests never share an address: two real branches in a scratch git repository, each
 * allocating a pooled network with the library's planner from the same base record. Keys far apart
 * in docknet.plan.json merge cleanly in git (the case that reached main and failed its frozen synth
 * with DN272); `docknet plan-check` on the merge result refuses it and names both owners. Keys next
 * to each other conflict in git itself. After a rebase and a fresh synth the check passes.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findDoubleAllocations, runPlanCheck } from '../../bin/plan-check';
import { AddressPlan, readPlanRecord, writePlanRecord } from '../../lib/core/address';
import { PlanStore } from '../../lib/environment/environment-plan';

const RECORD = 'docknet.plan.json';
let repo: string;

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: 'pipe' });
const tryGit = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });

/**
 * What `npm run synth` does to the record, with the example's pools: the planner keeps every recorded
 * block and gives new keys the lowest free one.
 */
function synthWith(extra: { pool: 'bridges' | 'overlays'; key: string }[]): void {
  const file = path.join(repo, RECORD);
  const plan = new AddressPlan(readPlanRecord(file));
  plan.addPool('dev', 'bridges', '10.110.0.0/16');
  plan.addPool('dev', 'overlays', '10.111.0.0/16');
  plan.request('dev', 'bridges', 'dev/dev1/backend', 24);
  plan.request('dev', 'overlays', 'dev/swarm/default-addr-pool', 20);
  plan.request('dev', 'overlays', 'dev/dev1/multihost', 24);
  for (const e of extra) plan.request('dev', e.pool, e.key, 24);
  const { record, problems } = plan.resolve();
  expect(problems).toEqual([]);
  writePlanRecord(file, record);
}

function branch(name: string, extra: { pool: 'bridges' | 'overlays'; key: string }[]): void {
  git('checkout', '-q', '-b', name, 'main');
  synthWith(extra);
  git('commit', '-qam', `${name}: add ${extra.map((e) => e.key).join(', ')}`);
}

/** docknet plan-check as the workflow runs it, in the scratch repository (record only: no app there). */
function cli(): { code: number; err: string } {
  const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.resolve(__dirname, '../../bin/docknet.ts'), 'plan-check', '--record', RECORD, '--no-synth'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_ACTIONS: '' },
  });
  return { code: r.status ?? 1, err: r.stderr };
}

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-plan-merge-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.invalid');
  git('config', 'user.name', 'docknet test');
  git('config', 'commit.gpgsign', 'false');
  synthWith([]);
  git('add', RECORD);
  git('commit', '-qm', 'base record');
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

test('keys apart: git merges both branches cleanly, plan-check on the merge names both owners of the block', () => {
  // "dev/dev1/front" sorts before "dev/dev1/multihost", "dev/dev2/mesh" after it: two separate hunks.
  branch('a', [{ pool: 'overlays', key: 'dev/dev1/front' }]);
  branch('b', [{ pool: 'overlays', key: 'dev/dev2/mesh' }]);
  const onB = readPlanRecord(path.join(repo, RECORD))!;
  git('checkout', '-q', 'a');
  const onA = readPlanRecord(path.join(repo, RECORD))!;
  expect(onA.environments.dev.pools.overlays['dev/dev1/front']).toBe('10.111.17.0/24');
  expect(onB.environments.dev.pools.overlays['dev/dev2/mesh']).toBe('10.111.17.0/24');
  // Each branch alone is sound.
  expect(cli()).toEqual({ code: 0, err: '' });

  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-ff', '-m', 'merge a', 'a');
  const merged = tryGit('merge', '--no-ff', '-m', 'merge b', 'b');
  expect(merged.status).toBe(0); // no conflict: git cannot see it
  const record = readPlanRecord(path.join(repo, RECORD))!;
  expect(record.environments.dev.pools.overlays).toMatchObject({ 'dev/dev1/front': '10.111.17.0/24', 'dev/dev2/mesh': '10.111.17.0/24' });

  const [double, ...rest] = findDoubleAllocations(record);
  expect(rest).toEqual([]);
  expect(double.owners).toEqual(['dev/dev1/front', 'dev/dev2/mesh']);
  expect(double.message).toMatch(/^docknet\.plan\.json: 10\.111\.17\.0\/24 in pool "overlays" of environment "dev" is allocated to two owners: "dev\/dev1\/front" and "dev\/dev2\/mesh"\./);
  expect(double.message).toMatch(/delete its own line from docknet\.plan\.json, run `npm run synth`/);

  const run = cli();
  expect(run.code).toBe(1);
  expect(run.err).toContain('"dev/dev1/front" and "dev/dev2/mesh"');
  expect(run.err.trim().split('\n')).toHaveLength(1);

  // The check is required, so b never lands (undo its merge) and a is deployed. The fix the message
  // gives: b rebased onto main (git rebases it cleanly, with the same double block), its own line
  // deleted, synth gives it the next free block.
  git('reset', '-q', '--hard', 'HEAD~1');
  git('checkout', '-q', 'b');
  git('rebase', '-q', 'main');
  expect(cli().code).toBe(1);
  const file = path.join(repo, RECORD);
  const fixed = readPlanRecord(file)!;
  delete fixed.environments.dev.pools.overlays['dev/dev2/mesh'];
  writePlanRecord(file, fixed);
  synthWith([{ pool: 'overlays', key: 'dev/dev1/front' }, { pool: 'overlays', key: 'dev/dev2/mesh' }]);
  const after = readPlanRecord(file)!;
  expect(after.environments.dev.pools.overlays['dev/dev1/front']).toBe('10.111.17.0/24'); // the deployed one keeps it
  expect(after.environments.dev.pools.overlays['dev/dev2/mesh']).toBe('10.111.18.0/24');
  expect(runPlanCheck({ cwd: repo, record: RECORD, synth: false }).problems).toEqual([]);
});

test('keys side by side: git itself conflicts on docknet.plan.json, so the second merge cannot land', () => {
  branch('a', [{ pool: 'bridges', key: 'dev/dev1/cache' }]);
  branch('b', [{ pool: 'bridges', key: 'dev/dev1/queue' }]);
  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-ff', '-m', 'merge a', 'a');
  const merged = tryGit('merge', '--no-ff', '-m', 'merge b', 'b');
  expect(merged.status).not.toBe(0);
  expect(merged.stdout).toContain(`CONFLICT (content): Merge conflict in ${RECORD}`);
  tryGit('merge', '--abort');
});

test('an overlap that is not the same block, and LAN ranges, are found too', () => {
  const record = {
    version: 1 as const,
    environments: {
      prod: {
        pools: { bridges: { 'prod/h1/a': '10.1.0.0/23', 'prod/h1/b': '10.1.1.0/24', 'prod/h1/c': '10.1.2.0/24' } },
        lanRanges: { lan: { h1: '10.9.0.32/27', h2: '10.9.0.32/27', h3: '10.9.0.64/27' } },
      },
    },
  };
  const found = findDoubleAllocations(record);
  expect(found.map((d) => d.owners)).toEqual([['prod/h1/a', 'prod/h1/b'], ['h1', 'h2']]);
  expect(found[0].message).toContain('10.1.0.0/23 (pool "bridges") and 10.1.1.0/24 (pool "bridges"), which overlap, of environment "prod" are allocated to two owners');
  expect(found[1].message).toContain('10.9.0.32/27 in LAN segment "lan" of environment "prod" is allocated to two owners: "h1" and "h2"');
});

describe('the frozen synth half, on the example', () => {
  const ROOT = path.resolve(__dirname, '../..');

  test('the committed record is sound and a frozen synth of the example accepts it', () => {
    expect(runPlanCheck({ cwd: ROOT })).toEqual({ problems: [] });
  }, 120_000);

  test('a record that lacks an allocation the code needs fails the frozen synth (DN272), output included', () => {
    // A copy of the project at HEAD, as a merge result would be checked out.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-plan-synth-'));
    try {
      execFileSync('sh', ['-c', `git -C "${ROOT}" archive HEAD | tar -x -C "${copy}"`]);
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      const file = path.join(copy, PlanStore.DEFAULT_FILE); // wherever the app keeps it
      const record = readPlanRecord(file)!;
      delete record.environments.dev.pools.bridges['dev/dev1/backend'];
      writePlanRecord(file, record);
      const before = fs.readFileSync(file, 'utf8');
      const result = runPlanCheck({ cwd: copy });
      expect(result.problems).toEqual([expect.stringMatching(/^the frozen synth failed: \S*docknet\.plan\.json does not match the merged code/)]);
      expect(result.synthOutput).toMatch(/DN272/);
      expect(result.synthOutput).toContain('dev/dev1/backend');
      // The app's own output, not the cdktf CLI's: each problem once, no spinner, no CLI warnings.
      const lines = result.synthOutput!.split('\n').filter((l) => /DN272/.test(l));
      expect(new Set(lines).size).toBe(lines.length);
      expect(result.synthOutput).not.toMatch(/\x1b\[|terraformrc|\[ERROR\]/);
      expect(fs.readFileSync(file, 'utf8')).toBe(before); // frozen: the check never rewrites the record
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
