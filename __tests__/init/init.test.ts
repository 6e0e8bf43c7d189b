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
      'stacks/dev.ts', 'stacks/prod.ts', 'stacks/staging.ts', 'stacks/topology.ts', 'stacks/values.ts', 'test/topology.test.ts', 'tsconfig.json',
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
    expect(JSON.parse(out)).toEqual([{ file, errors: [], jobs: ['test', 'diff', 'deploy'] }]);
    const wf = parse(fs.readFileSync(file, 'utf8'));
    expect(['22', '24']).toContain(wf.env.NODE_VERSION);
    expect(wf.permissions).toEqual({});
    for (const job of Object.values<any>(wf.jobs)) {
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
    }
  }, 60_000);
});
