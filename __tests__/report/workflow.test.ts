/**
 * Lints the GitHub workflows shipped for users: GitHub's own parser must accept them, and the
 * policies the docs promise must hold (permissions and timeouts on every job, environments and
 * per-environment concurrency on deploys, actions pinned to commit SHAs).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

const DIR = path.resolve(__dirname, '../../.github/workflows');
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(DIR, f));
const MAIN = path.join(DIR, 'docknet.yml');

type Job = Record<string, any>;
const workflow = parse(fs.readFileSync(MAIN, 'utf8'));
const jobs: [string, Job][] = Object.entries(workflow.jobs as Record<string, Job>);
const deployJobs = jobs.filter(([, j]) => (j.steps ?? []).some((s: any) => /cdktf deploy/.test(s.run ?? '')));

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
    // The job that runs the PR's code never holds a write token.
    const plan = workflow.jobs.plan;
    expect(Object.values(plan.permissions ?? {}).every((v) => v === 'read')).toBe(true);
    expect(workflow.jobs.comment.permissions).toEqual({ 'pull-requests': 'write' });
  });

  test('every job has a timeout', () => {
    for (const [id, job] of jobs) {
      expect({ id, timeout: typeof job['timeout-minutes'] }).toEqual({ id, timeout: 'number' });
      expect(job['timeout-minutes']).toBeLessThanOrEqual(60);
    }
  });

  test('deploys: one per environment, in order, behind environments and per-environment concurrency', () => {
    expect(deployJobs.map(([id]) => id)).toEqual(['deploy-dev', 'deploy-staging', 'deploy-prod']);
    let previous = 'test';
    for (const [id, job] of deployJobs) {
      const env = id.replace('deploy-', '');
      expect(job.environment?.name ?? job.environment).toBe(env);
      expect(job.needs).toBe(previous);
      expect(job.concurrency).toEqual({ group: `docknet-deploy-${env}`, 'cancel-in-progress': false });
      expect(job.if).toContain("github.event_name == 'push'");
      expect(job.steps.map((s: any) => s.run ?? '').join('\n')).toContain(`npx cdktf deploy ${env}-hosts ${env}-network --auto-approve`);
      previous = id;
    }
  });

  test('every action is pinned to a full commit SHA', () => {
    for (const file of FILES) {
      const uses = [...fs.readFileSync(file, 'utf8').matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]);
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
  });

  test('PRs: diff and report end in one sticky comment; replacements and drift need labels', () => {
    const text = fs.readFileSync(MAIN, 'utf8');
    expect(text).toContain('docknet -- diff --base ../base/cdktf.out --head cdktf.out');
    expect(text).toContain('docknet -- report --dir cdktf.out');
    expect(text).toContain('<!-- docknet:pr-report -->');
    expect(text).toContain('updateComment');
    expect(workflow.jobs.gate.steps[0].env.ALLOW_REPLACEMENTS).toContain('docknet/allow-replacements');
    expect(workflow.on.pull_request.types).toEqual(expect.arrayContaining(['labeled', 'unlabeled']));
  });
});
