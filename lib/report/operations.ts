/**
 * Daemon and swarm changes in operators' words, from the models of base and head: which daemon.json
 * keys change on which host (by name), that its dockerd restarts, the order hosts restart in (the
 * environment's host order, one wave of `rollout.waveSize` hosts at a time), and who joins, leaves
 * or changes role in the swarm.
 */
import { DocknetModel, HostModel, SwarmRoleName } from '../core/model';
import { DaemonChange, DaemonKeyChange, HostOperations, HostRename, SwarmChange } from './diff-types';
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
  const who = a.name === b.name ? b.name : `${b.name} (renamed from ${a.name})`;
  const da = a.daemon ?? {};
  const db = b.daemon ?? {};
  const keys: DaemonKeyChange[] = [];
  for (const key of [...new Set([...Object.keys(da), ...Object.keys(db)])].sort()) {
    if (stableStringify(da[key]) !== stableStringify(db[key])) keys.push({ key, before: da[key], after: db[key] });
  }
  if (!keys.length && !a.daemon === !b.daemon) return undefined;
  const what = !b.daemon ? 'daemon.json no longer managed (the file stays as it is)' : `${keys.map(keyLine).join('; ')}; dockerd restarts`;
  return { host: b.name, keys, line: `${who}: ${what}` };
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

/**
 * A host whose hosts-stack resources move to its new name (renamedFrom's `moved` blocks), with what
 * the diff found Terraform replaces among them.
 */
export interface HostRenameFacts {
  readonly env: string;
  readonly from: string;
  readonly to: string;
  /** Its daemon rollout is replaced: dockerd restarts. */
  readonly restarts: boolean;
  /** Its swarm join is replaced: it leaves and joins again. */
  readonly rejoins: boolean;
}

/**
 * The environment's operations between two synths, for every environment with a model on both sides.
 * A renamed host whose state moves is compared with its old self: daemon.json key by key, its swarm
 * role before and after; one without `moved` blocks is what Terraform makes of it, a host removed and
 * a host added.
 */
export function hostOperations(base: SynthStack[], head: SynthStack[], renamed: readonly HostRenameFacts[] = []): HostOperations[] {
  const modelOf = (stacks: SynthStack[], env: string) => stacks.find((s) => s.env === env && s.model)?.model;
  const envs = [...new Set([...base, ...head].map((s) => s.env))].sort();
  const out: HostOperations[] = [];
  for (const env of envs) {
    const a = modelOf(base, env);
    const b = modelOf(head, env);
    // Both sides need a model: a base synthesized before models existed would read as all-new hosts.
    if (!a || !b) continue;
    // New name -> old name, for renamed hosts the base has under the old name and the head not at all.
    const oldName = new Map(
      renamed.filter((r) => r.env === env && a.hosts.some((x) => x.name === r.from) && !a.hosts.some((x) => x.name === r.to) && !b.hosts.some((x) => x.name === r.from)).map((r) => [r.to, r.from]),
    );
    const baseName = (host: string) => oldName.get(host) ?? host;
    const movedAway = new Set(oldName.values());
    const daemon: DaemonChange[] = [];
    // Head's host order is the order the rollout restarts them in.
    for (const h of b.hosts ?? []) {
      const before = a.hosts.find((x) => x.name === baseName(h.name));
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
    const names = [...new Set([...(b.hosts ?? []), ...(a.hosts ?? [])].map((h) => h.name))].filter((n) => !movedAway.has(n));
    for (const host of names) {
      const was = baseName(host);
      const s = swarmChange(host, roleOf(a, was), roleOf(b, host));
      if (s) swarm.push(was === host ? s : { ...s, line: s.line.replace(host, `${host} (renamed from ${was})`) });
    }
    const renames: HostRename[] = [];
    for (const [to, from] of oldName) {
      const facts = renamed.find((r) => r.env === env && r.from === from && r.to === to)!;
      const keysChange = restarting.includes(to);
      const roleChanges = swarm.some((s) => s.host === to);
      const restarts = facts.restarts || keysChange;
      const rejoins = facts.rejoins || roleChanges;
      const parts = [
        keysChange ? 'dockerd restarts (see Daemons)' : restarts ? 'dockerd restarts (its daemon.json rollout is replaced)' : 'nothing restarts',
        roleChanges ? 'its swarm role changes (see Swarm)' : rejoins ? 'it leaves the swarm and joins again (its join is replaced)' : 'no swarm leave/join',
      ];
      renames.push({ from, to, restarts, rejoins, line: `${from} renamed to ${to}: its state moves (moved blocks); ${parts.join(', ')}` });
    }
    if (daemon.length || swarm.length || renames.length) out.push({ env, renames, daemon, restartWaves, waveSize, swarm });
  }
  return out;
}
