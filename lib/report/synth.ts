/**
 * Reads a synthesized cdktf.out folder back as plain data: the one reader of cdk.tf.json. The tools
 * that read a synth back (diff, promote, the lab replay) take the topology from docknet-model.json
 * and come here for what provider semantics need: the arguments Terraform compares.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocknetModel, ResourceAddressModel } from '../core/model';
import { addressIndex, readModels } from './model-file';

/** One Terraform resource of a synthesized stack, with references resolved for display. */
export interface SynthResource {
  readonly stack: string;
  readonly env: string;
  /** Terraform resource type, e.g. "docker_network". */
  readonly type: string;
  /** Logical ID (the key under resource.<type>); with the type, the identity used for matching. */
  readonly key: string;
  /**
   * Host name, from the model's address map; without a model, a docker resource's provider alias
   * ("docker.h1" -> "h1"), and "" for a built-in.
   */
  readonly host: string;
  /** The docknet object the resource renders, from docknet-model.json. */
  readonly object?: ResourceAddressModel;
  /** Construct path from cdktf metadata, when present. */
  readonly path?: string;
  /** Arguments as written, minus "//" metadata, provider, depends_on and lifecycle. */
  readonly raw: Record<string, unknown>;
  /** The same arguments with every ${type.key.attr} replaced by the referenced resource's name. */
  readonly attrs: Record<string, unknown>;
  /** Display name: attrs.name when it is a string, otherwise the object's name from the model, otherwise the key. */
  readonly name: string;
}

export interface SynthProvider {
  readonly type: string;
  readonly alias: string;
  readonly config: Record<string, unknown>;
}

export interface SynthStack {
  readonly name: string;
  readonly env: string;
  /** What follows the environment: "network", "hosts", or the whole name when neither matches. */
  readonly role: string;
  readonly providers: SynthProvider[];
  readonly resources: SynthResource[];
  /** The stack's docknet-model.json, when synth wrote one. */
  readonly model?: DocknetModel;
  /** The shard the stack renders, in a sharded environment (from the model). */
  readonly shard?: string;
  /** The stack's `moved` blocks ("type.key" to "type.key"), e.g. a renamed host's hosts-stack resources. */
  readonly moved?: SynthMove[];
}

/** One `moved` block: Terraform gives the resource at `to` the state it had at `from`. */
export interface SynthMove {
  readonly from: string;
  readonly to: string;
}

const ROLE_SUFFIXES = ['network', 'hosts'];

/** "staging-network" -> { env: "staging", role: "network" }; unknown suffixes keep the whole name. */
export function splitStackName(stack: string): { env: string; role: string } {
  for (const role of ROLE_SUFFIXES) {
    if (stack.endsWith(`-${role}`) && stack.length > role.length + 1) {
      return { env: stack.slice(0, -(role.length + 1)), role };
    }
  }
  return { env: stack, role: stack };
}

/** Matches one Terraform reference like ${docker_network.h1_backend_5A3B.name}. */
const REF = /\$\{([a-zA-Z0-9_]+)\.([a-zA-Z0-9_-]+)((?:\.[a-zA-Z0-9_*[\]"]+)*)\}/g;

/** One reference inside an argument: the argument's path (block indices left out) and what it names. */
export interface ReferenceSite {
  /** Top-level argument, then nested keys, e.g. ["task_spec", "networks_advanced", "name"]. */
  readonly path: string[];
  readonly type: string;
  readonly key: string;
  /** The attribute read first, e.g. "id" in ${docker_container.web.id}; "" for the whole object. */
  readonly attr: string;
}

/** Every reference in a resource's arguments, with where it sits. */
export function referenceSites(args: Record<string, unknown>): ReferenceSite[] {
  const out: ReferenceSite[] = [];
  const walk = (v: unknown, at: string[]) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) out.push({ path: at, type: m[1], key: m[2], attr: (m[3] ?? '').split('.')[1] ?? '' });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, at));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  for (const [k, v] of Object.entries(args)) walk(v, [k]);
  return out;
}

/** Every resource a value refers to, as "type.key". */
export function referencesIn(value: unknown): string[] {
  const out: string[] = [];
  walkStrings(value, (s) => {
    for (const m of s.matchAll(REF)) out.push(`${m[1]}.${m[2]}`);
  });
  return out;
}

function walkStrings(value: unknown, fn: (s: string) => void): void {
  if (typeof value === 'string') fn(value);
  else if (Array.isArray(value)) value.forEach((v) => walkStrings(v, fn));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => walkStrings(v, fn));
}

/**
 * Replaces references by the referenced resource's name, so a container attached to
 * "${docker_network.h1_backend_5A3B.id}" reads "backend": reviewers think in names, and a renamed
 * logical ID with the same network name is then no change at all.
 */
export function resolveReferences(value: unknown, nameOf: (type: string, key: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (whole, type: string, key: string) => nameOf(type, key) ?? `${type}.${key}`);
  }
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, nameOf));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveReferences(v, nameOf);
    return out;
  }
  return value;
}

const NON_ARGUMENTS = new Set(['//', 'provider', 'depends_on', 'lifecycle', 'count', 'for_each']);

/** Parses one cdk.tf.json document, placing each resource through the stack's model when there is one. */
export function parseStack(stackName: string, doc: Record<string, unknown>, model?: DocknetModel): SynthStack {
  const split = splitStackName(stackName);
  const env = model?.environment ?? split.env;
  const role = model ? (model.stacks.hosts === stackName ? 'hosts' : model.stacks.network === stackName ? 'network' : split.role) : split.role;
  const objects = model ? addressIndex(model, stackName) : new Map<string, ResourceAddressModel>();
  const providers: SynthProvider[] = [];
  const providerBlock = (doc.provider ?? {}) as Record<string, unknown>;
  for (const [type, list] of Object.entries(providerBlock)) {
    for (const cfg of (Array.isArray(list) ? list : [list]) as Record<string, unknown>[]) {
      providers.push({ type, alias: typeof cfg.alias === 'string' ? cfg.alias : type, config: cfg });
    }
  }
  const resourceBlock = (doc.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const rawByRef = new Map<string, Record<string, unknown>>();
  for (const [type, byKey] of Object.entries(resourceBlock)) {
    for (const [key, body] of Object.entries(byKey)) rawByRef.set(`${type}.${key}`, body);
  }
  const nameOf = (type: string, key: string): string | undefined => {
    const n = rawByRef.get(`${type}.${key}`)?.name;
    return typeof n === 'string' && !n.includes('${') ? n : undefined;
  };
  const resources: SynthResource[] = [];
  for (const type of Object.keys(resourceBlock).sort()) {
    for (const key of Object.keys(resourceBlock[type]).sort()) {
      const body = resourceBlock[type][key];
      const raw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) if (!NON_ARGUMENTS.has(k)) raw[k] = v;
      const attrs = resolveReferences(raw, nameOf) as Record<string, unknown>;
      const meta = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      const object = objects.get(`${type}.${key}`);
      resources.push({
        stack: stackName,
        env,
        type,
        key,
        host: hostOf(body, object),
        object,
        path: meta?.path,
        raw,
        attrs,
        name: typeof attrs.name === 'string' ? attrs.name : object?.name ?? key,
      });
    }
  }
  const moved = (Array.isArray(doc.moved) ? doc.moved : [])
    .filter((m): m is SynthMove => !!m && typeof m === 'object' && typeof (m as SynthMove).from === 'string' && typeof (m as SynthMove).to === 'string')
    .map((m) => ({ from: m.from, to: m.to }));
  return { name: stackName, env, role, providers, resources, model, ...(model?.shard !== undefined ? { shard: model.shard } : {}), ...(moved.length ? { moved } : {}) };
}

/**
 * The host a resource acts on: from the model's address map; without a model, the host of a
 * docker resource is its provider alias (docknet aliases each host's provider by the host name),
 * and a built-in (terraform_data) has none that the reader could know.
 */
function hostOf(body: Record<string, unknown>, object: ResourceAddressModel | undefined): string {
  if (object) return object.host;
  if (typeof body.provider === 'string') {
    const dot = body.provider.indexOf('.');
    return dot >= 0 ? body.provider.slice(dot + 1) : body.provider;
  }
  return '';
}

/**
 * The one loader of cdk.tf.json: pass a cdktf.out folder (with `stack` when it holds several), a
 * stack folder or the file itself.
 */
export function readTfJson(p: string, stack?: string): Record<string, unknown> {
  let file = p;
  if (fs.statSync(p).isDirectory()) {
    const direct = path.join(p, TF_FILE);
    if (fs.existsSync(direct)) file = direct;
    else {
      const stacks = fs.readdirSync(path.join(p, 'stacks'));
      const s = stack ?? (stacks.length === 1 ? stacks[0] : undefined);
      if (!s) throw new Error(`several stacks in ${p} (${stacks.join(', ')}): say which one`);
      file = path.join(p, 'stacks', s, TF_FILE);
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const TF_FILE = 'cdk.tf.json';

/**
 * Reads every stack of a cdktf.out folder (stacks/<name>/cdk.tf.json, and docknet-model.json where
 * synth wrote one). Accepts the folder itself or its stacks/ subfolder.
 */
export function readSynthDir(dir: string): SynthStack[] {
  const stacksDir = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  if (!fs.existsSync(stacksDir)) throw new Error(`No synth output at "${dir}": expected a cdktf.out folder with stacks/<name>/cdk.tf.json. Run "npm run synth" first.`);
  const names = fs
    .readdirSync(stacksDir)
    .filter((n) => fs.existsSync(path.join(stacksDir, n, TF_FILE)))
    .sort();
  const models = readModels(stacksDir);
  return names.map((name) => parseStack(name, readTfJson(path.join(stacksDir, name)), models.get(name)));
}
