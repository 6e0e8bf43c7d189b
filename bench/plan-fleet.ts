/** The planning benchmark's synthetic fleet (plan.bench.ts, cold.bench.ts): pools, LANs and the model the constructs would produce. */
import { Cidr } from '../lib/core/address/cidr';
import { AddressPlan } from '../lib/core/address/pool';
import { PlanRecord } from '../lib/core/address/record';
import { ContainerModel, HostModel, NetworkModel, TopologyModel } from '../lib/core/model';

const HOSTS_PER_LAN = 32;
const BRIDGES_PER_HOST = 8;
const CONTAINERS_PER_HOST = 50;

export interface Fleet {
  hosts: number;
  plan(record?: PlanRecord): { plan: AddressPlan; record: PlanRecord };
}

const hostName = (h: number) => `h${h}`;
const lanName = (h: number) => `lan${Math.floor(h / HOSTS_PER_LAN)}`;
const lanSubnet = (l: number) => Cidr.of(4, Cidr.parse('100.64.0.0/10').start + BigInt(l) * 2048n, 21);

export function fleet(scale: number): Fleet {
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
      // What is in use where, as DocknetStack gives it (lib/environment/docknet-stack.ts, occupancy):
      // each host's LAN and docker0 (Docker's default, no bip declared); for overlays, every
      // member's. None of it lies in the pools, as in a plan without collisions: the pools still
      // look, per scope, on the first call.
      const docker0 = { cidr: '172.17.0.0/16', label: 'docker0 (Docker\'s default)' };
      const lans = Array.from({ length: Math.ceil(hosts / HOSTS_PER_LAN) }, (_, l) => ({ cidr: lanSubnet(l).toString(), label: `LAN segment "lan${l}"` }));
      const perLan = lans.map((lan) => [lan, docker0]);
      const swarm = [...lans, docker0];
      plan.setOccupancy('bench', () => (scope) => (scope === 'swarm' ? swarm : perLan[Math.floor(Number(scope.slice(1)) / HOSTS_PER_LAN)]));
      for (let h = 0; h < hosts; h++) {
        for (let b = 0; b < BRIDGES_PER_HOST; b++) plan.request('bench', 'bridges', `bench/${hostName(h)}/br${b}`, 24, hostName(h));
        plan.request('bench', 'overlays', `bench/ov${h}`, 24, 'swarm');
        plan.lanRange('bench', lanName(h), hostName(h));
      }
      const r = plan.resolve();
      if (r.problems.length) throw new Error(r.problems.map((p) => p.message).join('\n'));
      return { plan, record: r.record };
    },
  };
}

/** The topology the constructs would produce from the resolved plan. */
export function model(f: Fleet, plan: AddressPlan): TopologyModel {
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

