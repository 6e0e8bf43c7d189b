import { Token } from '../cdk';
import { error, Problem, warning } from '../core/validation/problem';
import { Code } from '../core/validation/codes';
import { IpFamily, IpPrefix, parseAddress, parsePrefix } from '../core/address/cidr';
import { DaemonConfig, DaemonHostFacts, DAEMON_CONFIG_KEYS } from '../core/daemon/daemon-config';
import { NETWORKING_KEYS, PASS_THROUGH_KEYS, REMOVED_KEYS } from '../core/daemon/daemon-keys';

/**
 * Names for the daemon.json codes of the registry (lib/core/validation/codes.ts). Every one, DN500 (a
 * malformed value) included, is reported together with the rest at synth: a bad value never hides
 * the daemon's other rules.
 */
export const DaemonRule = {
  /** A value that cannot be parsed or is out of range. */
  INVALID_VALUE: 'DN500',
  /** A key in `extra` that dockerd does not know. */
  UNKNOWN_KEY: 'DN501',
  /** A networking key in `extra`: it has a typed prop. */
  NETWORKING_KEY_IN_EXTRA: 'DN502',
  /** cluster-store / cluster-advertise / cluster-store-opts / graph: removed from dockerd. */
  REMOVED_KEY: 'DN503',
  /** bridge and bip together. */
  BRIDGE_WITH_BIP: 'DN504',
  /** fixed-cidr outside the bip subnet. */
  FIXED_CIDR_OUTSIDE_BIP: 'DN505',
  /** default-gateway(-v6) outside the bridge subnet. */
  GATEWAY_OUTSIDE_SUBNET: 'DN506',
  /** icc=false with iptables=false. */
  ICC_WITHOUT_IPTABLES: 'DN507',
  /** A default-address-pools entry whose base prefix is longer than its size. */
  POOL_BASE_LONGER_THAN_SIZE: 'DN508',
  /** live-restore on a swarm member. */
  LIVE_RESTORE_ON_SWARM: 'DN509',
  /** `hosts` in the file while the unit passes -H. */
  HOSTS_WITH_UNIT_FLAG: 'DN510',
  /** `hosts` with tcp:// and no TLS. */
  HOSTS_TCP_WITHOUT_TLS: 'DN511',
  /** ip-masq=true with iptables=false: dockerd silently turns masquerading off. */
  IP_MASQ_WITHOUT_IPTABLES: 'DN512',
  /** IPv6 settings while ipv6 is not enabled: dockerd ignores them. */
  IPV6_SETTINGS_WITHOUT_IPV6: 'DN513',
  /** Two default-address-pools entries (or a pool and bip) overlap. */
  POOLS_OVERLAP: 'DN514',
  /** A default-address-pools entry overlaps the bip subnet (warning). */
  POOL_OVERLAPS_BIP: 'DN515',
  /** A URL with a password in it (user:pass@) among the values: it would reach the report and the pull request. */
  CREDENTIALS_IN_VALUE: 'DN516',
} as const satisfies Record<string, Code>;
export type DaemonRule = (typeof DaemonRule)[keyof typeof DaemonRule];

/**
 * Every problem of a daemon configuration, all at once. `path` is the construct path named in
 * each message. Mirrors dockerd's own checks and adds the ones `dockerd --validate` misses.
 */
export function validateDaemonConfig(config: DaemonConfig, facts: DaemonHostFacts, path: string): Problem[] {
  const problems: Problem[] = [];
  const bad = (key: string, given: unknown, expected: string) =>
    problems.push(
      error(
        DaemonRule.INVALID_VALUE,
        [path],
        `daemon.json "${key}" is ${JSON.stringify(given)}, expected ${expected}. Fix the value of ${propOf(key)}.`,
      ),
    );

  // Tokens would make the file unknown at synth time, but the rollout hashes it then.
  for (const [prop, key] of Object.entries(DAEMON_CONFIG_KEYS)) {
    const v = (config as Record<string, unknown>)[prop];
    if (v !== undefined && Token.isUnresolved(v)) {
      bad(key, v, 'a concrete value (docknet hashes the rendered daemon.json at synth; Terraform references are not allowed here)');
    }
  }

  const cidr = (key: string, v: string | undefined, family: IpFamily, hostAddress: boolean): IpPrefix | undefined => {
    if (v === undefined) return undefined;
    const p = parsePrefix(v, family);
    if (typeof p === 'string') {
      bad(key, v, `an IPv${family} CIDR (${p})`);
      return undefined;
    }
    if (hostAddress && p.isNetworkAddress) {
      bad(key, v, `a host address with prefix such as "${p.address.toString().replace(/\.0$/, '.1')}/${p.prefix}" (docker0's own address, not the network address)`);
      return undefined;
    }
    return p;
  };
  const ip = (key: string, v: string | undefined, family?: IpFamily) => {
    if (v === undefined) return undefined;
    const a = parseAddress(v, family);
    if (typeof a === 'string') {
      bad(key, v, `an ${family === undefined ? 'IP' : `IPv${family}`} address (${a})`);
      return undefined;
    }
    return a;
  };
  const bool = (key: string, v: unknown) => {
    if (v !== undefined && typeof v !== 'boolean') bad(key, v, 'true or false');
  };
  const strings = (key: string, v: unknown, each?: (s: string) => string | undefined) => {
    if (v === undefined) return;
    if (!Array.isArray(v)) {
      bad(key, v, 'a list of strings');
      return;
    }
    for (const s of v) {
      if (typeof s !== 'string' || s.length === 0) {
        bad(key, v, 'a list of non-empty strings');
        return;
      }
      const why = each?.(s);
      if (why) bad(key, s, why);
    }
  };

  // --- single values ---
  const bip = cidr('bip', config.bip, 4, true);
  const fixedCidr = cidr('fixed-cidr', config.fixedCidr, 4, false);
  const fixedCidrV6 = cidr('fixed-cidr-v6', config.fixedCidrV6, 6, false);
  const gw = ip('default-gateway', config.defaultGateway, 4);
  const gw6 = ip('default-gateway-v6', config.defaultGatewayV6, 6);
  ip('ip', config.ip);
  for (const [key, v] of [
    ['ipv6', config.ipv6],
    ['ip6tables', config.ip6tables],
    ['icc', config.icc],
    ['ip-forward', config.ipForward],
    ['ip-masq', config.ipMasq],
    ['iptables', config.iptables],
    ['userland-proxy', config.userlandProxy],
    ['live-restore', config.liveRestore],
  ] as const) {
    bool(key, v);
  }
  if (config.mtu !== undefined && (!Number.isInteger(config.mtu) || config.mtu < 68 || config.mtu > 65535)) {
    bad('mtu', config.mtu, 'an integer from 68 to 65535 (1500 on Ethernet; 1450 under VXLAN)');
  }
  strings('dns', config.dns, (s) => {
    const a = parseAddress(s);
    return typeof a === 'string' ? `an IP address of a DNS server (${a}); hostnames are not accepted` : undefined;
  });
  strings('dns-opts', config.dnsOpts, (s) => (/\s/.test(s) ? 'a resolv.conf option without spaces, e.g. "ndots:2"' : undefined));
  strings('dns-search', config.dnsSearch, (s) => (/^[A-Za-z0-9_.-]+$/.test(s) ? undefined : 'a domain name such as "corp.example"'));
  strings('hosts', config.hosts, (s) =>
    /^(unix|tcp|fd):\/\//.test(s) ? undefined : 'a socket address such as "unix:///var/run/docker.sock", "tcp://0.0.0.0:2376" or "fd://"',
  );
  if (config.bridge !== undefined && (typeof config.bridge !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(config.bridge))) {
    bad('bridge', config.bridge, 'a Linux interface name of 1-15 letters, digits, "_", "." or "-" (or "none")');
  }
  const pools: { base: IpPrefix; size: number; index: number }[] = [];
  if (config.defaultAddressPools !== undefined) {
    if (!Array.isArray(config.defaultAddressPools)) {
      bad('default-address-pools', config.defaultAddressPools, 'a list of { base, size }');
    } else {
      config.defaultAddressPools.forEach((pool, index) => {
        const key = `default-address-pools[${index}]`;
        const base = pool && typeof pool === 'object' ? parsePrefix(pool.base) : 'not an object';
        if (typeof base === 'string') {
          bad(key, pool, `{ base: "<CIDR>", size: <prefix length> } (${base})`);
          return;
        }
        const max = base.block.bits;
        if (!Number.isInteger(pool.size) || pool.size < 1 || pool.size > max) {
          bad(`${key}.size`, pool.size, `a prefix length from 1 to ${max}`);
          return;
        }
        pools.push({ base, size: pool.size, index });
      });
    }
  }
  if (config.defaultNetworkOpts !== undefined) {
    const ok =
      typeof config.defaultNetworkOpts === 'object' &&
      Object.values(config.defaultNetworkOpts).every(
        (opts) => opts !== null && typeof opts === 'object' && Object.values(opts).every((x) => typeof x === 'string'),
      );
    if (!ok) bad('default-network-opts', config.defaultNetworkOpts, 'a map of driver name to a map of string options');
  }

  // --- keys in `extra` ---
  const extra = config.extra ?? {};
  for (const key of Object.keys(extra).sort()) {
    if (key in REMOVED_KEYS) {
      problems.push(
        error(DaemonRule.REMOVED_KEY, [path], `daemon.json key "${key}" in extra is no longer supported by dockerd: ${REMOVED_KEYS[key]}. Remove it.`),
      );
    } else if (NETWORKING_KEYS.has(key)) {
      problems.push(
        error(
          DaemonRule.NETWORKING_KEY_IN_EXTRA,
          [path],
          `daemon.json key "${key}" was given in extra; docknet models it as the typed prop ${propOf(key)}. Move it there so it is validated.`,
        ),
      );
    } else if (!PASS_THROUGH_KEYS.has(key)) {
      const near = nearest(key);
      problems.push(
        error(
          DaemonRule.UNKNOWN_KEY,
          [path],
          `daemon.json key "${key}" in extra is not a dockerd configuration option, so dockerd would refuse to start.${near ? ` Did you mean "${near}"?` : ' Remove it.'}`,
        ),
      );
    } else if (!isJson(extra[key])) {
      bad(key, String(extra[key]), 'a JSON value (string, number, boolean, list or object)');
    } else if (withCredentials(extra[key])) {
      // The value itself is not repeated: it would land in the synth log, and from there in CI.
      problems.push(
        error(
          DaemonRule.CREDENTIALS_IN_VALUE,
          [path],
          `daemon.json key "${key}" in extra holds a URL with a password in it (scheme://user:password@...). daemon.json is shown in the report, the model and the pull request, so docknet refuses it. Remove the credentials from the URL: give a registry mirror its login with \`docker login\` on the host (credentials in the host's ~/.docker/config.json, never in daemon.json), or an http(s) proxy its credentials through the service's environment.`,
        ),
      );
    }
  }

  // --- rules across keys ---
  if (config.bridge !== undefined && config.bip !== undefined) {
    problems.push(
      error(
        DaemonRule.BRIDGE_WITH_BIP,
        [path],
        `bridge "${config.bridge}" and bip "${config.bip}" were both given; dockerd refuses them together. Set bip to configure docker0, or bridge to use an existing bridge (its address is configured outside Docker).`,
      ),
    );
  }
  if (bip && fixedCidr && !bip.block.contains(fixedCidr.block)) {
    problems.push(
      error(
        DaemonRule.FIXED_CIDR_OUTSIDE_BIP,
        [path],
        `fixed-cidr "${config.fixedCidr}" is not inside the bip subnet ${bip.block}. Choose a fixed-cidr inside ${bip.block} or widen bip.`,
      ),
    );
  }
  if (bip && gw && !bip.block.contains(gw)) {
    problems.push(
      error(
        DaemonRule.GATEWAY_OUTSIDE_SUBNET,
        [path],
        `default-gateway "${config.defaultGateway}" is outside the bridge subnet ${bip.block} (bip "${config.bip}"). Pick an address inside ${bip.block}.`,
      ),
    );
  }
  if (fixedCidrV6 && gw6 && !fixedCidrV6.block.contains(gw6)) {
    problems.push(
      error(
        DaemonRule.GATEWAY_OUTSIDE_SUBNET,
        [path],
        `default-gateway-v6 "${config.defaultGatewayV6}" is outside fixed-cidr-v6 ${fixedCidrV6.block}. Pick an address inside ${fixedCidrV6.block}.`,
      ),
    );
  }
  if (config.icc === false && config.iptables === false) {
    problems.push(
      error(
        DaemonRule.ICC_WITHOUT_IPTABLES,
        [path],
        'icc=false with iptables=false: dockerd blocks inter-container traffic with iptables rules, so it refuses to start. Set iptables to true (or leave it unset) or drop icc=false.',
      ),
    );
  }
  if (config.iptables === false && config.ipMasq === true) {
    problems.push(
      warning(
        DaemonRule.IP_MASQ_WITHOUT_IPTABLES,
        [path],
        'ip-masq=true with iptables=false: masquerading needs iptables, so dockerd turns it off. Remove ipMasq or enable iptables.',
      ),
    );
  }
  if (config.ipv6 !== true) {
    const v6 = (['fixedCidrV6', 'defaultGatewayV6'] as const).filter((p) => config[p] !== undefined);
    if (v6.length > 0) {
      problems.push(
        warning(
          DaemonRule.IPV6_SETTINGS_WITHOUT_IPV6,
          [path],
          `${v6.map((p) => DAEMON_CONFIG_KEYS[p]).join(' and ')} given while ipv6 is ${config.ipv6 === false ? 'false' : 'unset'}; dockerd ignores them. Set ipv6: true or remove them.`,
        ),
      );
    }
  }
  for (const p of pools) {
    if (p.base.prefix > p.size) {
      problems.push(
        error(
          DaemonRule.POOL_BASE_LONGER_THAN_SIZE,
          [path],
          `default-address-pools[${p.index}] has base ${p.base.block} (/${p.base.prefix}) longer than size /${p.size}: no /${p.size} network fits in it. Use a size of at least ${p.base.prefix} or a shorter base.`,
        ),
      );
    }
  }
  for (let i = 0; i < pools.length; i++) {
    for (let j = i + 1; j < pools.length; j++) {
      if (pools[i].base.block.overlaps(pools[j].base.block)) {
        problems.push(
          error(
            DaemonRule.POOLS_OVERLAP,
            [path],
            `default-address-pools[${pools[i].index}] ${pools[i].base.block} and [${pools[j].index}] ${pools[j].base.block} overlap; dockerd would hand out the same subnet twice. Make the bases disjoint.`,
          ),
        );
      }
    }
    if (bip && pools[i].base.block.overlaps(bip.block)) {
      problems.push(
        warning(
          DaemonRule.POOL_OVERLAPS_BIP,
          [path],
          `default-address-pools[${pools[i].index}] ${pools[i].base.block} overlaps the bip subnet ${bip.block}; dockerd skips the taken part but the plan is harder to read. Move bip out of the pool.`,
        ),
      );
    }
  }
  if (config.liveRestore === true && facts.swarmMember === true) {
    problems.push(
      error(
        DaemonRule.LIVE_RESTORE_ON_SWARM,
        [path],
        'live-restore=true on a swarm member: dockerd refuses swarm init/join with live-restore. Set liveRestore to false on swarm hosts.',
      ),
    );
  }
  if (config.hosts !== undefined && config.hosts.length > 0) {
    if (facts.unitPassesHosts ?? true) {
      problems.push(
        error(
          DaemonRule.HOSTS_WITH_UNIT_FLAG,
          [path],
          `hosts ${JSON.stringify(config.hosts)} is set while the host's dockerd unit already passes -H; dockerd refuses a setting given both as flag and in the file and will not start. Remove hosts, or drop -H from the unit (systemd drop-in) and set unitPassesHosts: false.`,
        ),
      );
    }
    const tls = extra['tlsverify'] === true || extra['tls'] === true;
    const tcp = config.hosts.filter((h) => typeof h === 'string' && h.startsWith('tcp://'));
    if (tcp.length > 0 && !tls) {
      problems.push(
        error(
          DaemonRule.HOSTS_TCP_WITHOUT_TLS,
          [path],
          `hosts ${JSON.stringify(tcp)} exposes the Docker API over plain TCP without TLS (root on the host for anyone who reaches the port). Set extra tlsverify: true with tlscacert/tlscert/tlskey, or use unix:// or ssh.`,
        ),
      );
    }
  }
  return problems;
}

function propOf(key: string): string {
  const base = key.replace(/\[.*$/, '');
  const prop = Object.entries(DAEMON_CONFIG_KEYS).find(([, k]) => k === base)?.[0];
  return prop ?? `extra["${base}"]`;
}

/** Whether a value (any depth) holds a URL with a password: scheme://user:password@host. */
function withCredentials(v: unknown): boolean {
  if (typeof v === 'string') return /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\/?#@\s]*:[^\/?#@\s]*@/.test(v);
  if (Array.isArray(v)) return v.some(withCredentials);
  if (v && typeof v === 'object') return Object.values(v).some(withCredentials);
  return false;
}

function isJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJson);
  if (typeof v === 'object') return Object.values(v as object).every(isJson);
  return false;
}

/** A known key within two edits of the given one, for "did you mean". */
function nearest(key: string): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const k of [...PASS_THROUGH_KEYS]) {
    const d = editDistance(key, k);
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
