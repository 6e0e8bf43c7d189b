// Reading the synthesized JSON and ordering its docker resources by their references.
import { readTfJson, referencesIn } from '../../lib/report/synth';

export interface TfJson {
  provider?: { docker?: Array<{ alias?: string; host?: string; [k: string]: unknown }> };
  resource?: Record<string, Record<string, Record<string, any>>>;
  [k: string]: unknown;
}

/** Reads cdktf.out/stacks/<stack>/cdk.tf.json (pass the outdir, the stack dir or the file), through docknet's one reader. */
export function loadSynth(p: string, stack?: string): TfJson {
  return readTfJson(p, stack) as TfJson;
}

const TYPE_RANK: Record<string, number> = { docker_image: 0, docker_network: 1, docker_container: 2, docker_service: 3 };
// Keys cdktf or Terraform add around a resource; none of them reaches the engine.
export const META_KEYS = new Set(['//', 'provider', 'depends_on', 'lifecycle']);
const SUPPORTED: Record<string, Set<string>> = {
  docker_image: new Set(['name', 'keep_locally']),
  docker_network: new Set(['name', 'driver', 'options', 'internal', 'attachable', 'ingress', 'ipv6', 'ipam_driver',
    'ipam_options', 'ipam_config', 'labels', 'check_duplicate']),
  docker_container: new Set(['name', 'image', 'command', 'entrypoint', 'env', 'hostname', 'domainname', 'user',
    'working_dir', 'labels', 'tty', 'stdin_open', 'ports', 'dns', 'dns_opts', 'dns_search', 'network_mode',
    'networks_advanced', 'privileged', 'publish_all_ports', 'restart', 'max_retry_count', 'rm', 'read_only',
    'sysctls', 'capabilities', 'host', 'log_driver', 'log_opts', 'init', 'start', 'must_run', 'destroy_grace_seconds',
    'stop_signal', 'stop_timeout', 'remove_volumes', 'wait', 'attach', 'logs', 'volumes', 'healthcheck']),
};

/** A block's attributes the replay mirrors; `true` for an attribute, a nested shape for a block. */
interface Shape { readonly [attribute: string]: true | Shape }

// docker_service's nested blocks, limited to what docknet writes: anything else fails loudly.
const SERVICE_SHAPE: Shape = {
  name: true,
  task_spec: {
    container_spec: { image: true, command: true, env: true },
    networks_advanced: { name: true, aliases: true },
  },
  mode: { replicated: { replicas: true } },
  endpoint_spec: { ports: { target_port: true, published_port: true, protocol: true, publish_mode: true } },
};

/** Terraform JSON writes a block as an object or a list of objects. */
export const blocksOf = (v: unknown): Record<string, any>[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function unsupportedIn(config: Record<string, any>, shape: Shape, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (!prefix && META_KEYS.has(k)) continue;
    const sub = shape[k];
    if (sub === undefined) out.push(`${prefix}${k}`);
    else if (sub !== true) for (const b of blocksOf(v)) out.push(...unsupportedIn(b, sub, `${prefix}${k}.`));
  }
  return [...new Set(out)];
}

export interface PlannedResource {
  /** Terraform address, e.g. docker_network.lan */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** Provider alias ("default" when the resource names no aliased provider). */
  readonly alias: string;
  readonly config: Record<string, any>;
  readonly deps: string[];
}

export const REF_RE = /\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

function refsIn(value: unknown, out: Set<string>): void {
  for (const r of referencesIn(value)) out.add(r);
}

/** The docker resources in apply order (dependencies first; images, networks, containers, services on ties). */
export function plan(tf: TfJson): { order: PlannedResource[]; skipped: string[] } {
  const all = new Map<string, PlannedResource>();
  const skipped: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      if (!(type in TYPE_RANK)) {
        if (type.startsWith('docker_')) throw new Error(`${address}: the replay does not support ${type}`);
        skipped.push(address);
        continue;
      }
      const unsupported = type === 'docker_service'
        ? unsupportedIn(config, SERVICE_SHAPE)
        : Object.keys(config).filter((k) => !META_KEYS.has(k) && !SUPPORTED[type].has(k));
      if (unsupported.length) {
        throw new Error(`${address}: the replay does not support ${unsupported.join(', ')}; add it to lab/replay/planner.ts`);
      }
      const provider: string | undefined = config.provider;
      const alias = provider === undefined || provider === 'docker' ? 'default' : provider.replace(/^docker\./, '');
      const deps = new Set<string>();
      refsIn(Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'depends_on')), deps);
      for (const d of config.depends_on ?? []) deps.add(String(d).replace(/^\$\{|\}$/g, ''));
      all.set(address, { address, type, name, alias, config, deps: [...deps] });
    }
  }
  for (const r of all.values()) {
    for (const d of r.deps) {
      if (!all.has(d) && !skipped.includes(d)) throw new Error(`${r.address} refers to ${d}, which the stack does not define`);
    }
  }
  const order: PlannedResource[] = [];
  const done = new Set<string>(skipped);
  const pending = [...all.values()].sort((a, b) => TYPE_RANK[a.type] - TYPE_RANK[b.type]);
  while (pending.length) {
    const i = pending.findIndex((r) => r.deps.every((d) => done.has(d)));
    if (i < 0) throw new Error(`dependency cycle among ${pending.map((r) => r.address).join(', ')}`);
    const [r] = pending.splice(i, 1);
    order.push(r);
    done.add(r.address);
  }
  return { order, skipped };
}
