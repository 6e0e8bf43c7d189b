/**
 * LAN segments for macvlan/ipvlan: one L2 network (subnet, gateway, reserved ranges such as the hosts'
 * own addresses and a DHCP pool) shared by every host on it. Docker's IPAM is per host, so two hosts
 * with macvlan on the same subnet hand out the same addresses unless each gets a disjoint ip_range.
 * A segment carves one aligned block per host (ip_range is a CIDR, so blocks must be aligned) that
 * never contains the gateway, the network/broadcast address or a reserved range. Host blocks are kept
 * stable through the plan record (see pool.ts, which owns the record and calls `reconcile`).
 */
import { AddressError, Cidr, Interval } from './cidr';

export interface LanReservedRange {
  /** What it is: "h1 eth0", "DHCP pool", "printer". */
  readonly label: string;
  /** A CIDR block ("192.168.1.192/26"), or a single address ("192.168.1.11", e.g. a host's own). */
  readonly cidr: string;
}

export interface LanSegmentOptions {
  /** Segment name, shared by every host on this L2 network, e.g. "office". */
  readonly name: string;
  /** The LAN's subnet, e.g. "192.168.1.0/24". */
  readonly subnet: string;
  /** The LAN's router. */
  readonly gateway: string;
  /**
   * Ranges no container may get: hosts' own addresses, DHCP pool, appliances.
   * @default []
   */
  readonly reserved?: LanReservedRange[];
  /**
   * Prefix length of each host's ip_range.
   * @default 27 for IPv4 (32 addresses), 112 for IPv6
   */
  readonly perHostPrefixLength?: number;
}

/** A parsed, checked segment. Throws at construction on bad input (one bad prop fails at once). */
export class LanSegment {
  public readonly name: string;
  public readonly subnet: Cidr;
  public readonly gateway: Cidr;
  public readonly reserved: { label: string; cidr: Cidr }[];
  public readonly perHostPrefixLength: number;

  constructor(options: LanSegmentOptions) {
    this.name = options.name;
    const where = `LAN segment "${options.name}"`;
    this.subnet = wrap(where, () => Cidr.parse(options.subnet));
    this.gateway = wrap(where, () => Cidr.containing(options.gateway.split('/')[0]));
    if (!this.subnet.contains(this.gateway)) {
      throw new AddressError(`${where}: gateway ${options.gateway} lies outside its subnet ${this.subnet}. Use an address inside ${this.subnet}.`);
    }
    this.reserved = (options.reserved ?? []).map((r) => {
      const c = wrap(`${where} reserved range "${r.label}"`, () => (r.cidr.includes('/') ? Cidr.parse(r.cidr) : Cidr.containing(r.cidr)));
      if (!this.subnet.overlaps(c)) {
        throw new AddressError(`${where}: reserved range "${r.label}" (${r.cidr}) lies outside the subnet ${this.subnet}. Remove it or fix the address.`);
      }
      return { label: r.label, cidr: c };
    });
    this.perHostPrefixLength = options.perHostPrefixLength ?? (this.subnet.family === 4 ? 27 : 112);
    if (this.perHostPrefixLength <= this.subnet.prefix || this.perHostPrefixLength > this.subnet.bits) {
      throw new AddressError(
        `${where}: perHostPrefixLength /${this.perHostPrefixLength} must be longer than the subnet's /${this.subnet.prefix} and at most /${this.subnet.bits}.`,
      );
    }
  }

  /** What no host range may contain: network and broadcast address, gateway, reserved ranges. */
  public unavailable(): Interval[] {
    const out: Interval[] = [
      { start: this.subnet.start, end: this.subnet.start },
      { start: this.gateway.start, end: this.gateway.end },
      ...this.reserved.map((r) => ({ start: r.cidr.start, end: r.cidr.end })),
    ];
    if (this.subnet.family === 4) out.push({ start: this.subnet.end, end: this.subnet.end });
    return out;
  }

  public describe(): string {
    return `LAN segment "${this.name}" (${this.subnet}, /${this.perHostPrefixLength} per host)`;
  }
}

function wrap<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new AddressError(`${where}: ${(e as Error).message}`);
  }
}
