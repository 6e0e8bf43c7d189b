/**
 * Renames, removals, additions and role changes of hosts, built with the library on the example's
 * topology (stacks/topology.ts) and the example's staging values, copied here so that the example
 * itself stays as it is. Each change must synthesize in one run and leave a correct plan record.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocknetApp, PlanStore, SwarmRole } from '../../lib';
import { PlanRecord } from '../../lib/core/address/record';
import { Cidr } from '../../lib/core/address/cidr';
import { buildEnvironment } from '../../stacks/topology';
import { EnvironmentValues, HostValues } from '../../stacks/values';
import { failureOf } from '../fixtures';

/** Host keys are not what these tests are about: one well-formed public key for every host. */
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ1Uy3D91jCBVrov6McCCYMKF03qUa0YAfqwh3pj4P+6';

/** stacks/staging.ts as committed (the values the rename was seen on). */
const staging: EnvironmentValues = {
  environment: 'staging',
  sshUser: 'ops',
  hosts: [
    { name: 'stg1', address: '10.20.0.11', hostKey: HOST_KEY, swarmRole: SwarmRole.MANAGER },
    { name: 'stg2', address: '10.20.0.12', hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER },
    { name: 'stg3', address: '10.20.0.13', hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.20.0.0/24', gateway: '10.20.0.1', dhcpPool: '10.20.0.192/26', prefixLength: 24 },
  macvlanShim: '10.20.0.10',
  pools: { bridges: '10.120.0.0/16', overlays: '10.121.0.0/16', daemon: '10.122.0.0/16' },
  appSubnet: '172.77.0.0/24',
  appGateway: '172.77.0.1',
  webAddress: '172.77.0.10',
  apiReplicas: 3,
  dns: ['10.20.0.2', '10.20.0.3'],
  underlayMtu: 1500,
  stateConnStr: 'postgres://docknet@state.internal/docknet?sslmode=require',
};

/** The staging part of the committed docknet.plan.json. */
const committed = {
  pools: {
    bridges: { 'staging/stg1/backend': '10.120.0.0/24' },
    daemon: {
      'staging/stg1/bip': '10.122.48.0/24',
      'staging/stg1/default-address-pools': '10.122.0.0/20',
      'staging/stg2/bip': '10.122.49.0/24',
      'staging/stg2/default-address-pools': '10.122.16.0/20',
      'staging/stg3/bip': '10.122.50.0/24',
      'staging/stg3/default-address-pools': '10.122.32.0/20',
    },
    overlays: { 'staging/stg1/multihost': '10.121.16.0/24', 'staging/swarm/default-addr-pool': '10.121.0.0/20' },
  },
  lanRanges: { lan: { stg1: '10.20.0.32/27', stg2: '10.20.0.64/27', stg3: '10.20.0.96/27' } },
};
const committedRecord = (): PlanRecord => ({ version: 1, environments: { staging: JSON.parse(JSON.stringify(committed)) } });

/** One run of `npm run synth` on these values: synth must succeed; returns the record and the plan's problems. */
function synth(values: EnvironmentValues, record: PlanRecord, renamedFrom: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-rename-'));
  try {
    const store = PlanStore.inMemory(record);
    const app = new DocknetApp({ outdir, planStore: store });
    const env = buildEnvironment(app, { ...values, hosts: values.hosts.map((h) => ({ ...h, renamedFrom: renamedFrom[h.name] })) });
    app.synth();
    const result = store.plan.resolve();
    const hosts = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'staging-hosts', 'cdk.tf.json'), 'utf8'));
    const network = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'staging-network', 'cdk.tf.json'), 'utf8'));
    return { record: result.record, problems: result.problems, changed: result.changed, env, hosts, network };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const withHosts = (hosts: HostValues[]): EnvironmentValues => ({ ...staging, hosts });
const renamedHosts = staging.hosts.map((h) => ({ ...h, name: h.name.replace('stg', 'staging') }));
const env = (r: PlanRecord) => r.environments.staging;
const allBlocks = (r: PlanRecord) => [...Object.values(env(r).pools).flatMap((m) => Object.values(m)), ...Object.values(env(r).lanRanges).flatMap((m) => Object.values(m))];
const overlapsAny = (block: string, others: string[]) => others.some((o) => Cidr.parse(o).overlaps(Cidr.parse(block)));
/** The swarm as the hosts stack renders it: construct paths and text of its resources. */
const swarmOf = (hosts: any) => {
  const rs = Object.values(hosts.resource.terraform_data as Record<string, any>).filter((r) => /\/Swarm\//.test(r['//'].metadata.path));
  const init = rs.find((r) => /\/Init$/.test(r['//'].metadata.path));
  return { paths: rs.map((r) => r['//'].metadata.path as string).sort().join(' '), text: JSON.stringify(rs), init: JSON.stringify(init) };
};

describe('the example staging environment', () => {
  test('the committed record is what the example synthesizes (the test copies the right values)', () => {
    const r = synth(staging, committedRecord());
    expect(r.changed).toBe(false);
    expect(r.problems).toEqual([]);
  });

  test('renaming stg1..3 to staging1..3 synthesizes in one run and updates the record (the issue\'s scenario)', () => {
    const r = synth(withHosts(renamedHosts), committedRecord());
    const e = env(r.record);
    // Keys not tied to a host never move.
    expect(e.pools.overlays['staging/swarm/default-addr-pool']).toBe('10.121.0.0/20');
    // No old key remains; every new key has a block.
    expect(JSON.stringify(e)).not.toMatch(/stg\d/);
    expect(Object.keys(e.lanRanges.lan).sort()).toEqual(['staging1', 'staging2', 'staging3']);
    expect(Object.keys(e.pools.daemon)).toHaveLength(6);
    // New blocks avoid the freed ones while there is room (the pools are large)...
    const freedPool = [...Object.values(committed.pools.daemon), committed.pools.bridges['staging/stg1/backend'], committed.pools.overlays['staging/stg1/multihost']];
    for (const b of [...Object.values(e.pools.daemon), ...Object.values(e.pools.bridges), e.pools.overlays['staging/staging1/multihost']]) {
      expect(overlapsAny(b, freedPool)).toBe(false);
    }
    // ...and the LAN, with five /27s for containers and three held by stg1..3, takes one freed range, with DN275.
    expect(e.lanRanges.lan).toEqual({ staging1: '10.20.0.128/27', staging2: '10.20.0.160/27', staging3: '10.20.0.32/27' });
    expect(r.problems.map((p) => [p.code, p.severity, p.constructs])).toEqual([['DN275', 'warning', ['staging3']]]);
    expect(r.problems[0].message).toMatch(/"staging3" gets 10.20.0.32\/27 in LAN segment "lan" .*\(held until now by "stg1"\).*declare renamedFrom on addHost/);
    // The swarm is built for the new names.
    expect(swarmOf(r.hosts).paths).toMatch(/Join-staging2 .*Join-staging3/);
    expect(swarmOf(r.hosts).text).not.toMatch(/stg\d/);

    // The next run with the written record changes nothing; freed blocks are ordinary free space again.
    const next = synth(withHosts(renamedHosts), r.record);
    expect(next.changed).toBe(false);
    expect(next.problems).toEqual([]);
    const grown = synth(withHosts([...renamedHosts, { name: 'staging4', address: '10.20.0.14', hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER }]), r.record);
    expect(env(grown.record).lanRanges.lan.staging4).toBe('10.20.0.64/27');
    expect(env(grown.record).pools.daemon['staging/staging4/default-address-pools']).toBe('10.122.0.0/20'); // was stg1's
    expect(env(grown.record).pools.daemon['staging/staging4/bip']).toBe('10.122.16.0/24'); // inside stg2's former /20
  });

  test('renaming with renamedFrom keeps every block under the new names', () => {
    const r = synth(withHosts(renamedHosts), committedRecord(), { staging1: 'stg1', staging2: 'stg2', staging3: 'stg3' });
    expect(r.problems).toEqual([]);
    expect(JSON.stringify(env(r.record))).toBe(JSON.stringify(committed).replace(/stg(\d)/g, 'staging$1'));
    // Once committed, renamedFrom may stay or go: nothing changes either way.
    expect(synth(withHosts(renamedHosts), r.record, { staging1: 'stg1', staging2: 'stg2', staging3: 'stg3' }).changed).toBe(false);
    expect(synth(withHosts(renamedHosts), r.record).changed).toBe(false);
  });

  test('renamedFrom moves every docker resource of the host in the network stack: no orphan of the old provider alias, nothing re-created', () => {
    /** Every docker resource: address -> [the host its provider alias names, its attributes without the alias and metadata]. */
    const resources = (tf: any) => new Map<string, [string, string]>(Object.entries(tf.resource as Record<string, Record<string, any>>).flatMap(([type, rs]) =>
      Object.entries(rs).map(([id, r]): [string, [string, string]] => {
        const { provider, '//': _meta, ...rest } = r;
        return [`${type}.${id}`, [provider, JSON.stringify(rest)]];
      })));
    const before = synth(staging, committedRecord());
    const renamed = staging.hosts.map((h) => (h.name === 'stg2' ? { ...h, name: 'staging2' } : h));
    const after = synth(withHosts(renamed), committedRecord(), { staging2: 'stg2' });
    expect(after.problems).toEqual([]);
    const [old, now] = [resources(before.network), resources(after.network)];
    const oldOfHost = [...old].filter(([, [p]]) => p === 'docker.stg2').map(([a]) => a).sort();
    expect(oldOfHost.length).toBeGreaterThan(2); // its image, containers and networks
    // Every address of the old host is the source of exactly one move, to a resource of the new name.
    const moves = (after.network.moved ?? []) as { from: string; to: string }[];
    expect(moves.map((m) => m.from).sort()).toEqual(oldOfHost);
    for (const m of moves) {
      expect(now.get(m.to)?.[0]).toBe('docker.staging2');
      // Moved, not changed: the same arguments (references to other moved resources resolve alike).
      expect(now.get(m.to)?.[1].replace(/staging2/g, 'stg2').replace(/_[0-9A-F]{8}\b/g, '')).toBe(old.get(m.from)?.[1].replace(/_[0-9A-F]{8}\b/g, ''));
    }
    // No other host's resource moves or changes.
    for (const [a, [p, text]] of old) if (p !== 'docker.stg2') expect([a, now.get(a)?.[1]]).toEqual([a, text]);
    // Without renamedFrom the host is a new host: nothing moves (Terraform destroys and creates).
    expect(synth(withHosts(renamed), committedRecord()).network.moved).toBeUndefined();
  });

  test('renamedFrom naming a host that is still declared is refused at addHost', () => {
    expect(() => synth(withHosts([...staging.hosts, { name: 'staging1', address: '10.20.0.14', hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER }]), committedRecord(), { staging1: 'stg1' }))
      .toThrow(/host "staging1" is renamedFrom "stg1", but a host "stg1" is declared too/);
  });

  test('removing a host: one run, its blocks leave the record, the others stay', () => {
    const r = synth(withHosts(staging.hosts.slice(0, 2)), committedRecord());
    expect(r.problems).toEqual([]);
    const e = env(r.record);
    expect(e.lanRanges.lan).toEqual({ stg1: '10.20.0.32/27', stg2: '10.20.0.64/27' });
    const { 'staging/stg3/bip': _b, 'staging/stg3/default-address-pools': _d, ...rest } = committed.pools.daemon;
    expect(e.pools.daemon).toEqual(rest);
    expect(e.pools.overlays).toEqual(committed.pools.overlays);
    expect(swarmOf(r.hosts).paths).toMatch(/Join-stg2/);
    expect(swarmOf(r.hosts).paths).not.toMatch(/stg3/);
  });

  test('adding a host: one run, it gets new blocks, the others stay', () => {
    const r = synth(withHosts([...staging.hosts, { name: 'stg4', address: '10.20.0.14', hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER }]), committedRecord());
    expect(r.problems).toEqual([]);
    const e = env(r.record);
    expect(e.lanRanges.lan).toEqual({ ...committed.lanRanges.lan, stg4: '10.20.0.128/27' });
    for (const [pool, m] of Object.entries(committed.pools)) for (const [k, v] of Object.entries(m)) expect((e.pools as any)[pool][k]).toBe(v);
    expect(overlapsAny(e.pools.daemon['staging/stg4/bip'], allBlocks(committedRecord()))).toBe(false);
    expect(swarmOf(r.hosts).paths).toMatch(/Join-stg4/);
  });

  test('worker <-> manager: stg2 becomes the manager, stg1 a worker, in one run', () => {
    const flipped = withHosts([
      { ...staging.hosts[0], swarmRole: SwarmRole.WORKER },
      { ...staging.hosts[1], swarmRole: SwarmRole.MANAGER },
      staging.hosts[2],
    ]);
    const r = synth(flipped, committedRecord());
    expect(r.problems).toEqual([]);
    const e = env(r.record);
    // The overlay follows the manager (the topology creates it there): a new key, new block; all else stays.
    expect(e.pools.overlays).toEqual({ 'staging/stg2/multihost': '10.121.17.0/24', 'staging/swarm/default-addr-pool': '10.121.0.0/20' });
    expect(e.pools.daemon).toEqual(committed.pools.daemon);
    expect(e.lanRanges).toEqual(committed.lanRanges);
    // stg2 initializes the swarm (its address is advertised), stg1 and stg3 join it.
    expect(swarmOf(r.hosts).paths).toMatch(/Join-stg1 .*Join-stg3/);
    expect(swarmOf(r.hosts).paths).not.toMatch(/Join-stg2/);
    expect(swarmOf(r.hosts).init).toMatch(/"advertise_addr":"10.20.0.12"/);
  });

  test('a plan that cannot be satisfied is reported as the plan\'s own error, once, not as "target is undefined"', () => {
    // Two more hosts than the LAN has /27s for containers.
    const many = [4, 5, 6].map((i) => ({ name: `stg${i}`, address: `10.20.0.1${i}`, hostKey: HOST_KEY, swarmRole: SwarmRole.WORKER }));
    const message = failureOf(() => synth(withHosts([...staging.hosts, ...many]), committedRecord()));
    expect(message).toMatch(/^docknet found \d+ problem\(s\); nothing was written \(codes: docs\/rules\.md\):/);
    expect(message).toMatch(/DN274.*LAN segment "lan" \(10.20.0.0\/24, \/27 per host\) has no free aligned \/27 for host "stg6"/);
    expect(message).not.toMatch(/target is undefined|DN520|\n\s+at /);
  });
});
