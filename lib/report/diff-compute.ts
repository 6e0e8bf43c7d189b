/**
 * Computes the semantic diff of two synth outputs: which resources are added, updated in place,
 * replaced or removed, attribute by attribute, with the provider's semantics (semantics.ts) deciding
 * what forces a replacement. Rendering is diff-render.ts.
 */
import { envMap, isSecretPath, secretDigest } from './secrets';
import { readSynthDir, SynthMove, SynthResource, SynthStack } from './synth';
import { ChangeEffect, effectOf } from '../core/provider/semantics';
import { propagateReplacements, resourceWords } from './blast-radius';
import { HostRenameFacts, hostOperations } from './operations';
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
    const moves = movesOf(h?.moved ?? [], baseRes, headRes);
    const movedAway = new Set(moves.values());
    for (const id of [...new Set([...baseRes.keys(), ...headRes.keys()])].sort()) {
      // A resource reached through a `moved` block is compared with its old self (below), not removed.
      if (movedAway.has(id)) continue;
      const from = moves.get(id);
      const change = from ? diffMoved(baseRes.get(from)!, headRes.get(id)!) : diffResource(baseRes.get(id), headRes.get(id));
      if (change) changes.push(change);
    }
  }
  // A sharded environment is diffed as one; each change names the shard (the state) it touches.
  const shards = new Map([...base, ...head].filter((s) => s.shard !== undefined).map((s) => [s.name, s.shard!]));
  const all = propagateReplacements(base, head, changes)
    .map((c) => (shards.has(c.stack) ? { ...c, shard: shards.get(c.stack) } : c))
    .sort(compareChanges);
  const blockers = orphanedByProvider(all);
  return { changes: all, counts: countChanges(all), operations: hostOperations(base, head, hostRenames(all)), ...(blockers.length ? { blockers } : {}) };
}

/**
 * A host's provider removed in the same change as resources of that host (a host deleted from the
 * code with its containers, or renamed without renamedFrom): Terraform needs the provider to destroy
 * them and refuses the whole plan. Said here, in the pull request, instead of at plan time.
 */
function orphanedByProvider(changes: ResourceChange[]): string[] {
  const out: string[] = [];
  for (const p of changes) {
    if (p.type !== 'provider' || p.kind !== ChangeKind.REMOVE) continue;
    const orphans = changes.filter((c) => c.stack === p.stack && c.host === p.host && c.type !== 'provider' && c.kind === ChangeKind.REMOVE);
    if (!orphans.length) continue;
    const shown = orphans.slice(0, 3).map((c) => mdCode(`${c.type}.${c.key}`)).join(', ') + (orphans.length > 3 ? ` and ${orphans.length - 3} more` : '');
    out.push(
      `${mdCode(p.stack)}: host ${mdCode(p.host)} leaves the code together with ${orphans.length} resource(s) its provider ${mdCode(p.key)} must destroy (${shown}). ` +
        `Terraform refuses that plan ("Provider configuration not present"). Remove the host in two changes: first its containers and networks, ` +
        `keeping the host (that apply destroys them), then the host. A renamed host: declare renamedFrom (its resources move). ` +
        `A host that is gone for good: take its resources out of the state (docs/daemon-and-bootstrap.md, "Remove / add").`,
    );
  }
  return out;
}

/**
 * The `moved` blocks Terraform follows between these two synths, head "type.key" -> base "type.key":
 * the source is in base and not in head, the target in head and not in base. Any other `moved` is
 * one Terraform ignores (a fresh deploy, a move already done) or refuses; those resources then
 * compare by address like any other.
 */
function movesOf(moved: readonly SynthMove[], baseRes: Map<string, SynthResource>, headRes: Map<string, SynthResource>): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const m of moved) {
    if (!baseRes.has(m.from) || headRes.has(m.from) || !headRes.has(m.to) || baseRes.has(m.to)) continue;
    if (out.has(m.to) || used.has(m.from)) continue;
    out.set(m.to, m.from);
    used.add(m.from);
  }
  return out;
}

/** A resource that keeps its state under a new address: its changes against its old self, and the move. */
function diffMoved(b: SynthResource, h: SynthResource): ResourceChange {
  const movedFrom = `${b.type}.${b.key}`;
  const renamedFrom = b.host && h.host && b.host !== h.host ? b.host : undefined;
  const origin = renamedFrom ? `host ${mdCode(renamedFrom)}` : mdCode(movedFrom);
  const move = { movedFrom, ...(renamedFrom ? { renamedFrom } : {}) };
  const change = diffResource(b, h);
  if (!change) {
    const common = { env: h.env, host: h.host, stack: h.stack, type: h.type, key: h.key, name: h.name, object: h.object };
    return { ...common, ...move, kind: ChangeKind.MOVE, changes: [], forcedBy: [], summary: `moves ${resourceWords(h)} from ${origin} (moved block): no change` };
  }
  // A host step's in-place update runs none of its provisioners: nothing happens on the host.
  const quiet = change.kind === ChangeKind.UPDATE && h.type === 'terraform_data' ? ': nothing runs on the host' : '';
  const summary =
    change.kind === ChangeKind.UPDATE
      ? change.summary.replace(/^updates (.*?) in place/, (_, what: string) => `moves ${what} from ${origin} (moved block) and updates it in place${quiet}`)
      : `${change.summary}; moved from ${origin} first (moved block)`;
  return { ...change, ...move, summary };
}

/** Hosts whose hosts-stack state moves to a new name, from the moves of the diff. */
function hostRenames(changes: ResourceChange[]): HostRenameFacts[] {
  const out = new Map<string, HostRenameFacts>();
  for (const c of changes) {
    if (!c.renamedFrom) continue;
    const id = `${c.env}\0${c.renamedFrom}\0${c.host}`;
    const f = out.get(id) ?? { env: c.env, from: c.renamedFrom, to: c.host, restarts: false, rejoins: false };
    const replaced = c.kind === ChangeKind.REPLACE;
    out.set(id, { ...f, restarts: f.restarts || (replaced && c.object?.kind === 'daemon'), rejoins: f.rejoins || (replaced && c.object?.kind === 'swarm') });
  }
  return [...out.values()];
}

const KIND_ORDER = [ChangeKind.REPLACE, ChangeKind.REMOVE, ChangeKind.UPDATE, ChangeKind.MOVE, ChangeKind.ADD];

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
  return { add: n(ChangeKind.ADD), update: n(ChangeKind.UPDATE), replace: n(ChangeKind.REPLACE), remove: n(ChangeKind.REMOVE), move: n(ChangeKind.MOVE) };
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
    // Secrets (env values, TLS materials, passwords) are compared, never shown: a digest stands in.
    const [before, after] = isSecretPath(segs) ? [a === undefined ? a : secretDigest(a), b === undefined ? b : secretDigest(b)] : [a, b];
    out.push({ path: segs, before, after, effect, description: describe(segs, before, after) });
  };
  // A container's env ("K=V" list) compares key by key, so only the keys are named.
  if (segs[segs.length - 1] === 'env' && (a === undefined || envMap(a)) && (b === undefined || envMap(b))) {
    const ma = a === undefined ? {} : envMap(a)!;
    const mb = b === undefined ? {} : envMap(b)!;
    for (const k of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) diffValue([...segs, k], ma[k], mb[k], type, out);
    return;
  }
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
