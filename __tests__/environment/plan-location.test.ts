/**
 * Where the plan record lives under any cdktf App: attached in code, the context key, or next to
 * cdktf.json; never a silent in-memory plan.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { DocknetApp, DocknetEnvironment, HostConnection, PLAN_FILE_CONTEXT, PLAN_FROZEN_CONTEXT, PlanStore, Subnet, SwarmRole } from '../../lib';
import { TEST_HOST_KEY } from '../fixtures';

const dirs: string[] = [];
const cwd = process.cwd();
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterEach(() => process.chdir(cwd));
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The README's shape of topology under a plain App; `extra` adds an unrelated network. */
function topology(app: App, extra = false): Record<string, string> {
  const env = new DocknetEnvironment(app, 'dev');
  env.addPool('bridges', { cidr: '10.1.0.0/16' });
  const h1 = env.addHost('h1', { connection: HostConnection.ssh({ user: 'ops', host: '10.10.0.11', hostKey: TEST_HOST_KEY }) });
  if (extra) h1.addBridgeNetwork('cache', { subnet: Subnet.fromPool('bridges', 24) });
  const web = h1.addBridgeNetwork('web', { subnet: Subnet.fromPool('bridges', 24) });
  const db = h1.addBridgeNetwork('db', { subnet: Subnet.fromPool('bridges', 24) });
  app.synth();
  return { web: web.ipv4()!.subnet!, db: db.ipv4()!.subnet! };
}

describe('plan record location', () => {
  test('a plain App keeps the record next to cdktf.json: adding a network moves nothing', () => {
    const project = tempDir('dn-plan-project-');
    fs.writeFileSync(path.join(project, 'cdktf.json'), '{"language":"typescript","app":"node main.js"}\n');
    fs.mkdirSync(path.join(project, 'src'));
    process.chdir(path.join(project, 'src')); // found walking up
    const first = topology(new App({ outdir: tempDir('dn-plan-out-') }));
    const record = path.join(project, 'docknet.plan.json');
    expect(JSON.parse(fs.readFileSync(record, 'utf8')).environments.dev.pools.bridges).toEqual({ 'dev/h1/db': first.db, 'dev/h1/web': first.web });
    const second = topology(new App({ outdir: tempDir('dn-plan-out-') }), true);
    expect(second).toEqual(first);
  });

  test('the context key names the record (relative to the project directory)', () => {
    const project = tempDir('dn-plan-ctx-');
    fs.writeFileSync(path.join(project, 'cdktf.json'), '{}\n');
    process.chdir(project);
    const first = topology(new App({ outdir: tempDir('dn-plan-out-'), context: { [PLAN_FILE_CONTEXT]: 'plan/addresses.json' } }));
    expect(fs.existsSync(path.join(project, 'docknet.plan.json'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(project, 'plan/addresses.json'), 'utf8')).environments.dev.pools.bridges['dev/h1/web']).toBe(first.web);
    const second = topology(new App({ outdir: tempDir('dn-plan-out-'), context: { [PLAN_FILE_CONTEXT]: 'plan/addresses.json' } }), true);
    expect(second).toEqual(first);
  });

  test('frozen by context: a change the record does not have fails the synth and writes nothing', () => {
    const project = tempDir('dn-plan-frozen-');
    fs.writeFileSync(path.join(project, 'cdktf.json'), '{}\n');
    process.chdir(project);
    topology(new App({ outdir: tempDir('dn-plan-out-') }));
    const before = fs.readFileSync(path.join(project, 'docknet.plan.json'), 'utf8');
    expect(() => topology(new App({ outdir: tempDir('dn-plan-out-'), context: { [PLAN_FROZEN_CONTEXT]: true } }), true)).toThrow(/DN272[\s\S]*cache/);
    expect(fs.readFileSync(path.join(project, 'docknet.plan.json'), 'utf8')).toBe(before);
    // Unchanged topology: frozen passes.
    expect(() => topology(new App({ outdir: tempDir('dn-plan-out-'), context: { [PLAN_FROZEN_CONTEXT]: 'true' } }))).not.toThrow();
  });

  test('no cdktf.json and no context: a synth error that says how to fix it, once', () => {
    const nowhere = tempDir('dn-plan-none-');
    process.chdir(nowhere);
    expect(() => topology(new App({ outdir: tempDir('dn-plan-out-') }))).toThrow(/no plan record[\s\S]*docknet:planFile[\s\S]*PlanStore\.attach/);
    const app = new DocknetApp({ outdir: tempDir('dn-plan-out-') });
    new DocknetEnvironment(app, 'dev');
    new DocknetEnvironment(app, 'prod');
    const errors = app.validateAll();
    expect(errors.filter((e) => /no plan record/.test(e))).toHaveLength(1);
    expect(fs.readdirSync(nowhere)).toEqual([]);
  });

  test('in memory only when asked for, and one store per app', () => {
    const nowhere = tempDir('dn-plan-mem-');
    process.chdir(nowhere);
    const app = new App({ outdir: tempDir('dn-plan-out-') });
    const store = PlanStore.attach(app, PlanStore.inMemory());
    expect(topology(app)).toEqual({ db: '10.1.0.0/24', web: '10.1.1.0/24' });
    expect(PlanStore.of(app)).toBe(store);
    expect(() => PlanStore.attach(app, PlanStore.inMemory())).toThrow(/already uses the plan record \(in memory\)/);
    expect(fs.readdirSync(nowhere)).toEqual([]);
  });

  test('a plain App builds the <env>-hosts stack too (DocknetApp is not needed for daemon.json and the swarm)', () => {
    const app = new App({ outdir: tempDir('dn-plan-out-') });
    PlanStore.attach(app, PlanStore.inMemory());
    const env = new DocknetEnvironment(app, 'dev');
    env.addPool('daemon', { cidr: '10.112.0.0/16' });
    env.addHost('h1', {
      connection: HostConnection.ssh({ user: 'ops', host: '10.10.0.11', hostKey: TEST_HOST_KEY }),
      interfaces: { eth0: { address: '10.10.0.11/24' } },
      swarmRole: SwarmRole.MANAGER,
      daemon: { bip: Subnet.fromPool('daemon', 24), mtu: 1450 },
    });
    app.synth();
    const tf = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'dev-hosts', 'cdk.tf.json'), 'utf8'));
    const ids = Object.keys(tf.resource.terraform_data);
    expect(ids.some((id) => /Daemon/.test(id))).toBe(true);
    expect(ids.some((id) => /Swarm/.test(id))).toBe(true);
    expect(JSON.stringify(tf)).toContain('10.112.0.1/24'); // bip from the plan's pool
  });

  test('a bad context value is named', () => {
    const app = new App({ outdir: tempDir('dn-plan-out-'), context: { [PLAN_FROZEN_CONTEXT]: 'yes' } });
    expect(() => new DocknetEnvironment(app, 'dev')).toThrow(/context "docknet:planFrozen" is "yes"\. Expected true or false/);
  });
});
