/**
 * Addresses and CIDR blocks for IPv4 and IPv6, as bigint intervals.
 *
 * The one shared parsing helper of docknet: every address in props, the plan record and the model goes
 * through `IpAddress.parse` / `Cidr.parse`. Parsing is delegated to ipaddr.js (strict: no octal or
 * short forms like "10.1", no 999.1.1.1) and cached, because the same strings come back thousands of
 * times in validation; arithmetic is bigint so both families share one code path and no signed 32-bit
 * bit operator ever flips 128.0.0.0 negative.
 *
 *   const c = Cidr.parse('10.0.0.0/24');
 *   c.contains('10.0.0.7'); c.overlaps(Cidr.parse('10.0.0.128/25')); c.split(26); c.subtract(other);
 *
 * Values checked in bulk (daemon.json keys, bootstrap options) use the result-or-reason form instead,
 * which never throws and is as strict as dockerd (Go's net/netip):
 *
 *   const bip = parsePrefix('10.200.0.1/24', 4); // an IpPrefix (host bits allowed) or a sentence saying why not
 *   if (typeof bip !== 'string') bip.block.contains('10.200.0.7');
 */
import * as ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

/** Thrown for malformed input; the message says what was given and what to write instead. */
export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

/** Parse caches are bounded so a long-lived process does not grow without limit. */
const CACHE_LIMIT = 1_000_000;
const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const ALL_ONES: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

export function familyBits(family: IpFamily): number {
  return BITS[family];
}

function bigintToString(family: IpFamily, v: bigint): string {
  if (family === 4) {
    const n = Number(v);
    return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
  }
  const bytes: number[] = new Array(16);
  let x = v;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString(); // RFC 5952 compressed form
}

interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

/**
 * Canonical dotted quad ("10.0.0.1": four decimal octets 0-255, no leading zeros), the form nearly
 * every input has, read without regexes or allocations. Returns -1 for anything else, which then goes
 * to ipaddr.js; ipaddr.IPv4.isValidFourPartDecimal accepts exactly this set (a property test checks
 * that both agree).
 */
export function fastIpv4(text: string, end = text.length): number {
  // `end`: read text[0, end) only (the address part of "a.b.c.d/nn", without cutting it out).
  const n = end;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * Strict parse of a bare address; undefined when not an address of either family. IPv4 is four-part
 * decimal without leading zeros, as Go's net/netip reads it: ipaddr.js's own parse() also takes "10.1",
 * "010.0.0.1" or "0x0a.0.0.1", which dockerd refuses.
 */
function readIp(text: string): ParsedIp | undefined {
  const fast = fastIpv4(text);
  if (fast >= 0) return { family: 4, value: BigInt(fast) };
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const o = ipaddr.IPv4.parse(text).octets;
    return { family: 4, value: BigInt(((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]) };
  }
  // Zone ids ("fe80::1%eth0") are interface-local and meaningless in a network definition. An embedded
  // IPv4 tail ("::ffff:1.2.3.4") follows the same four-part decimal rule (netip refuses "::ffff:010.1.2.3").
  if (!text.includes('%') && ipaddr.IPv6.isValid(text) && embeddedIpv4IsStrict(text)) {
    let v = 0n;
    for (const part of ipaddr.IPv6.parse(text).parts) v = (v << 16n) | BigInt(part);
    return { family: 6, value: v };
  }
  return undefined;
}

function embeddedIpv4IsStrict(ipv6: string): boolean {
  const tail = ipv6.slice(ipv6.lastIndexOf(':') + 1);
  return !tail.includes('.') || fastIpv4(tail) >= 0;
}

/** One IPv4 or IPv6 address. Immutable; compare with `value`. */
export class IpAddress {
  private static readonly cache = new Map<string, IpAddress>();

  /** @throws AddressError for anything that is not one strict IPv4/IPv6 address. */
  public static parse(text: string): IpAddress {
    // The canonical IPv4 form is cheaper to read again than to look up; only the rest is cached.
    const fast = fastIpv4(text);
    if (fast >= 0) return new IpAddress(4, BigInt(fast));
    const hit = IpAddress.cache.get(text);
    if (hit) return hit;
    const trimmed = text.trim();
    if (trimmed.includes('/')) {
      throw new AddressError(`"${text}" is a CIDR block where a single address is expected. Did you mean "${trimmed.split('/')[0]}"?`);
    }
    const p = readIp(trimmed);
    if (!p) throw new AddressError(`"${text}" is not a valid IPv4 or IPv6 address (expected e.g. "10.0.0.1" or "fd00::1").`);
    const ip = new IpAddress(p.family, p.value);
    if (IpAddress.cache.size >= CACHE_LIMIT) IpAddress.cache.clear();
    IpAddress.cache.set(text, ip);
    return ip;
  }

  /** Forgets parsed strings (benchmarks measure cold runs with it). */
  public static clearCache(): void {
    IpAddress.cache.clear();
  }

  public static tryParse(text: string): IpAddress | undefined {
    try {
      return IpAddress.parse(text);
    } catch {
      return undefined;
    }
  }

  public static of(family: IpFamily, value: bigint): IpAddress {
    if (value < 0n || value > ALL_ONES[family]) throw new AddressError(`value ${value} is outside the IPv${family} address space`);
    return new IpAddress(family, value);
  }

  private text?: string;
  private constructor(public readonly family: IpFamily, public readonly value: bigint) {}

  public toString(): string {
    return (this.text ??= bigintToString(this.family, this.value));
  }

  public equals(other: IpAddress): boolean {
    return this.family === other.family && this.value === other.value;
  }

  /** True when both addresses are of one family and agree in their first `prefix` bits (ipaddr.js's match). */
  public match(other: IpAddress, prefix: number): boolean {
    if (this.family !== other.family || !Number.isInteger(prefix) || prefix < 0 || prefix > BITS[this.family]) return false;
    const mask = maskOf(this.family, prefix);
    return (this.value & mask) === (other.value & mask);
  }
}

/** A CIDR block: network address plus prefix length, host bits always zero. */
export class Cidr {
  private static readonly cache = new Map<string, Cidr>();

  /**
   * Parses "10.0.0.0/24" or "fd00::/64". Refuses a missing mask, host bits set, a bad address or an
   * out-of-range prefix, each with a suggestion.
   * @throws AddressError
   */
  public static parse(text: string): Cidr {
    const hit = Cidr.cache.get(text);
    if (hit) return hit;
    const trimmed = typeof text === 'string' ? text.trim() : text;
    // Refused, not trimmed: the value would otherwise reach the JSON as written.
    if (trimmed !== text) throw new AddressError(`"${text}" has surrounding whitespace. Write "${trimmed}".`);
    const slash = trimmed.indexOf('/');
    if (slash < 0) {
      const ip = readIp(trimmed);
      if (ip) throw new AddressError(`CIDR mask is missing in "${text}". Did you mean "${trimmed}/${BITS[ip.family]}"?`);
      throw new AddressError(`"${text}" is not a CIDR block (expected e.g. "10.0.0.0/24" or "fd00::/64").`);
    }
    const addrText = trimmed.slice(0, slash);
    const maskText = trimmed.slice(slash + 1);
    const ip = readIp(addrText);
    if (!ip) throw new AddressError(`"${addrText}" in "${text}" is not a valid IPv4 or IPv6 address.`);
    const bits = BITS[ip.family];
    if (!/^\d{1,3}$/.test(maskText) || Number(maskText) > bits) {
      throw new AddressError(`Prefix length "/${maskText}" in "${text}" is invalid: IPv${ip.family} prefixes are /0 to /${bits}.`);
    }
    const prefix = Number(maskText);
    const network = ip.value & maskOf(ip.family, prefix);
    if (network !== ip.value) {
      const fixed = `${bigintToString(ip.family, network)}/${prefix}`;
      throw new AddressError(`"${text}" has host bits set. Did you mean "${fixed}" (the network), or "${addrText}/${bits}" (the single address)?`);
    }
    const c = new Cidr(ip.family, network, prefix);
    if (Cidr.cache.size >= CACHE_LIMIT) Cidr.cache.clear();
    Cidr.cache.set(text, c);
    return c;
  }

  /** Forgets parsed strings (benchmarks measure cold runs with it). */
  public static clearCache(): void {
    Cidr.cache.clear();
  }

  public static tryParse(text: string): Cidr | undefined {
    try {
      return Cidr.parse(text);
    } catch {
      return undefined;
    }
  }

  /** The block of the given prefix containing `value` (host bits are cleared). */
  public static of(family: IpFamily, value: bigint, prefix: number): Cidr {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > BITS[family]) {
      throw new AddressError(`Prefix length /${prefix} is invalid: IPv${family} prefixes are /0 to /${BITS[family]}.`);
    }
    if (value < 0n || value > ALL_ONES[family]) throw new AddressError(`value ${value} is outside the IPv${family} address space`);
    return new Cidr(family, value & maskOf(family, prefix), prefix);
  }

  /** "10.0.0.11/24" (an interface address) -> its network 10.0.0.0/24; a bare address -> /32 or /128. */
  public static containing(text: string): Cidr {
    const slash = text.indexOf('/');
    if (slash < 0) {
      const ip = IpAddress.parse(text);
      return new Cidr(ip.family, ip.value, BITS[ip.family]);
    }
    const ip = IpAddress.parse(text.slice(0, slash));
    const prefix = Number(text.slice(slash + 1));
    if (!/^\d{1,3}$/.test(text.slice(slash + 1)) || prefix > BITS[ip.family]) {
      throw new AddressError(`Prefix length in "${text}" is invalid: IPv${ip.family} prefixes are /0 to /${BITS[ip.family]}.`);
    }
    return Cidr.of(ip.family, ip.value, prefix);
  }

  /** Sort order: family, then start address, then larger blocks first. */
  public static compare(a: Cidr, b: Cidr): number {
    if (a.family !== b.family) return a.family - b.family;
    if (a.start !== b.start) return a.start < b.start ? -1 : 1;
    return a.prefix - b.prefix;
  }

  /** The fewest aligned blocks covering exactly [start, end] (inclusive). */
  public static fromRange(family: IpFamily, start: bigint, end: bigint): Cidr[] {
    const out: Cidr[] = [];
    const bits = BITS[family];
    let cur = start;
    while (cur <= end) {
      // Largest block aligned at cur that does not pass end.
      let prefix = bits;
      while (prefix > 0) {
        const size = 1n << BigInt(bits - prefix + 1);
        if (cur % size !== 0n || cur + size - 1n > end) break;
        prefix--;
      }
      const c = new Cidr(family, cur, prefix);
      out.push(c);
      cur = c.end + 1n;
    }
    return out;
  }

  /** Last address of the block. */
  public readonly end: bigint;
  private text?: string;

  private constructor(public readonly family: IpFamily, public readonly start: bigint, public readonly prefix: number) {
    this.end = start + (1n << BigInt(BITS[family] - prefix)) - 1n;
  }

  public get bits(): number {
    return BITS[this.family];
  }

  /** Number of addresses in the block. */
  public get size(): bigint {
    return this.end - this.start + 1n;
  }

  public get networkAddress(): IpAddress {
    return IpAddress.of(this.family, this.start);
  }

  /** Last address; for IPv4 the broadcast address (IPv6 has none, but the last address is returned). */
  public get broadcastAddress(): IpAddress {
    return IpAddress.of(this.family, this.end);
  }

  /**
   * First address a host may use: the network address is excluded, except for /31, /32 (RFC 3021
   * point-to-point and single host) and IPv6 /127, /128.
   */
  public get firstUsable(): IpAddress {
    return IpAddress.of(this.family, this.bits - this.prefix <= 1 ? this.start : this.start + 1n);
  }

  /** Last address a host may use: IPv4 excludes broadcast (except /31, /32); IPv6 has no broadcast. */
  public get lastUsable(): IpAddress {
    return IpAddress.of(this.family, this.family === 4 && this.prefix < 31 ? this.end - 1n : this.end);
  }

  /** The n-th address of the block (0 = network address; negative counts from the end, -1 = last). */
  public nth(n: number | bigint): IpAddress {
    const i = BigInt(n);
    const v = i >= 0n ? this.start + i : this.end + 1n + i;
    if (v < this.start || v > this.end) throw new AddressError(`${this} has ${this.size} addresses; index ${n} is outside it.`);
    return IpAddress.of(this.family, v);
  }

  /** True when the address or block lies entirely inside this block. Strings are parsed. */
  public contains(x: IpAddress | Cidr | string): boolean {
    const o = typeof x === 'string' ? (x.includes('/') ? Cidr.parse(x) : IpAddress.parse(x)) : x;
    if (o.family !== this.family) return false;
    if (o instanceof IpAddress) return o.value >= this.start && o.value <= this.end;
    return o.start >= this.start && o.end <= this.end;
  }

  public overlaps(other: Cidr | string): boolean {
    const o = typeof other === 'string' ? Cidr.parse(other) : other;
    return o.family === this.family && o.start <= this.end && this.start <= o.end;
  }

  public equals(other: Cidr): boolean {
    return this.family === other.family && this.start === other.start && this.prefix === other.prefix;
  }

  /** All blocks of `prefix` inside this one, in address order. Refuses to list more than `limit`. */
  public split(prefix: number, limit = 65536): Cidr[] {
    if (prefix < this.prefix || prefix > this.bits) {
      throw new AddressError(`Cannot split ${this} into /${prefix} blocks: the prefix must be between /${this.prefix} and /${this.bits}.`);
    }
    const count = 1n << BigInt(prefix - this.prefix);
    if (count > BigInt(limit)) throw new AddressError(`Splitting ${this} into /${prefix} gives ${count} blocks, more than the limit of ${limit}.`);
    const step = 1n << BigInt(this.bits - prefix);
    const out: Cidr[] = [];
    for (let s = this.start; s <= this.end; s += step) out.push(new Cidr(this.family, s, prefix));
    return out;
  }

  /** This block minus the others: the fewest aligned blocks covering what is left, in address order. */
  public subtract(...others: Cidr[]): Cidr[] {
    const cut = others
      .filter((o) => this.overlaps(o))
      .sort(Cidr.compare);
    const out: Cidr[] = [];
    let cur = this.start;
    for (const o of cut) {
      if (o.start > cur) out.push(...Cidr.fromRange(this.family, cur, o.start - 1n));
      if (o.end + 1n > cur) cur = o.end + 1n;
      if (cur > this.end) return out;
    }
    if (cur <= this.end) out.push(...Cidr.fromRange(this.family, cur, this.end));
    return out;
  }

  /**
   * The lowest block of `prefix` inside this one that overlaps none of `used`, or undefined when full.
   * `used` need not be sorted; blocks of the other family are ignored.
   */
  public nextFree(prefix: number, used: Cidr[]): Cidr | undefined {
    const intervals = mergeIntervals(used.filter((u) => u.family === this.family));
    const start = lowestFreeAligned(this, prefix, intervals, this.start);
    return start === undefined ? undefined : new Cidr(this.family, start, prefix);
  }

  public toString(): string {
    return (this.text ??= `${bigintToString(this.family, this.start)}/${this.prefix}`);
  }
}

/**
 * An address with a prefix length, host bits allowed, like Go's netip.Prefix: an interface address such
 * as bip "10.200.0.1/24" as well as a network such as "10.200.0.0/24". `block` is the network it lies in
 * (netip's Masked()); containment and overlap are the block's.
 */
export class IpPrefix {
  /** The network of the prefix: "10.200.0.1/24" -> 10.200.0.0/24. */
  public readonly block: Cidr;

  public constructor(public readonly address: IpAddress, public readonly prefix: number) {
    this.block = Cidr.of(address.family, address.value, prefix);
  }

  public get family(): IpFamily {
    return this.address.family;
  }

  /**
   * True when the address is the network address of its block (no host bits set) and the block has
   * one: /31, /32 (RFC 3021 point-to-point, single host) and IPv6 /127, /128 have none.
   */
  public get isNetworkAddress(): boolean {
    return this.address.value === this.block.start && this.prefix < this.block.bits - 1;
  }

  /** As written: "10.200.0.1/24". */
  public toString(): string {
    return `${this.address}/${this.prefix}`;
  }
}

/**
 * Result-or-reason parse of one address: the address, or a sentence saying why the text is not an
 * address (of `family`, when given). Never throws; nothing is trimmed.
 */
export function parseAddress(text: unknown, family?: IpFamily): IpAddress | string {
  if (typeof text !== 'string') return `expected an IP address string, got ${JSON.stringify(text)}`;
  const p = readIp(text);
  if (!p) return `"${text}" is not an ${family === undefined ? 'IP' : `IPv${family}`} address`;
  if (family !== undefined && p.family !== family) return `"${text}" is IPv${p.family}, expected an IPv${family} address`;
  return IpAddress.of(p.family, p.value);
}

/**
 * Result-or-reason parse of "address/prefix", the address a host address (bip "10.200.0.1/24") or the
 * network itself: the prefix, or a sentence saying why the text is not one (of `family`, when given).
 * Never throws; as strict as Go's netip.ParsePrefix (no spaces, no leading zeros in the length).
 */
export function parsePrefix(text: unknown, family?: IpFamily): IpPrefix | string {
  if (typeof text !== 'string') return `expected a CIDR string, got ${JSON.stringify(text)}`;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const asIp = parseAddress(text, family);
    const hint = typeof asIp === 'string' ? '' : ` Did you mean "${text}/${BITS[asIp.family]}"?`;
    return `CIDR prefix is missing in "${text}".${hint}`;
  }
  const prefixText = text.slice(slash + 1);
  const address = parseAddress(text.slice(0, slash), family);
  if (typeof address === 'string') return `"${text}" is not a CIDR: ${address}`;
  const max = BITS[address.family];
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return `"${text}" has prefix "/${prefixText}", expected /0 to /${max}`;
  }
  return new IpPrefix(address, Number(prefixText));
}

function maskOf(family: IpFamily, prefix: number): bigint {
  const hostBits = BigInt(BITS[family] - prefix);
  return ALL_ONES[family] ^ ((1n << hostBits) - 1n);
}

export interface Interval {
  start: bigint;
  end: bigint;
}

/** Index of the first interval whose end >= value, in a list sorted by start (and disjoint). */
export function firstEndingAtOrAfter(sorted: Interval[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].end < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Start of the lowest block of `prefix`, aligned to its size, inside `container`, at or after `from`,
 * overlapping none of `occupied` (sorted by start, disjoint). Binary search then a forward walk: each
 * occupied interval is stepped over at most once per call.
 */
export function lowestFreeAligned(container: Cidr, prefix: number, occupied: Interval[], from: bigint): bigint | undefined {
  if (prefix < container.prefix || prefix > container.bits) return undefined;
  const size = 1n << BigInt(container.bits - prefix);
  let cand = from > container.start ? alignUp(from - container.start, size) + container.start : container.start;
  let i = firstEndingAtOrAfter(occupied, cand);
  while (cand + size - 1n <= container.end) {
    if (i >= occupied.length || occupied[i].start > cand + size - 1n) return cand;
    cand = alignUp(occupied[i].end + 1n - container.start, size) + container.start;
    i++;
    while (i < occupied.length && occupied[i].end < cand) i++;
  }
  return undefined;
}

function alignUp(v: bigint, size: bigint): bigint {
  const r = v % size;
  return r === 0n ? v : v + size - r;
}

/** Inserts into a list sorted by start, keeping it sorted. */
export function insertSorted<T extends Interval>(sorted: T[], item: T): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].start < item.start) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, item);
}

/** Sorted, merged copy: the allocator needs disjoint intervals for its binary search. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end + 1n) {
      if (i.end > last.end) last.end = i.end;
    } else out.push({ start: i.start, end: i.end });
  }
  return out;
}


/**
 * "a.b.c.d/prefix" for an IPv4 network address held in a number (0 to 2^32 - 1): the text
 * Cidr#toString gives for the same block. For code that keeps IPv4 in numbers (the allocator), where
 * bigint arithmetic and a Cidr per block are most of a cold first call's cost.
 */
export function ipv4CidrText(value: number, prefix: number): string {
  // >>> reads the value as unsigned 32-bit, so 128.0.0.0 and up stay positive.
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}/${prefix}`;
}

/**
 * Reads an IPv4 block written exactly as Cidr#toString writes it ("10.1.2.0/24": canonical dotted
 * quad, prefix length without leading zeros, host bits clear): sets out[0] to its first address (a
 * number) and out[1] to its prefix length, and returns true. Returns false for any other text,
 * which may still be valid and is then for Cidr.parse. Nearly every entry of a plan record has this
 * form; reading it takes no bigint and no Cidr, and the text is the block's canonical text as is.
 */
export function readCanonicalIpv4Block(text: unknown, out: number[]): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  const m = text.length - slash - 1;
  if (slash < 7 || slash > 15 || m < 1 || m > 2) return false;
  const value = fastIpv4(text, slash);
  if (value < 0) return false;
  const c1 = text.charCodeAt(slash + 1) - 48;
  if (c1 < 0 || c1 > 9) return false;
  let prefix = c1;
  if (m === 2) {
    const c2 = text.charCodeAt(slash + 2) - 48;
    if (c1 === 0 || c2 < 0 || c2 > 9) return false;
    prefix = c1 * 10 + c2;
  }
  if (prefix > 32 || value % 2 ** (32 - prefix) !== 0) return false;
  out[0] = value;
  out[1] = prefix;
  return true;
}
