/**
 * `docknet init` from the sources: what it writes and refuses. The packed-package test
 * (__tests__/package) installs, synthesizes and runs the scaffold's own tests.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { init } from '../../lib/init/init';
import { backendProblems, listStacks, readBackend } from '../../bin/gitops';

const ROOT = path.resolve(__dirname, '../..');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-init-'));
  dirs.push(d);
  return d;
}

describe('docknet init', () => {
  test('writes the project, with dotfiles under their real names and pins from docknet itself', () => {
    const dir = path.join(tempDir(), 'My Fleet');
    const r = init({ dir });
    expect(r.name).toBe('my-fleet');
    expect(r.files).toEqual([
      '.github/workflows/docknet.yml', '.gitignore', 'README.md', 'cdktf.json', 'docknet.plan.json', 'main.ts', 'package.json',
      'scripts/tf-stack.sh', 'stacks/dev.ts', 'stacks/prod.ts', 'stacks/staging.ts', 'stacks/topology.ts', 'stacks/values.ts', 'test/topology.test.ts', 'tsconfig.json',
    ]);
    const own = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({
      '@cdktf/provider-docker': own.devDependencies['@cdktf/provider-docker'],
      cdktf: own.devDependencies.cdktf,
      constructs: own.devDependencies.constructs,
      docknet: `^${own.version}`,
    });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8')).projectId).toBe('my-fleet');
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^# my-fleet\n[\s\S]*npm install && npm run synth[\s\S]*npm test/);
  });

  test('refuses to write over anything, and writes nothing then', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'main.ts'), 'mine\n');
    expect(() => init({ dir, name: 'x' })).toThrow(/already has main\.ts; nothing was written/);
    expect(fs.readdirSync(dir)).toEqual(['main.ts']);
    expect(() => init({ dir: tempDir(), name: 'Bad Name' })).toThrow(/"Bad Name" is not a valid package name/);
  });

  test("the scaffold's workflow passes GitHub's parser, on a maintained Node LTS, with pinned actions", () => {
    const dir = path.join(tempDir(), 'p');
    init({ dir });
    const file = path.join(dir, '.github/workflows/docknet.yml');
    const out = execFileSync(process.execPath, [path.resolve(__dirname, '../report/workflow-lint.mjs'), file], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      { file, errors: [], jobs: ['test', 'plan-check', 'review', 'plan', 'comment', 'gate', 'find-plan', 'deploy-dev', 'deploy-staging', 'deploy-prod'] },
    ]);
    const wf = parse(fs.readFileSync(file, 'utf8'));
    // The LTS line and Terraform release docknet's own workflow uses.
    const own = parse(fs.readFileSync(path.join(ROOT, '.github/workflows/docknet.yml'), 'utf8'));
    expect(wf.env.NODE_VERSION).toBe(own.env.NODE_VERSION);
    expect(wf.env.TERRAFORM_VERSION).toBe(own.env.TERRAFORM_VERSION);
    expect(wf.permissions).toEqual({});
    for (const job of Object.values<any>(wf.jobs)) {
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
    }
  }, 60_000);

  describe("the scaffold's GitOps workflow is the one docs/gitops.md describes", () => {
    let dir: string;
    let text: string;
    let script: string;
    let wf: any;
    type Job = Record<string, any>;
    const runs = (job: Job): string => (job.steps ?? []).map((s: any) => s.run ?? '').join('\n');
    /** Runs terraform against an environment's state (plan or apply through the script). */
    const touchesState = (job: Job): boolean => /tf-stack\.sh (plan|apply)|^\s*terraform /m.test(runs(job));
    beforeAll(() => {
      dir = path.join(tempDir(), 'my-fleet');
      init({ dir });
      text = fs.readFileSync(path.join(dir, '.github/workflows/docknet.yml'), 'utf8');
      script = fs.readFileSync(path.join(dir, 'scripts/tf-stack.sh'), 'utf8');
      wf = parse(text);
    });

    test('no fresh plan is ever applied: no cdktf deploy, no -auto-approve; deploys apply the reviewed plan file', () => {
      expect(text).not.toMatch(/cdktf deploy|auto-approve/);
      expect(script).not.toMatch(/auto-approve|cdktf deploy/);
      expect(script).toMatch(/terraform -chdir="\$dir" apply [^\n]*"\$stack\.tfplan"/);
      expect(script).toContain('-out="$stack.tfplan"');
      expect(script).toContain('Saved plan is stale');
      // Plans on pull requests, with the <env>-plan (read-only) credentials, kept as artifacts.
      expect(wf.jobs.plan.if).toBe("github.event_name == 'pull_request'");
      expect(wf.jobs.plan.environment.name).toBe('${{ matrix.environment }}-plan');
      expect(wf.jobs.plan.strategy.matrix.include).toEqual(['dev', 'staging', 'prod'].map((e) => ({ environment: e, stacks: e })));
      expect(runs(wf.jobs.plan)).toMatch(/bash scripts\/tf-stack\.sh plan "\$stack"/);
      expect(runs(wf.jobs.plan)).toContain('npm run -s gitops -- digest --out cdktf.out/synth.json');
    });

    test('deploys dev -> staging -> prod, each behind its environment, downloading, verifying and applying the plan', () => {
      let previous = 'test';
      for (const env of ['dev', 'staging', 'prod']) {
        const job = wf.jobs[`deploy-${env}`];
        expect(job.environment.name).toBe(env);
        expect(job.needs).toEqual([previous, 'find-plan']);
        expect(job.env.STACKS).toBe(env);
        expect(job.concurrency).toEqual({ group: `docknet-deploy-${env}`, 'cancel-in-progress': false });
        const steps = job.steps as any[];
        const download = steps.findIndex((s) => String(s.uses ?? '').startsWith('actions/download-artifact@'));
        const verify = steps.findIndex((s) => /gitops -- verify --planned planned\/synth\.json/.test(s.run ?? ''));
        const apply = steps.findIndex((s) => /bash scripts\/tf-stack\.sh apply "\$stack"/.test(s.run ?? ''));
        expect({ env, download: download > -1, verify: verify > download, apply: apply > verify }).toEqual({ env, download: true, verify: true, apply: true });
        previous = `deploy-${env}`;
      }
    });

    test('plan-check runs on the merge result and in the merge queue; the backend is checked before any state is touched', () => {
      expect(wf.on).toHaveProperty('merge_group');
      expect(wf.jobs['plan-check'].if).toContain("github.event_name == 'merge_group'");
      expect(runs(wf.jobs['plan-check'])).toContain('npm run -s docknet -- plan-check');
      expect(wf.env.DOCKNET_PLAN_FROZEN).toBe('1');
      const touching = Object.entries<Job>(wf.jobs).filter(([, j]) => touchesState(j));
      expect(touching.map(([id]) => id).sort()).toEqual(['deploy-dev', 'deploy-prod', 'deploy-staging', 'plan']);
      for (const [id, job] of touching) {
        const r = runs(job);
        const check = r.indexOf('npm run -s gitops -- check-backend');
        expect({ id, checked: check > -1 && check < r.indexOf('tf-stack.sh') }).toEqual({ id, checked: true });
        // Where the state is comes from the GitHub environment; role and password never from code.
        expect(job.env).toMatchObject({
          DOCKNET_STATE_CONN_STR: '${{ vars.DOCKNET_STATE_CONN_STR }}',
          PGUSER: '${{ vars.DOCKNET_PG_USER }}',
          PGPASSWORD: '${{ secrets.DOCKNET_PG_PASSWORD }}',
        });
      }
      // The script checks again before its init, and calls docknet as the project's dependency.
      expect(script.indexOf('gitops check-backend')).toBeLessThan(script.indexOf('init -input=false'));
      // One script for both (bin/tf-stack.sh): next to no gitops.ts, it calls the installed CLIs
      // (the package test runs it in an installed scaffold).
      expect(script).toBe(fs.readFileSync(path.join(ROOT, 'bin/tf-stack.sh'), 'utf8'));
      expect(fs.existsSync(path.join(dir, 'scripts/gitops.ts'))).toBe(false);
      expect(script).toMatch(/if \[ -f "\$here\/gitops\.ts" \]; then[\s\S]*else[\s\S]*gitops\(\) \{ npm run -s gitops -- "\$@"; \}\n\s*docknet\(\) \{ npx --no-install docknet "\$@"; \}/);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.scripts.gitops).toBe('node node_modules/docknet/dist/bin/gitops.js');
      expect(fs.existsSync(path.join(ROOT, 'bin/gitops.ts'))).toBe(true); // compiled to dist/bin/gitops.js (tsconfig.build.json)
    });

    /**
     * Synthesizes the scaffold with `cdktf synth`'s command (cdktf.json's app) in a child process,
     * with "docknet" resolved to this repository's sources and cdktf/constructs to its node_modules.
     */
    function synthScaffold(extra: Record<string, string>): string {
      const hook = path.join(dir, '..', 'resolve-docknet.js');
      fs.writeFileSync(
        hook,
        `const Module = require('module');\nconst orig = Module._resolveFilename;\n` +
          `Module._resolveFilename = function (request, ...rest) {\n` +
          `  return orig.call(this, request === 'docknet' ? ${JSON.stringify(path.join(ROOT, 'lib/index.ts'))} : request, ...rest);\n};\n`,
      );
      fs.rmSync(path.join(dir, 'cdktf.out'), { recursive: true, force: true });
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CHECKPOINT_DISABLE: '1', NODE_PATH: path.join(ROOT, 'node_modules'), DOCKNET_PLAN_FROZEN: '1', ...extra };
      execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-r', hook, 'main.ts'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return path.join(dir, 'cdktf.out');
    }

    test("the scaffold's synth, with the environment the workflow gives its jobs, passes check-backend in CI; without it, a local synth works and CI refuses", () => {
      const connStr = 'postgres://db.example:5432/docknet?sslmode=require';
      const password = 'pw-never-in-synth-5c1e';
      const out = synthScaffold({ CI: 'true', GITHUB_ACTIONS: 'true', DOCKNET_STATE_CONN_STR: connStr, PGUSER: 'docknet_deploy', PGPASSWORD: password });
      const stacks = listStacks(out);
      expect(stacks.sort()).toEqual(['dev-hosts', 'dev-network', 'prod-hosts', 'prod-network', 'staging-hosts', 'staging-network']);
      expect(stacks.flatMap((s) => backendProblems(readBackend(out, s), true))).toEqual([]);
      for (const s of stacks) expect(readBackend(out, s)).toMatchObject({ type: 'pg', config: { conn_str: connStr } });
      for (const s of stacks) expect(fs.readFileSync(path.join(out, 'stacks', s, 'cdk.tf.json'), 'utf8')).not.toMatch(/pw-never-in-synth|docknet_deploy/);
      // The same through the command the workflow runs (bin/gitops.ts is dist/bin/gitops.js in the package).
      const ok = execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'bin/gitops.ts'), 'check-backend', '--dir', out, 'dev-hosts', 'dev-network'], { env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
      expect(ok).toContain('dev-hosts (pg), dev-network (pg)');

      // A local synth needs no database; the same synth in CI is refused for every stack.
      const local = synthScaffold({});
      const problems = listStacks(local).flatMap((s) => backendProblems(readBackend(local, s), true));
      expect(problems).toHaveLength(6);
      for (const p of problems) expect(p).toMatch(/refused in CI: its Terraform state is a local file/);
      fs.rmSync(local, { recursive: true, force: true });
    }, 240_000);
  });
});
