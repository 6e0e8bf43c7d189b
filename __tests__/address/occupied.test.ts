/**
 * The pools' "lowest free aligned block" is free of what the topology writes out in the request's
 * scope: static subnets of other networks (DN201/DN202 scopes), the host's LAN and interface subnets
 * (DN203). Built on the example's topology (stacks/topology.ts) with its dev values, and on the
 * two-host fixture for the scopes.
 */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { DocknetApp, DocknetEnvironment, HostConnection, PlanStore, Subnet, ParentInterface, SwarmRole } from '../../lib';
import { AddressPlan } from '../../lib/core/address/pool';
import { PlanRecord } from '../../lib/core/address/record';
import { buildEnvironment } from '../../stacks/topology';
import { dev } from '../../stacks/dev';
import { EnvironmentValues } from '../../stacks/values';
import { codes, fleet } from '../fixtures';

/** The example's dev environment on `values`, planned from `record`: its problems and the record it would write. */
function plan(values: EnvironmentValues, record?: PlanRecord) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-occupied-'));
  try {
    const store = PlanStore.inMemory(record);
    const app = new DocknetApp({ outdir, planStore: store });
    const env = buildEnvironment(app, values);
    const problems = env.network.problems();
    return { problems, codes: problems.map((p) => p.code), errors: problems.filter((p) => p.severity === 'error'), pools: store.plan.resolve().record.environments.dev?.pools ?? {} };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const appIn = (subnet: string): EnvironmentValues => {
  const base = subnet.replace(/\.0\/24$/, '');
  return { ...dev, appSubnet: subnet, appGateway: `${base}.1`, webAddress: `${base}.10` };
};

describe('a new pooled block is clear of the static subnets in its scope', () => {
  test('the example: app-net written out as 10.110.0.0/24 inside the bridges pool, empty record: backend gets 10.110.1.0/24, no DN201', () => {
    const r = plan(appIn('10.110.0.0/24'));
    expect(r.pools.bridges['dev/dev1/backend']).toBe('10.110.1.0/24');
    expect(r.errors).toEqual([]);
  });

  test('the example: a bridges pool containing the LAN (10.10.0.0/16) does not hand out the LAN: backend gets 10.10.1.0/24, no DN201/DN203', () => {
    const r = plan({ ...dev, pools: { ...dev.pools, bridges: '10.10.0.0/16' } });
    expect(r.pools.bridges['dev/dev1/backend']).toBe('10.10.1.0/24');
    expect(r.errors).toEqual([]);
  });

  test('valid values keep their blocks: the committed dev values on an empty record', () => {
    const r = plan(dev);
    expect(r.pools.bridges).toEqual({ 'dev/dev1/backend': '10.110.0.0/24' });
    expect(r.errors).toEqual([]);
  });

  test('a recorded block that a static subnet now overlaps stays where it is, and the error says it is recorded and how to fix it', () => {
    const record: PlanRecord = { version: 1, environments: { dev: { pools: { bridges: { 'dev/dev1/backend': '10.110.0.0/24' } }, lanRanges: {} } } };
    const r = plan(appIn('10.110.0.0/24'), record);
    expect(r.pools.bridges['dev/dev1/backend']).toBe('10.110.0.0/24');
    const dn201 = r.errors.filter((p) => p.code === 'DN201');
    expect(dn201).toHaveLength(1);
    expect(dn201[0].message).toMatch(/overlaps network "app-net" \(10\.110\.0\.0\/24\) on host dev1/);
    expect(dn201[0].message).toContain(
      '10.110.0.0/24 of "backend" is recorded in docknet.plan.json (pool "bridges", key "dev/dev1/backend"), and a recorded block is never moved on its own: that would re-address a deployed network. ' +
        'Fix: give "app-net" another subnet, or, to re-address "backend" (apply replaces it), delete the line "dev/dev1/backend" from docknet.plan.json and synth again; the pool then picks a free block.',
    );
    expect(r.codes).not.toContain('DN271');
  });

  test('a recorded block on the LAN stays too; DN203 says it is recorded, without blaming the LAN', () => {
    const record: PlanRecord = { version: 1, environments: { dev: { pools: { bridges: { 'dev/dev1/backend': '10.10.0.0/24' } }, lanRanges: {} } } };
    const r = plan({ ...dev, pools: { ...dev.pools, bridges: '10.10.0.0/16' } }, record);
    expect(r.pools.bridges['dev/dev1/backend']).toBe('10.10.0.0/24');
    const dn203 = r.errors.filter((p) => p.code === 'DN203');
    expect(dn203).toHaveLength(1);
    expect(dn203[0].message).toContain(
      'Fix: to re-address "backend" (apply replaces it), delete the line "dev/dev1/backend" from docknet.plan.json and synth again; the pool then picks a free block.',
    );
  });

  test('a pool with no room left once the static subnets are out says what takes it (DN270)', () => {
    const r = plan({ ...appIn('10.110.0.0/24'), pools: { ...dev.pools, bridges: '10.110.0.0/24' } });
    const dn270 = r.errors.filter((p) => p.code === 'DN270');
    expect(dn270).toHaveLength(1);
    expect(dn270[0].message).toBe(
      'pool "bridges" (10.110.0.0/24) of environment "dev" has no free /24 for "dev/dev1/backend": the pool holds 256 addresses, 0 of them free for it, not enough or not as one aligned /24. ' +
        'Besides the pool\'s own blocks, these subnets in its scope take part of the pool: network "app-net" (10.110.0.0/24) on host dev1. ' +
        'Enlarge the pool, request a longer prefix, add a second pool, or move those subnets out of the pool.',
    );
    expect(r.codes).not.toContain('DN201');
  });
});

describe('scopes are those of the overlap rules', () => {
  test('a static subnet on another host does not take the block (bridges are per host)', () => {
    const { stack, h1, h2 } = fleet();
    h2.addBridgeNetwork('fixed', { subnet: Subnet.cidr('10.50.0.0/24') });
    const pooled = h1.addBridgeNetwork('pooled', { subnet: Subnet.fromPool('bridges', 24) });
    expect(pooled.ipv4()!.subnet).toBe('10.50.0.0/24');
    expect(codes(stack).filter((c) => c.startsWith('DN2'))).toEqual([]);
  });

  test('on the same host it does', () => {
    const { stack, h1 } = fleet();
    h1.addBridgeNetwork('fixed', { subnet: Subnet.cidr('10.50.0.0/24') });
    const pooled = h1.addBridgeNetwork('pooled', { subnet: Subnet.fromPool('bridges', 24) });
    expect(pooled.ipv4()!.subnet).toBe('10.50.1.0/24');
    expect(codes(stack).filter((c) => c.startsWith('DN2'))).toEqual([]);
  });

  test('an overlay is clear of every swarm member\'s static networks and of the other overlays; a swarm member\'s bridge of the overlays', () => {
    const { stack, h1, h2 } = fleet();
    h2.addBridgeNetwork('fixed', { subnet: Subnet.cidr('10.50.0.0/24') });
    h1.addOverlayNetwork('static-overlay', { subnet: Subnet.cidr('10.50.1.0/24') });
    const overlay = h1.addOverlayNetwork('pooled-overlay', { subnet: Subnet.fromPool('bridges', 24) });
    const bridge = h2.addBridgeNetwork('pooled-bridge', { subnet: Subnet.fromPool('bridges', 24) });
    expect(overlay.ipv4()!.subnet).toBe('10.50.2.0/24');
    expect(bridge.ipv4()!.subnet).toBe('10.50.3.0/24');
    expect(codes(stack).filter((c) => c.startsWith('DN2'))).toEqual([]);
  });

  test('a pooled macvlan may sit on its own parent\'s LAN; a bridge may not', () => {
    const { stack, h1 } = fleet();
    stack.addPool('lan-pool', { cidr: '10.9.0.0/16' });
    const bridge = h1.addBridgeNetwork('pooled-bridge', { subnet: Subnet.fromPool('lan-pool', 24) });
    const mac = h1.addMacvlanNetwork('pooled-mac', { parent: ParentInterface.of('eth0'), subnet: Subnet.fromPool('lan-pool', 25) });
    // The macvlan is not kept off the LAN by eth0 (its own parent), only by the bridge's block.
    expect(mac.ipv4()!.subnet).toBe('10.9.0.0/25');
    expect(bridge.ipv4()!.subnet).toBe('10.9.1.0/24');
  });

  test('docker0 of the host: a bip written out, or Docker\'s default 172.17.0.0/16 when the host declares none (DN204); overlays meet declared ones only', () => {
    const { stack, h1, h2 } = fleet();
    stack.addPool('wide', { cidr: '172.16.0.0/12' });
    const withBip = stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), daemon: { bip: Subnet.cidr('172.18.0.1/16') } });
    // Allocated in key order: test/h1/a, test/h1/a2, test/h2/o, test/h3/b.
    const a = h1.addBridgeNetwork('a', { subnet: Subnet.fromPool('wide', 16) });
    const a2 = h1.addBridgeNetwork('a2', { subnet: Subnet.fromPool('wide', 16) }); // h1 declares no bip: not 172.17
    const o = h2.addOverlayNetwork('o', { subnet: Subnet.fromPool('wide', 16) }); // Docker's default is no overlay's concern
    const b = withBip.addBridgeNetwork('b', { subnet: Subnet.fromPool('wide', 16) }); // not its own bip 172.18
    expect([a, a2, o, b].map((n) => n.ipv4()!.subnet)).toEqual(['172.16.0.0/16', '172.18.0.0/16', '172.17.0.0/16', '172.19.0.0/16']);
    expect(codes(stack).filter((c) => ['DN201', 'DN202', 'DN203', 'DN204'].includes(c))).toEqual([]);
  });

  test('a static subnet declared after a block was read does not move that block (it is pinned), and the overlap is reported', () => {
    const { stack, h1 } = fleet();
    const pooled = h1.addBridgeNetwork('pooled', { subnet: Subnet.fromPool('bridges', 24) });
    expect(pooled.ipv4()!.subnet).toBe('10.50.0.0/24');
    h1.addBridgeNetwork('fixed', { subnet: Subnet.cidr('10.50.0.0/24') });
    const later = h1.addBridgeNetwork('later', { subnet: Subnet.fromPool('bridges', 24) });
    expect(pooled.ipv4()!.subnet).toBe('10.50.0.0/24');
    expect(later.ipv4()!.subnet).toBe('10.50.1.0/24');
    expect(codes(stack)).toContain('DN201');
  });
});

test('a sharded environment is one scope space: an overlay of the manager shard is clear of a static network on a worker of another shard', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-occupied-'));
  try {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    const env = new DocknetEnvironment(app, 'sh', { shards: ['a', 'b'] });
    env.addPool('overlays', { cidr: '10.60.0.0/16' });
    const manager = env.addHost('m1', { shard: 'a', connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.11', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.MANAGER });
    const worker = env.addHost('w1', { shard: 'b', connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.12', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.WORKER });
    worker.addBridgeNetwork('fixed', { subnet: Subnet.cidr('10.60.0.0/24') });
    const overlay = manager.addOverlayNetwork('o', { subnet: Subnet.fromPool('overlays', 24) });
    expect(overlay.ipv4()!.subnet).toBe('10.60.1.0/24');
    expect(env.network.problems().filter((p) => p.code === 'DN201')).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe('AddressPlan occupancy', () => {
  test('only keys with a scope avoid its ranges, per scope; a key without one is as before', () => {
    const plan = new AddressPlan();
    plan.addPool('e', 'p', '10.0.0.0/22');
    plan.setOccupancy('e', () => (scope) => (scope === 'h1' ? [{ cidr: '10.0.0.0/23', label: 'network "x" (10.0.0.0/23) on host h1' }] : []));
    const a = plan.request('e', 'p', 'a', 24, 'h1');
    const b = plan.request('e', 'p', 'b', 24, 'h2');
    const c = plan.request('e', 'p', 'c', 24);
    expect([a.cidr, b.cidr, c.cidr]).toEqual(['10.0.2.0/24', '10.0.0.0/24', '10.0.1.0/24']);
    expect(plan.resolve().problems).toEqual([]);
  });

  test('the occupancy is read once per resolve', () => {
    const plan = new AddressPlan();
    plan.addPool('e', 'p', '10.0.0.0/16');
    let calls = 0;
    plan.setOccupancy('e', () => {
      calls++;
      return () => [];
    });
    for (let i = 0; i < 5; i++) plan.request('e', 'p', `k${i}`, 24, 's');
    plan.resolve();
    plan.resolve();
    expect(calls).toBe(1);
  });
});
