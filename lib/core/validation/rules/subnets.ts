/**
 * DN206, DN207, DN214, DN215, DN216: each network's own IP settings (gateway, ip_range, aux addresses,
 * IPv6 switch, overlay size). Malformed values were already reported as DN200 by the context.
 */
import { Cidr } from '../../address/cidr';
import { error, warning } from '../problem';
import { ParsedIpConfig, ValidationContext } from '../context';
import { IpConfigModel, NetworkModel } from '../../model';

export function checkSubnets(ctx: ValidationContext): void {
  for (const net of ctx.networks.values()) {
    const n = net.model;
    // Two plain calls, not a loop over [family, config] tuples: destructuring goes through the
    // iterator protocol, which a cold first call pays per network.
    if (n.ipv4) checkFamily(ctx, n, 'ipv4', n.ipv4, net.v4);
    if (n.ipv6) checkFamily(ctx, n, 'ipv6', n.ipv6, net.v6);
    if (n.ipv6?.subnet && !n.enableIpv6) {
      ctx.report(error('DN214', [n.path], `Network "${n.name}" declares IPv6 subnet ${n.ipv6.subnet} but enable_ipv6 is off, so docker ignores it. Set enableIpv6: true or remove the IPv6 settings.`));
    }
    if (n.driver === 'overlay' && net.v4.subnet && net.v4.subnet.prefix < 24) {
      ctx.report(
        warning('DN215', [n.path],
          `Overlay "${n.name}" has subnet ${net.v4.subnet} (${net.v4.subnet.size} addresses); docker advises /24 for overlays, which become unstable around 1000 containers. Use a /24 per overlay and split large services.`),
      );
    }
  }
}

function checkFamily(ctx: ValidationContext, n: NetworkModel, key: 'ipv4' | 'ipv6', cfg: IpConfigModel, parsed: ParsedIpConfig): void {
  checkConfig(ctx, n.path, n.name, key, parsed);
  const aux = cfg.auxAddresses;
  if (!aux) return;
  for (const name in aux) {
    if (!Object.prototype.hasOwnProperty.call(aux, name)) continue;
    const ip = ctx.ip(aux[name], n.path, `${key} aux address "${name}"`, key === 'ipv4' ? 4 : 6);
    if (ip && parsed.subnet && !parsed.subnet.contains(ip)) {
      ctx.report(error('DN216', [n.path], `Aux address "${name}" ${ip} of network "${n.name}" lies outside its subnet ${parsed.subnet}. Use an address inside it.`));
    }
  }
}

function checkConfig(ctx: ValidationContext, path: string, name: string, key: string, p: ParsedIpConfig): void {
  const subnet: Cidr | undefined = p.subnet;
  if (!subnet) return;
  if (p.gateway) {
    if (!subnet.contains(p.gateway)) {
      ctx.report(error('DN206', [path], `Gateway ${p.gateway} of network "${name}" lies outside its ${key} subnet ${subnet}. Use an address inside it, usually ${subnet.firstUsable}.`));
    } else if (subnet.bits - subnet.prefix > 1 && p.gateway.value === subnet.start) {
      ctx.report(error('DN206', [path], `Gateway ${p.gateway} of network "${name}" is the network address of ${subnet}. Use a host address, usually ${subnet.firstUsable}.`));
    } else if (subnet.family === 4 && subnet.prefix < 31 && p.gateway.value === subnet.end) {
      ctx.report(error('DN206', [path], `Gateway ${p.gateway} of network "${name}" is the broadcast address of ${subnet}. Use a host address, usually ${subnet.firstUsable}.`));
    }
  }
  if (p.ipRange && !subnet.contains(p.ipRange)) {
    ctx.report(error('DN207', [path], `ip_range ${p.ipRange} of network "${name}" is not inside its ${key} subnet ${subnet}. Use a block inside ${subnet}.`));
  }
}
