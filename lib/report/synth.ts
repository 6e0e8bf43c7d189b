/**
 * Reads a synthesized cdktf.out folder back as plain data. Only the tools whose job is to read the
 * synth output (diff, promote, report collection) use this; nothing in the construct library does.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One Terraform resource of a synthesized stack, with references resolved for display. */
export interface SynthResource {
  readonly stack: string;
  readonly env: string;
  /** Terraform resource type, e.g. "docker_network". */
  readonly type: string;
  /** Logical ID (the key under resource.<type>); with the type, the identity used for matching. */
  readonly key: string;
  /** Host name: the provider alias ("docker.h1" -> "h1"), or for built-ins a host found in the config. */
  readonly host: string;
  /** Construct path from cdktf metadata, when present. */
  readonly path?: string;
  /** Arguments as written, minus "//" metadata, provider, depends_on and lifecycle. */
  readonly raw: Record<string, unknown>;
  /** The same arguments with every ${type.key.attr} replaced by the referenced resource's name. */
  readonly attrs: Record<string, unknown>;
  /** Display name: attrs.name when it is a string, otherwise the key. */
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

/** Parses one cdk.tf.json document. */
export function parseStack(stackName: string, doc: Record<string, unknown>): SynthStack {
  const { env, role } = splitStackName(stackName);
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
  const aliases = providers.map((p) => p.alias);
  const resources: SynthResource[] = [];
  for (const type of Object.keys(resourceBlock).sort()) {
    for (const key of Object.keys(resourceBlock[type]).sort()) {
      const body = resourceBlock[type][key];
      const raw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) if (!NON_ARGUMENTS.has(k)) raw[k] = v;
      const attrs = resolveReferences(raw, nameOf) as Record<string, unknown>;
      const meta = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      resources.push({
        stack: stackName,
        env,
        type,
        key,
        host: hostOf(body, key, aliases),
        path: meta?.path,
        raw,
        attrs,
        name: typeof attrs.name === 'string' ? attrs.name : key,
      });
    }
  }
  return { name: stackName, env, role, providers, resources };
}

/**
 * The host a resource acts on. Docker resources name their provider ("docker.h1"); built-ins such as
 * terraform_data have none, so look for a declared host in triggers/input, then for a known host
 * name inside the logical ID, then for the connection address.
 */
function hostOf(body: Record<string, unknown>, key: string, knownHosts: string[]): string {
  if (typeof body.provider === 'string') {
    const dot = body.provider.indexOf('.');
    return dot >= 0 ? body.provider.slice(dot + 1) : body.provider;
  }
  for (const field of ['triggers_replace', 'input']) {
    const v = body[field];
    if (v && typeof v === 'object') {
      for (const k of ['host', 'host_name', 'hostName']) {
        const h = (v as Record<string, unknown>)[k];
        if (typeof h === 'string' && !h.includes('${')) return h;
      }
    }
  }
  const tokens = key.split(/[-_]/);
  const known = [...knownHosts].sort((a, b) => b.length - a.length).find((h) => tokens.includes(h) || key.startsWith(`${h}-`) || key.startsWith(`${h}_`));
  if (known) return known;
  const conn = body.connection as Record<string, unknown> | undefined;
  if (conn && typeof conn.host === 'string') return conn.host;
  return tokens[0] ?? key;
}

/**
 * Reads every stack of a cdktf.out folder (stacks/<name>/cdk.tf.json). Accepts the folder itself or
 * its stacks/ subfolder; host aliases from a stack's sibling network stack help place built-ins.
 */
export function readSynthDir(dir: string): SynthStack[] {
  const stacksDir = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  if (!fs.existsSync(stacksDir)) throw new Error(`No synth output at "${dir}": expected a cdktf.out folder with stacks/<name>/cdk.tf.json. Run "cdktf synth" first.`);
  const names = fs
    .readdirSync(stacksDir)
    .filter((n) => fs.existsSync(path.join(stacksDir, n, 'cdk.tf.json')))
    .sort();
  const docs = names.map((n) => ({ name: n, doc: JSON.parse(fs.readFileSync(path.join(stacksDir, n, 'cdk.tf.json'), 'utf8')) as Record<string, unknown> }));
  return parseStacks(docs);
}

/** Parses several stacks together so built-ins in "<env>-hosts" can be placed on the hosts of "<env>-network". */
export function parseStacks(docs: { name: string; doc: Record<string, unknown> }[]): SynthStack[] {
  const aliasesByEnv = new Map<string, Record<string, unknown>[]>();
  for (const { name, doc } of docs) {
    const env = splitStackName(name).env;
    const docker = ((doc.provider ?? {}) as Record<string, unknown>).docker;
    if (Array.isArray(docker)) aliasesByEnv.set(env, [...(aliasesByEnv.get(env) ?? []), ...(docker as Record<string, unknown>[])]);
  }
  return docs.map(({ name, doc }) => {
    const env = splitStackName(name).env;
    const siblings = aliasesByEnv.get(env) ?? [];
    if (!siblings.length || (doc.provider as Record<string, unknown> | undefined)?.docker) return parseStack(name, doc);
    // Borrow the sibling aliases only for host placement; they are not providers of this stack.
    const parsed = parseStack(name, { ...doc, provider: { ...(doc.provider as object), docker: siblings } });
    return { ...parsed, providers: parsed.providers.filter((p) => !(p.type === 'docker' && siblings.includes(p.config))) };
  });
}
