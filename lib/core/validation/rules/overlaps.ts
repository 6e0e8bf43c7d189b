/**
 * DN201-DN205, DN213: overlapping address ranges. All by sorting and sweeping (address/intervals.ts):
 * networks are grouped (per host, per environment for overlays, per LAN) and each group is swept once;
 * ranges identical on many hosts (bip 172.17.0.0/16 everywhere) are indexed once with their host list.
 */
import { Cidr, IpAddress } from '../../address/cidr';
import { DOCKER_DEFAULT_ADDRESS_POOLS, DOCKER_DEFAULT_BIP_NETWORK } from '../../facts/docker';
import { Span, SpanIndex, crossOverlaps, sweepOverlaps } from '../../address/intervals';
import { error, warning } from '../problem';
import { ParsedNetwork, ValidationContext, describeNet, splitParent } from '../context';

type NetSpan = Span<{ net: ParsedNetwork; cidr: Cidr }>;

function netSpan(net: ParsedNetwork, c: Cidr): NetSpan {
  return { family: c.family, start: c.start, end: c.end, item: { net, cidr: c } };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

type RangeKind = 'interface' | 'lan' | 'daemon' | 'pool' | 'swarm-pool';

interface HostRange {
  readonly kind: RangeKind;
  readonly label: string;
  readonly cidr: Cidr;
  /** Interface name or LAN segment name, for the macvlan exemption. */
  readonly iface?: string;
  readonly lan?: string;
  readonly hosts: string[];
  /**
   * Docker's default (the host does not declare it). It concerns every local network, macvlan and
   * ipvlan included (they share the default IPAM's local address space: Docker answers "Pool overlaps
   * with other one on this address space"; found by the differential test), not overlays.
   */
  readonly dockerDefault?: boolean;
}

export function checkOverlaps(ctx: ValidationContext): void {
  const local = new Map<string, NetSpan[]>();
  const overlays: NetSpan[] = [];
  const localOnSwarm: NetSpan[] = [];
  // Spans go straight into their groups: no per-network array, spread or for-of, which on a cold
  // first call allocated about 1 KB per network (iterators and their results).
  for (const net of ctx.networks.values()) {
    const n = net.model;
    const s4 = net.v4.subnet ? netSpan(net, net.v4.subnet) : undefined;
    const s6 = net.v6.subnet ? netSpan(net, net.v6.subnet) : undefined;
    if (!s4 && !s6) continue;
    if (n.driver === 'overlay') {
      if (s4) overlays.push(s4);
      if (s6) overlays.push(s6);
      continue;
    }
    let onHost = local.get(n.host);
    if (!onHost) local.set(n.host, (onHost = []));
    if (s4) onHost.push(s4);
    if (s6) onHost.push(s6);
    if (ctx.swarmMembers.has(n.host)) {
      if (s4) localOnSwarm.push(s4);
      if (s6) localOnSwarm.push(s6);
    }
  }

  // DN201: local networks of one host.
  for (const spans of local.values()) {
    for (const [a, b] of sweepOverlaps(spans)) {
      ctx.report(
        error('DN201', [b.net.model.path, a.net.model.path],
          `Network "${b.net.model.name}" (${b.cidr}) overlaps network "${a.net.model.name}" (${a.cidr}) on host ${b.net.model.host}; docker refuses overlapping subnets on one host. Give one of them another subnet.`),
      );
    }
  }

  // DN201: an overlay spans every swarm member, so it must not overlap their local networks.
  if (overlays.length && localOnSwarm.length) {
    const index = new SpanIndex(localOnSwarm);
    for (const o of overlays) {
      const hits = index.all(o);
      if (!hits.length) continue;
      const first = hits[0];
      const more = hits.length > 1 ? ` (and ${hits.length - 1} more)` : '';
      ctx.report(
        error('DN201', [o.item.net.model.path, first.net.model.path],
          `Overlay "${o.item.net.model.name}" (${o.item.cidr}) overlaps ${describeNet(first.net)} (${first.cidr})${more}; overlays reach every swarm member, where the overlap breaks routing. Give the overlay a subnet no local network uses.`),
      );
    }
  }

  // DN202: overlays share one swarm-wide address space.
  for (const [a, b] of sweepOverlaps(overlays)) {
    ctx.report(
      error('DN202', [b.net.model.path, a.net.model.path],
        `Overlay "${b.net.model.name}" (${b.cidr}) overlaps overlay "${a.net.model.name}" (${a.cidr}) in environment "${ctx.model.environment}"; overlays share one address space. Give one another subnet.`),
    );
  }

  // DN203-DN205: networks against the host's own ranges.
  const perHost = new Map<string, SpanIndex<HostRange>>();
  const swarmRanges = new Map<string, Span<HostRange>>();
  const lanByName = new Map(ctx.model.lanSegments.map((l) => [l.name, l]));
  // Indexed loops and flags instead of for-of and .some(callback): each allocates per step or call
  // on a cold first call, and this runs for every host.
  for (const h of ctx.hosts.values()) {
    const ranges: Span<HostRange>[] = [];
    const add = (r: HostRange) => ranges.push({ family: r.cidr.family, start: r.cidr.start, end: r.cidr.end, item: r });
    const interfaces = h.interfaces;
    for (let i = 0; i < interfaces.length; i++) {
      const itf = interfaces[i];
      const c = itf.address ? ctx.cidrContaining(itf.address, h.path, `interface ${itf.name} address`) : undefined;
      if (c) add({ kind: 'interface', label: `the subnet ${c} of interface ${itf.name}`, cidr: c, iface: itf.name, lan: itf.lan, hosts: [h.name] });
      const seg = itf.lan ? lanByName.get(itf.lan) : undefined;
      const sc = seg ? ctx.cidr(seg.subnet, `lan ${seg.name}`, 'subnet') : undefined;
      if (seg && sc) add({ kind: 'lan', label: `LAN segment "${seg.name}" (${sc})`, cidr: sc, iface: itf.name, lan: seg.name, hosts: [h.name] });
    }
    let bip = false;
    let pools = false;
    const daemonRanges = h.daemonRanges;
    for (let i = 0; i < daemonRanges.length; i++) {
      const r = daemonRanges[i];
      const c = ctx.cidrContaining(r.cidr, h.path, r.label);
      const soft = r.label.startsWith('default-address-pools');
      if (r.label === 'bip') bip = true;
      if (soft) pools = true;
      if (c) add({ kind: soft ? 'pool' : 'daemon', label: `daemon ${r.label} (${r.cidr})`, cidr: c, hosts: [h.name] });
    }
    // Docker's defaults are part of the plan: a host that does not declare bip has docker0 on
    // 172.17.0.0/16, one that does not declare default-address-pools hands out Docker's.
    if (!bip) {
      add({ kind: 'daemon', label: `Docker's default docker0 (${DOCKER_DEFAULT_BIP_NETWORK}; the host declares no bip)`, cidr: Cidr.parse(DOCKER_DEFAULT_BIP_NETWORK), hosts: [h.name], dockerDefault: true });
    }
    if (!pools) {
      for (const p of DOCKER_DEFAULT_ADDRESS_POOLS) {
        if (p.base === DOCKER_DEFAULT_BIP_NETWORK) continue; // docker0's, above
        add({ kind: 'pool', label: `Docker's default address pool ${p.base} (the host declares no default-address-pools)`, cidr: Cidr.parse(p.base), hosts: [h.name], dockerDefault: true });
      }
    }
    if (ctx.swarmMembers.has(h.name)) {
      const swarmPools = ctx.model.swarm?.defaultAddrPools ?? [];
      for (let i = 0; i < swarmPools.length; i++) {
        const c = ctx.cidr(swarmPools[i], 'swarm', 'default-addr-pool');
        if (c) add({ kind: 'swarm-pool', label: `swarm default-addr-pool (${c})`, cidr: c, hosts: [h.name] });
      }
      // Overlays meet every member's ranges: index each distinct range once, with its hosts.
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i].item;
        if (r.kind === 'swarm-pool' || r.dockerDefault) continue;
        const key = `${r.kind}|${r.cidr}|${r.label}`;
        const prev = swarmRanges.get(key);
        if (prev) prev.item.hosts.push(h.name);
        else swarmRanges.set(key, { family: r.cidr.family, start: r.cidr.start, end: r.cidr.end, item: { ...r, hosts: [h.name] } });
      }
    }
    perHost.set(h.name, new SpanIndex(ranges));
  }

  for (const [host, spans] of local) {
    const index = perHost.get(host);
    if (!index || !index.size) continue;
    for (const s of spans) reportHostRanges(ctx, s, index.all(s), false);
  }
  checkPoolDraws(ctx, local, perHost);
  if (overlays.length && swarmRanges.size) {
    const index = new SpanIndex([...swarmRanges.values()]);
    for (const o of overlays) reportHostRanges(ctx, o, index.all(o), true);
  }

  checkLanRanges(ctx);
  checkHostAddressesInRanges(ctx);
}

/**
 * DN218: a local network without an IPv4 subnet gets a block of the host's address pools (declared,
 * or Docker's defaults) when it is created; a network of the same host whose explicit subnet lies in
 * those pools may then be refused ("Pool overlaps with other one on this address space"), depending
 * on which one Docker creates first and where its allocator stands. Found by the differential test
 * (seed 2026, case 91).
 */
function checkPoolDraws(ctx: ValidationContext, local: Map<string, NetSpan[]>, perHost: Map<string, SpanIndex<HostRange>>): void {
  const drawing = new Map<string, string>();
  for (const net of ctx.networks.values()) {
    const n = net.model;
    if (n.driver !== 'overlay' && !net.v4.subnet && !n.ipv4?.subnet && !drawing.has(n.host)) drawing.set(n.host, n.path);
  }
  for (const [host, draw] of drawing) {
    const index = perHost.get(host);
    for (const s of local.get(host) ?? []) {
      if (s.family !== 4) continue;
      const pool = index?.all(s).find((r) => r.kind === 'pool');
      if (!pool) continue;
      const n = s.item.net.model;
      ctx.report(
        error('DN218', [n.path, draw],
          `Network "${n.name}" (${s.item.cidr}) lies in ${pool.label} of host ${host}, from which Docker draws a block for network ${draw}, which has no subnet; Docker may hand out the same block and refuse one of them ("Pool overlaps with other one on this address space"). Give ${draw} a subnet, or move "${n.name}" out of the pools.`),
      );
    }
  }
}

/**
 * DN217: a host's own address inside a macvlan/ipvlan ip_range on its LAN. Docker hands out that
 * range, so a container could take the host's address. Aux addresses are exempt (docker skips them).
 */
function checkHostAddressesInRanges(ctx: ValidationContext): void {
  const addrs: { host: string; path: string; itf: string; ip: IpAddress; subnet: Cidr }[] = [];
  for (const h of ctx.hosts.values()) {
    for (const i of h.interfaces) {
      if (!i.address) continue;
      try {
        addrs.push({ host: h.name, path: h.path, itf: i.name, ip: IpAddress.parse(i.address.split('/')[0]), subnet: Cidr.containing(i.address) });
      } catch {
        // DN200 reported above
      }
    }
  }
  if (!addrs.length) return;
  // Every host's address against every range would be hosts x ranges: sort the addresses once and
  // find each range's by binary search (the ranges are IPv4, so only IPv4 addresses can fall in).
  const order = addrs.map((a, i) => ({ a, i })).filter((x) => x.a.ip.family === 4);
  order.sort((x, y) => (x.a.ip.value < y.a.ip.value ? -1 : x.a.ip.value > y.a.ip.value ? 1 : x.i - y.i));
  for (const net of ctx.networks.values()) {
    const n = net.model;
    if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') continue;
    const range = net.v4.ipRange;
    if (!range || !net.v4.subnet) continue;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order[mid].a.ip.value < range.start) lo = mid + 1;
      else hi = mid;
    }
    const inRange: number[] = [];
    for (let k = lo; k < order.length && order[k].a.ip.value <= range.end; k++) inRange.push(order[k].i);
    if (!inRange.length) continue;
    inRange.sort((x, y) => x - y); // report in the hosts' order, as before
    const aux = new Set(Object.values(n.ipv4?.auxAddresses ?? {}));
    for (const i of inRange) {
      const a = addrs[i];
      if (!range.contains(a.ip) || !net.v4.subnet.contains(a.ip) || aux.has(a.ip.toString())) continue;
      ctx.report(
        error('DN217', [n.path, a.path],
          `ip_range ${range} of ${n.driver} network "${n.name}" on ${n.host} contains ${a.ip}, the address of host ${a.host} (${a.itf}) on that LAN; docker may give it to a container. Carve the range around it, or list it in auxAddresses.`),
      );
    }
  }
}

function reportHostRanges(ctx: ValidationContext, s: NetSpan, hits: HostRange[], overlay: boolean): void {
  if (!hits.length) return;
  const net = s.item.net;
  const n = net.model;
  const parent = n.parent ? splitParent(n.parent) : undefined;
  const reported = new Set<string>();
  for (const r of hits) {
    // Docker's default pools only matter to bridges: a macvlan on a 192.168.x LAN is the usual case,
    // and docker skips used ranges when it allocates.
    if (r.dockerDefault && r.kind === 'pool' && n.driver !== 'bridge') continue;
    // A macvlan/ipvlan network is meant to sit on its parent's LAN.
    if ((n.driver === 'macvlan' || n.driver === 'ipvlan') && (r.kind === 'interface' || r.kind === 'lan')) {
      const sameL2 = (parent && parent.vlan === undefined && r.iface === parent.base) || (n.lan !== undefined && r.lan === n.lan) || n.parent === r.iface;
      if (sameL2) continue;
    }
    if (r.kind === 'swarm-pool' && overlay) continue;
    const code = r.kind === 'interface' || r.kind === 'lan' ? 'DN203' : r.kind === 'daemon' ? 'DN204' : 'DN205';
    if (reported.has(code)) continue;
    reported.add(code);
    const where = overlay ? `swarm member${r.hosts.length > 1 ? 's' : ''} ${r.hosts.slice(0, 3).join(', ')}${r.hosts.length > 3 ? ` and ${r.hosts.length - 3} more` : ''}` : `host ${n.host}`;
    const subject = `${n.driver === 'overlay' ? 'Overlay' : 'Network'} "${n.name}" (${s.item.cidr})`;
    const constructs = [n.path, ...r.hosts.slice(0, 3).map((h) => ctx.hosts.get(h)?.path ?? h)];
    if (code === 'DN203') {
      ctx.report(error(code, constructs, `${subject} overlaps ${r.label} of ${where}; containers could not reach that LAN and the host's routes break. Choose a subnet outside the LAN.`));
    } else if (code === 'DN204') {
      ctx.report(error(code, constructs, `${subject} overlaps ${r.label} of ${where}; docker0 and the network would share addresses. Move the network or change the daemon setting.`));
    } else if (r.kind === 'swarm-pool') {
      ctx.report(
        warning(code, constructs, `${subject} overlaps ${r.label} on ${where}; overlays allocated from the pool later may land on it. Move the network out of the swarm pool.`),
      );
    } else {
      ctx.report(
        warning(code, constructs, `${subject} overlaps ${r.label} of ${where}; networks docker allocates itself (compose, docker network create without --subnet) may land on it. Move the network out of the pool or shrink the pool.`),
      );
    }
  }
}

/** DN213: per L2 domain, host ip_ranges must be disjoint and clear of the gateway and reserved ranges. */
function checkLanRanges(ctx: ValidationContext): void {
  type Owner = { what: string; path: string; host: string; gateway?: bigint };
  const byLan = new Map<string, Span<Owner>[]>();
  for (const net of ctx.networks.values()) {
    if (!net.lanKey) continue;
    for (const p of [net.v4, net.v6]) {
      const r = p.ipRange ?? p.subnet;
      if (!r) continue;
      const what = p.ipRange ? `ip_range ${r} of network "${net.model.name}" on ${net.model.host}` : `network "${net.model.name}" on ${net.model.host} (no ip_range: the whole ${r})`;
      push(byLan, net.lanKey, { family: r.family, start: r.start, end: r.end, item: { what, path: net.model.path, host: net.model.host, gateway: p.effectiveGateway?.value } });
    }
  }
  for (const seg of ctx.model.lanSegments) {
    const segPath = `lan ${seg.name}`;
    const hostSpans: Span<Owner>[] = [];
    for (const hr of seg.hostRanges) {
      const c = ctx.cidr(hr.ipRange, segPath, `ip_range of host ${hr.host}`);
      if (c) hostSpans.push({ family: c.family, start: c.start, end: c.end, item: { what: `ip_range ${c} of host ${hr.host}`, path: segPath, host: hr.host } });
    }
    const reserved: Span<{ what: string; value?: bigint }>[] = [];
    const gw = ctx.ip(seg.gateway, segPath, 'gateway');
    if (gw) reserved.push({ family: gw.family, start: gw.value, end: gw.value, item: { what: `the gateway ${gw}`, value: gw.value } });
    for (const r of seg.reserved) {
      const c = ctx.cidrContaining(r.cidr, segPath, `reserved range "${r.label}"`);
      if (c) reserved.push({ family: c.family, start: c.start, end: c.end, item: { what: `reserved range "${r.label}" (${r.cidr})` } });
    }
    const candidates = [...hostSpans, ...(byLan.get(seg.name) ?? [])];
    for (const [a, b] of crossOverlaps(candidates, reserved, (o, r) => !(r.value !== undefined && o.gateway === r.value))) {
      ctx.report(error('DN213', [a.path, segPath], `The ${a.what} contains ${b.what} of LAN segment "${seg.name}"; containers would take that address. Carve the range around it (let the address plan allocate it).`));
    }
    for (const [a, b] of sweepOverlaps(hostSpans)) {
      ctx.report(error('DN213', [segPath], `On LAN segment "${seg.name}" the ${b.what} overlaps the ${a.what}; both hosts would hand out the same addresses. Give each host a disjoint range.`));
    }
  }
  for (const [lan, spans] of byLan) {
    for (const [a, b] of sweepOverlaps(spans)) {
      if (a.host === b.host) continue;
      ctx.report(
        error('DN213', [b.path, a.path],
          `On LAN "${lan}" the ${b.what} overlaps the ${a.what}; each host's docker hands out addresses independently, so both would give out the same ones. Give each host a disjoint ip_range (LAN segment ranges do this).`),
      );
    }
  }
}
