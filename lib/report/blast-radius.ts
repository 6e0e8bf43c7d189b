/**
 * Blast radius that follows references: from the resources a diff replaces, everything Terraform
 * replaces with them (a force-new argument that reads an attribute the replacement makes unknown,
 * e.g. network_mode = "container:${docker_container.web.id}", a swarm join's trigger on the init's
 * id) and everything Docker disconnects or restarts because of them (containers attached to a
 * replaced network, services on a replaced overlay, a host's containers when its daemon restarts).
 * The topology comes from docknet-model.json; the references and force-new arguments from cdk.tf.json.
 */
import { DocknetModel } from '../core/model';
import { ChangeEffect, effectOf, kindWord } from '../core/provider/semantics';
import { referenceSites, referencesIn, SynthResource, SynthStack } from './synth';
import { BlastItem, BlastRadius, ChangeKind, Consequence, ResourceChange } from './diff-types';
import { mdCode } from './text';

/** "container `web`", "daemon.json rollout of `dev1`": a resource in the topology's words. */
export function resourceWords(r: Pick<SynthResource, 'type' | 'name' | 'object'>): string {
  const o = r.object;
  switch (o?.kind) {
    case 'container':
    case 'network':
    case 'service':
      return `${o.kind} ${mdCode(o.name)}`;
    case 'daemon':
      return `daemon.json rollout of ${mdCode(o.host)}`;
    case 'swarm':
      return `swarm membership of ${mdCode(o.host)}`;
    case 'swarm-members':
      return "the swarm's record of its members";
    case 'shim':
      return `macvlan shim ${mdCode(o.name)} on ${mdCode(o.host)}`;
    default:
      return `${kindWord(r.type)} ${mdCode(r.name)}`;
  }
}

const ARG_WORDS: Record<string, string> = {
  network_mode: 'its network mode',
  networks_advanced: 'its network attachment',
  image: 'its image',
  triggers_replace: 'its trigger',
  task_spec: 'its task spec',
};

const idOf = (stack: string, ref: string) => `${stack}|${ref}`;

/** Something a replacement affects: a resource of the base, or a model object without one. */
interface Target {
  /** "stack|type.key" of its base resource. */
  readonly id?: string;
  readonly res?: SynthResource;
  readonly kind: string;
  readonly name: string;
  readonly host: string;
}

/** The environment's model, read from any of its stacks (the same model is in each). */
function modelsByEnv(stacks: SynthStack[]): Map<string, DocknetModel> {
  const out = new Map<string, DocknetModel>();
  for (const s of stacks) if (s.model && !out.has(s.env)) out.set(s.env, s.model);
  return out;
}

/**
 * Adds the replacements Terraform makes because of others (as REPLACE changes naming their cause)
 * and gives every replacement its transitive blast radius. Returns the new list of changes.
 */
export function propagateReplacements(base: SynthStack[], head: SynthStack[], changes: ResourceChange[]): ResourceChange[] {
  const baseRes = new Map<string, SynthResource>();
  const headRes = new Map<string, SynthResource>();
  for (const s of base) for (const r of s.resources) baseRes.set(idOf(s.name, `${r.type}.${r.key}`), r);
  for (const s of head) for (const r of s.resources) headRes.set(idOf(s.name, `${r.type}.${r.key}`), r);
  const models = modelsByEnv(base);
  const byId = new Map(changes.map((c) => [idOf(c.stack, `${c.type}.${c.key}`), c]));
  // A resource reached through a `moved` block: its base self is under the address it moves from.
  const movedBase = new Map(changes.filter((c) => c.movedFrom).map((c) => [idOf(c.stack, `${c.type}.${c.key}`), idOf(c.stack, c.movedFrom!)]));
  const movedHead = new Map([...movedBase].map(([h, b]) => [b, h]));
  const baseOf = (id: string) => baseRes.get(movedBase.get(id) ?? id);
  const headIdOf = (baseId: string) => movedHead.get(baseId) ?? baseId;

  /** What each replaced resource causes directly. */
  const effects = new Map<string, BlastItem[]>();
  const replaced = new Set([...byId].filter(([, c]) => c.kind === ChangeKind.REPLACE).map(([id]) => id));
  const queue = [...replaced];

  while (queue.length) {
    const cid = queue.shift()!;
    const cause = baseOf(cid);
    if (!cause) continue;
    // Base resources refer to the cause by its base address.
    const [stack, ref] = (movedBase.get(cid) ?? cid).split('|');
    const causeHead = headRes.get(cid);
    const causeWords = resourceWords(cause);
    const items: BlastItem[] = [];
    const seen = new Set<string>();
    const push = (target: Target, consequence: Consequence, because: string) => {
      const targetId = target.id;
      const key = `${targetId ?? `${target.host}/${target.name}`}#${consequence}`;
      if (seen.has(key)) return;
      seen.add(key);
      const what = target.res ? resourceWords(target.res) : `${target.kind} ${mdCode(target.name)}`;
      items.push({ what, name: target.name, host: target.host, consequence, because, resource: targetId });
      if (consequence === Consequence.REPLACED && targetId && !replaced.has(targetId)) {
        replaced.add(targetId);
        queue.push(targetId);
        const t = baseOf(targetId)!;
        const own = byId.get(targetId);
        // The same summary whether or not the config of the dependent changed: the cause decides.
        const summary = `replaces ${resourceWords(t)}${t.host ? ` on host ${mdCode(t.host)}` : ''} because ${because}`;
        const change: ResourceChange = own
          ? { ...own, kind: ChangeKind.REPLACE, summary, causedBy: cid }
          : { env: t.env, host: t.host, stack: t.stack, type: t.type, key: t.key, name: t.name, object: t.object, kind: ChangeKind.REPLACE, changes: [], forcedBy: [], causedBy: cid, summary };
        byId.set(targetId, change);
      }
    };
    /** A model object as a target: its base resource when the model maps one. */
    const targetFor = (model: DocknetModel, o: { path: string; name: string; host: string }, type: string, kind: string): Target => {
      const a = model.resources.find((r) => r.path === o.path && r.type === type && r.kind !== 'host');
      const id = a && headIdOf(idOf(a.stack, `${a.type}.${a.logicalId}`));
      const res = id ? baseOf(id) : undefined;
      return { id: res ? id : undefined, res, kind, name: o.name, host: o.host };
    };

    // Terraform: a force-new argument reading an attribute that the replacement makes unknown.
    for (const [bid, x] of baseRes) {
      const xid = headIdOf(bid);
      if (xid === cid || !xid.startsWith(`${stack}|`) || !headRes.has(xid)) continue;
      for (const site of referenceSites(x.raw)) {
        if (`${site.type}.${site.key}` !== ref) continue;
        if (!unknownAfterReplace(causeHead, site.attr)) continue;
        if (effectOf(x.type, site.path[0], site.path.slice(1)) !== ChangeEffect.REPLACE) continue;
        const arg = ARG_WORDS[site.path[0]] ?? `${mdCode(site.path[0])}`;
        push({ id: xid, res: x, kind: x.type, name: x.name, host: x.host }, Consequence.REPLACED, `${arg} refers to ${causeWords}'s ${site.attr || 'value'}, which the replacement changes`);
      }
    }

    // Docker: what the topology attaches to, shares or runs on the replaced object.
    const model = models.get(cause.env);
    const o = cause.object;
    if (model && o) {
      if (o.kind === 'network') {
        for (const c of model.containers.filter((x) => x.attachments.some((t) => t.network === o.path))) {
          const t = targetFor(model, c, 'docker_container', 'container');
          if (!t.id || !replaced.has(t.id)) push(t, Consequence.DISCONNECTED, `it is attached to ${causeWords}`);
        }
        for (const v of (model.services ?? []).filter((x) => x.attachments.some((t) => t.network === o.path))) {
          const t = targetFor(model, v, 'docker_service', 'service');
          if (!t.id || !replaced.has(t.id)) push(t, Consequence.DISCONNECTED, `its tasks are attached to ${causeWords}`);
        }
      } else if (o.kind === 'container') {
        // Also without a reference by id (Terraform's rule above): Docker cannot keep a namespace whose owner is gone.
        for (const c of model.containers.filter((x) => x.sharesWith === o.path)) {
          const t = targetFor(model, c, 'docker_container', 'container');
          if (t.id && headRes.has(t.id)) push(t, Consequence.REPLACED, `it shares the network namespace of ${causeWords} (container:${o.name} mode)`);
        }
      } else if (o.kind === 'daemon') {
        for (const c of model.containers.filter((x) => x.host === o.host)) {
          push(targetFor(model, c, 'docker_container', 'container'), Consequence.RESTARTED, `dockerd on ${mdCode(o.host)} restarts`);
        }
      }
    } else if (cause.type === 'docker_network') {
      // No model (a synth of another tool): attachments by reference or, on the same host, by name.
      const overlay = cause.attrs.driver === 'overlay';
      for (const [xid, x] of baseRes) {
        if (x.type !== 'docker_container' && x.type !== 'docker_service') continue;
        const targets = attachmentTargets(x);
        const byRef = xid.startsWith(`${stack}|`) && targets.some((t) => referencesIn(t).includes(ref));
        const byName = (overlay || x.host === cause.host) && targets.includes(cause.name);
        if ((byRef || byName) && !replaced.has(xid)) push({ id: xid, res: x, kind: x.type, name: x.name, host: x.host }, Consequence.DISCONNECTED, `it is attached to ${causeWords}`);
      }
    }
    effects.set(cid, items);
  }

  const out: ResourceChange[] = [];
  for (const c of [...byId.values()]) {
    if (c.kind !== ChangeKind.REPLACE) {
      out.push(c);
      continue;
    }
    const radius = radiusOf(idOf(c.stack, `${c.type}.${c.key}`), effects);
    out.push(radius.items.length ? { ...c, blastRadius: radius, summary: `${c.summary}${radiusSummary(radius)}` } : c);
  }
  return out;
}

/** What a replaced attribute reads after the replacement: known only when it is a literal argument. */
function unknownAfterReplace(head: SynthResource | undefined, attr: string): boolean {
  if (!head) return true;
  if (!attr || !(attr in head.raw)) return true;
  const v = head.raw[attr];
  return typeof v === 'string' ? v.includes('${') : v === undefined;
}

/** Everything a replacement causes, transitively through the replacements it causes. */
function radiusOf(root: string, effects: Map<string, BlastItem[]>): BlastRadius {
  const items: BlastItem[] = [];
  const visited = new Set([root]);
  const queue = [root];
  while (queue.length) {
    for (const item of effects.get(queue.shift()!) ?? []) {
      items.push(item);
      if (item.consequence === Consequence.REPLACED && item.resource && !visited.has(item.resource)) {
        visited.add(item.resource);
        queue.push(item.resource);
      }
    }
  }
  const list = (k: Consequence) => [...new Set(items.filter((i) => i.consequence === k).map((i) => `${i.host}/${i.name}`))].sort();
  const perHost: Record<string, number> = {};
  for (const i of items) perHost[i.host] = (perHost[i.host] ?? 0) + 1;
  return { items, alsoReplaced: list(Consequence.REPLACED), disconnected: list(Consequence.DISCONNECTED), restarted: list(Consequence.RESTARTED), perHost };
}

function radiusSummary(r: BlastRadius): string {
  const parts = [
    r.alsoReplaced.length ? `${r.alsoReplaced.length} more replaced (${r.alsoReplaced.map((x) => mdCode(x.split('/')[1])).join(', ')})` : '',
    r.disconnected.length ? `${r.disconnected.length} disconnected` : '',
    r.restarted.length ? `${r.restarted.length} restarted` : '',
  ].filter(Boolean);
  const hosts = Object.keys(r.perHost).sort().map((h) => `${mdCode(h)} ${r.perHost[h]}`);
  return `; blast radius: ${parts.join(', ')} (per host: ${hosts.join(', ')})`;
}

/** Raw (unresolved) network references of a container or service: networks_advanced names and network_mode. */
function attachmentTargets(r: SynthResource): string[] {
  const out: string[] = [];
  const raw = r.raw;
  const nets = (list: unknown) => (Array.isArray(list) ? list : []).forEach((n) => typeof (n as { name?: unknown }).name === 'string' && out.push((n as { name: string }).name));
  nets(raw.networks_advanced);
  if (typeof raw.network_mode === 'string') out.push(raw.network_mode);
  const taskSpec = Array.isArray(raw.task_spec) ? raw.task_spec[0] : raw.task_spec;
  if (taskSpec && typeof taskSpec === 'object') nets((taskSpec as Record<string, unknown>).networks_advanced);
  return out;
}
