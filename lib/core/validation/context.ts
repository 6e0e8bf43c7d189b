/**
 * What every rule needs, computed once per validation: lookups by path and name, parsed addresses
 * (each string parsed once; a malformed one is reported once as DN200 and then treated as absent,
 * so one typo does not cascade into ten findings), swarm membership and underlay MTUs.
 */
import { AddressError, Cidr, IpAddress, IpFamily } from '../address/cidr';
import { ContainerModel, HostModel, InterfaceModel, NetworkModel, TopologyModel } from '../model';
import { Problem, error } from './problem';
import { underlayMtuOf } from '../facts/docker';

/** How a message names the value; a function when building the name costs more than parsing. */
export type Field = string | (() => string);
const fieldName = (f: Field) => (typeof f === 'string' ? f : f());

export interface ParsedIpConfig {
  readonly subnet?: Cidr;
  /** The gateway as declared. */
  readonly gateway?: IpAddress;
  /** What docker uses: the declared gateway, else the subnet's first usable address. */
  readonly effectiveGateway?: IpAddress;
  readonly ipRange?: Cidr;
  /**
   * IPv4 with a subnet: the bounds as numbers, for the per-address checks of static addresses (a
   * fleet has tens of thousands; numbers spare a bigint and an IpAddress per address).
   */
  readonly bounds?: V4Bounds;
}

/** An IPv4 subnet's bounds as numbers (see ParsedIpConfig.bounds). */
export interface V4Bounds {
  readonly start: number;
  readonly end: number;
  /** Network and broadcast addresses are special (more than one host bit). */
  readonly hasSpecial: boolean;
  /** The effective gateway, or -1. */
  readonly gateway: number;
  /** Where a container's address must lie: the ip_range of a macvlan/ipvlan network, else the subnet. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
}

export interface ParsedNetwork {
  readonly model: NetworkModel;
  readonly v4: ParsedIpConfig;
  readonly v6: ParsedIpConfig;
  /** L2 domain of a macvlan/ipvlan network: "<lan>" or "<lan>.<vlan>", when known. */
  readonly lanKey?: string;
  /** Message names for containers' static addresses on it, built once per network. */
  readonly v4Field: Field;
  readonly v6Field: Field;
}

export class ValidationContext {
  public readonly problems: Problem[] = [];
  public readonly hosts = new Map<string, HostModel>();
  public readonly networks = new Map<string, ParsedNetwork>();
  private containerIndex?: Map<string, ContainerModel>;
  public readonly swarmMembers = new Set<string>();
  public readonly swarmManagers = new Set<string>();
  private readonly underlay = new Map<string, number>();

  constructor(public readonly model: TopologyModel) {
    for (const h of model.hosts) {
      if (!this.hosts.has(h.name)) this.hosts.set(h.name, h);
      if (h.swarmRole === 'manager') this.swarmManagers.add(h.name);
      if (h.swarmRole !== 'none') this.swarmMembers.add(h.name);
    }
    for (const m of model.swarm?.managers ?? []) {
      this.swarmManagers.add(m);
      this.swarmMembers.add(m);
    }
    for (const w of model.swarm?.workers ?? []) this.swarmMembers.add(w);
    for (const n of model.networks) {
      if (this.networks.has(n.path)) continue;
      this.networks.set(n.path, {
        model: n,
        v4: this.ipConfig(n, 'ipv4', 4),
        v6: this.ipConfig(n, 'ipv6', 6),
        lanKey: this.lanKeyOf(n),
        v4Field: () => `IPv4 address on network "${n.name}"`,
        v6Field: () => `IPv6 address on network "${n.name}"`,
      });
    }
  }

  /**
   * Containers by path, the first of each path. Built on first use: only a container:<other> mode
   * needs it, and most topologies have none (on a cold first call 20,000 inserts cost milliseconds).
   */
  public get containers(): ReadonlyMap<string, ContainerModel> {
    if (!this.containerIndex) {
      this.containerIndex = new Map();
      for (const c of this.model.containers) if (!this.containerIndex.has(c.path)) this.containerIndex.set(c.path, c);
    }
    return this.containerIndex;
  }

  public report(p: Problem): void {
    this.problems.push(p);
  }

  /** Parses a CIDR block; reports DN200 (once per construct and field) and returns undefined when bad. */
  public cidr(text: string | undefined, path: string, field: Field, family?: IpFamily): Cidr | undefined {
    if (text === undefined || text === '') return undefined;
    try {
      const c = Cidr.parse(text);
      return this.checkFamily(c, text, path, field, family) ? c : undefined;
    } catch (e) {
      this.bad(path, field, e);
      return undefined;
    }
  }

  /** An address with prefix whose host bits may be set ("10.0.0.11/24", a bip) -> its network. */
  public cidrContaining(text: string | undefined, path: string, field: Field): Cidr | undefined {
    if (text === undefined || text === '') return undefined;
    try {
      return Cidr.containing(text);
    } catch (e) {
      this.bad(path, field, e);
      return undefined;
    }
  }

  public ip(text: string | undefined, path: string, field: Field, family?: IpFamily): IpAddress | undefined {
    if (text === undefined || text === '') return undefined;
    try {
      const ip = IpAddress.parse(text);
      return this.checkFamily(ip, text, path, field, family) ? ip : undefined;
    } catch (e) {
      this.bad(path, field, e);
      return undefined;
    }
  }

  /** Underlay MTU of a host: the smallest MTU among interfaces with an address (they carry traffic). */
  public underlayMtu(hostName: string): number | undefined {
    if (this.underlay.has(hostName)) return this.underlay.get(hostName);
    const h = this.hosts.get(hostName);
    const mtu = h ? underlayMtuOf(h.interfaces) : undefined;
    this.underlay.set(hostName, mtu as number);
    return mtu;
  }

  public interfaceOf(hostName: string, name: string): InterfaceModel | undefined {
    return this.hosts.get(hostName)?.interfaces.find((i) => i.name === name);
  }

  private checkFamily(v: { family: IpFamily }, text: string, path: string, field: Field, family?: IpFamily): boolean {
    if (family === undefined || v.family === family) return true;
    this.report(
      error('DN200', [path], `${fieldName(field)} is "${text}", an IPv${v.family} value, where an IPv${family} one is expected. Move it to the ipv${v.family} settings.`),
    );
    return false;
  }

  private bad(path: string, field: Field, e: unknown): void {
    if (!(e instanceof AddressError)) throw e;
    this.report(error('DN200', [path], `${fieldName(field)}: ${e.message}`));
  }

  private ipConfig(n: NetworkModel, key: 'ipv4' | 'ipv6', family: IpFamily): ParsedIpConfig {
    const cfg = key === 'ipv4' ? n.ipv4 : n.ipv6;
    if (!cfg) return {};
    const subnet = this.cidr(cfg.subnet, n.path, `${key} subnet`, family);
    const gateway = this.ip(cfg.gateway, n.path, `${key} gateway`, family);
    const ipRange = this.cidr(cfg.ipRange, n.path, `${key} ip_range`, family);
    let effectiveGateway = gateway;
    if (!effectiveGateway && subnet && subnet.bits - subnet.prefix > 1) effectiveGateway = subnet.firstUsable;
    let bounds: V4Bounds | undefined;
    if (subnet && subnet.family === 4) {
      const range = (n.driver === 'macvlan' || n.driver === 'ipvlan') && ipRange ? ipRange : subnet;
      bounds = {
        start: Number(subnet.start),
        end: Number(subnet.end),
        hasSpecial: subnet.bits - subnet.prefix > 1,
        gateway: effectiveGateway ? Number(effectiveGateway.value) : -1,
        rangeStart: Number(range.start),
        rangeEnd: Number(range.end),
      };
    }
    return { subnet, gateway, effectiveGateway, ipRange, bounds };
  }

  private lanKeyOf(n: NetworkModel): string | undefined {
    if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') return undefined;
    const parent = n.parent ? splitParent(n.parent) : undefined;
    const itf = parent ? this.interfaceOf(n.host, parent.base) : undefined;
    // Undeclared LAN: hosts whose parent interfaces sit in one subnet share one L2 network (inferred).
    const inferred = itf?.address ? safeContaining(itf.address) : undefined;
    const lan = n.lan ?? itf?.lan ?? (inferred ? `subnet ${inferred}` : undefined);
    if (!lan) return undefined;
    return parent?.vlan !== undefined ? `${lan}.${parent.vlan}` : lan;
  }
}

/** "eth0.50" -> { base: "eth0", vlan: 50 }; "eth0" -> { base: "eth0" }. A non-numeric suffix is not a VLAN. */
export function splitParent(parent: string): { base: string; vlan?: number; vlanText?: string } {
  const dot = parent.lastIndexOf('.');
  if (dot > 0 && /^\d+$/.test(parent.slice(dot + 1))) {
    return { base: parent.slice(0, dot), vlan: Number(parent.slice(dot + 1)), vlanText: parent.slice(dot + 1) };
  }
  return { base: parent };
}

/** "10.0.0.0/24 (h1/backend)" style helper for messages. */
export function describeNet(p: ParsedNetwork): string {
  return `network "${p.model.name}" on ${p.model.host}`;
}

function safeContaining(text: string): string | undefined {
  try {
    return Cidr.containing(text).toString();
  } catch {
    return undefined; // reported as DN200 by the overlap rules
  }
}
