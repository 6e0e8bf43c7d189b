/**
 * The scheduled verify workflow shipped for users (.github/workflows/docknet-verify.yml): GitHub's
 * own parser accepts it, and the policies docs/verify.md promises hold.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const FILE = path.resolve(__dirname, '../../.github/workflows/docknet-verify.yml');
const LINT = path.resolve(__dirname, '../report/workflow-lint.mjs');
const text = fs.readFileSync(FILE, 'utf8');
const wf = parse(text);
type Job = Record<string, any>;
const jobs: [string, Job][] = Object.entries(wf.jobs as Record<string, Job>);
const ENVS = ['dev', 'staging', 'prod'];

describe('docknet-verify workflow', () => {
  test("GitHub's workflow parser reports no errors", () => {
    const [r] = JSON.parse(execFileSync(process.execPath, [LINT, FILE], { encoding: 'utf8' }));
    expect(r.errors).toEqual([]);
    expect(r.jobs).toEqual(ENVS.flatMap((e) => [`verify-${e}`, `issue-${e}`]));
  }, 60_000);

  test('Node is the LTS line the GitOps workflow uses (20 is past its end of life), in every job that sets up Node', () => {
    const gitops = parse(fs.readFileSync(path.resolve(__dirname, '../../.github/workflows/docknet.yml'), 'utf8'));
    expect(wf.env.NODE_VERSION).toBe(gitops.env.NODE_VERSION);
    const major = Number(wf.env.NODE_VERSION);
    expect(Number.isInteger(major) && major % 2 === 0 && major >= 22).toBe(true);
    const setups = jobs.flatMap(([, j]) => (j.steps ?? []).filter((s: any) => String(s.uses ?? '').startsWith('actions/setup-node@')));
    expect(setups.length).toBeGreaterThan(0);
    for (const s of setups) expect(s.with['node-version']).toBe('${{ env.NODE_VERSION }}');
  });

  test('runs on a schedule and by hand', () => {
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.on).toHaveProperty('workflow_dispatch');
  });

  test('every environment of the example is verified behind its GitHub environment, read-only', () => {
    for (const env of ENVS) {
      const j = wf.jobs[`verify-${env}`];
      expect(j.environment.name).toBe(env);
      expect(j.permissions).toEqual({ contents: 'read' });
      const run = j.steps.map((s: any) => s.run ?? '').join('\n');
      expect(run).toContain(`npm run -s docknet -- verify ${env} `);
      // 0, 2 and 5 are answers for the issue job; anything else (1) fails the job.
      expect(run).toMatch(/case "\$code" in 0\|2\|5\) exit 0 ;; \*\) exit "\$code" ;; esac/);
      // Host keys come from the environment's known_hosts; nothing turns checking off.
      expect(run).toContain('~/.ssh/known_hosts');
    }
    expect(text).not.toMatch(/StrictHostKeyChecking=no/);
  });

  test('the job that writes issues holds no secret; the one with secrets cannot write', () => {
    expect(wf.permissions).toEqual({});
    for (const env of ENVS) {
      const issue = wf.jobs[`issue-${env}`];
      expect(issue.permissions).toEqual({ issues: 'write' });
      expect(issue.needs).toBe(`verify-${env}`);
      expect(JSON.stringify(issue)).not.toContain('secrets.');
      const script: string = issue.steps[0].with.script;
      // Opens or updates one issue per environment (found by its marker), closes it when in sync.
      expect(script).toContain('`<!-- docknet:verify:${env} -->`');
      expect(script).toMatch(/issues\.update\(.*title, body/);
      expect(script).toMatch(/issues\.create\(/);
      expect(script).toMatch(/state: 'closed'/);
    }
  });

  test('every job has permissions and a timeout; every action is pinned to a commit', () => {
    for (const [id, job] of jobs) {
      expect({ id, permissions: job.permissions !== undefined, timeout: typeof job['timeout-minutes'] }).toEqual({ id, permissions: true, timeout: 'number' });
      for (const s of job.steps) if (s.uses) expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
    }
  });
});
