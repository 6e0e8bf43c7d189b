/**
 * Computes the semantic diff of two synth outputs: which resources are added, updated in place,
 * replaced or removed, attribute by attribute, with the provider's semantics (semantics.ts) deciding
 * what forces a replacement. Rendering is diff-render.ts.
 */
import { readSynthDir, SynthResource, SynthStack } from './synth';
import { ChangeEffect, effectOf } from '../core/provider/semantics';
import { propagateReplacements, resourceWords } from './blast-radius';
import { hostOperations } from './operations';
import { jsonEqual, mdCode } from './text';
import { compareKeys } from '../core/address/record';
import { AttributeChange, ChangeKind, DiffCounts, DiffResult, ResourceChange } from './diff-types';
import { describe } from './diff-render';

/** Diffs two cdktf.out folders. */
export function diffSynthDirs(baseDir: string, headDir: string): DiffResult {
  return diffStacks(readSynthDir(baseDir), readSynthDir(headDir));
}

/**
 * Diffs two sets of parsed stacks; resources match by stack, resource type and logical ID (what
 * Terraform matches by). Replacements carry their blast radius; daemon and swarm changes are
 * summed up per environment from the models.
 */
export function diffStacks(base: SynthStack[], head: SynthStack[]): DiffResult {
  const changes: ResourceChange[] = [];
  const stackNames = [...new Set([...base, ...head].map((s) => s.name))].sort();
  for (const name of stackNames) {
    const b = base.find((s) => s.name === name);
    const h = head.find((s) => s.name === name);
    changes.push(...diffProviders(b, h));
    const baseRes = new Map((b?.resources ?? []).map((r) => [`${r.type}.${r.key}`, r]));
    const headRes = new Map((h?.resources ?? []).map((r) => [`${r.type}.${r.key}`, r]));
    for (const id of [...new Set([...baseRes.keys(), ...headRes.keys()])].sort()) {
      const change = diffResource(baseRes.get(id), headRes.get(id));
      if (change) changes.push(change);
    }
  }
  // A sharded environment is diffed as one; each change names the shard (the state) it touches.
  const shards = new Map([...base, ...head].filter((s) => s.shard !== undefined).map((s) => [s.name, s.shard!]));
  const all = propagateReplacements(base, head, changes)
    .map((c) => (shards.has(c.stack) ? { ...c, shard: shards.get(c.stack) } : c))
    .sort(compareChanges);
  return { changes: all, counts: countChanges(all), operations: hostOperations(base, head) };
}

const KIND_ORDER = [ChangeKind.REPLACE, ChangeKind.REMOVE, ChangeKind.UPDATE, ChangeKind.ADD];

function compareChanges(a: ResourceChange, b: ResourceChange): number {
  return (
    compareKeys(a.env, b.env) ||
    compareKeys(a.host, b.host) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    compareKeys(a.type, b.type) ||
    compareKeys(a.name, b.name) ||
    compareKeys(a.key, b.key)
  );
}

function countChanges(changes: ResourceChange[]): DiffCounts {
  const n = (k: ChangeKind) => changes.filter((c) => c.kind === k).length;
  return { add: n(ChangeKind.ADD), update: n(ChangeKind.UPDATE), replace: n(ChangeKind.REPLACE), remove: n(ChangeKind.REMOVE) };
}

/** A provider's endpoint or settings changing is no resource change, but every resource on it is affected. */
function diffProviders(b: SynthStack | undefined, h: SynthStack | undefined): ResourceChange[] {
  const out: ResourceChange[] = [];
  const stack = (h ?? b)!;
  const ids = [...new Set([...(b?.providers ?? []), ...(h?.providers ?? [])].map((p) => `${p.type}.${p.alias}`))].sort();
  for (const id of ids) {
    const bp = b?.providers.find((p) => `${p.type}.${p.alias}` === id);
    const hp = h?.providers.find((p) => `${p.type}.${p.alias}` === id);
    if (bp && hp && jsonEqual(bp.config, hp.config)) continue;
    const changes: AttributeChange[] = [];
    diffValue([], bp?.config, hp?.config, 'provider', changes);
    const kind = !bp ? ChangeKind.ADD : !hp ? ChangeKind.REMOVE : ChangeKind.UPDATE;
    const alias = (hp ?? bp)!.alias;
    out.push({
      env: stack.env,
      host: alias,
      stack: stack.name,
      type: 'provider',
      key: id,
      name: id,
      kind,
      changes,
      forcedBy: [],
      summary: kind === ChangeKind.UPDATE ? `provider ${mdCode(id)}: ${changes.map((c) => c.description).join('; ')}` : `provider ${mdCode(id)} ${kind === ChangeKind.ADD ? 'added' : 'removed'}`,
    });
  }
  return out;
}

function diffResource(b: SynthResource | undefined, h: SynthResource | undefined): ResourceChange | undefined {
  const r = (h ?? b)!;
  const what = resourceWords(r);
  const common = { env: r.env, host: r.host, stack: r.stack, type: r.type, key: r.key, name: r.name, object: r.object };
  if (!b) return { ...common, kind: ChangeKind.ADD, changes: [], forcedBy: [], summary: `adds ${what}${brief(h!)}` };
  if (!h) {
    return { ...common, host: b.host, kind: ChangeKind.REMOVE, changes: [], forcedBy: [], summary: `removes ${what}` };
  }
  if (jsonEqual(b.attrs, h.attrs)) return undefined;
  let changes: AttributeChange[] = [];
  diffValue([], b.attrs, h.attrs, r.type, changes);
  // The scripts and uploads of docknet's own host steps follow their inputs (the daemon.json text,
  // the swarm's addresses); the model says what changed in words, so only planned changes are shown.
  const hostStep = r.object && ['daemon', 'swarm', 'swarm-members', 'shim'].includes(r.object.kind);
  if (hostStep && changes.some((c) => c.effect !== ChangeEffect.NONE)) changes = changes.filter((c) => c.effect !== ChangeEffect.NONE);
  if (r.object?.kind === 'daemon') {
    // The rollout keys on the file's hash; the keys that changed are listed per host under "Daemons".
    changes = changes.map((c) => (c.path[c.path.length - 1] === 'sha256' ? { ...c, description: `daemon.json content (${c.path[0] === 'input' ? 'input' : 'trigger'} sha256) changes: see Daemons above for the keys` } : c));
  }
  if (!changes.length) return undefined;
  const forcedBy = [...new Set(changes.filter((c) => c.effect === ChangeEffect.REPLACE).map((c) => c.path[0]))];
  const planned = changes.filter((c) => c.effect !== ChangeEffect.NONE);
  if (!forcedBy.length) {
    const note = planned.length ? '' : ' (provisioners/connection only: Terraform plans nothing; they run at the next replacement)';
    return { ...common, kind: ChangeKind.UPDATE, changes, forcedBy, summary: `updates ${what} in place${note}` };
  }
  if (r.object?.kind === 'swarm-members') {
    // A record, not an object on a host: its replacement only makes members no longer declared leave
    // (each such removal is listed as its own "removes swarm membership"); not a replacement to gate on.
    return { ...common, kind: ChangeKind.UPDATE, changes, forcedBy: [], summary: `updates ${what}: members no longer declared leave the swarm` };
  }
  // What the replacement takes with it is added by propagateReplacements (blast-radius.ts).
  const consequence = r.object?.kind === 'daemon' ? ': dockerd restarts' : r.type === 'terraform_data' || r.type === 'null_resource' ? ': its provisioners run again' : '';
  const summary = `replaces ${what}${r.host ? ` on host ${mdCode(r.host)}` : ''}${consequence}; forced by ${forcedBy.map(mdCode).join(', ')}`;
  return { ...common, kind: ChangeKind.REPLACE, changes, forcedBy, summary };
}

/** A short identity of an added resource: driver and subnet of a network, image of a container. */
function brief(r: SynthResource): string {
  const a = r.attrs;
  if (r.type === 'docker_network') {
    const ipam = Array.isArray(a.ipam_config) ? (a.ipam_config[0] as Record<string, unknown> | undefined) : undefined;
    return ` (${[a.driver ?? 'bridge', ipam?.subnet].filter(Boolean).join(' ')})`;
  }
  if (r.type === 'docker_container' && typeof a.image === 'string') return ` (${a.image})`;
  return '';
}

/** Block lists whose entries have an identity of their own, so reordering is no change. */
const BLOCK_KEYS: Record<string, (e: Record<string, unknown>) => string | undefined> = {
  networks_advanced: (e) => str(e.name),
  ports: (e) => (e.internal !== undefined ? `${e.internal}/${e.protocol ?? 'tcp'}` : undefined),
  labels: (e) => str(e.label),
  mounts: (e) => str(e.target),
  volumes: (e) => str(e.container_path),
  upload: (e) => str(e.file),
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function keyedEntries(field: string, list: unknown[]): Map<string, unknown> | undefined {
  const keyFn = BLOCK_KEYS[field];
  if (!keyFn || !list.every(isObject)) return undefined;
  const out = new Map<string, unknown>();
  for (const e of list as Record<string, unknown>[]) {
    const k = keyFn(e);
    if (k === undefined || out.has(k)) return undefined;
    out.set(k, e);
  }
  return out;
}

/** Attribute-level changes between two versions of one resource's arguments. */
export function diffAttributes(type: string, before: unknown, after: unknown): AttributeChange[] {
  const out: AttributeChange[] = [];
  diffValue([], before, after, type, out);
  return out;
}

/** Recursive attribute diff; lists of blocks compare entry by entry, lists of scalars as a whole. */
function diffValue(segs: string[], a: unknown, b: unknown, type: string, out: AttributeChange[]): void {
  if (jsonEqual(a, b)) return;
  const push = () => {
    const effect = segs.length ? effectOf(type, segs[0], segs.slice(1)) : ChangeEffect.UPDATE;
    out.push({ path: segs, before: a, after: b, effect, description: describe(segs, a, b) });
  };
  // A whole map argument (options, triggers) appearing or going reads better key by key.
  const mapArg = segs.length === 1 && (isObject(a) || isObject(b)) && (a === undefined || b === undefined);
  if ((isObject(a) && isObject(b)) || mapArg) {
    const ma = (a ?? {}) as Record<string, unknown>;
    const mb = (b ?? {}) as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) diffValue([...segs, k], ma[k], mb[k], type, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.some(isObject) && b.some(isObject)) {
    const field = segs[segs.length - 1] ?? '';
    const ka = keyedEntries(field, a);
    const kb = keyedEntries(field, b);
    if (ka && kb) {
      for (const k of [...new Set([...ka.keys(), ...kb.keys()])].sort()) diffValue([...segs, k], ka.get(k), kb.get(k), type, out);
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValue([...segs, `#${i + 1}`], a[i], b[i], type, out);
    return;
  }
  push();
}
