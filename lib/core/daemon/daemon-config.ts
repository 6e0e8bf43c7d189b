/**
 * The typed daemon.json: one prop per networking key, plus a checked pass-through for the rest.
 * Pure values and functions; the DaemonSettings construct wraps them with a construct path.
 */

/** One entry of `default-address-pools`: networks are cut from `base` in blocks of `/size`. */
export interface DefaultAddressPool {
  /** CIDR to carve networks from, e.g. "10.201.0.0/16". */
  readonly base: string;
  /** Prefix length of each network cut from `base`, e.g. 24. Must be >= the prefix of `base`. */
  readonly size: number;
}

export interface DaemonConfig {
  /**
   * Address and prefix of docker0, e.g. "10.200.0.1/24" (daemon.json `bip`). Sets the default
   * bridge's subnet; must be a host address, not the network address.
   * @default - dockerd picks a free 172.17-31.x/16
   */
  readonly bip?: string;
  /**
   * IPv4 range inside the bip subnet that containers on the default bridge get addresses from.
   * @default - the whole bip subnet
   */
  readonly fixedCidr?: string;
  /**
   * IPv6 range for containers on the default bridge (daemon.json `fixed-cidr-v6`).
   * @default - none
   */
  readonly fixedCidrV6?: string;
  /**
   * Enable IPv6 on the default bridge.
   * @default false
   */
  readonly ipv6?: boolean;
  /**
   * Let dockerd manage ip6tables rules.
   * @default - dockerd's default (true from Docker 27)
   */
  readonly ip6tables?: boolean;
  /**
   * MTU of the default bridge's container interfaces (68-65535). Does not change user networks.
   * @default 1500
   */
  readonly mtu?: number;
  /**
   * IPv4 default gateway for containers on the default bridge; must lie inside the bip subnet.
   * @default - the bridge address
   */
  readonly defaultGateway?: string;
  /**
   * IPv6 default gateway for containers on the default bridge; must lie inside fixed-cidr-v6.
   * @default - the bridge address
   */
  readonly defaultGatewayV6?: string;
  /**
   * DNS servers written to containers' resolv.conf (IP addresses only).
   * @default - the host's resolv.conf
   */
  readonly dns?: string[];
  /**
   * resolv.conf `options` for containers, e.g. ["ndots:2"].
   * @default - none
   */
  readonly dnsOpts?: string[];
  /**
   * resolv.conf `search` domains for containers.
   * @default - the host's search domains
   */
  readonly dnsSearch?: string[];
  /**
   * Ranges for user-defined local networks that are created without a subnet.
   * @default - 172.17-31.0.0/16 as /16s and 192.168.0.0/16 as /20s
   */
  readonly defaultAddressPools?: DefaultAddressPool[];
  /**
   * Attach the default bridge network to this existing Linux bridge; "none" disables docker0.
   * Cannot be combined with `bip`.
   * @default "docker0" managed by dockerd
   */
  readonly bridge?: string;
  /**
   * Inter-container communication on the default bridge. false needs iptables=true.
   * @default true
   */
  readonly icc?: boolean;
  /**
   * Let dockerd enable net.ipv4.ip_forward.
   * @default true
   */
  readonly ipForward?: boolean;
  /**
   * Masquerade container traffic leaving the default bridge.
   * @default true
   */
  readonly ipMasq?: boolean;
  /**
   * Let dockerd manage iptables rules.
   * @default true
   */
  readonly iptables?: boolean;
  /**
   * Default host address that published ports bind to (daemon.json `ip`).
   * @default "0.0.0.0"
   */
  readonly ip?: string;
  /**
   * Use docker-proxy for published ports (false: iptables hairpin NAT only).
   * @default true
   */
  readonly userlandProxy?: boolean;
  /**
   * Keep containers running while dockerd restarts. Incompatible with swarm mode.
   * @default false
   */
  readonly liveRestore?: boolean;
  /**
   * Default driver options for new networks, per driver (Docker 24+), e.g.
   * { bridge: { "com.docker.network.driver.mtu": "1400" } }.
   * @default - none
   */
  readonly defaultNetworkOpts?: Record<string, Record<string, string>>;
  /**
   * API sockets (daemon.json `hosts`): unix://, tcp://, fd://. Conflicts with a unit that passes -H.
   * @default - the unit's -H flags
   */
  readonly hosts?: string[];
  /**
   * Every other daemon.json key the host has (log-driver, storage-driver, data-root, features, ...),
   * written unchanged so docknet never drops them. Keys must be known to dockerd; networking keys
   * are refused here (use the typed prop).
   * @default {}
   */
  readonly extra?: Record<string, unknown>;
}

/** Facts about the host that decide which settings are legal, not written to daemon.json. */
export interface DaemonHostFacts {
  /**
   * The daemon's unit already passes -H (Debian/Ubuntu docker.service does: `-H fd://`), so a
   * `hosts` key would stop dockerd.
   * @default true
   */
  readonly unitPassesHosts?: boolean;
  /**
   * The host is (or will be) a swarm manager or worker.
   * @default false
   */
  readonly swarmMember?: boolean;
}

/** Prop name -> daemon.json key, in the order of dockerd's documentation. */
export const DAEMON_CONFIG_KEYS = {
  bip: 'bip',
  fixedCidr: 'fixed-cidr',
  fixedCidrV6: 'fixed-cidr-v6',
  ipv6: 'ipv6',
  ip6tables: 'ip6tables',
  mtu: 'mtu',
  defaultGateway: 'default-gateway',
  defaultGatewayV6: 'default-gateway-v6',
  dns: 'dns',
  dnsOpts: 'dns-opts',
  dnsSearch: 'dns-search',
  defaultAddressPools: 'default-address-pools',
  bridge: 'bridge',
  icc: 'icc',
  ipForward: 'ip-forward',
  ipMasq: 'ip-masq',
  iptables: 'iptables',
  ip: 'ip',
  userlandProxy: 'userland-proxy',
  liveRestore: 'live-restore',
  defaultNetworkOpts: 'default-network-opts',
  hosts: 'hosts',
} as const satisfies Record<Exclude<keyof DaemonConfig, 'extra'>, string>;

/** The daemon.json object: typed keys plus `extra`, unset props omitted. */
export function toDaemonJsonObject(config: DaemonConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(config.extra ?? {}) };
  for (const [prop, key] of Object.entries(DAEMON_CONFIG_KEYS)) {
    const value = (config as Record<string, unknown>)[prop];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * daemon.json text: object keys sorted at every depth, 2-space indent, trailing newline, so the
 * same settings always give the same bytes (and the same hash in the plan).
 */
export function renderDaemonJson(config: DaemonConfig): string {
  return JSON.stringify(sortKeys(toDaemonJsonObject(config)), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
