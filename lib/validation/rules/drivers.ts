/**
 * DN301-DN307: macvlan/ipvlan parents and modes, and MTUs against the underlay.
 */
import { error, warning } from '../problem';
import { ValidationContext, splitParent } from '../context';

const MACVLAN_MODES = ['bridge', 'vepa', 'private', 'passthru'];
const IPVLAN_MODES = ['l2', 'l3', 'l3s'];
/** VXLAN header cost, and what IPsec (encrypted overlays) adds on top. */
const VXLAN_OVERHEAD = 50;
const IPSEC_OVERHEAD = 26;
/** Docker sizes overlays for a 1500-byte underlay whatever the real one is. */
const ASSUMED_UNDERLAY = 1500;

/** The largest overlay MTU an underlay allows: 1450 on 1500, encrypted 1424 (rounded down to 4). */
export function overlayMtuLimit(underlay: number, encrypted: boolean): number {
  const plain = underlay - VXLAN_OVERHEAD;
  return encrypted ? Math.floor((plain - IPSEC_OVERHEAD) / 4) * 4 : plain;
}

export function checkDrivers(ctx: ValidationContext): void {
  const ipvlanParents = new Map<string, string>();
  let swarmUnderlay: { mtu: number; host: string } | undefined;
  const overlayUnderlay = () => {
    if (swarmUnderlay) return swarmUnderlay;
    swarmUnderlay = { mtu: Infinity, host: '' };
    for (const h of [...ctx.swarmMembers].sort()) {
      const m = ctx.underlayMtu(h);
      if (m !== undefined && m < swarmUnderlay.mtu) swarmUnderlay = { mtu: m, host: h };
    }
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
          if (p.vlan < 1 || p.vlan > 4094 || p.vlanText!.length > 4) {
            ctx.report(error('DN303', [n.path], `Parent "${n.parent}" of network "${n.name}" names VLAN ${p.vlanText}; 802.1Q VLAN ids are 1 to 4094. Use a valid VLAN id.`));
          }
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
        if (n.driver === 'ipvlan') {
          const key = `${n.host}\0${n.parent}`;
          const prev = ipvlanParents.get(key);
          if (prev) {
            ctx.report(error('DN304', [n.path, prev], `ipvlan network "${n.name}" uses parent ${n.parent} on ${n.host}, which another ipvlan network already uses; docker allows one ipvlan network per parent. Use a VLAN sub-interface (e.g. ${n.parent}.20) or merge the networks.`));
          } else ipvlanParents.set(key, n.path);
        }
      }
    } else if (n.driver === 'overlay') {
      const u = overlayUnderlay();
      if (u.mtu === Infinity) continue;
      const limit = overlayMtuLimit(u.mtu, n.encrypted);
      const why = `the smallest underlay MTU among swarm members is ${u.mtu} (${u.host}) and VXLAN takes ${VXLAN_OVERHEAD} bytes${n.encrypted ? `, IPsec ${IPSEC_OVERHEAD} more, rounded down to a multiple of 4` : ''}`;
      if (n.mtu !== undefined && n.mtu > limit) {
        ctx.report(error('DN305', [n.path], `MTU ${n.mtu} of overlay "${n.name}" is above ${limit}: ${why}. Set mtu to at most ${limit}.`));
      } else if (n.mtu === undefined && overlayMtuLimit(ASSUMED_UNDERLAY, n.encrypted) > limit) {
        const dflt = overlayMtuLimit(ASSUMED_UNDERLAY, n.encrypted);
        ctx.report(warning('DN306', [n.path], `Overlay "${n.name}" sets no MTU, so docker uses ${dflt} (sized for a 1500 underlay), above ${limit}: ${why}. Large packets will be dropped; set mtu to ${limit}.`));
      }
    } else if (n.driver === 'bridge' && n.mtu !== undefined) {
      const u = ctx.underlayMtu(n.host);
      if (u !== undefined && n.mtu > u) {
        ctx.report(error('DN305', [n.path], `MTU ${n.mtu} of bridge network "${n.name}" exceeds the underlay MTU ${u} of host ${n.host}; packets leaving the host would be dropped or fragmented. Use at most ${u}.`));
      }
    }
  }
}
