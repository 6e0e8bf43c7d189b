/**
 * DN301-DN308: macvlan/ipvlan parents and modes, and MTUs against the underlay. The numbers come
 * from lib/core/facts (the overlay construct renders with the same ones).
 */
import { IpAddress } from '../../address/cidr';
import { HostModel } from '../../model';
import { error, warning } from '../problem';
import { ValidationContext, splitParent } from '../context';
import { DEFAULT_UNDERLAY_MTU, IPSEC_OVERHEAD, IPV6_MIN_MTU, VXLAN_OVERHEAD, overlayMtuLimit } from '../../facts/docker';

const MACVLAN_MODES = ['bridge', 'vepa', 'private', 'passthru'];
const IPVLAN_MODES = ['l2', 'l3', 'l3s'];

export { overlayMtuLimit };

export function checkDrivers(ctx: ValidationContext): void {
  const lanParents = new Map<string, string>();
  let swarmUnderlay: { mtu: number; host: string; assumed: boolean } | undefined;
  const overlayUnderlay = () => {
    if (swarmUnderlay) return swarmUnderlay;
    swarmUnderlay = { mtu: Infinity, host: '', assumed: false };
    for (const h of [...ctx.swarmMembers].sort()) {
      const m = ctx.underlayMtu(h);
      if (m !== undefined && m < swarmUnderlay.mtu) swarmUnderlay = { mtu: m, host: h, assumed: false };
    }
    // No member declares interfaces: Docker (and docknet) assume Ethernet's 1500; say so.
    if (swarmUnderlay.mtu === Infinity) swarmUnderlay = { mtu: DEFAULT_UNDERLAY_MTU, host: '', assumed: true };
    return swarmUnderlay;
  };

  for (const net of ctx.networks.values()) {
    const n = net.model;
    const host = ctx.hosts.get(n.host);
    if (n.driver === 'macvlan' || n.driver === 'ipvlan') {
      const modes = n.driver === 'macvlan' ? MACVLAN_MODES : IPVLAN_MODES;
      if (n.mode !== undefined && !modes.includes(n.mode)) {
        ctx.report(error('DN307', [n.path], `${n.driver}_mode "${n.mode}" of network "${n.name}" is not one of ${modes.join(', ')}. Use one of those.`));
      }
      if (!n.parent) {
        if (!n.internal) {
          ctx.report(
            warning('DN301', [n.path], `${n.driver} network "${n.name}" has no parent, so docker creates a dummy interface and the network cannot reach the LAN. Set parent (e.g. "eth0" or "eth0.50"), or internal: true if that is intended.`),
          );
        }
      } else if (host) {
        const declared = new Set(host.interfaces.map((i) => i.name));
        const p = splitParent(n.parent);
        let parentMtu: number | undefined;
        if (declared.has(n.parent)) parentMtu = ctx.interfaceOf(n.host, n.parent)?.mtu;
        else if (p.vlan !== undefined && declared.has(p.base)) {
          // The VLAN id itself (DN303) is a single value: ParentInterface refuses it at once.
          parentMtu = ctx.interfaceOf(n.host, p.base)?.mtu;
        } else {
          const base = p.vlan !== undefined ? ` (a VLAN sub-interface of "${p.base}", which is not declared either)` : '';
          ctx.report(
            error('DN302', [n.path, host.path],
              `Parent "${n.parent}" of ${n.driver} network "${n.name}" is not an interface host ${n.host} declares${base}; declared: ${[...declared].sort().join(', ') || 'none'}. Declare the interface on the host or fix the parent.`),
          );
        }
        if (n.mtu !== undefined && parentMtu !== undefined && n.mtu > parentMtu) {
          ctx.report(error('DN305', [n.path], `MTU ${n.mtu} of ${n.driver} network "${n.name}" exceeds the MTU ${parentMtu} of its parent ${n.parent} on ${n.host}. Use at most ${parentMtu}.`));
        }
        // Docker refuses a second macvlan or ipvlan network on a parent ("network ... is already using parent interface").
        const key = `${n.host}\0${n.parent}`;
        const prev = lanParents.get(key);
        if (prev) {
          ctx.report(error('DN304', [n.path, prev], `${n.driver} network "${n.name}" uses parent ${n.parent} on ${n.host}, which network ${prev} already uses; docker allows one macvlan/ipvlan network per parent (it answers "network ... is already using parent interface ${n.parent}"). Use a VLAN sub-interface (e.g. ${n.parent}.20) or merge the networks.`));
        } else lanParents.set(key, n.path);
      }
    } else if (n.driver === 'overlay') {
      // An overlay without an mtu gets what the smallest swarm underlay leaves (the construct renders it so).
      const u = overlayUnderlay();
      const limit = overlayMtuLimit(u.mtu, n.encrypted);
      const why = u.assumed
        ? `no swarm member declares interfaces, so docknet assumes a ${DEFAULT_UNDERLAY_MTU} underlay, and VXLAN takes ${VXLAN_OVERHEAD} bytes${n.encrypted ? `, IPsec ${IPSEC_OVERHEAD} more, rounded down to a multiple of 4` : ''}`
        : `the smallest underlay MTU among swarm members is ${u.mtu} (${u.host}) and VXLAN takes ${VXLAN_OVERHEAD} bytes${n.encrypted ? `, IPsec ${IPSEC_OVERHEAD} more, rounded down to a multiple of 4` : ''}`;
      if (n.mtu !== undefined && n.mtu > limit) {
        const fix = u.assumed ? `Set mtu to at most ${limit}, or declare the members' interfaces with their real MTU (interfaces: { eth0: { mtu: ${n.mtu + VXLAN_OVERHEAD} } }).` : `Set mtu to at most ${limit}.`;
        ctx.report(error('DN305', [n.path], `MTU ${n.mtu} of overlay "${n.name}" is above ${limit}: ${why}. ${fix}`));
      }
    }
    if (n.mtu !== undefined && n.enableIpv6 && n.mtu < IPV6_MIN_MTU) {
      ctx.report(error('DN308', [n.path], `MTU ${n.mtu} of ${n.driver} network "${n.name}" is below ${IPV6_MIN_MTU}, the IPv6 minimum, but the network has IPv6; the kernel turns IPv6 off on such an interface. Use an MTU of at least ${IPV6_MIN_MTU} or drop IPv6.`));
    }
    if (n.driver === 'bridge' && n.mtu !== undefined) {
      const u = ctx.underlayMtu(n.host);
      if (u !== undefined && n.mtu > u) {
        ctx.report(error('DN305', [n.path], `MTU ${n.mtu} of bridge network "${n.name}" exceeds the underlay MTU ${u} of host ${n.host}; packets leaving the host would be dropped or fragmented. Use at most ${u}.`));
      }
    }
  }
}

/**
 * DN522: a macvlan shim's address must be on its network's subnet and in no container range of any
 * macvlan/ipvlan network on that subnet (another host's docker could hand it to a container).
 * DN523: and nobody else's on that LAN: not the gateway (nor the subnet's network or broadcast
 * address), not a host's own address, not another shim's, not a container's static address. The
 * shim answers ARP for its address on the LAN, so any of these would be an address handed out twice.
 */
export function checkShims(ctx: ValidationContext): void {
  let taken: ShimIndex | undefined;
  const shimsSeen = new Map<string, { name: string; host: string; path: string }>();
  for (const h of ctx.model.hosts) {
    for (const shim of h.shims ?? []) {
      const net = ctx.networks.get(shim.network);
      const ip = ctx.ip(shim.address, h.path, `macvlan shim "${shim.name}" address`, 4);
      if (!net || !ip) continue;
      const problems: string[] = [];
      const subnet = net.v4.subnet;
      if (subnet && !subnet.contains(ip)) problems.push(`its address ${ip} is not on the network's subnet ${subnet}; expected a spare address of that LAN.`);
      for (const other of ctx.networks.values()) {
        const m = other.model;
        if (m.driver !== 'macvlan' && m.driver !== 'ipvlan') continue;
        const range = other.v4.ipRange ?? other.v4.subnet;
        if (subnet && other.v4.subnet && other.v4.subnet.toString() === subnet.toString() && range?.contains(ip)) {
          problems.push(`its address ${ip} lies in the container range ${range} of "${m.name}" on ${m.host}; Docker may give it to a container. Reserve a spare LAN address (addLanSegment reserved) and use it.`);
        }
      }
      if (problems.length) ctx.report(error('DN522', [h.path], `macvlan shim "${shim.name}" for "${net.model.name}": ${problems.join(' ')}`));

      // DN523. The L2 domain as the static-address rules key it; a network without one (no declared
      // parent interface or LAN) by its subnet.
      const lan = net.lanKey ?? (subnet ? `subnet ${subnet}` : undefined);
      const collisions: string[] = [];
      const constructs = [h.path];
      const gw = net.v4.effectiveGateway;
      if (gw && gw.value === ip.value) collisions.push(net.v4.gateway ? `the gateway of "${net.model.name}" (the LAN's router)` : `the gateway Docker assumes for "${net.model.name}" (the subnet's first address; the network declares none)`);
      else if (subnet && subnet.bits - subnet.prefix > 1 && (ip.value === subnet.start || ip.value === subnet.end)) {
        collisions.push(`the ${ip.value === subnet.start ? 'network' : 'broadcast'} address of ${subnet}`);
      }
      taken ??= indexTaken(ctx);
      // Hosts' addresses by address alone, as DN217 takes them: an interface may declare no LAN and
      // an endpoint never says which, so a host known by the shim's address is a collision.
      for (const o of taken.hosts.get(ip.value) ?? []) {
        collisions.push(o.host === h.name ? `this host's own address (${o.what})` : `the address of host ${o.host} (${o.what})`);
        if (o.host !== h.name) constructs.push(o.path);
      }
      const key = lan === undefined ? undefined : `${lan}\0${ip.value}`;
      if (key !== undefined) {
        for (const c of taken.statics.get(key) ?? []) {
          collisions.push(`the static address container "${c.name}" asks for on ${c.driver} "${c.network}" on ${c.host}`);
          constructs.push(c.path);
        }
        const prev = shimsSeen.get(key);
        if (prev) {
          collisions.push(`the address of macvlan shim "${prev.name}" of host ${prev.host}`);
          if (prev.path !== h.path) constructs.push(prev.path);
        } else shimsSeen.set(key, { name: shim.name, host: h.name, path: h.path });
      }
      if (collisions.length) {
        ctx.report(
          error('DN523', [...new Set(constructs)],
            `macvlan shim "${shim.name}" for "${net.model.name}" on ${h.name}: its address ${ip} is ${collisions.join(', and ')}${lan ? ` on LAN "${lan}"` : ''}; the shim would answer for that address on the LAN as well (an ARP conflict: traffic for it goes astray). Give the shim a spare address of ${subnet ?? 'the LAN'} that nothing else uses, reserved in the LAN segment (addLanSegment reserved).`),
        );
      }
    }
  }
}

interface ShimIndex {
  /** IPv4 addresses hosts are known by: interface addresses, the endpoint's address, the advertise address. */
  readonly hosts: Map<bigint, { host: string; path: string; what: string }[]>;
  /** Containers' static IPv4 addresses on macvlan/ipvlan networks, by "<lan>\0<address>". */
  readonly statics: Map<string, { name: string; path: string; host: string; network: string; driver: string }[]>;
}

/** Built once, and only when some host has a shim (a fleet has tens of thousands of attachments). */
function indexTaken(ctx: ValidationContext): ShimIndex {
  const hosts: ShimIndex['hosts'] = new Map();
  const add = (ip: IpAddress | undefined, host: HostModel, what: string) => {
    if (!ip || ip.family !== 4) return;
    const list = hosts.get(ip.value) ?? [];
    // One entry per host and address: the endpoint is usually the interface's address too.
    if (!list.some((x) => x.host === host.name)) list.push({ host: host.name, path: host.path, what });
    hosts.set(ip.value, list);
  };
  for (const h of ctx.model.hosts) {
    for (const i of h.interfaces) if (i.address) add(IpAddress.tryParse(i.address.split('/')[0]), h, `${i.name}, ${i.address}`);
    add(endpointAddress(h.endpoint), h, `endpoint ${h.endpoint}`);
    if (h.advertiseAddress) add(IpAddress.tryParse(h.advertiseAddress), h, 'swarm advertise address');
  }
  const statics: ShimIndex['statics'] = new Map();
  for (const c of ctx.model.containers) {
    for (const a of c.attachments) {
      if (!a.ipv4Address) continue;
      const net = ctx.networks.get(a.network);
      const m = net?.model;
      if (!net || !m || (m.driver !== 'macvlan' && m.driver !== 'ipvlan')) continue;
      const lan = net.lanKey ?? (net.v4.subnet ? `subnet ${net.v4.subnet}` : undefined);
      const ip = IpAddress.tryParse(a.ipv4Address);
      if (!lan || !ip || ip.family !== 4) continue; // malformed: DN200 from the static-address rules
      const key = `${lan}\0${ip.value}`;
      const list = statics.get(key) ?? [];
      list.push({ name: c.name, path: c.path, host: c.host, network: m.name, driver: m.driver });
      statics.set(key, list);
    }
  }
  return { hosts, statics };
}

/** The IP address in a provider endpoint ("ssh://ops@10.0.0.11:22", "tcp://10.0.0.11:2376"), if it names one. */
function endpointAddress(endpoint: string): IpAddress | undefined {
  try {
    return IpAddress.tryParse(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return undefined; // unix:// or not a URL: no address
  }
}
