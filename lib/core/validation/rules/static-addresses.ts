/**
 * DN208-DN212, DN214 (addresses): containers' static addresses. One pass over all attachments with
 * maps for duplicates: per network (an overlay is one network across hosts) and per LAN (macvlan
 * networks of different hosts on one L2 segment share its addresses).
 */
import { IpAddress } from '../../address/cidr';
import { error } from '../problem';
import { ParsedNetwork, ValidationContext } from '../context';

interface Holder {
  readonly container: string;
  readonly name: string;
  readonly net: ParsedNetwork;
}

export function checkStaticAddresses(ctx: ValidationContext): void {
  // Nested maps keyed by number (IPv4) or canonical string (IPv6): no string building per address.
  const perNetwork = new Map<ParsedNetwork, Map<number | string, Holder>>();
  const perLan = new Map<string, Map<number | string, Holder>>();
  const bucket = <K>(m: Map<K, Map<number | string, Holder>>, k: K) => {
    let b = m.get(k);
    if (!b) m.set(k, (b = new Map()));
    return b;
  };
  for (const c of ctx.model.containers) {
    for (const a of c.attachments) {
      const net = ctx.networks.get(a.network);
      if (!net) continue; // DN109
      const n = net.model;
      for (const fam of [4, 6] as const) {
        const text = fam === 4 ? a.ipv4Address : a.ipv6Address;
        if (!text) continue;
        const ip = ctx.ip(text, c.path, fam === 4 ? net.v4Field : net.v6Field, fam);
        if (!ip) continue;
        if (fam === 6 && !n.enableIpv6) {
          ctx.report(error('DN214', [c.path, n.path], `Container "${c.name}" asks for IPv6 address ${ip} on network "${n.name}", which has enable_ipv6 off. Enable IPv6 on the network or drop the address.`));
        }
        const cfg = fam === 4 ? net.v4 : net.v6;
        const subnet = cfg.subnet;
        if (!subnet) continue; // DN103 or DN200 already said why
        if (!subnet.contains(ip)) {
          ctx.report(error('DN208', [c.path, n.path], `Container "${c.name}" asks for ${ip} on network "${n.name}", outside its subnet ${subnet}. Use an address inside ${subnet}.`));
          continue;
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
        const key = fam === 4 ? Number(ip.value) : ip.toString();
        const holder: Holder = { container: c.path, name: c.name, net };
        const onNet: Map<number | string, Holder> = bucket(perNetwork, net);
        const prev = onNet.get(key);
        if (prev) {
          const where = n.driver === 'overlay' && prev.net.model.host !== c.host ? ' (an overlay spans hosts: the address is unique across the swarm)' : '';
          ctx.report(error('DN211', [c.path, prev.container], `Containers "${c.name}" and "${prev.name}" both ask for ${ip} on network "${n.name}"${where}. Give one of them another address.`));
          continue;
        }
        onNet.set(key, holder);
        if (net.lanKey) {
          const onLan: Map<number | string, Holder> = bucket(perLan, net.lanKey);
          const other: Holder | undefined = onLan.get(key);
          if (other && other.net !== net) {
            ctx.report(
              error('DN212', [c.path, other.container],
                `Container "${c.name}" (${n.driver} "${n.name}" on ${n.host}) and "${other.name}" (${other.net.model.driver} "${other.net.model.name}" on ${other.net.model.host}) both ask for ${ip} on LAN "${net.lanKey}". Give one of them another address.`),
            );
          } else if (!other) onLan.set(key, holder);
        }
      }
    }
  }
}

function specialAddress(ip: IpAddress, start: bigint, end: bigint, fam: 4 | 6, hostBits: number, gateway: IpAddress | undefined, explicit: boolean): string | undefined {
  if (gateway && ip.value === gateway.value) return explicit ? 'its gateway' : "the gateway docker picks when none is set (the subnet's first address)";
  if (hostBits <= 1) return undefined;
  if (ip.value === start) return 'the network address';
  if (fam === 4 && ip.value === end) return 'the broadcast address';
  return undefined;
}
