/**
 * daemon.json keys Docker 20.10's Engine API does not report, checked through what Docker does with
 * them instead of trusting a file: `dns`, `dns-search` and `dns-opts` are what Docker writes into
 * /etc/resolv.conf of a container it starts (read back with the archive API, a GET), and
 * `default-address-pools` is where Docker puts a network created without a subnet (a short-lived
 * network, under --probe only). Each finding names the evidence it rests on; a key without usable
 * evidence stays "not verified" with the reason.
 */
import { Cidr } from '../core/address/cidr';
import { formatValue, jsonEqual, mdCode } from '../report/text';
import type { DaemonEvidence, Finding, HostSnapshot } from './types';

export type { DaemonEvidence } from './types';

/** Keys this module can check, and the evidence each needs. */
export const EVIDENCE_KEYS = ['dns', 'dns-search', 'dns-opts', 'default-address-pools', 'iptables'] as const;

export interface ResolvConf {
  readonly nameservers: string[];
  readonly search: string[];
  readonly options: string[];
}

/** resolv.conf as the C library reads it: the last `search` wins, `nameserver` and `options` accumulate. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (l[0] === 'nameserver' && l[1]) nameservers.push(l[1]);
    else if (l[0] === 'search' || l[0] === 'domain') search = l.slice(1);
    else if (l[0] === 'options') options.push(...l.slice(1));
  }
  return { nameservers, search, options };
}

/**
 * A container whose /etc/resolv.conf shows the daemon's DNS settings: running (started by this
 * daemon, so written with the settings in effect), in bridge mode, without DNS settings of its own;
 * one on the default bridge first (only there are the name servers in the file). None when the
 * daemon has live-restore on: a running container may then predate the daemon's current start.
 */
export function resolvConfSource(snap: Pick<HostSnapshot, 'containers' | 'info'>): { id: string; name: string; network: string } | undefined {
  if (snap.info.LiveRestoreEnabled === true) return undefined;
  const candidates = snap.containers.filter((c) => {
    const mode = String(c.HostConfig?.NetworkMode ?? 'default');
    const own = [c.HostConfig?.Dns, c.HostConfig?.DnsSearch, c.HostConfig?.DnsOptions].some((x) => Array.isArray(x) && x.length > 0);
    return c.State?.Running === true && (mode === 'default' || mode === 'bridge' || !/^(host|none|container:)/.test(mode)) && !own
      && Object.keys(c.NetworkSettings?.Networks ?? {}).length > 0;
  });
  // By name: the same host gives the same evidence from one run to the next.
  candidates.sort((a, b) => (String(a.Name) < String(b.Name) ? -1 : 1));
  const onBridge = candidates.find((c) => 'bridge' in (c.NetworkSettings?.Networks ?? {}));
  const c = onBridge ?? candidates[0];
  if (!c) return undefined;
  return { id: String(c.Id), name: String(c.Name ?? '').replace(/^\//, ''), network: onBridge ? 'bridge' : Object.keys(c.NetworkSettings.Networks)[0] };
}

/** The content of the one file in a tar stream (what GET /containers/{id}/archive returns). */
export function fileFromTar(tar: Buffer): string {
  if (tar.length < 512) throw new Error('empty archive');
  const size = parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0/g, '').trim(), 8);
  if (!Number.isFinite(size)) throw new Error('not a tar archive');
  return tar.subarray(512, 512 + size).toString('utf8');
}

interface Checked {
  readonly findings: Finding[];
  /** Keys with evidence (in sync or drift). */
  readonly verified: Set<string>;
  /** Keys without usable evidence, and why. */
  readonly unverified: Map<string, string>;
}

const poolsOf = (v: unknown): { base: string; size: number }[] =>
  (Array.isArray(v) ? v : []).map((p: any) => ({ base: String(p?.base), size: Number(p?.size) }));

/**
 * The keys of `want` this module can check, against the evidence gathered for the host. `changed`
 * builds a drift finding (compare.ts owns the wording and the remedy).
 */
export function checkWithEvidence(want: Record<string, unknown>, ev: DaemonEvidence | undefined,
  changed: (key: string, expected: unknown, actual: unknown, evidence: string) => Finding): Checked {
  const findings: Finding[] = [];
  const verified = new Set<string>();
  const unverified = new Map<string, string>();
  const errors = (ev?.errors ?? []).join('; ');
  const rc = ev?.resolvConf;
  const parsed = rc ? parseResolvConf(rc.text) : undefined;
  const where = rc ? `/etc/resolv.conf of ${rc.probe ? 'a short-lived probe container' : `container ${mdCode(rc.container)}`} on ${rc.network === 'bridge' ? 'the default bridge' : `network ${mdCode(rc.network)}`}` : '';
  const noResolv = `no container Docker wrote /etc/resolv.conf for${errors ? ` (${errors})` : ''}: run with --probe (a short-lived container on the default bridge)`;
  for (const key of Object.keys(want).sort()) {
    if (!(EVIDENCE_KEYS as readonly string[]).includes(key)) continue;
    const expected = want[key];
    if (key === 'dns' || key === 'dns-search' || key === 'dns-opts') {
      if (!parsed) {
        unverified.set(key, noResolv);
        continue;
      }
      if (key === 'dns' && rc!.network !== 'bridge') {
        unverified.set(key, `${where} names Docker's embedded DNS, not the daemon's servers; run with --probe (a short-lived container on the default bridge)`);
        continue;
      }
      verified.add(key);
      const want = (expected as unknown[]).map(String);
      if (key === 'dns-opts') {
        // Docker adds ndots:0 on user networks; only the declared options must be there.
        const missing = want.filter((o) => !parsed.options.includes(o));
        if (missing.length) findings.push(changed(key, want, parsed.options, where));
        continue;
      }
      const actual = key === 'dns' ? parsed.nameservers : parsed.search;
      if (!jsonEqual(want, actual)) findings.push(changed(key, want, actual, where));
      continue;
    }
    if (key === 'iptables') {
      const ipt = ev?.iptables;
      if (!ipt?.nat) {
        unverified.set(key, ipt?.error ?? 'the DOCKER chains show it, and they are readable only as root on the host: verify reads them over ssh, and this host was not read over ssh');
        continue;
      }
      // dockerd with iptables on makes the DOCKER chain at every start and a MASQUERADE rule for every
      // bridge it creates; with iptables off it makes neither, but removes nothing left from before.
      const chain = /^-N DOCKER$/m.test(ipt.nat);
      const evidence = 'the nat table of the host (`iptables -t nat -S` over ssh)';
      const masq = want['ip-masq'] !== false && ipt.probeSubnet
        ? new RegExp(`^-A POSTROUTING -s ${ipt.probeSubnet.replace(/[.]/g, '\\.')} ! -o \\S+ -j MASQUERADE$`, 'm').test(ipt.nat) : undefined;
      const probeEvidence = `${evidence} while a short-lived network (${ipt.probeSubnet}) existed`;
      if (!chain) {
        verified.add(key);
        if (expected !== false) findings.push(changed(key, expected, false, `${evidence}: no DOCKER chain, which dockerd with iptables on makes at every start`));
      } else if (masq !== undefined) {
        verified.add(key);
        if (masq !== (expected !== false)) findings.push(changed(key, expected, masq, `${probeEvidence}: ${masq ? 'Docker added' : 'Docker added no'} MASQUERADE rule for it`));
      } else {
        unverified.set(key, `${evidence} has a DOCKER chain, but dockerd with iptables off leaves one from an earlier start: run with --probe (a short-lived network shows whether Docker adds its rules)`);
      }
      continue;
    }
    // default-address-pools: Docker 23+ reports them in /info (compare.ts); here the 20.10 way.
    const got = ev?.poolSubnet;
    if (!got) {
      unverified.set(key, `Docker 20.10 does not report the pools${errors ? ` (${errors})` : ''}: run with --probe (a short-lived network created without a subnet shows where Docker takes subnets from)`);
      continue;
    }
    verified.add(key);
    const c = Cidr.tryParse(got.subnet);
    const pools = poolsOf(expected);
    const fits = c && pools.some((p) => {
      const base = Cidr.tryParse(p.base);
      return base !== undefined && base.family === c.family && base.contains(c) && c.prefix === p.size;
    });
    if (!fits) {
      findings.push(changed(key, expected, `a network created without a subnet got ${got.subnet}`,
        `the subnet Docker gave a short-lived network (${mdCode(got.network)}) created without one`));
    }
  }
  return { findings, verified, unverified };
}

/** The wording of a daemon finding checked by evidence: "dns is [...], expected [...] (seen in ...)". */
export function evidenceDescription(object: string, key: string, expected: unknown, actual: unknown, evidence: string): string {
  return `daemon ${mdCode(object)}: ${key} is ${formatValue(actual)}, expected ${formatValue(expected)} (seen in ${evidence})`;
}

