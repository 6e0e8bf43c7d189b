/**
 * Daemon and swarm changes in operators' words, from the models of base and head: which daemon.json
 * keys change on which host (by name), that its dockerd restarts, the order hosts restart in (the
 * environment's host order, one wave of `rollout.waveSize` hosts at a time), and who joins, leaves
 * or changes role in the swarm.
 */
import { DocknetModel, HostModel, SwarmRoleName } from '../core/model';
import { DaemonChange, DaemonKeyChange, HostOperations, SwarmChange } from './diff-types';
import { SynthStack } from './synth';
import { stableStringify } from './text';

/** A daemon.json value as an operator writes it: lists comma-joined, blocks as key=value. */
export function daemonValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (Array.isArray(v)) return v.length ? v.map(daemonValue).join(',') : '(empty)';
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}=${daemonValue((v as Record<string, unknown>)[k])}`)
      .join(' ')}}`;
  }
  return String(v);
}

function keyLine(k: DaemonKeyChange): string {
  if (k.before === undefined) return `${k.key} set to ${daemonValue(k.after)}`;
  if (k.after === undefined) return `${k.key} removed (was ${daemonValue(k.before)})`;
  return `${k.key} ${daemonValue(k.before)} → ${daemonValue(k.after)}`;
}

function daemonChanges(a: HostModel, b: HostModel): DaemonChange | undefined {
  const da = a.daemon ?? {};
  const db = b.daemon ?? {};
  const keys: DaemonKeyChange[] = [];
  for (const key of [...new Set([...Object.keys(da), ...Object.keys(db)])].sort()) {
    if (stableStringify(da[key]) !== stableStringify(db[key])) keys.push({ key, before: da[key], after: db[key] });
  }
  if (!keys.length && !a.daemon === !b.daemon) return undefined;
  const what = !b.daemon ? 'daemon.json no longer managed (the file stays as it is)' : `${keys.map(keyLine).join('; ')}; dockerd restarts`;
  return { host: b.name, keys, line: `${b.name}: ${what}` };
}

function roleOf(model: DocknetModel | undefined, host: string): SwarmRoleName {
  return model?.hosts.find((h) => h.name === host)?.swarmRole ?? 'none';
}

function swarmChange(host: string, before: SwarmRoleName, after: SwarmRoleName): SwarmChange | undefined {
  if (before === after) return undefined;
  const line =
    before === 'none' ? `${host} joins as ${after}` : after === 'none' ? `${host} leaves the swarm (was ${before})` : `${host}: ${before} → ${after}`;
  return { host, before, after, line };
}

/** The environment's operations between two synths, for every environment with a model on both sides. */
export function hostOperations(base: SynthStack[], head: SynthStack[]): HostOperations[] {
  const modelOf = (stacks: SynthStack[], env: string) => stacks.find((s) => s.env === env && s.model)?.model;
  const envs = [...new Set([...base, ...head].map((s) => s.env))].sort();
  const out: HostOperations[] = [];
  for (const env of envs) {
    const a = modelOf(base, env);
    const b = modelOf(head, env);
    // Both sides need a model: a base synthesized before models existed would read as all-new hosts.
    if (!a || !b) continue;
    const daemon: DaemonChange[] = [];
    // Head's host order is the order the rollout restarts them in.
    for (const h of b.hosts ?? []) {
      const before = a.hosts.find((x) => x.name === h.name);
      if (!before) {
        if (h.daemon) daemon.push({ host: h.name, keys: Object.keys(h.daemon).sort().map((key) => ({ key, after: h.daemon![key] })), line: `${h.name}: new host; daemon.json written (${Object.keys(h.daemon).sort().map((k) => `${k} ${daemonValue(h.daemon![k])}`).join('; ')}); dockerd restarts` });
        continue;
      }
      const c = daemonChanges(before, h);
      if (c) daemon.push(c);
    }
    const waveSize = b.rollout?.waveSize ?? 1;
    const restarting = daemon.filter((d) => b.hosts.find((h) => h.name === d.host)?.daemon).map((d) => d.host);
    // The hosts stack's own waves (never two managers in one), narrowed to the hosts that restart;
    // models without waves: chunks of waveSize in host order.
    const restartWaves: string[][] = [];
    if (b.rollout?.waves?.length) {
      for (const w of b.rollout.waves) {
        const inWave = w.filter((n) => restarting.includes(n));
        if (inWave.length) restartWaves.push(inWave);
      }
    } else {
      for (let i = 0; i < restarting.length; i += waveSize) restartWaves.push(restarting.slice(i, i + waveSize));
    }
    const swarm: SwarmChange[] = [];
    const names = [...new Set([...(b.hosts ?? []), ...(a.hosts ?? [])].map((h) => h.name))];
    for (const host of names) {
      const s = swarmChange(host, roleOf(a, host), roleOf(b, host));
      if (s) swarm.push(s);
    }
    if (daemon.length || swarm.length) out.push({ env, daemon, restartWaves, waveSize, swarm });
  }
  return out;
}
