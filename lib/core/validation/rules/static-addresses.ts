/**
 * DN208-DN212, DN214 (addresses): containers' static addresses. One pass over all attachments with
 * maps for duplicates: per network (an overlay is one network across hosts) and per LAN (macvlan
 * networks of different hosts on one L2 segment share its addresses).
 */
import { IpAddress, fastIpv4 } from '../../address/cidr';
import { ContainerModel } from '../../model';
import { error } from '../problem';
import { ParsedNetwork, ValidationContext } from '../context';

/** A static address on a LAN: the container and the network it asked on. */
interface Holder {
  readonly container: ContainerModel;
  readonly net: ParsedNetwork;
}

type Taken = { perNetwork: Map<ParsedNetwork, Map<number | string, ContainerModel>>; perLan: Map<string, Map<number | string, Holder>> };

export function checkStaticAddresses(ctx: ValidationContext): void {
  // Nested maps keyed by number (IPv4) or canonical string (IPv6): no string building per address.
  const taken: Taken = { perNetwork: new Map(), perLan: new Map() };
  // Indexed loops: see checkTopology.
  const containers = ctx.model.containers;
  for (let ci = 0; ci < containers.length; ci++) {
    const c = containers[ci];
    const atts = c.attachments;
    for (let ai = 0; ai < atts.length; ai++) {
      const a = atts[ai];
      const net = ctx.networks.get(a.network);
      if (!net) continue; // DN109
      if (a.ipv4Address) {
        // The usual case, a canonical IPv4 address inside its subnet (and range) that is none of the
        // special ones, is checked on numbers; anything else takes the general path, which says why.
        const v = fastIpv4(a.ipv4Address);
        const b = net.v4.bounds;
        if (v >= 0 && b && v >= b.rangeStart && v <= b.rangeEnd && v >= b.start && v <= b.end && v !== b.gateway && !(b.hasSpecial && (v === b.start || v === b.end))) {
          claim(ctx, taken, c, net, v, v);
        } else checkAddress(ctx, taken, c, net, 4, a.ipv4Address);
      }
      if (a.ipv6Address) checkAddress(ctx, taken, c, net, 6, a.ipv6Address);
    }
  }
}

function checkAddress(ctx: ValidationContext, taken: Taken, c: ContainerModel, net: ParsedNetwork, fam: 4 | 6, text: string): void {
  const n = net.model;
  const ip = ctx.ip(text, c.path, fam === 4 ? net.v4Field : net.v6Field, fam);
  if (!ip) return;
  if (fam === 6 && !n.enableIpv6) {
    ctx.report(error('DN214', [c.path, n.path], `Container "${c.name}" asks for IPv6 address ${ip} on network "${n.name}", which has enable_ipv6 off. Enable IPv6 on the network or drop the address.`));
  }
  const cfg = fam === 4 ? net.v4 : net.v6;
  const subnet = cfg.subnet;
  if (!subnet) return; // DN103 or DN200 already said why
  if (!subnet.contains(ip)) {
    ctx.report(error('DN208', [c.path, n.path], `Container "${c.name}" asks for ${ip} on network "${n.name}", outside its subnet ${subnet}. Use an address inside ${subnet}.`));
    return;
  }
  const special = specialAddress(ip, subnet.start, subnet.end, fam, subnet.bits - subnet.prefix, cfg.effectiveGateway, !!cfg.gateway);
  if (special) {
    ctx.report(error('DN210', [c.path, n.path], `Container "${c.name}" asks for ${ip} on network "${n.name}", which is ${special}. Use another address of ${subnet}.`));
  }
  if ((n.driver === 'macvlan' || n.driver === 'ipvlan') && cfg.ipRange && !cfg.ipRange.contains(ip)) {
    ctx.report(
      error('DN209', [c.path, n.path],
        `Container "${c.name}" asks for ${ip} on ${n.driver} network "${n.name}", outside the host's ip_range ${cfg.ipRange}; on a shared LAN addresses outside it belong to other hosts, the gateway or the DHCP pool. Use an address inside ${cfg.ipRange}.`),
    );
  }
  claim(ctx, taken, c, net, fam === 4 ? Number(ip.value) : ip.toString(), ip);
}

/** DN211, DN212: records the address (key: number for IPv4, canonical text for IPv6), reports a second holder. */
function claim(ctx: ValidationContext, taken: Taken, c: ContainerModel, net: ParsedNetwork, key: number | string, ip: IpAddress | number): void {
  const n = net.model;
  const shown = () => (typeof ip === 'number' ? IpAddress.of(4, BigInt(ip)) : ip);
  let onNet = taken.perNetwork.get(net);
  if (!onNet) taken.perNetwork.set(net, (onNet = new Map()));
  const prev = onNet.get(key);
  if (prev) {
    const where = n.driver === 'overlay' && n.host !== c.host ? ' (an overlay spans hosts: the address is unique across the swarm)' : '';
    ctx.report(error('DN211', [c.path, prev.path], `Containers "${c.name}" and "${prev.name}" both ask for ${shown()} on network "${n.name}"${where}. Give one of them another address.`));
    return;
  }
  onNet.set(key, c);
  if (net.lanKey) {
    let onLan = taken.perLan.get(net.lanKey);
    if (!onLan) taken.perLan.set(net.lanKey, (onLan = new Map()));
    const other = onLan.get(key);
    if (other && other.net !== net) {
      ctx.report(
        error('DN212', [c.path, other.container.path],
          `Container "${c.name}" (${n.driver} "${n.name}" on ${n.host}) and "${other.container.name}" (${other.net.model.driver} "${other.net.model.name}" on ${other.net.model.host}) both ask for ${shown()} on LAN "${net.lanKey}". Give one of them another address.`),
      );
    } else if (!other) onLan.set(key, { container: c, net });
  }
}

function specialAddress(ip: IpAddress, start: bigint, end: bigint, fam: 4 | 6, hostBits: number, gateway: IpAddress | undefined, explicit: boolean): string | undefined {
  if (gateway && ip.value === gateway.value) return explicit ? 'its gateway' : "the gateway docker picks when none is set (the subnet's first address)";
  if (hostBits <= 1) return undefined;
  if (ip.value === start) return 'the network address';
  if (fam === 4 && ip.value === end) return 'the broadcast address';
  return undefined;
}
