/**
 * Planning + validation benchmark (`npm run bench`). A synthetic fleet at 1x = 200 hosts, 2,000
 * networks (8 bridges and 1 macvlan per host, 200 overlays), 20,000 attachments (50 containers per
 * host, each on a bridge and on an overlay or the LAN, all with static addresses), then 4x and 16x.
 * Measures, median of RUNS runs after WARMUP (parse caches cleared before each run): pool + LAN allocation from an empty
 * record, from a full record, and validateTopology. Budget: plan + validate at 1x under 100 ms,
 * growth close to n log n (x4 items -> about x4.5 time).
 */
import { Cidr, IpAddress } from '../lib/core/address/cidr';
import { AddressPlan } from '../lib/core/address/pool';
import { PlanRecord } from '../lib/core/address/record';
import { ContainerModel, HostModel, NetworkModel, TopologyModel } from '../lib/core/model';
import { validateTopology } from '../lib/core/validation/engine';

const RUNS = Number(process.env.RUNS ?? 7);
const HOSTS_PER_LAN = 32;
const BRIDGES_PER_HOST = 8;
const CONTAINERS_PER_HOST = 50;

interface Fleet {
  hosts: number;
  plan(record?: PlanRecord): { plan: AddressPlan; record: PlanRecord };
}

const hostName = (h: number) => `h${h}`;
const lanName = (h: number) => `lan${Math.floor(h / HOSTS_PER_LAN)}`;
const lanSubnet = (l: number) => Cidr.of(4, Cidr.parse('100.64.0.0/10').start + BigInt(l) * 2048n, 21);

function fleet(scale: number): Fleet {
  const hosts = 200 * scale;
  return {
    hosts,
    plan(record?: PlanRecord) {
      const plan = new AddressPlan(record);
      plan.addPool('bench', 'bridges', '10.0.0.0/9', 'bridge networks');
      plan.addPool('bench', 'overlays', '10.128.0.0/10', 'overlays');
      for (let l = 0; l * HOSTS_PER_LAN < hosts; l++) {
        const s = lanSubnet(l);
        plan.addLanSegment('bench', {
          name: `lan${l}`,
          subnet: s.toString(),
          gateway: s.nth(1).toString(),
          reserved: [
            { label: 'hosts', cidr: Cidr.of(4, s.start, 24).toString() },
            { label: 'DHCP', cidr: Cidr.of(4, s.start + 256n, 24).toString() },
          ],
        });
      }
      for (let h = 0; h < hosts; h++) {
        for (let b = 0; b < BRIDGES_PER_HOST; b++) plan.request('bench', 'bridges', `bench/${hostName(h)}/br${b}`, 24);
        plan.request('bench', 'overlays', `bench/ov${h}`, 24);
        plan.lanRange('bench', lanName(h), hostName(h));
      }
      const r = plan.resolve();
      if (r.problems.length) throw new Error(r.problems.map((p) => p.message).join('\n'));
      return { plan, record: r.record };
    },
  };
}

/** The topology the constructs would produce from the resolved plan. */
function model(f: Fleet, plan: AddressPlan): TopologyModel {
  const hosts: HostModel[] = [];
  const networks: NetworkModel[] = [];
  const containers: ContainerModel[] = [];
  const managers = ['h0', 'h1', 'h2'];
  const cfg = (subnet: string, ipRange?: string) => ({ subnet, ipRange, auxAddresses: {} });
  const segments = plan.lanSegments('bench');
  const ranges = new Map(segments.flatMap((s) => s.hostRanges.map((r) => [r.host, r.ipRange] as const)));
  const block = (pool: string, key: string) => lookup(plan, pool, key);
  for (let h = 0; h < f.hosts; h++) {
    const name = hostName(h);
    const lan = lanSubnet(Math.floor(h / HOSTS_PER_LAN));
    hosts.push({
      path: `bench/${name}`,
      name,
      endpoint: `ssh://ops@${lan.nth(10 + (h % HOSTS_PER_LAN))}`,
      interfaces: [{ name: 'eth0', address: `${lan.nth(10 + (h % HOSTS_PER_LAN))}/21`, mtu: 1500, lan: lanName(h) }],
      swarmRole: managers.includes(name) ? 'manager' : 'worker',
      daemonRanges: [
        { label: 'bip', cidr: '172.17.0.1/16' },
        { label: 'default-address-pools[0]', cidr: '172.18.0.0/15' },
      ],
    });
    const base = { enableIpv6: false, internal: false, attachable: false, encrypted: false };
    for (let b = 0; b < BRIDGES_PER_HOST; b++) {
      networks.push({ ...base, path: `bench/${name}/br${b}`, name: `br${b}`, host: name, driver: 'bridge', ipv4: cfg(block('bridges', `bench/${name}/br${b}`)) });
    }
    networks.push({ ...base, path: `bench/${name}/lan`, name: 'lan', host: name, driver: 'macvlan', parent: 'eth0', mode: 'bridge', lan: lanName(h), ipv4: { ...cfg(lan.toString(), ranges.get(name)), gateway: lan.nth(1).toString() } });
    networks.push({ ...base, attachable: true, path: `bench/ov${h}`, name: `ov${h}`, host: managers[h % 3], driver: 'overlay', ipv4: cfg(block('overlays', `bench/ov${h}`)) });
  }
  for (let h = 0; h < f.hosts; h++) {
    const name = hostName(h);
    const range = Cidr.parse(ranges.get(name)!);
    for (let j = 0; j < CONTAINERS_PER_HOST; j++) {
      const br = Cidr.parse(block('bridges', `bench/${name}/br${j % BRIDGES_PER_HOST}`));
      const onLan = j % 5 === 0;
      const second = onLan
        ? { network: `bench/${name}/lan`, ipv4Address: range.nth(j / 5).toString(), aliases: [] }
        : { network: `bench/ov${h}`, ipv4Address: Cidr.parse(block('overlays', `bench/ov${h}`)).nth(10 + j).toString(), aliases: [] };
      containers.push({
        path: `bench/${name}/c${j}`,
        name: `c${j}`,
        host: name,
        image: 'nginx:1.27',
        mode: 'bridge',
        attachments: [{ network: `bench/${name}/br${j % BRIDGES_PER_HOST}`, ipv4Address: br.nth(10 + j).toString(), aliases: [`c${j}`] }, second],
        ports: [],
        dns: [],
      });
    }
  }
  return {
    environment: 'bench',
    hosts,
    networks,
    containers,
    pools: plan.pools('bench'),
    lanSegments: segments,
    swarm: { managers, workers: hosts.map((x) => x.name).filter((n) => !managers.includes(n)), defaultAddrPools: ['10.128.0.0/10'], defaultAddrPoolMaskLength: 24 },
  };
}

const resolved = new WeakMap<AddressPlan, Map<string, string>>();
function lookup(plan: AddressPlan, pool: string, key: string): string {
  let m = resolved.get(plan);
  if (!m) {
    m = new Map();
    for (const [p, entries] of Object.entries(plan.resolve().record.environments.bench.pools)) for (const [k, v] of Object.entries(entries)) m.set(`${p}\0${k}`, v);
    resolved.set(plan, m);
  }
  return m.get(`${pool}\0${key}`)!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const WARMUP = Number(process.env.WARMUP ?? 10);

/** Median of RUNS runs after WARMUP unmeasured ones (JIT), each with cold parse caches; also the very first run. */
function time(fn: () => void): { median: number; first: number } {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    Cidr.clearCache();
    IpAddress.clearCache();
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { median: median(times.slice(WARMUP)), first: times[0] };
}

const rows: { scale: number; items: number; empty: number; full: number; validate: number; heapMb: number }[] = [];
for (const scale of [1, 4, 16]) {
  const f = fleet(scale);
  const { plan, record } = f.plan();
  const m = model(f, plan);
  const attachments = m.containers.reduce((n, c) => n + c.attachments.length, 0);
  const problems = validateTopology(m);
  if (problems.length) throw new Error(`synthetic fleet should be valid, got ${problems.length} problems, first: ${problems[0].code} ${problems[0].message}`);
  const items = m.hosts.length + m.networks.length + attachments;
  const emptyT = time(() => f.plan());
  const fullT = time(() => f.plan(record));
  const validateT = time(() => validateTopology(m));
  const [empty, full, validate] = [emptyT.median, fullT.median, validateT.median];
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  rows.push({ scale, items, empty, full, validate, heapMb });
  console.log(
    `${scale}x: ${m.hosts.length} hosts, ${m.networks.length} networks, ${attachments} attachments (${items} items)\n` +
      `  plan(empty record) ${empty.toFixed(1)} ms, plan(full record) ${full.toFixed(1)} ms, validate ${validate.toFixed(1)} ms\n` +
      `  plan(empty)+validate ${(empty + validate).toFixed(1)} ms = ${(((empty + validate) * 1e6) / items).toFixed(0)} ns/item; ` +
      `plan(full)+validate ${(full + validate).toFixed(1)} ms = ${(((full + validate) * 1e6) / items).toFixed(0)} ns/item\n` +
      `  first (cold JIT) runs: plan(empty) ${emptyT.first.toFixed(1)} ms, validate ${validateT.first.toFixed(1)} ms | heap used ${heapMb.toFixed(0)} MB`,
  );
}
const ru = process.resourceUsage();
console.log(`peak RSS ${(ru.maxRSS / 1024).toFixed(0)} MB (process.resourceUsage().maxRSS), rss now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  const r = (x: number, y: number) => (y / x).toFixed(2);
  console.log(
    `growth ${a.scale}x -> ${b.scale}x (items x${(b.items / a.items).toFixed(1)}): plan(empty) x${r(a.empty, b.empty)}, plan(full) x${r(a.full, b.full)}, validate x${r(a.validate, b.validate)}`,
  );
}
const one = rows[0];
const budget = one.empty + one.validate;
console.log(`1x plan(empty)+validate ${budget.toFixed(1)} ms: ${budget < 100 ? 'within' : 'OVER'} the 100 ms budget`);
