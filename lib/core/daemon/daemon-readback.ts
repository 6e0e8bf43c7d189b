/**
 * Which daemon.json keys dockerd reports back, where, and in what form: one mapping for the
 * rollout's settings gate (docker CLI format templates run on the host by safe-apply.sh) and for
 * verify (the same fields read from Engine API snapshots, lib/live/compare.ts). Recorded from
 * Docker 20.10.24 on the lab: `docker info` and `docker network inspect bridge` (the default bridge,
 * which dockerd builds from daemon.json at every start unless live-restore kept running containers).
 */
import { Cidr } from '../address/cidr';

/** Where dockerd reports a key: `docker info` or the default bridge's `docker network inspect bridge`. */
export type ReadbackSource = 'info' | 'bridge';

/**
 * The default bridge's driver options that daemon.json keys set, with the value an absent option
 * means. Verify parses them; the gate compares them as text.
 */
export const BRIDGE_OPTIONS: Readonly<Record<string, { readonly option: string; readonly dflt: string }>> = {
  mtu: { option: 'com.docker.network.driver.mtu', dflt: '1500' },
  icc: { option: 'com.docker.network.bridge.enable_icc', dflt: 'true' },
  'ip-masq': { option: 'com.docker.network.bridge.enable_ip_masquerade', dflt: 'true' },
  ip: { option: 'com.docker.network.bridge.host_binding_ipv4', dflt: '0.0.0.0' },
  bridge: { option: 'com.docker.network.bridge.name', dflt: 'docker0' },
};

/** One key read back after a restart: run `template` against `source`, compare with `expected`. */
export interface ReadbackCheck {
  readonly key: string;
  readonly source: ReadbackSource;
  /** A Go template for `docker info --format` / `docker network inspect bridge --format`. */
  readonly template: string;
  /**
   * `equal`: the output (quotes removed, blanks collapsed) is `expected`; `includes`: every
   * blank-separated word of `expected` is a word of the output (dockerd adds its own entries to
   * some lists, e.g. 127.0.0.0/8 to the insecure registries).
   */
  readonly match: 'equal' | 'includes';
  /** What an empty output means (an option dockerd leaves out), or undefined. */
  readonly dflt?: string;
  readonly expected: string;
}

/** Words of a list may not hold blanks or quotes: the gate compares blank-separated words. */
const word = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && !/[\s"]/.test(v) ? v : undefined);
const words = (v: unknown, norm: (s: string) => string | undefined = (s) => s): string | undefined => {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out = v.map((x) => (word(x) === undefined ? undefined : norm(x as string)));
  return out.every((x): x is string => x !== undefined) ? out.join(' ') : undefined;
};
const bool = (v: unknown) => (typeof v === 'boolean' ? String(v) : undefined);
const network = (s: string): string | undefined => {
  try {
    return Cidr.containing(s).toString();
  } catch {
    return undefined;
  }
};

interface Rule {
  readonly source: ReadbackSource;
  readonly template: string;
  readonly match: ReadbackCheck['match'];
  readonly dflt?: string;
  /** The expected text for a declared value; undefined when this value cannot be compared. */
  readonly expect: (value: unknown, file: Record<string, unknown>) => string | undefined;
}

const bridgeOption = (key: string, expect: Rule['expect']): Rule => ({
  source: 'bridge',
  template: `{{index .Options "${BRIDGE_OPTIONS[key].option}"}}`,
  match: 'equal',
  dflt: BRIDGE_OPTIONS[key].dflt,
  expect,
});
/** With `bridge: "none"` there is no default bridge network to read. */
const onBridge = (expect: Rule['expect']): Rule['expect'] => (v, file) => (file.bridge === 'none' ? undefined : expect(v, file));

/** daemon.json key -> how dockerd 20.10+ reports it. Keys not listed are checked by start time only. */
export const READBACK_RULES: Readonly<Record<string, Rule>> = {
  // "10.200.0.1/24" is reported as gateway 10.200.0.1 and subnet 10.200.0.0/24.
  bip: {
    source: 'bridge',
    template: '{{range .IPAM.Config}}{{.Gateway}}/{{index (split .Subnet "/") 1}} {{end}}',
    match: 'includes',
    expect: onBridge((v) => (word(v) && network(v as string) ? (v as string) : undefined)),
  },
  'fixed-cidr': {
    source: 'bridge',
    template: '{{range .IPAM.Config}}{{.IPRange}} {{end}}',
    match: 'includes',
    expect: onBridge((v) => (word(v) ? network(v as string) : undefined)),
  },
  mtu: bridgeOption('mtu', onBridge((v) => (Number.isInteger(v) ? String(v) : undefined))),
  icc: bridgeOption('icc', onBridge(bool)),
  'ip-masq': bridgeOption('ip-masq', onBridge(bool)),
  // The option holds IPv4 binding addresses only.
  ip: bridgeOption('ip', onBridge((v) => (word(v) && !(v as string).includes(':') ? (v as string) : undefined))),
  bridge: bridgeOption('bridge', onBridge((v) => word(v))),
  ipv6: { source: 'bridge', template: '{{.EnableIPv6}}', match: 'equal', expect: onBridge(bool) },
  'live-restore': { source: 'info', template: '{{.LiveRestoreEnabled}}', match: 'equal', expect: bool },
  debug: { source: 'info', template: '{{.Debug}}', match: 'equal', expect: bool },
  experimental: { source: 'info', template: '{{.ExperimentalBuild}}', match: 'equal', expect: bool },
  'log-driver': { source: 'info', template: '{{.LoggingDriver}}', match: 'equal', expect: (v) => word(v) },
  'storage-driver': { source: 'info', template: '{{.Driver}}', match: 'equal', expect: (v) => word(v) },
  'default-runtime': { source: 'info', template: '{{.DefaultRuntime}}', match: 'equal', expect: (v) => word(v) },
  labels: { source: 'info', template: '{{range .Labels}}{{.}} {{end}}', match: 'includes', expect: (v) => words(v) },
  // dockerd reports mirrors with a trailing slash ("https://mirror.example.com/").
  'registry-mirrors': {
    source: 'info',
    template: '{{range .RegistryConfig.Mirrors}}{{.}} {{end}}',
    match: 'includes',
    expect: (v) => words(v, (s) => (s.endsWith('/') ? s : `${s}/`)),
  },
  // CIDRs land in InsecureRegistryCIDRs (as JSON strings), host[:port] names in IndexConfigs with
  // Secure false; a scheme is dropped.
  'insecure-registries': {
    source: 'info',
    template: '{{range .RegistryConfig.InsecureRegistryCIDRs}}{{json .}} {{end}}{{range $k, $v := .RegistryConfig.IndexConfigs}}{{if not $v.Secure}}{{$k}} {{end}}{{end}}',
    match: 'includes',
    expect: (v) =>
      words(v, (s) => {
        const bare = s.replace(/^https?:\/\//i, '');
        return bare.includes('/') ? network(bare) : bare;
      }),
  },
  // Reported by /info from Docker 20.10 on; an engine without the field fails the template, and the
  // gate then says the key was not read back.
  'default-address-pools': {
    source: 'info',
    template: '{{range .DefaultAddressPools}}{{.Base}}:{{.Size}} {{end}}',
    match: 'equal',
    expect: (v) => {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      const out = v.map((p) => (p && typeof p === 'object' && word((p as any).base) && Number.isInteger((p as any).size) ? `${(p as any).base}:${(p as any).size}` : undefined));
      return out.every((x) => x !== undefined) ? out.join(' ') : undefined;
    },
  },
};

/** The keys of a daemon.json object split into those read back after a restart and the rest. */
export function readbackChecks(file: Record<string, unknown>): { checks: ReadbackCheck[]; startTimeOnly: string[] } {
  const checks: ReadbackCheck[] = [];
  const startTimeOnly: string[] = [];
  for (const key of Object.keys(file).sort()) {
    const rule = READBACK_RULES[key];
    const expected = rule?.expect(file[key], file);
    if (!rule || expected === undefined) {
      startTimeOnly.push(key);
      continue;
    }
    checks.push({ key, source: rule.source, template: rule.template, match: rule.match, ...(rule.dflt !== undefined ? { dflt: rule.dflt } : {}), expected });
  }
  return { checks, startTimeOnly };
}

/**
 * The read-back list safe-apply.sh takes (daemon.readback in its run directory): one check a line,
 * tab-separated: key, source, match, default ("-" for none), template, expected. No field holds a
 * tab or a newline (templates are fixed here; values with blanks are not compared).
 */
export function renderReadback(checks: ReadbackCheck[]): string {
  return checks.map((c) => [c.key, c.source, c.match, c.dflt ?? '-', c.template, c.expected].join('\t')).join('\n') + (checks.length ? '\n' : '');
}
