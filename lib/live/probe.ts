/**
 * `docknet verify --probe`: what the topology says must and must not be reachable, tested with
 * short-lived probes (`ping -c1 -W1`, a one-second `nc` connect) exec'd in the containers themselves, or, for a
 * host's own view, in a short-lived host-network container of an image already on the host. Bounded
 * in count (--probe-max) and time (each probe, and the whole run per host).
 */
import { ContainerModel, DocknetModel, NetworkModel } from '../core/model';
import { Expectation } from './compare';
import { HostSnapshot, mapBounded } from './snapshot';

/** Writes the probes need (the read-only EngineReader does not). */
export interface EngineProber {
  /** Runs a command in a running container; resolves with its exit code (null when it did not finish). */
  exec(container: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /** Runs a command in a new container on the host's network (removed afterwards). */
  runOnHost(image: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /** /etc/resolv.conf of a short-lived container of `image` on the default bridge (removed afterwards). */
  resolvConfOnBridge?(image: string, timeoutMs: number): Promise<string>;
  /**
   * The IPv4 subnet Docker gives a short-lived bridge network created without one (removed
   * afterwards); `whileThere` runs while it exists (the host's nat table then shows Docker's rules for it).
   */
  poolSubnet?<T>(timeoutMs: number, whileThere?: () => Promise<T>): Promise<{ network: string; subnet: string; during?: T }>;
  close(): void;
}

export interface ProbeCase {
  /** Host the probe runs on. */
  readonly host: string;
  /** Container the probe runs in; absent: the host itself. */
  readonly from?: string;
  /** What is probed, in words: a container name, an address, "address:port". */
  readonly to: string;
  readonly how: 'name' | 'address' | 'port';
  /** The command's argument(s). */
  readonly args: string[];
  readonly expect: boolean;
  /** Why that is expected: "same network `app`", "icc=false on `backend`". */
  readonly why: string;
  /** Image for a host probe. */
  readonly image?: string;
}

export interface ProbeOutcome extends ProbeCase {
  /** Whether it got through; absent when the probe could not run. */
  readonly seen?: boolean;
  readonly error?: string;
}

export interface ProbePlan {
  readonly cases: ProbeCase[];
  /** Cases derived but left out by the bound. */
  readonly dropped: number;
}

const liveContainer = (s: HostSnapshot | undefined, name: string) => s?.containers.find((c) => c.Name === `/${name}`);
const running = (s: HostSnapshot | undefined, name: string) => liveContainer(s, name)?.State?.Running === true;
const addressOn = (s: HostSnapshot | undefined, c: string, network: string): string | undefined =>
  liveContainer(s, c)?.NetworkSettings?.Networks?.[network]?.IPAddress || undefined;

/** Derives the expectations from the model (and the live addresses verify just read). */
export function deriveProbes(exp: Expectation, snaps: ReadonlyMap<string, HostSnapshot>, max = 48): ProbePlan {
  const { model } = exp;
  const out: ProbeCase[] = [];
  const byPath = new Map(model.networks.map((n) => [n.path, n]));
  const options = (n: NetworkModel) => {
    const r = model.resources.find((x) => x.type === 'docker_network' && x.path === n.path);
    return (r && exp.networkOptions.get(`${r.type}.${r.logicalId}`)) ?? {};
  };
  const members = (n: NetworkModel) => model.containers.filter((c) => c.mode === 'bridge' && c.attachments.some((a) => a.network === n.path) && running(snaps.get(c.host), c.name));
  const hostAddress = (h: string) => model.hosts.find((x) => x.name === h)?.interfaces.find((i) => i.address)?.address?.split('/')[0];
  const pair = (a: ContainerModel, b: ContainerModel, n: NetworkModel, expect: boolean, why: string, byName: boolean) => {
    const ip = addressOn(snaps.get(b.host), b.name, n.name);
    if (byName) out.push({ host: a.host, from: a.name, to: b.name, how: 'name', args: [b.name], expect, why });
    if (ip) out.push({ host: a.host, from: a.name, to: ip, how: 'address', args: [ip], expect, why });
  };

  // Same network, by name and by address; icc=false blocks it on a bridge; overlays across hosts.
  for (const n of model.networks) {
    const ms = members(n);
    const iccOff = n.driver === 'bridge' && options(n)['com.docker.network.bridge.enable_icc'] === 'false';
    for (let i = 0; i < ms.length; i++) {
      for (let j = 0; j < ms.length; j++) {
        if (i === j || (n.driver !== 'overlay' && ms[i].host !== ms[j].host)) continue;
        const why = iccOff ? `icc=false on \`${n.name}\`` : n.driver === 'overlay' && ms[i].host !== ms[j].host ? `overlay \`${n.name}\` across hosts` : `same network \`${n.name}\``;
        pair(ms[i], ms[j], n, !iccOff, why, true);
      }
    }
  }
  // macvlan peers across hosts on the same LAN segment, by address.
  const macvlans = model.networks.filter((n) => n.driver === 'macvlan' && n.lan);
  for (const a of macvlans) {
    for (const b of macvlans) {
      if (a.host === b.host || a.lan !== b.lan) continue;
      const [ca, cb] = [members(a)[0], members(b)[0]];
      if (ca && cb) pair(ca, cb, b, true, `macvlan peers on LAN \`${a.lan}\``, false);
    }
  }
  // Two bridges on one host are isolated from each other.
  for (const h of model.hosts) {
    const bridges = model.networks.filter((n) => n.host === h.name && n.driver === 'bridge');
    for (const a of bridges) {
      for (const b of bridges) {
        if (a === b) continue;
        const ca = members(a).find((c) => !c.attachments.some((x) => x.network === b.path));
        const cb = members(b).find((c) => !c.attachments.some((x) => x.network === a.path));
        if (ca && cb) pair(ca, cb, b, false, `\`${a.name}\` and \`${b.name}\` are separate bridges`, false);
      }
    }
  }
  // The way out: another host's LAN address from one container per bridge; none from an internal network.
  for (const n of model.networks.filter((x) => x.driver === 'bridge')) {
    const c = members(n).find((x) => x.attachments.every((a) => byPath.get(a.network)?.internal === n.internal));
    const other = model.hosts.find((h) => h.name !== c?.host && hostAddress(h.name));
    const target = other && hostAddress(other.name);
    if (c && target) {
      out.push({ host: c.host, from: c.name, to: `${other.name} (${target})`, how: 'address', args: [target], expect: !n.internal,
        why: n.internal ? `internal network \`${n.name}\`: no way out` : `\`${n.name}\` routes out through ${c.host}` });
    }
  }
  // A host reaches its own macvlan containers only through a shim.
  for (const n of macvlans) {
    const c = members(n)[0];
    const ip = c && addressOn(snaps.get(c.host), c.name, n.name);
    if (!c || !ip) continue;
    const shim = model.resources.some((r) => r.kind === 'shim' && r.host === n.host);
    const image = String(liveContainer(snaps.get(c.host), c.name)?.Config?.Image ?? c.image);
    out.push({ host: n.host, to: `${c.name} (${ip})`, how: 'address', args: [ip], expect: shim, image,
      why: shim ? `${n.host} has a macvlan shim` : `macvlan: ${n.host} cannot reach its own containers without a shim` });
  }
  // Published TCP ports, from another host on the LAN.
  for (const c of model.containers) {
    const addr = hostAddress(c.host);
    const from = model.hosts.find((h) => h.name !== c.host && snaps.has(h.name));
    const probeImage = from && (snaps.get(from.name)!.images.find((i) => i.RepoTags.length)?.RepoTags[0]);
    if (!addr || !from || !probeImage || !running(snaps.get(c.host), c.name)) continue;
    for (const p of c.ports.filter((x) => x.protocol === 'tcp' && x.external !== undefined)) {
      out.push({ host: from.name, to: `${c.host}:${p.external} (${c.name})`, how: 'port', args: [addr, String(p.external)], expect: true, image: probeImage,
        why: `${c.name} publishes ${p.internal}/tcp on ${c.host}:${p.external}` });
    }
  }
  return { cases: out.slice(0, max), dropped: Math.max(0, out.length - max) };
}

/**
 * A TCP connect that works with any nc (busybox's has no -z, found on the lab): nc gets a second;
 * exit 1 is "could not connect"; still connected after 2 s (a server that waits for a request)
 * counts as connected.
 */
const TCP_PROBE = 'nc -w1 "$0" "$1" </dev/null >/dev/null 2>&1 & p=$!; i=0; '
  + 'while kill -0 $p 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; '
  + 'if kill -0 $p 2>/dev/null; then kill $p; exit 0; fi; wait $p';

/** The command of a probe: one ping of one second, or one TCP connect of one second. */
export function probeCommand(c: ProbeCase): string[] {
  return c.how === 'port' ? ['sh', '-c', TCP_PROBE, ...c.args] : ['ping', '-c1', '-W1', ...c.args];
}

/** Runs the probes, a few at a time per host, each bounded. */
export async function runProbes(cases: ProbeCase[], probers: ReadonlyMap<string, EngineProber>, opts: { concurrency?: number; timeoutMs?: number } = {}): Promise<ProbeOutcome[]> {
  const timeoutMs = opts.timeoutMs ?? 8_000;
  return mapBounded(cases, opts.concurrency ?? 4, async (c): Promise<ProbeOutcome> => {
    const p = probers.get(c.host);
    if (!p) return { ...c, error: `${c.host} was not reachable` };
    try {
      const r = c.from ? await p.exec(c.from, probeCommand(c), timeoutMs) : await p.runOnHost(c.image!, probeCommand(c), timeoutMs);
      if (r.exitCode === null) return { ...c, error: `no answer within ${timeoutMs / 1000} s` };
      // 127/126: the command is not in the image; that is "could not probe", not "blocked".
      if (r.exitCode === 127 || r.exitCode === 126 || /not found|applet not found/i.test(r.output) && r.exitCode !== 1) {
        return { ...c, error: `${c.how === 'port' ? 'sh or nc' : 'ping'} is not available: ${r.output.trim().slice(0, 120)}` };
      }
      return { ...c, seen: r.exitCode === 0 };
    } catch (e) {
      return { ...c, error: (e as Error).message };
    }
  });
}

export const probeMatches = (o: ProbeOutcome): boolean => o.seen === o.expect;

/** The matrix, expected against seen. */
export function renderProbeMatrix(outcomes: ProbeOutcome[], dropped = 0): string {
  const word = (b: boolean | undefined) => (b === undefined ? '?' : b ? 'reachable' : 'blocked');
  const bad = outcomes.filter((o) => o.seen !== undefined && !probeMatches(o)).length;
  const lines = [
    `**Reachability probes:** ${outcomes.length} run, ${bad ? `**${bad} not as expected**` : 'all as expected'}` +
      `${outcomes.some((o) => o.error) ? `, ${outcomes.filter((o) => o.error).length} could not run` : ''}${dropped ? `, ${dropped} more left out (--probe-max)` : ''}.`,
    '',
    '| | from | to | by | expected | seen | why |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    const mark = o.error ? '⚪' : probeMatches(o) ? '✅' : '❌';
    lines.push(`| ${mark} | ${o.from ? `\`${o.from}\` on ${o.host}` : `host ${o.host}`} | \`${o.to}\` | ${o.how} | ${word(o.expect)} | ${o.error ? `could not probe: ${o.error.replace(/\|/g, '\\|')}` : word(o.seen)} | ${o.why} |`);
  }
  return lines.join('\n') + '\n';
}

/** The model's hosts that appear in a plan (to connect only those). */
export function probeHosts(model: DocknetModel, plan: ProbePlan): string[] {
  return model.hosts.map((h) => h.name).filter((h) => plan.cases.some((c) => c.host === h));
}
