import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, DocknetApp, DocknetEnvironment, HostConnection, PlanStore, Subnet, SwarmBootstrap, SwarmRole } from '../../lib';
import { readModel } from '../../lib/report/model-file';
import { compareEnvironments } from '../../lib/report/promote';
import { readSynthDir } from '../../lib/report/synth';
import { diffStacks } from '../../lib/report/diff-compute';
import { renderDiffMarkdown } from '../../lib/report/diff-render';
import { collectReports } from '../../lib/report/collect';
import { failureOf } from '../fixtures';

/** A placeholder sshd public key: every ssh host declares one (DN520). */
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ1Uy3D91jCBVrov6McCCYMKF03qUa0YAfqwh3pj4P+6';

/** An environment of `perShard` hosts in each of `shards` (or unsharded), the first host the manager. */
function fleet(name: string, shards: string[] | undefined, perShard: number, outdir: string, app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() })) {
  const env = new DocknetEnvironment(app, name, {
    shards,
    swarm: { defaultAddrPools: [Subnet.fromPool('overlays', 20, 'swarm/default-addr-pool')] },
  });
  env.addPool('bridges', { cidr: '10.50.0.0/16' });
  env.addPool('overlays', { cidr: '10.51.0.0/16' });
  env.addPool('daemon', { cidr: '10.52.0.0/16' });
  const groups = shards ?? [undefined];
  const hosts = groups.flatMap((shard, s) =>
    Array.from({ length: perShard }, (_, i) => {
      const n = s * perShard + i + 1;
      return env.addHost(`${name}${n}`, {
        shard,
        slot: `host ${n}`,
        connection: HostConnection.ssh({ user: 'ops', host: `10.9.0.${10 + n}`, hostKey: KEY }),
        // Swarm members advertise an interface address (DN112).
        interfaces: { eth0: { address: `10.9.0.${10 + n}/24` } },
        swarmRole: n === 1 ? SwarmRole.MANAGER : SwarmRole.WORKER,
        daemon: { bip: Subnet.fromPool('daemon', 24, `${name}${n}/bip`), mtu: 1500 },
      });
    }),
  );
  const overlay = hosts[0].addOverlayNetwork('multihost', { subnet: Subnet.fromPool('overlays', 24), attachable: true });
  for (const h of hosts) {
    const br = h.addBridgeNetwork('backend', { subnet: Subnet.fromPool('bridges', 24) });
    h.addContainer('db', { image: 'busybox:1.36', networks: [{ network: br }] });
    h.addContainer('api', { image: 'busybox:1.36', networks: [{ network: overlay, aliases: ['api'] }] });
  }
  return { app, env, hosts };
}

const tf = (outdir: string, stack: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));

describe('a sharded environment', () => {
  let outdir: string;
  beforeEach(() => (outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-shards-'))));
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('one pair of stacks per shard, each shard\'s hosts in its own stacks, one model for the environment', () => {
    const { app } = fleet('fleet', ['rack-a', 'rack-b', 'rack-c'], 3, outdir);
    app.synth();
    const stacks = fs.readdirSync(path.join(outdir, 'stacks')).sort();
    expect(stacks).toEqual(['fleet-rack-a-hosts', 'fleet-rack-a-network', 'fleet-rack-b-hosts', 'fleet-rack-b-network', 'fleet-rack-c-hosts', 'fleet-rack-c-network']);
    // Only its shard's providers and daemon rollouts.
    expect(Object.values(tf(outdir, 'fleet-rack-b-network').provider.docker).map((p: any) => p.alias)).toEqual(['fleet4', 'fleet5', 'fleet6']);
    const rollouts = Object.keys(tf(outdir, 'fleet-rack-c-hosts').resource.terraform_data).filter((k) => /Daemon/.test(k));
    expect(rollouts.every((k) => /fleet[789]/.test(k))).toBe(true);
    expect(rollouts.length).toBeGreaterThan(0);

    const m = readModel(path.join(outdir, 'stacks', 'fleet-rack-b-network'));
    expect(m).toMatchObject({ version: 2, environment: 'fleet', stack: 'fleet-rack-b-network', shard: 'rack-b', stacks: { network: 'fleet-rack-b-network', hosts: 'fleet-rack-b-hosts' } });
    expect(m.stacks.shards).toEqual([
      { name: 'rack-a', network: 'fleet-rack-a-network', hosts: 'fleet-rack-a-hosts' },
      { name: 'rack-b', network: 'fleet-rack-b-network', hosts: 'fleet-rack-b-hosts' },
      { name: 'rack-c', network: 'fleet-rack-c-network', hosts: 'fleet-rack-c-hosts' },
    ]);
    expect(m.hosts.map((h) => `${h.name}:${h.shard}`)).toEqual(['fleet1:rack-a', 'fleet2:rack-a', 'fleet3:rack-a', 'fleet4:rack-b', 'fleet5:rack-b', 'fleet6:rack-b', 'fleet7:rack-c', 'fleet8:rack-c', 'fleet9:rack-c']);
    expect(new Set(m.resources.map((r) => r.stack)).size).toBe(6);
    // Slots are the environment's: no two shards both have a "worker 1".
    expect(new Set(m.hosts.map((h) => h.slot)).size).toBe(9);
  });

  test('one address plan: no block is handed out twice across shards', () => {
    const { app } = fleet('fleet', ['rack-a', 'rack-b', 'rack-c'], 3, outdir);
    app.synth();
    const m = readModel(path.join(outdir, 'stacks', 'fleet-rack-a-network'));
    const subnets = m.networks.map((n) => n.ipv4?.subnet).filter(Boolean);
    const bips = m.hosts.flatMap((h) => h.daemonRanges.map((r) => r.cidr));
    expect(subnets.length).toBe(10);
    expect(new Set([...subnets, ...bips]).size).toBe(subnets.length + bips.length);
  });

  test('the overlay lives in the manager\'s shard; other shards attach to it by name and join the swarm through the manager', () => {
    const { app } = fleet('fleet', ['rack-a', 'rack-b', 'rack-c'], 3, outdir);
    app.synth();
    const a = tf(outdir, 'fleet-rack-a-network');
    const b = tf(outdir, 'fleet-rack-b-network');
    expect(Object.values(a.resource.docker_network).map((n: any) => n.name)).toContain('multihost');
    expect(Object.values(b.resource.docker_network).map((n: any) => n.name)).not.toContain('multihost');
    const apiA: any = Object.values(a.resource.docker_container).find((c: any) => c.name === 'api' && c.provider === 'docker.fleet1');
    const apiB: any = Object.values(b.resource.docker_container).find((c: any) => c.name === 'api' && c.provider === 'docker.fleet4');
    expect(apiA.networks_advanced[0].name).toMatch(/^\$\{docker_network\..*\.name\}$/);
    expect(apiB.networks_advanced[0]).toEqual({ name: 'multihost', aliases: ['api'] });
    // No state reads another: no remote state, no outputs consumed across stacks.
    expect(JSON.stringify(b)).not.toMatch(/terraform_remote_state|rack-a/);

    const hostsA = tf(outdir, 'fleet-rack-a-hosts').resource.terraform_data;
    const hostsB = tf(outdir, 'fleet-rack-b-hosts').resource.terraform_data;
    expect(Object.keys(hostsA).some((k) => /Swarm_Init/.test(k))).toBe(true);
    expect(Object.keys(hostsB).some((k) => /Swarm_Init/.test(k))).toBe(false);
    const joins = Object.entries(hostsB).filter(([k]) => /Swarm_Join/.test(k)).map(([, v]) => v as any);
    expect(joins.map((j) => j.input.member).sort()).toEqual(['fleet4', 'fleet5', 'fleet6']);
    for (const j of joins) {
      expect(j.triggers_replace.swarm).toBe('via 10.9.0.11');
      const env = j.provisioner[0]['local-exec'].environment;
      // The manager is reached over ssh exactly as an unsharded join reaches it (its host key checked);
      // the token is never in the state.
      expect(env.DOCKNET_MANAGER_DEST).toBe('ops@10.9.0.11');
      expect(env.DOCKNET_KNOWN_HOSTS.split('\n')).toContain(`10.9.0.11 ${KEY}`);
      expect(env.DOCKNET_MANAGER_ADDR).toBe('10.9.0.11');
      expect(JSON.stringify(j)).not.toMatch(/SWMTKN-1-/);
    }
    // Ordering only: the other shards deploy after the manager's.
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks['fleet-rack-b-hosts'].dependencies).toContain('fleet-rack-a-hosts');
    expect(manifest.stacks['fleet-rack-c-network'].dependencies).toEqual(expect.arrayContaining(['fleet-rack-a-network', 'fleet-rack-c-hosts']));
    expect(manifest.stacks['fleet-rack-a-network'].dependencies).toEqual(['fleet-rack-a-hosts']);
  });

  test('promote compares a sharded environment with an unsharded one of the same shape as one environment', () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    fleet('big', ['rack-a', 'rack-b', 'rack-c'], 2, outdir, app);
    fleet('small', undefined, 6, outdir, app);
    app.synth();
    const result = compareEnvironments(readSynthDir(outdir), 'small', 'big');
    expect(result.structural).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test('diff and report treat the environment as one and name the shard a change touches', () => {
    const baseDir = outdir;
    fleet('fleet', ['rack-a', 'rack-b', 'rack-c'], 3, baseDir).app.synth();
    const headDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-shards-head-'));
    try {
      const { app, hosts } = fleet('fleet', ['rack-a', 'rack-b', 'rack-c'], 3, headDir);
      hosts[4].addContainer('cache', { image: 'busybox:1.36' });
      app.synth();
      const result = diffStacks(readSynthDir(baseDir), readSynthDir(headDir));
      expect(result.changes.map((c) => [c.env, c.shard, c.stack, c.host, c.kind])).toEqual([['fleet', 'rack-b', 'fleet-rack-b-network', 'fleet5', 'add']]);
      const md = renderDiffMarkdown(result);
      expect(md).toContain('#### Environment `fleet` · shard `rack-b`');
      expect(md).toContain('**Host `fleet5`** (shard `rack-b`)');
      // One report for the environment, in its first shard's folder, titled by the environment.
      const reports = collectReports(headDir);
      expect(reports.map((r) => r.stack)).toEqual(['fleet-rack-a-network']);
      expect(reports[0].content).toContain('Topology `fleet` (shards `rack-a`, `rack-b`, `rack-c`)');
    } finally {
      fs.rmSync(headDir, { recursive: true, force: true });
    }
  });

  test('bad shard input: clear errors naming the value and the fix', () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    expect(() => new DocknetEnvironment(app, 'x', { shards: ['Rack A'] })).toThrow(/shards \["Rack A"\] has invalid names \["Rack A"\]\. Expected one or more distinct names/);
    expect(() => new DocknetEnvironment(app, 'y', { shards: ['a', 'a'] })).toThrow(/names \["a"\] twice/);
    const env = new DocknetEnvironment(app, 'z', { shards: ['rack-a'] });
    expect(() => env.addHost('z1', { connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.1', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) })).toThrow(/host "z1" has no shard, but environment "z" is sharded \("rack-a"\)\. Give addHost a shard/);
    expect(() => env.addHost('z1', { shard: 'rack-b', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.1', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) })).toThrow(/has no shard "rack-b"; its shards are "rack-a"/);
    const plain = new DocknetEnvironment(app, 'w');
    expect(() => plain.addHost('w1', { shard: 'rack-a', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.1', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) })).toThrow(/is not sharded, so it has no shard "rack-a"/);
  });

  test('host names are unique across shards; managers in two shards are refused at synth', () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    const env = new DocknetEnvironment(app, 'e', { shards: ['a', 'b'] });
    env.addHost('h1', { shard: 'a', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.1', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.MANAGER });
    // Another shard is another stack (no construct id clash): the second "h1" is DN404, reported at
    // synth with every other problem, once for the environment.
    env.addHost('h1', { shard: 'b', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.4', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) });
    env.addHost('h2', { shard: 'b', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.2', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.MANAGER });
    env.addHost('h3', { shard: 'b', connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.3', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.MANAGER });
    const message = failureOf(() => app.synth());
    expect(message).toMatch(/nothing was written/);
    expect(message.match(/error DN114 .*has swarm managers in shards "a" and "b"/g)).toHaveLength(1);
    expect(message.match(/error DN404 .*Host name "h1" is used by two hosts/g)).toHaveLength(1);
  });
});

describe('SwarmBootstrap joinVia (the joins of a shard without the managers)', () => {
  const target = (i: number): BootstrapTarget => ({ name: `h${i}`, ssh: { host: `10.0.0.${i}`, user: 'ops', hostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ1Uy3D91jCBVrov6McCCYMKF03qUa0YAfqwh3pj4P+6'] } });

  test('no init; every member joins through the given manager, after nothing of the other state', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const swarm = new SwarmBootstrap(stack, 'Swarm', { managers: [], workers: [{ host: target(4) }, { host: target(5) }], joinVia: { host: target(1) } });
    expect(swarm.init).toBeUndefined();
    const tf = JSON.parse(Testing.synth(stack));
    const data = Object.entries(tf.resource.terraform_data as Record<string, any>);
    const joins = data.filter(([k]) => /^Swarm_Join-/.test(k)).map(([, v]) => v);
    expect(joins.map((j) => j.input.member)).toEqual(['h4', 'h5']);
    // Besides the joins only the record that makes members removed from this shard's code leave.
    expect(data.filter(([k]) => !/^Swarm_Join-/.test(k)).map(([k, v]) => [k.replace(/_[0-9A-F]{8}$/, ''), v.input.members])).toEqual([['Swarm_Members', ['h4', 'h5']]]);
    for (const j of joins) {
      expect(j.triggers_replace.swarm).toBe('via 10.0.0.1');
      expect(j.depends_on).toBeUndefined();
      expect(j.provisioner[0]['local-exec'].environment.DOCKNET_MANAGER_ADDR).toBe('10.0.0.1');
    }
  });

  test('joinVia without members is refused with the fix', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new SwarmBootstrap(stack, 'Swarm', { managers: [], joinVia: { host: target(1) } })).toThrow(/joinVia is given but there are no managers or workers to join/);
  });
});
