/**
 * docknet as a stranger meets it: the packed tarball installed into fresh projects in temporary
 * folders that cannot see the repository's sources. (1) The README's "Use docknet in your own cdktf
 * project" example with a plain cdktf App, synthesized twice, the second time with an unrelated
 * network added: nothing that existed moves. (2) `npx docknet init`: the scaffold installs,
 * synthesizes with a frozen plan and passes its own tests.
 *
 * Installs use the npm cache first (--prefer-offline); the registry is only asked for what the cache
 * lacks.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const OWN = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const pin = (name: string) => `${name}@${OWN.devDependencies[name]}`;

let work: string;
let tarball: string;
const timings: string[] = [];

/** The child's environment: none of the npm_* variables of the `npm test` that runs us. */
function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'DOCKNET_PLAN_FROZEN' && k !== 'INIT_CWD') e[k] = v;
  return { ...e, CHECKPOINT_DISABLE: '1', ...extra };
}

function run(what: string, cmd: string, args: string[], cwd: string, extra?: Record<string, string | undefined>): string {
  const t0 = Date.now();
  try {
    return execFileSync(cmd, args, { cwd, env: env(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed in ${cwd}: ${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  } finally {
    timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

const npmInstall = (what: string, cwd: string, specs: string[]) =>
  run(what, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], cwd);

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every stack's cdk.tf.json, by stack name. */
function readStacks(outdir: string): Record<string, any> {
  const dir = path.join(outdir, 'stacks');
  return Object.fromEntries(fs.readdirSync(dir).sort().map((s) => [s, readJson(path.join(dir, s, 'cdk.tf.json'))]));
}

/** The README section "Use docknet in your own cdktf project". */
function readmeSection(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use docknet in your own cdktf project'));
  if (!section) throw new Error('README.md has no section "## Use docknet in your own cdktf project"');
  return section;
}

/**
 * The section's own-project install lines, as a user types them: the package specs of each
 * `npm install` line that installs cdktf (its tarball path replaced by the one packed here), and its
 * tsconfig.json. No pin the README does not show.
 */
function readmeInstall(): { deps: string[]; devDeps: string[]; tsconfig: string } {
  const section = readmeSection();
  const lines = [...section.matchAll(/^npm install (.*cdktf.*)$/gm)].map((m) => m[1].split(/\s+/));
  const deps = lines.find((l) => l[0] !== '-D')?.map((spec) => (spec.endsWith('.tgz') ? tarball : spec));
  const devDeps = lines.find((l) => l[0] === '-D')?.slice(1);
  const tsconfig = section.match(/```json\n([\s\S]*?)```/)?.[1];
  if (!deps || !devDeps || !tsconfig) throw new Error('README.md: the own-project install lines (npm install ..., npm install -D ...) or the tsconfig.json block are missing');
  return { deps, devDeps, tsconfig };
}

/** The README section's TypeScript example, verbatim. */
function readmeExample(): string {
  const section = readmeSection();
  const block = section?.match(/```ts\n([\s\S]*?)```/);
  if (!block) throw new Error('README.md has no TypeScript example under "## Use docknet in your own cdktf project"');
  return block[1];
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-pkg-'));
  const pack = path.join(work, 'pack');
  fs.mkdirSync(pack);
  // `npm pack` runs prepack (the build), as `npm publish` would.
  run('npm pack', 'npm', ['pack', '--pack-destination', pack, '--loglevel=error'], ROOT);
  const [file] = fs.readdirSync(pack).filter((f) => f.endsWith('.tgz'));
  tarball = path.join(pack, file);
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(`package tests (${path.basename(tarball ?? '?')}): ${timings.join(', ')}\n`);
});

describe('the packed package', () => {
  test('holds the built library, its scripts and templates, and nothing of the lab or the tests', () => {
    const list = run('tar tzf', 'tar', ['tzf', tarball], work).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(list).toEqual(expect.arrayContaining(['package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/docknet.js', 'dist/lib/bootstrap/scripts/safe-apply.sh', 'dist/templates/init/main.ts']));
    const outsideTemplates = list.filter((f) => !f.startsWith('dist/templates/'));
    expect(outsideTemplates.filter((f) => /(^|\/)(lab|__tests__|bench|stacks|tools)\/|\.test\.|^main\.ts$|tsconfig|cdktf\.json|plan\.json/.test(f))).toEqual([]);
    expect(list.filter((f) => f.startsWith('lib/') || f.startsWith('bin/'))).toEqual([]);
  });

  test("the README's example in a fresh cdktf project with a plain App: adding a network moves nothing", () => {
    const project = path.join(work, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    fs.writeFileSync(path.join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts' }, null, 2));
    // As the README says, line by line: what the registry serves today for its specs, nothing pinned beside.
    const install = readmeInstall();
    expect(install.deps).toContain(tarball);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), install.tsconfig);
    npmInstall('install tarball + peers', project, install.deps);
    npmInstall('install dev tools', project, ['-D', ...install.devDeps]);
    // One cdktf: docknet's peers resolve to the project's own copies.
    expect(fs.existsSync(path.join(project, 'node_modules/docknet/node_modules/cdktf'))).toBe(false);
    // dockerode is a runtime dependency (the CLI's `docknet verify` and `docknet import` read engines with
    // it), but only those commands load it: the constructs (`import 'docknet'`) never do.
    expect(fs.existsSync(path.join(project, 'node_modules/dockerode'))).toBe(true);
    const loaded = (entry: string) =>
      JSON.parse(run(`load ${entry}`, 'node', ['-e', `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/]dockerode[\\\\/]/.test(k)).length))`], project));
    expect(loaded('docknet')).toBe(0);
    // The control: the engine reader of verify/import does load it, so the check above can fail.
    expect(loaded('./node_modules/docknet/dist/lib/live/engine.js')).toBeGreaterThan(0);

    const example = readmeExample();
    expect(example).toMatch(/from 'docknet'/);
    expect(example).toMatch(/new App\(/);
    fs.writeFileSync(path.join(project, 'main.ts'), example);
    // As cdktf runs the app (cdktf.json "app"); ts-node type-checks it against the package's .d.ts.
    run('synth 1', 'npx', ['ts-node', 'main.ts'], project);
    const first = readStacks(path.join(project, 'cdktf.out'));
    const record1 = readJson(path.join(project, 'docknet.plan.json'));
    expect(Object.keys(first)).toEqual(['dev-hosts', 'dev-network']);
    expect(Object.keys(record1.environments.dev.pools.bridges).length).toBeGreaterThanOrEqual(2);

    // An unrelated network, declared before the others and sorting first by key.
    const changed = example.replace(/^app\.synth\(\);/m, "h1.addBridgeNetwork('cache', { subnet: Subnet.fromPool('bridges', 24) });\napp.synth();");
    expect(changed).not.toBe(example);
    fs.writeFileSync(path.join(project, 'main.ts'), changed);
    run('synth 2', 'npx', ['ts-node', 'main.ts'], project);
    const second = readStacks(path.join(project, 'cdktf.out'));
    const record2 = readJson(path.join(project, 'docknet.plan.json'));

    // Every recorded block is kept, and every resource of the first synth is there, unchanged, under the same logical ID.
    for (const [pool, keys] of Object.entries<Record<string, string>>(record1.environments.dev.pools)) {
      for (const [key, cidr] of Object.entries(keys)) expect({ pool, key, cidr: record2.environments.dev.pools[pool][key] }).toEqual({ pool, key, cidr });
    }
    let compared = 0;
    for (const [stack, tf] of Object.entries(first)) {
      for (const [type, byId] of Object.entries<Record<string, unknown>>(tf.resource ?? {})) {
        for (const [id, config] of Object.entries(byId)) {
          expect({ stack, type, id, config: second[stack].resource?.[type]?.[id] }).toEqual({ stack, type, id, config });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    const networks = (tf: any) => Object.keys(tf['dev-network'].resource.docker_network);
    expect(networks(second).length).toBe(networks(first).length + 1);

    // The CLI is on the project's path.
    expect(run('npx docknet --help', 'npx', ['docknet', '--help'], project)).toMatch(/init/);
  }, 300_000);

  test('`npx docknet init` scaffolds a project that installs, synthesizes (frozen plan) and passes its own tests', () => {
    const consumer = path.join(work, 'init-host');
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'init-host', version: '1.0.0', private: true }));
    npmInstall('install tarball for npx', consumer, [tarball, pin('cdktf'), pin('constructs'), pin('@cdktf/provider-docker')]);
    const project = path.join(work, 'my-fleet');
    expect(run('docknet init', 'npx', ['docknet', 'init', project], consumer)).toMatch(/npm install && npm run synth/);
    const recordBefore = fs.readFileSync(path.join(project, 'docknet.plan.json'), 'utf8');
    for (const f of ['cdktf.json', 'main.ts', 'stacks/topology.ts', 'stacks/dev.ts', 'stacks/staging.ts', 'stacks/prod.ts', '.github/workflows/docknet.yml', '.gitignore', 'README.md', 'test/topology.test.ts']) {
      expect(fs.existsSync(path.join(project, f))).toBe(true);
    }
    // Nothing is written over: a second init into the same folder fails.
    expect(() => run('docknet init again', 'npx', ['docknet', 'init', project], consumer)).toThrow(/already has/);

    // The scaffold's own package.json, with docknet from the tarball instead of the registry.
    npmInstall('install scaffold', project, [tarball]);
    run('npm run synth (frozen)', 'npm', ['run', 'synth'], project, { DOCKNET_PLAN_FROZEN: '1' });
    expect(Object.keys(readStacks(path.join(project, 'cdktf.out')))).toEqual(['dev-hosts', 'dev-network', 'prod-hosts', 'prod-network', 'staging-hosts', 'staging-network']);
    expect(fs.existsSync(path.join(project, 'cdktf.out/stacks/prod-network/docknet-report.md'))).toBe(true);
    expect(fs.readFileSync(path.join(project, 'docknet.plan.json'), 'utf8')).toBe(recordBefore);
    expect(run('npm test', 'npm', ['test'], project)).toMatch(/# pass 1/);

    // The workflow's backend check, through the package (npm run gitops: dist/bin/gitops.js). A local
    // synth keeps local state, which CI refuses; with the state URL the plan and deploy jobs set from
    // their GitHub environment, every stack is on the pg backend and passes.
    expect(() => run('check-backend (local state, CI)', 'npm', ['run', '-s', 'gitops', '--', 'check-backend'], project, { CI: 'true' })).toThrow(/dev-hosts: refused in CI: its Terraform state is a local file/);
    // The workflow's plan script refuses it too, before terraform runs.
    expect(() => run('tf-stack.sh plan (local state, CI)', 'bash', ['scripts/tf-stack.sh', 'plan', 'dev-hosts'], project, { CI: 'true' })).toThrow(/dev-hosts: refused in CI: its Terraform state is a local file/);
    const ci = { CI: 'true', DOCKNET_PLAN_FROZEN: '1', DOCKNET_STATE_CONN_STR: 'postgres://db.example:5432/docknet?sslmode=require' };
    run('npm run synth (CI, state URL)', 'npm', ['run', 'synth'], project, ci);
    expect(run('check-backend (pg, CI)', 'npm', ['run', '-s', 'gitops', '--', 'check-backend'], project, ci)).toMatch(/state backends ok: dev-hosts \(pg\), .*prod-network \(pg\)/);
    // Past the backend check, apply takes only a reviewed plan file: without one, nothing is applied.
    expect(() => run('tf-stack.sh apply (no plan file)', 'bash', ['scripts/tf-stack.sh', 'apply', 'dev-hosts'], project, ci)).toThrow(
      /state backends ok: dev-hosts \(pg\)[\s\S]*dev-hosts\.tfplan does not exist: no reviewed plan for dev-hosts; nothing was applied/,
    );
  }, 400_000);
});
