// Sharded environments on the lab, with real terraform over ssh (the `-hosts` stacks: daemon.json
// rollouts and the swarm; Terraform built-ins only). The same hosts and the same change, first as one
// state (one `<env>-hosts` stack), then as three shards (`<env>-<shard>-hosts`, one state each):
// - a daemon.json change on every host: one stack restarts the daemons one after another (wave size
//   1), three shards apply in parallel, each only its own hosts; both wall times are printed;
// - the swarm spans the shards: the manager's shard runs swarm init, the other shards join through
//   the manager over ssh (the token never enters their state);
// - a change to one shard: only its plan has changes; the other shards' plans say "No changes." and
//   their state serials stay put;
// - the overlay lives in the manager's shard; a container of another shard attaches to it by name
//   (network stacks through the provider-exact replay) and reaches a container of a third shard;
// - destroy: every node leaves, the daemons keep running.
//
// Host count: DOCKNET_SHARD_LAB_HOSTS (default 9, three per shard: the example; about 2.5 min
// on the 2-core machine shared with other lab users; 6 for a shorter run). Figures: docs/sharding.md.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { docker, inNetns, LAB_IMAGE, LabHost } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { Replay, TfJson } from '../../lab/replay';
import { Subnet, SwarmRole } from '../../lib';
import { e2eGate, pings, report, useLab } from './helpers';

const gate = e2eGate('sharded environments', () =>
  spawnSync('sh', ['-c', 'command -v terraform'], { stdio: 'ignore' }).status === 0 ? undefined : 'needs "terraform" on the PATH',
);

const HOSTS = Number(process.env.DOCKNET_SHARD_LAB_HOSTS ?? 9);
const SHARDS = ['a', 'b', 'c'];
const PER_SHARD = Math.ceil(HOSTS / SHARDS.length);
const shardOfIndex = (i: number) => SHARDS[Math.floor(i / PER_SHARD)];
/**
 * Parallel may not be slower than sequential by more than this factor. The work is the same (the same
 * daemons restart with the same files); three terraform processes on 2 shared cores can only lose by
 * contention, which is small next to the daemon restarts they wait on. In practice parallel is about
 * 1/shards of sequential (docs/sharding.md).
 */
const MARGIN = 1.1;
/**
 * Seconds added before each lab dockerd restart. A lab dockerd restarts in about a second, a real
 * host's restart and readiness wait take several: without this, the lab's applies are mostly
 * terraform and ssh on two busy cores and say little about the waits shards run side by side.
 * DOCKNET_SHARD_LAB_RESTART_DELAY=0 measures the bare lab (docs/sharding.md has both).
 */
const RESTART_DELAY = Number(process.env.DOCKNET_SHARD_LAB_RESTART_DELAY ?? 3);

gate.describe('a sharded environment on the lab: shards apply in parallel, a change touches only its shard', () => {
  const lab = useLab('dnshard', HOSTS);
  let root = '';
  /** Stacks applied and not yet destroyed, in apply order (destroyed in reverse). */
  const live: string[] = [];
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dnshard-tf-'));
  });
  afterAll(async () => {
    for (const stack of [...live].reverse()) await terraform(stack, ['destroy', '-auto-approve', '-input=false', '-no-color']).catch(() => undefined);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 300_000);

  async function terraform(stack: string, args: string[]) {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, ['terraform', `-chdir=${path.join(root, stack)}`, ...args], {
      allowFail: true,
      timeoutMs: 400_000,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
    const ms = Date.now() - t;
    report(`${stack}: terraform ${args[0]} -> exit ${r.code} in ${(ms / 1000).toFixed(1)} s`);
    return { code: r.code, out: r.stdout + r.stderr, ms };
  }
  const apply = async (stack: string) => {
    const r = await terraform(stack, ['apply', '-auto-approve', '-input=false', '-no-color']);
    if (r.code !== 0) report(r.out.slice(-4000));
    expect({ stack, code: r.code }).toEqual({ stack, code: 0 });
    if (!live.includes(stack)) live.push(stack);
    return r;
  };
  const destroy = async (stack: string) => {
    const r = await terraform(stack, ['destroy', '-auto-approve', '-input=false', '-no-color']);
    expect({ stack, code: r.code }).toEqual({ stack, code: 0 });
    live.splice(live.indexOf(stack), 1);
  };
  /** Writes a stack's Terraform JSON into its own working folder (first time: terraform init). */
  async function write(stack: string, tf: TfJson) {
    const dir = path.join(root, stack);
    const fresh = !fs.existsSync(dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(tf, null, 2));
    if (fresh) expect((await terraform(stack, ['init', '-input=false', '-no-color'])).code).toBe(0);
  }
  const serial = (stack: string): number => JSON.parse(fs.readFileSync(path.join(lab.info().dir, `terraform.${stack}.tfstate`), 'utf8')).serial;
  const mtuOf = (h: LabHost): number => JSON.parse(fs.readFileSync(h.configFile, 'utf8')).mtu;
  const swarm = async (h: LabHost) => (await docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.Nodes}}'])).stdout.trim();

  let networks: Record<string, TfJson> = {};
  /**
   * The environment's hosts stacks: every daemon with `mtu` (shard b's with `mtuB`), host 1 the
   * manager with an overlay, the first host of every shard a container on it. Keeps the network
   * stacks in `networks`.
   */
  function synth(name: string, sharded: boolean, mtu: number, mtuB = mtu): Record<string, TfJson> {
    const le = labEnvironment(lab.info(), {
      name,
      swarmPools: ['10.212.0.0/16'],
      shards: sharded ? SHARDS : undefined,
      shardOf: sharded ? (_h, i) => shardOfIndex(i) : undefined,
      host: (h, i) => ({
        ...(RESTART_DELAY > 0
          ? {
              daemonLocation: {
                configPath: h.configFile,
                restartCommand: `sleep ${RESTART_DELAY} && ${h.restartCommand}`,
                logCommand: `tail -n 15 ${h.logFile}`,
                waitSeconds: 30,
                uploadDir: path.dirname(h.configFile),
              },
            }
          : {}),
        swarmRole: i === 0 ? SwarmRole.MANAGER : SwarmRole.WORKER,
        daemon: { bip: Subnet.cidr('10.210.0.0/24'), mtu: sharded && shardOfIndex(i) === 'b' ? mtuB : mtu },
      }),
    });
    try {
      const ov = le.hosts[0].addOverlayNetwork('ov', { name: 'shard-ov' });
      le.hosts.forEach((h, i) => {
        if (i % PER_SHARD === 0) h.addContainer('o', { name: `shard-o${i + 1}`, image: LAB_IMAGE, command: ['sleep', '3600'], networks: [{ network: ov, aliases: [`svc-${shardOfIndex(i)}`] }] });
      });
      le.synth();
      const prefixes = sharded ? SHARDS.map((s) => `${name}-${s}`) : [name];
      networks = Object.fromEntries(prefixes.map((p) => [`${p}-network`, le.read(`${p}-network`)]));
      return Object.fromEntries(prefixes.map((p) => [`${p}-hosts`, le.read(`${p}-hosts`)]));
    } finally {
      le.dispose();
    }
  }

  const figures: Record<string, number> = {};

  test('one state: create, then a daemon.json change on every host (the daemons restart one after another)', async () => {
    const info = lab.info();
    await write('dnone-hosts', synth('dnone', false, 1400)['dnone-hosts']);
    figures.oneCreate = (await apply('dnone-hosts')).ms;
    expect(await swarm(info.hosts[0])).toBe(`active ${HOSTS}`);
    await write('dnone-hosts', synth('dnone', false, 1380)['dnone-hosts']);
    figures.oneChange = (await apply('dnone-hosts')).ms;
    for (const h of info.hosts) expect(mtuOf(h)).toBe(1380);
    await destroy('dnone-hosts');
    for (const h of info.hosts) expect(await swarm(h)).toMatch(/^inactive/);
  }, 900_000);

  test('three shards: the manager\'s shard first, then the others in parallel; the swarm spans all shards', async () => {
    const info = lab.info();
    const tf = synth('dnsh', true, 1400);
    await Promise.all(Object.entries(tf).map(([s, j]) => write(s, j)));
    // No state reads another: nothing of shard a's in b's or c's configuration but the manager's ssh address.
    for (const s of ['dnsh-b-hosts', 'dnsh-c-hosts']) expect(JSON.stringify(tf[s])).not.toMatch(/terraform_remote_state|Swarm_Init/);
    const t = Date.now();
    await apply('dnsh-a-hosts');
    await Promise.all(['dnsh-b-hosts', 'dnsh-c-hosts'].map(apply));
    figures.shardCreate = Date.now() - t;
    expect(await swarm(info.hosts[0])).toBe(`active ${HOSTS}`);
    for (const h of info.hosts.slice(1)) expect(await swarm(h)).toMatch(/^active/);
  }, 900_000);

  test('the same daemon.json change on every host: three shards apply in parallel', async () => {
    const info = lab.info();
    const tf = synth('dnsh', true, 1380);
    for (const [s, j] of Object.entries(tf)) await write(s, j);
    const t = Date.now();
    const runs = await Promise.all(Object.keys(tf).map(apply));
    figures.shardChange = Date.now() - t;
    for (const h of info.hosts) expect(mtuOf(h)).toBe(1380);
    report(
      `FIGURES (${HOSTS} hosts, ${SHARDS.length} shards, wave size 1, restart delay ${RESTART_DELAY} s): ` +
        `create: one state ${(figures.oneCreate / 1000).toFixed(1)} s, shards (a, then b+c in parallel) ${(figures.shardCreate / 1000).toFixed(1)} s; ` +
        `change on every host: one state ${(figures.oneChange / 1000).toFixed(1)} s, shards in parallel ${(figures.shardChange / 1000).toFixed(1)} s ` +
        `(each shard ${runs.map((r) => (r.ms / 1000).toFixed(1)).join(' / ')} s)`,
    );
    expect(figures.shardChange).toBeLessThanOrEqual(figures.oneChange * MARGIN);
  }, 900_000);

  test('a change to one shard plans and applies only that shard; the others\' plans show no changes, their serials stay', async () => {
    const info = lab.info();
    const tf = synth('dnsh', true, 1380, 1360);
    for (const [s, j] of Object.entries(tf)) await write(s, j);
    const before = Object.fromEntries(Object.keys(tf).map((s) => [s, serial(s)]));
    const plans = await Promise.all(Object.keys(tf).map((s) => terraform(s, ['plan', '-detailed-exitcode', '-input=false', '-no-color'])));
    expect(plans.map((p) => p.code)).toEqual([0, 2, 0]);
    expect(plans[0].out).toMatch(/No changes\./);
    expect(plans[2].out).toMatch(/No changes\./);
    expect(plans[1].out).toMatch(/DaemonRollout/);
    await apply('dnsh-b-hosts');
    const after = Object.fromEntries(Object.keys(tf).map((s) => [s, serial(s)]));
    expect(after['dnsh-a-hosts']).toBe(before['dnsh-a-hosts']);
    expect(after['dnsh-c-hosts']).toBe(before['dnsh-c-hosts']);
    expect(after['dnsh-b-hosts']).toBeGreaterThan(before['dnsh-b-hosts']);
    info.hosts.forEach((h, i) => expect({ host: h.name, mtu: mtuOf(h) }).toEqual({ host: h.name, mtu: shardOfIndex(i) === 'b' ? 1360 : 1380 }));
  }, 600_000);

  test('the overlay in the manager\'s shard; containers of the other shards attach to it by name and reach each other', async () => {
    const hosts = lab.info().hosts;
    const targets = Object.fromEntries(hosts.map((h) => [h.name, h.dockerHost]));
    const b = (networks['dnsh-b-network'].resource!.docker_container as Record<string, any>);
    expect(Object.values(b).map((c) => c.networks_advanced)).toEqual([[{ name: 'shard-ov', aliases: ['svc-b'] }]]);
    const replays = ['dnsh-a-network', 'dnsh-b-network', 'dnsh-c-network'].map((s) => new Replay(networks[s], targets));
    try {
      for (const r of replays) await r.apply();
      for (const r of replays) expect(r.skipped).toEqual([]);
      const [bHost, cHost] = [hosts[PER_SHARD], hosts[2 * PER_SHARD]];
      expect(await pings(bHost, `shard-o${PER_SHARD + 1}`, 'svc-c')).toBe(true);
      expect(await pings(cHost, `shard-o${2 * PER_SHARD + 1}`, 'svc-a')).toBe(true);
    } finally {
      for (const r of [...replays].reverse()) await r.destroy().catch(() => undefined);
    }
  }, 300_000);

  test('destroy, the other shards before the manager\'s: every node leaves, the daemons keep running', async () => {
    const info = lab.info();
    await Promise.all(['dnsh-b-hosts', 'dnsh-c-hosts'].map(destroy));
    await destroy('dnsh-a-hosts');
    for (const h of info.hosts) {
      expect(await swarm(h)).toMatch(/^inactive/);
      expect((await docker(h, ['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
    }
  }, 600_000);
});
