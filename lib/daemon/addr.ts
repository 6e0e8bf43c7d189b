import * as ipaddr from 'ipaddr.js';

/**
 * Strict address parsing for daemon.json values. ipaddr.js's parse() accepts forms dockerd (Go's
 * net/netip) refuses, such as "10/8" or "010.0.0.1", so IPv4 must be four-part decimal without
 * leading zeros (isValidFourPartDecimal).
 */
export type IpFamily = 'ipv4' | 'ipv6';

export interface ParsedCidr {
  readonly family: IpFamily;
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
  /** Network form, e.g. "10.200.0.0/24". */
  readonly network: string;
}

/** Returns the parsed address, or a sentence saying why the text is not one. */
export function parseIp(text: string, family?: IpFamily): ipaddr.IPv4 | ipaddr.IPv6 | string {
  if (typeof text !== 'string') return `expected an IP address string, got ${JSON.stringify(text)}`;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const a = ipaddr.IPv4.parse(text);
    return family === 'ipv6' ? `"${text}" is IPv4, expected an IPv6 address` : a;
  }
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    const a = ipaddr.IPv6.parse(text);
    return family === 'ipv4' ? `"${text}" is IPv6, expected an IPv4 address` : a;
  }
  return `"${text}" is not an ${family === 'ipv6' ? 'IPv6' : family === 'ipv4' ? 'IPv4' : 'IP'} address`;
}

/** Parses "address/prefix"; the address may be a host address (bip) or the network itself. */
export function parseCidr(text: string, family?: IpFamily): ParsedCidr | string {
  if (typeof text !== 'string') return `expected a CIDR string, got ${JSON.stringify(text)}`;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const asIp = parseIp(text, family);
    const hint = typeof asIp === 'string' ? '' : ` Did you mean "${text}/${asIp.kind() === 'ipv4' ? 32 : 128}"?`;
    return `CIDR prefix is missing in "${text}".${hint}`;
  }
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const address = parseIp(addrText, family);
  if (typeof address === 'string') return `"${text}" is not a CIDR: ${address}`;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return `"${text}" has prefix "/${prefixText}", expected /0 to /${max}`;
  }
  const prefix = Number(prefixText);
  return { family: address.kind(), address, prefix, network: `${networkOf(address, prefix).toString()}/${prefix}` };
}

/** True when `inner` (an address or a CIDR) lies entirely inside `outer`. */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr | ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if ('prefix' in inner) {
    return inner.family === outer.family && inner.prefix >= outer.prefix && matches(inner.address, outer);
  }
  return inner.kind() === outer.family && matches(inner, outer);
}

/** True when the two ranges share at least one address. */
export function cidrOverlaps(a: ParsedCidr, b: ParsedCidr): boolean {
  return a.family === b.family && (cidrContains(a, b) || cidrContains(b, a));
}

/** True when the address is the network address of its own range (no host bits set). */
export function isNetworkAddress(c: ParsedCidr): boolean {
  return c.address.toString() === networkOf(c.address, c.prefix).toString() && c.prefix < (c.family === 'ipv4' ? 31 : 127);
}

function matches(a: ipaddr.IPv4 | ipaddr.IPv6, range: ParsedCidr): boolean {
  if (a.kind() !== range.family) return false;
  return (a as ipaddr.IPv4).match(range.address as ipaddr.IPv4, range.prefix);
}

function networkOf(a: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = a.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    // Clear the low (8 - keep) bits with arithmetic rather than signed bit operators.
    bytes[i] = bytes[i] - (bytes[i] % 2 ** (8 - keep));
  }
  return ipaddr.fromByteArray(bytes);
}
