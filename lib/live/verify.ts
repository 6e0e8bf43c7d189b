/**
 * `docknet verify`: reads every host of an environment through the Engine API, in parallel with a
 * bound and a timeout per host, and compares what it finds with the environment's model.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocknetModel, HostModel } from '../core/model';
import { readModels } from '../report/model-file';
import { parseStack, readTfJson, SynthProvider } from '../report/synth';
import { compareHost, compareSwarmNodes, Expectation } from './compare';
import { DaemonEvidence } from './daemon-evidence';
import { ConnectOptions, EngineReader, connectEngine, providerSshOpts } from './engine';
import { EngineProber, ProbeOutcome, deriveProbes, probeHosts, probeMatches, runProbes } from './probe';
import { HostSnapshot, mapBounded, readSnapshot } from './snapshot';
import { DriftKind, Finding, HostResult, HostStatus, RemedyAction, VerifyResult, isDrift } from './types';

export interface VerifyOptions {
  /** Environment name, e.g. "prod". */
  readonly env: string;
  /** Synth output folder. @default "cdktf.out" */
  readonly dir?: string;
  /** Endpoint per host name, replacing the model's (e.g. a unix socket on the lab, a bastion's forward). */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** TLS folder (ca.pem, cert.pem, key.pem) per host name, when the provider's material is not a literal. */
  readonly certPaths?: Readonly<Record<string, string>>;
  /** Hosts read at a time. @default 8 */
  readonly concurrency?: number;
  /** Per-host timeout for the whole read. @default 30000 */
  readonly timeoutMs?: number;
  /** Called with one line per host as it starts and ends (the CLI prints them on a terminal). */
  readonly progress?: (line: string) => void;
  /** How a host is reached; tests pass recorded snapshots. @default connectEngine */
  readonly connect?: (endpoint: string, opts: ConnectOptions) => EngineReader & EngineProber;
  /** Also run reachability probes (lib/live/probe.ts), at most this many. */
  readonly probe?: { readonly max?: number; readonly timeoutMs?: number };
}

/** The environment's model and the provider arguments verify needs from its network stack. */
export interface LoadedEnvironment {
  readonly expectation: Expectation;
  readonly providers: Map<string, SynthProvider>;
}

export function loadEnvironment(dir: string, env: string): LoadedEnvironment {
  if (!fs.existsSync(dir)) throw new Error(`No synth output at "${dir}". Run "npm run synth" first, or pass --dir.`);
  const models = [...readModels(dir).values()];
  const model = models.find((m) => m.environment === env && m.stack === m.stacks.network);
  if (!model) {
    const envs = [...new Set(models.map((m) => m.environment))].sort();
    throw new Error(`No environment "${env}" in ${dir}: found ${envs.length ? envs.join(', ') : 'no docknet model'}. Synthesize it, or pick one of those.`);
  }
  const stacksDir = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  const stack = parseStack(model.stack, readTfJson(path.join(stacksDir, model.stack)), model);
  const networkOptions = new Map<string, Record<string, string>>();
  for (const r of stack.resources) {
    if (r.type === 'docker_network' && r.attrs.options && typeof r.attrs.options === 'object') {
      networkOptions.set(`${r.type}.${r.key}`, r.attrs.options as Record<string, string>);
    }
  }
  const providers = new Map(stack.providers.filter((p) => p.type === 'docker').map((p) => [p.alias, p]));
  return { expectation: { model, networkOptions }, providers };
}

const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('${') ? v : undefined);

/** How a host is reached: the override, else its provider's host argument, else the model's endpoint. */
function connection(host: HostModel, provider: SynthProvider | undefined, opts: VerifyOptions): { endpoint: string; connect: ConnectOptions } {
  const cfg = provider?.config ?? {};
  const endpoint = opts.endpoints?.[host.name] ?? literal(cfg.host) ?? host.endpoint;
  const sshOpts = providerSshOpts(host.name, cfg);
  const certPath = opts.certPaths?.[host.name] ?? literal(cfg.cert_path);
  const tls = certPath ? { certPath } : { ca: literal(cfg.ca_material), cert: literal(cfg.cert_material), key: literal(cfg.key_material) };
  return { endpoint, connect: { sshOpts, tls } };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${+(ms / 1000).toFixed(1)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const errorText = (e: unknown): string => {
  const err = e as { json?: { message?: string }; message?: string; code?: string };
  return (err?.json?.message ?? err?.message ?? String(e)).replace(/\s+/g, ' ').trim();
};

/** Reads every host of the environment and compares them with the model. */
export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
  const { expectation, providers } = loadEnvironment(opts.dir ?? 'cdktf.out', opts.env);
  const model: DocknetModel = expectation.model;
  for (const name of Object.keys(opts.endpoints ?? {})) {
    if (!model.hosts.some((h) => h.name === name)) throw new Error(`--endpoint names host "${name}", which environment ${opts.env} does not have (hosts: ${model.hosts.map((h) => h.name).join(', ')}).`);
  }
  const connect = opts.connect ?? connectEngine;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const snaps = new Map<string, HostSnapshot>();
  const hosts: HostResult[] = await mapBounded(model.hosts, opts.concurrency ?? 8, async (h) => {
    const { endpoint, connect: copts } = connection(h, providers.get(h.name), opts);
    const t0 = Date.now();
    opts.progress?.(`${h.name}: reading ${endpoint}`);
    let engine: EngineReader | undefined;
    try {
      engine = connect(endpoint, { ...copts, timeoutMs });
      let snap = await withTimeout(readSnapshot(engine), timeoutMs, `${h.name} (${endpoint})`);
      if (h.daemon && 'iptables' in h.daemon) {
        // The DOCKER chains show iptables; only the host's root can read them (over the same ssh).
        const iptables = engine.natTable ? await engine.natTable(Math.min(timeoutMs, 15_000)) : undefined;
        if (iptables) snap = { ...snap, daemonEvidence: { ...snap.daemonEvidence, iptables } };
      }
      snaps.set(h.name, snap);
      const ms = Date.now() - t0;
      opts.progress?.(`${h.name}: read in ${(ms / 1000).toFixed(1)} s (Docker ${snap.version.Version}, ${snap.networks.length} networks, ${snap.containers.length} containers)`);
      return { host: h.name, endpoint, status: HostStatus.READ, ms, engine: snap.version.Version };
    } catch (e) {
      const ms = Date.now() - t0;
      opts.progress?.(`${h.name}: UNREACHABLE after ${(ms / 1000).toFixed(1)} s: ${errorText(e)}`);
      return { host: h.name, endpoint, status: HostStatus.UNREACHABLE, error: errorText(e), ms };
    } finally {
      engine?.close();
    }
  });
  const findings: Finding[] = [];
  const probers = new Map<string, EngineReader & EngineProber>();
  const proberOf = (h: string): (EngineReader & EngineProber) | undefined => {
    const hr = hosts.find((x) => x.host === h)!;
    if (hr.status !== HostStatus.READ) return undefined;
    if (!probers.has(h)) probers.set(h, connect(hr.endpoint, { ...connection(model.hosts.find((x) => x.name === h)!, providers.get(h), opts).connect, timeoutMs }));
    return probers.get(h);
  };
  try {
    if (opts.probe) await probeDaemons(model, snaps, proberOf, opts);
    for (const h of model.hosts) {
      const snap = snaps.get(h.name);
      if (snap) findings.push(...compareHost(expectation, h.name, snap));
    }
    findings.push(...compareSwarmNodes(model, snaps));
  } catch (e) {
    for (const p of probers.values()) p.close();
    throw e;
  }
  let probes: VerifyResult['probes'];
  if (!opts.probe) for (const p of probers.values()) p.close();
  if (opts.probe) {
    const plan = deriveProbes(expectation, snaps, opts.probe.max);
    try {
      for (const h of probeHosts(model, plan)) proberOf(h);
      const t0 = Date.now();
      opts.progress?.(`probing: ${plan.cases.length} probes${plan.dropped ? ` (${plan.dropped} left out by the bound)` : ''}`);
      const outcomes = await runProbes(plan.cases, probers, { timeoutMs: opts.probe.timeoutMs });
      opts.progress?.(`probed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      probes = { outcomes, dropped: plan.dropped };
      findings.push(...outcomes.map(probeFinding).filter((f): f is Finding => f !== undefined));
    } finally {
      for (const p of probers.values()) p.close();
    }
  }
  const drift = findings.filter(isDrift).length;
  return {
    env: opts.env,
    hosts,
    findings,
    counts: { drift, notes: findings.length - drift, unreachable: hosts.filter((h) => h.status === HostStatus.UNREACHABLE).length },
    ...(probes ? { probes } : {}),
  };
}

/**
 * --probe: evidence for daemon keys the Engine API does not report, where reading did not find it
 * (lib/live/daemon-evidence.ts): a short-lived container on the default bridge for the DNS keys, a
 * short-lived network without a subnet for default-address-pools and, while it exists, the host's
 * nat table for iptables (ssh hosts). Both objects are always removed.
 */
async function probeDaemons(model: DocknetModel, snaps: Map<string, HostSnapshot>, proberOf: (h: string) => (EngineReader & EngineProber) | undefined, opts: VerifyOptions): Promise<void> {
  const timeoutMs = opts.probe?.timeoutMs ?? 8000;
  await mapBounded(model.hosts, 4, async (h) => {
    const snap = snaps.get(h.name);
    const want = h.daemon ?? {};
    if (!snap) return;
    // The name servers show only on the default bridge; search and options in any resolv.conf Docker wrote.
    const rc = snap.daemonEvidence?.resolvConf;
    const needDns = ('dns' in want && rc?.network !== 'bridge') || ((('dns-search' in want) || ('dns-opts' in want)) && !rc);
    const needPools = 'default-address-pools' in want && !Array.isArray(snap.info.DefaultAddressPools);
    // iptables: the nat table while a fresh network exists tells on from off (lib/live/daemon-evidence.ts).
    const needIptables = 'iptables' in want && snap.daemonEvidence?.iptables?.nat !== undefined && /^-N DOCKER$/m.test(snap.daemonEvidence.iptables.nat);
    if (!needDns && !needPools && !needIptables) return;
    const p = proberOf(h.name);
    if (!p) return;
    const ev = { ...(snap.daemonEvidence ?? {}) } as { -readonly [K in keyof DaemonEvidence]: DaemonEvidence[K] };
    const errors = [...(ev.errors ?? [])];
    const t0 = Date.now();
    if (needDns) {
      const image = snap.images.find((i) => i.RepoTags.some((t) => t !== '<none>:<none>'))?.RepoTags[0];
      if (!image || !p.resolvConfOnBridge) errors.push(image ? 'this connection cannot run a probe container' : 'no tagged image on the host to run a probe container from');
      else {
        try {
          ev.resolvConf = { container: 'docknet-probe', network: 'bridge', probe: true, text: await p.resolvConfOnBridge(image, timeoutMs) };
        } catch (e) {
          errors.push(`the probe container (${image}) on the default bridge failed: ${errorText(e)}`);
        }
      }
    }
    if (needPools || needIptables) {
      if (!p.poolSubnet) errors.push('this connection cannot create a probe network');
      else {
        try {
          const nat = needIptables && p.natTable ? p.natTable.bind(p) : undefined;
          const got = await p.poolSubnet(timeoutMs, nat ? () => nat(timeoutMs) : undefined);
          if (needPools) ev.poolSubnet = { network: got.network, subnet: got.subnet };
          if (got.during?.nat) ev.iptables = { nat: got.during.nat, probeSubnet: got.subnet };
        } catch (e) {
          errors.push(`the probe network failed: ${errorText(e)}`);
        }
      }
    }
    opts.progress?.(`${h.name}: daemon evidence probed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    snaps.set(h.name, { ...snap, daemonEvidence: { ...ev, ...(errors.length ? { errors } : {}) } });
  });
}

const word = (b: boolean) => (b ? 'reachable' : 'blocked');

/** A probe that saw something else than expected is drift; one that could not run is a note. */
function probeFinding(o: ProbeOutcome): Finding | undefined {
  const object = `${o.from ?? `host ${o.host}`} → ${o.to}`;
  if (o.error) {
    return { host: o.host, objectKind: 'path', object, kind: DriftKind.UNVERIFIED, attribute: `reachability by ${o.how}`, description: `path \`${object}\`: could not probe (${o.error})` };
  }
  if (probeMatches(o)) return undefined;
  return {
    host: o.host, objectKind: 'path', object, kind: DriftKind.CHANGED, attribute: `reachability by ${o.how}`, expected: word(o.expect), actual: word(o.seen!),
    description: `path \`${object}\` is ${word(o.seen!)}, expected ${word(o.expect)} (${o.why})`,
    remedy: { action: RemedyAction.CHANGE_CODE, text: 'fix the other findings on these hosts first (a missing shim, attachment or daemon setting explains most); otherwise the hosts\' firewall or routing differs from what Docker set up' },
  };
}
