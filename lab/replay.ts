// Provider-exact replay: applies a synthesized cdk.tf.json to Docker engines through the Engine API,
// making the calls terraform-provider-docker v3.6.2 makes (the provider itself cannot be downloaded here).
// Mirrored from the provider's internal/provider/*.go at tag v3.6.2; function names are cited per step.
// Only the calls that change something are mirrored, plus the reads that decide success (image present,
// container running); the provider's other refresh reads do not change what the engine ends up with.
import Docker from 'dockerode';
import { readTfJson, referencesIn } from '../lib/report/synth';

// ---------------------------------------------------------------- engine client

/** The Engine API operations the replay uses; one method per operation, bodies as sent on the wire. */
export interface EngineClient {
  imageInspect(name: string): Promise<{ Id: string }>;
  networkCreate(body: NetworkCreateBody): Promise<{ Id: string }>;
  networkRemove(id: string): Promise<void>;
  containerCreate(name: string, body: ContainerCreateBody): Promise<{ Id: string }>;
  networkDisconnect(network: string, body: { Container: string; Force: boolean }): Promise<void>;
  networkConnect(network: string, body: { Container: string; EndpointConfig: EndpointSettingsBody }): Promise<void>;
  containerStart(id: string): Promise<void>;
  containerInspect(id: string): Promise<{ State: { Running: boolean; Status?: string; ExitCode?: number } }>;
  containerStop(id: string, timeoutSeconds: number): Promise<void>;
  containerRemove(id: string, opts: { force: boolean; v: boolean; link: boolean }): Promise<void>;
  /** GET /distribution/{name}/json with X-Registry-Auth: the daemon asks the image's registry. */
  distributionInspect(name: string, registryAuth: string): Promise<DistributionInspectBody>;
  /** POST /services/create with X-Registry-Auth. */
  serviceCreate(body: ServiceSpecBody, registryAuth: string): Promise<{ ID: string; Warnings?: string[] | null }>;
  serviceInspect(id: string): Promise<{ ID: string; Spec?: { EndpointSpec?: { Mode?: string } }; Endpoint?: { Spec?: { Mode?: string } } }>;
  serviceRemove(id: string): Promise<void>;
}

export interface IpamConfigBody {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  /** The JSON name of Go's network.IPAMConfig.AuxAddress field. */
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkCreateBody {
  Name: string;
  Driver?: string;
  Options?: Record<string, string>;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: IpamConfigBody[] };
  Labels?: Record<string, string>;
}

export interface EndpointSettingsBody {
  Aliases: string[];
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string };
}

export interface ContainerCreateBody {
  Image: string;
  Hostname: string;
  Domainname: string;
  Tty: boolean;
  OpenStdin: boolean;
  StopSignal?: string;
  StopTimeout?: number;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  /** container.Config.Volumes: the container paths of volume entries. */
  Volumes?: Record<string, Record<string, never>>;
  /** container.HealthConfig; durations in nanoseconds (Go time.Duration), zero values omitted. */
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  HostConfig: Record<string, unknown>;
  NetworkingConfig: Record<string, never>;
}

export interface DistributionInspectBody {
  Descriptor: { digest: string };
  Platforms?: Array<{ architecture?: string; os?: string }> | null;
}

/** swarm.ServiceSpec as Go's encoding/json writes it (docker/docker v28.1.1 types, the provider's). */
export interface ServiceSpecBody {
  Name: string;
  /** Annotations.Labels has no omitempty: a nil map is sent as null. */
  Labels: Record<string, string> | null;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Command?: string[];
      Env?: string[];
      /** Nanoseconds (time.Duration). */
      StopGracePeriod: number;
      Healthcheck: Record<string, never>;
      DNSConfig: Record<string, never>;
      Isolation: string;
    };
    Resources: Record<string, never>;
    RestartPolicy: Record<string, never>;
    Placement: { Platforms?: Array<{ Architecture?: string; OS?: string }> };
    Networks?: Array<{ Target: string; Aliases?: string[] }>;
    /** No omitempty in TaskSpec: always sent. */
    ForceUpdate: number;
  };
  Mode: { Replicated?: { Replicas?: number } };
  EndpointSpec: { Mode?: string; Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> };
}

/** The message Docker returned, without dockerode's "(HTTP code 409) unexpected -" decoration. */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** An EngineClient over a unix socket (unix:///path, or a plain path) or tcp://host:port. */
export function dockerodeClient(target: string): EngineClient {
  const docker = target.startsWith('tcp://')
    ? new Docker({ host: new URL(target).hostname, port: Number(new URL(target).port || 2375) })
    : new Docker({ socketPath: target.replace(/^unix:\/\//, '') });
  const dial = (method: string, p: string, body?: unknown, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<any> =>
    new Promise((resolve, reject) => {
      (docker.modem as any).dial({
        path: query ? `${p}?` : p,
        method,
        // _query/_body keep docker-modem from copying the body into the query string.
        options: body === undefined && !query ? undefined : { _query: query ?? {}, _body: body ?? {} },
        headers: headers ? { ...headers } : undefined,
        allowEmpty: true,
        statusCodes: { 200: true, 201: true, 204: true, 304: true, 400: 'bad parameter', 403: 'forbidden', 404: 'not found', 409: 'conflict', 500: 'server error', 503: 'unavailable' },
      }, (err: any, data: any) => {
        if (err) {
          const msg = engineMessage(err);
          const e = new Error(msg) as Error & { statusCode?: number; json?: unknown };
          e.statusCode = err.statusCode;
          e.json = err.json;
          reject(e);
        } else resolve(data);
      });
    });
  const enc = encodeURIComponent;
  return {
    imageInspect: (name) => dial('GET', `/images/${enc(name)}/json`),
    networkCreate: (body) => dial('POST', '/networks/create', body),
    networkRemove: async (id) => { await dial('DELETE', `/networks/${enc(id)}`); },
    containerCreate: (name, body) => dial('POST', '/containers/create', body, { name }),
    networkDisconnect: async (n, body) => { await dial('POST', `/networks/${enc(n)}/disconnect`, body); },
    networkConnect: async (n, body) => { await dial('POST', `/networks/${enc(n)}/connect`, body); },
    containerStart: async (id) => { await dial('POST', `/containers/${enc(id)}/start`); },
    containerInspect: (id) => dial('GET', `/containers/${enc(id)}/json`),
    containerStop: async (id, t) => { await dial('POST', `/containers/${enc(id)}/stop`, undefined, { t }); },
    containerRemove: async (id, o) => { await dial('DELETE', `/containers/${enc(id)}`, undefined, { force: o.force, v: o.v, link: o.link }); },
    // The Go client puts the reference into the path as is (slashes included).
    distributionInspect: (name, auth) => dial('GET', `/distribution/${name}/json`, undefined, undefined, { 'X-Registry-Auth': auth }),
    serviceCreate: (body, auth) => dial('POST', '/services/create', body, undefined, { 'X-Registry-Auth': auth }),
    serviceInspect: (id) => dial('GET', `/services/${enc(id)}`),
    serviceRemove: async (id) => { await dial('DELETE', `/services/${enc(id)}`); },
  };
}

// ---------------------------------------------------------------- synthesized JSON

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
const META_KEYS = new Set(['//', 'provider', 'depends_on', 'lifecycle']);
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
const blocksOf = (v: unknown): Record<string, any>[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

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

const REF_RE = /\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

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
        throw new Error(`${address}: the replay does not support ${unsupported.join(', ')}; add it to lab/replay.ts`);
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

// ---------------------------------------------------------------- request bodies (pure)

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const nonEmpty = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && v !== false && v !== 0 &&
  !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
const stringMap = (m: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
// helpers.go labelSetToMap: [{label, value}] -> map
const labelMap = (l: Array<{ label: string; value: string }>): Record<string, string> =>
  Object.fromEntries(l.map((x) => [x.label, x.value]));

/**
 * resource_docker_network_funcs.go resourceDockerNetworkCreate: each field is set only when
 * d.GetOk says so (so false, "" and empty maps are left out), ipam_driver defaults to "default" so IPAM
 * is always sent; ipamConfigSetToIpamConfigs gives every entry an AuxAddress map (omitempty in JSON).
 */
export function networkCreateBody(c: Record<string, any>): NetworkCreateBody {
  const body: NetworkCreateBody = { Name: str(c.name), Internal: false, Attachable: false, Ingress: false };
  if (nonEmpty(c.labels)) body.Labels = labelMap(c.labels);
  if (nonEmpty(c.driver)) body.Driver = c.driver;
  if (nonEmpty(c.options)) body.Options = stringMap(c.options);
  if (c.internal === true) body.Internal = true;
  if (c.attachable === true) body.Attachable = true;
  if (c.ingress === true) body.Ingress = true;
  if (c.ipv6 === true) body.EnableIPv6 = true;
  const ipam: NonNullable<NetworkCreateBody['IPAM']> = { Driver: nonEmpty(c.ipam_driver) ? c.ipam_driver : 'default' };
  if (nonEmpty(c.ipam_config)) {
    ipam.Config = (c.ipam_config as any[]).map((x) => {
      const cfg: IpamConfigBody = {};
      if (nonEmpty(x.subnet)) cfg.Subnet = x.subnet;
      if (nonEmpty(x.ip_range)) cfg.IPRange = x.ip_range;
      if (nonEmpty(x.gateway)) cfg.Gateway = x.gateway;
      if (nonEmpty(x.aux_address)) cfg.AuxiliaryAddresses = stringMap(x.aux_address);
      return cfg;
    });
  }
  if (nonEmpty(c.ipam_options)) ipam.Options = stringMap(c.ipam_options);
  body.IPAM = ipam;
  return body;
}

/**
 * resource_docker_container_funcs.go resourceDockerContainerCreate up to client.ContainerCreate:
 * container.Config + HostConfig, and an empty network.NetworkingConfig (networks come later by connect).
 */
export function containerCreateBody(c: Record<string, any>): ContainerCreateBody {
  const body: ContainerCreateBody = {
    Image: str(c.image),
    Hostname: str(c.hostname),
    Domainname: str(c.domainname),
    Tty: c.tty === true,
    OpenStdin: c.stdin_open === true,
    HostConfig: {},
    NetworkingConfig: {},
  };
  if (nonEmpty(c.stop_signal)) body.StopSignal = c.stop_signal;
  if (nonEmpty(c.stop_timeout)) body.StopTimeout = Number(c.stop_timeout);
  if (nonEmpty(c.env)) body.Env = c.env.map(String);
  if (nonEmpty(c.command)) {
    if ((c.command as unknown[]).some((x) => x === '')) throw new Error('values for command may not be empty');
    body.Cmd = c.command.map(String);
  }
  if (nonEmpty(c.entrypoint)) body.Entrypoint = c.entrypoint.map(String);
  if (nonEmpty(c.user)) body.User = c.user;
  // resource_docker_container_structures.go portSetToDockerPorts: external is Optional+Computed, so it
  // reads as 0 when unset and HostPort "0" (a random port) is sent; ip defaults to 0.0.0.0, protocol to tcp.
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of (c.ports ?? []) as any[]) {
    const key = `${p.internal}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.ip ?? '0.0.0.0', HostPort: String(p.external ?? 0) });
  }
  if (Object.keys(exposed).length) body.ExposedPorts = exposed;
  if (nonEmpty(c.working_dir)) body.WorkingDir = c.working_dir;
  if (nonEmpty(c.labels)) body.Labels = labelMap(c.labels);
  const vols = volumeBinds(c.volumes);
  if (Object.keys(vols.volumes).length) body.Volumes = vols.volumes;
  const health = healthConfig(c.healthcheck);
  if (health) body.Healthcheck = health;

  const hc: Record<string, unknown> = {
    Privileged: c.privileged === true,
    PublishAllPorts: c.publish_all_ports === true,
    RestartPolicy: { Name: c.restart ?? 'no', MaximumRetryCount: Number(c.max_retry_count ?? 0) },
    Mounts: [],
    AutoRemove: c.rm === true,
    ReadonlyRootfs: c.read_only === true,
    LogConfig: { Type: str(c.log_driver) },
  };
  if (nonEmpty(c.runtime)) hc.Runtime = c.runtime;
  if (Object.keys(bindings).length) hc.PortBindings = bindings;
  // extraHostsSetToContainerExtraHosts: "host:ip", in the set's order.
  if (nonEmpty(c.host)) hc.ExtraHosts = sdkSetList(blocksOf(c.host), hashExtraHost).map((h) => `${str(h.host)}:${str(h.ip)}`);
  if (vols.binds.length) hc.Binds = vols.binds;
  if (vols.volumesFrom.length) hc.VolumesFrom = vols.volumesFrom;
  if (nonEmpty(c.capabilities)) {
    // add and drop are sets of strings: stringSetToStringSlice lists them in hash order.
    const cap = blocksOf(c.capabilities)[0] ?? {};
    hc.CapAdd = sdkSetList(((cap.add as unknown[]) ?? []).map(String), sdkHashString);
    hc.CapDrop = sdkSetList(((cap.drop as unknown[]) ?? []).map(String), sdkHashString);
  }
  if (nonEmpty(c.dns)) hc.Dns = c.dns;
  if (nonEmpty(c.dns_opts)) hc.DnsOptions = c.dns_opts;
  if (nonEmpty(c.dns_search)) hc.DnsSearch = c.dns_search;
  if (nonEmpty(c.log_opts)) (hc.LogConfig as Record<string, unknown>).Config = stringMap(c.log_opts);
  // network_mode has Default "bridge" in the 3.6.2 schema, so it is always sent.
  hc.NetworkMode = nonEmpty(c.network_mode) ? c.network_mode : 'bridge';
  if (nonEmpty(c.sysctls)) hc.Sysctls = stringMap(c.sysctls);
  hc.Init = c.init === true;
  body.HostConfig = hc;
  return body;
}

// A `host` entry hashed by schema.HashResource: every attribute in key order (host, ip).
const hashExtraHost = (h: Record<string, any>): number => sdkHashString(`host:${str(h.host)};ip:${str(h.ip)};`);

// A `volumes` entry hashed by schema.HashResource: container_path, from_container, host_path,
// read_only (1/0), volume_name; unset strings are "" and an unset bool is false.
const hashVolume = (v: Record<string, any>): number =>
  sdkHashString(
    `container_path:${str(v.container_path)};from_container:${str(v.from_container)};host_path:${str(v.host_path)};` +
      `read_only:${v.read_only === true ? 1 : 0};volume_name:${str(v.volume_name)};`,
  );

/**
 * resource_docker_container_structures.go volumeSetToDockerVolumes (in the set's order): volume_name,
 * else host_path, becomes a bind "<source>:<container_path>:rw|ro" and Config.Volumes[container_path];
 * from_container becomes VolumesFrom; a path without a source is an anonymous volume. host_path must
 * be absolute (validateDockerContainerPath, at plan time).
 */
export function volumeBinds(v: unknown): { volumes: Record<string, Record<string, never>>; binds: string[]; volumesFrom: string[] } {
  const out = { volumes: {} as Record<string, Record<string, never>>, binds: [] as string[], volumesFrom: [] as string[] };
  for (const vol of sdkSetList(blocksOf(v), hashVolume)) {
    const hostPath = str(vol.host_path);
    if (hostPath && !/^[a-zA-Z]:[\\/]|^\//.test(hostPath)) throw new Error(`'${hostPath}' must be an absolute path`);
    const from = str(vol.from_container);
    const path = str(vol.container_path);
    const source = str(vol.volume_name) || hostPath;
    if (!from && !path) throw new Error('Unable to parse volumes: volume entry without container path or source container');
    if (from && path) throw new Error('Unable to parse volumes: both a container and a path specified in a volume entry');
    if (from) out.volumesFrom.push(from);
    else {
      out.volumes[path] = {};
      if (source) out.binds.push(`${source}:${path}:${vol.read_only === true ? 'ro' : 'rw'}`);
    }
  }
  return out;
}

/** Go's time.ParseDuration, for the units the provider documents (ns, us, µs, ms, s, m, h), in nanoseconds. */
export function goDurationNanos(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a valid duration`);
  if (m[2] === '0') return 0;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]];
  total = Math.round(total);
  if (m[1] === '-' && total > 0) throw new Error(`'${text}' duration must not be negative`);
  return total;
}

/**
 * resourceDockerContainerCreate's healthcheck (a list of at most one block): test as given, the four
 * durations through time.ParseDuration (schema default "0s"), retries (default 0). encoding/json
 * omits zero fields of container.HealthConfig.
 */
export function healthConfig(h: unknown): ContainerCreateBody['Healthcheck'] | undefined {
  const b = blocksOf(h)[0];
  if (!b) return undefined;
  const out: NonNullable<ContainerCreateBody['Healthcheck']> = {};
  const test = ((b.test as unknown[]) ?? []).map(String);
  if (test.length) out.Test = test;
  for (const [key, field] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['start_period', 'StartPeriod'], ['start_interval', 'StartInterval']] as const) {
    const ns = goDurationNanos(nonEmpty(b[key]) ? String(b[key]) : '0s');
    if (ns) out[field] = ns;
  }
  const retries = Number(b.retries ?? 0);
  if (retries) out.Retries = retries;
  return out;
}

/** The EndpointSettings of one networks_advanced entry (aliases always a list, addresses "" omitted). */
export function endpointSettings(n: Record<string, any>): EndpointSettingsBody {
  const ipam: EndpointSettingsBody['IPAMConfig'] = {};
  if (nonEmpty(n.ipv4_address)) ipam.IPv4Address = n.ipv4_address;
  if (nonEmpty(n.ipv6_address)) ipam.IPv6Address = n.ipv6_address;
  return { Aliases: (n.aliases ?? []).map(String), IPAMConfig: ipam };
}

// ---------------------------------------------------------------- docker_service (pure)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The SDK's hashcode.String: crc32 (IEEE) of the UTF-8 bytes, non-negative on 64-bit Go. */
export function sdkHashString(s: string): number {
  let c = 0xffffffff;
  for (const b of Buffer.from(s, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * schema.Set.List() of the plugin SDK: one element per hash code (duplicates dropped), ordered by
 * the codes compared as decimal strings (listCode sorts strconv.Itoa(code)).
 */
export function sdkSetList<T>(items: readonly T[], hash: (item: T) => number): T[] {
  const byCode = new Map<string, T>();
  for (const item of items) {
    const code = String(hash(item));
    if (!byCode.has(code)) byCode.set(code, item);
  }
  return [...byCode.keys()].sort().map((k) => byCode.get(k)!);
}

const aliasList = (aliases: unknown): string[] => sdkSetList(((aliases as unknown[]) ?? []).map(String), sdkHashString);

// A networks_advanced entry is hashed by schema.HashResource: SerializeResourceForHash writes every
// Optional/Required attribute in key order (aliases, driver_opts, name), sets as {member;...}.
const hashServiceNetwork = (n: Record<string, any>): number =>
  sdkHashString(`aliases:{${aliasList(n.aliases).map((a) => `${a};`).join('')}};driver_opts:{};name:${str(n.name)};`);

/**
 * The docker Go client's imageWithTagString (client/service_create.go): reference.ParseNormalizedNamed,
 * TagNameOnly (":latest" when there is neither tag nor digest), FamiliarString (docker.io/library/
 * and docker.io/ dropped). A reference the parser refuses (upper case in the path) is sent unchanged.
 */
export function imageWithTag(image: string): string {
  const at = image.indexOf('@');
  let name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  let domain = hasDomain ? first : 'docker.io';
  let rest = hasDomain ? name.slice(slash + 1) : name;
  if (domain === 'index.docker.io') domain = 'docker.io';
  const colon = rest.lastIndexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  if (path.toLowerCase() !== path) return image;
  if (colon < 0 && !digest) rest = `${rest}:latest`;
  if (domain === 'docker.io') name = rest.startsWith('library/') && !rest.slice('library/'.length).includes('/') ? rest.slice('library/'.length) : rest;
  else name = `${domain}/${rest}`;
  return `${name}${digest}`;
}

/**
 * resource_docker_service_structures.go createServiceSpec, for the attributes SERVICE_SHAPE lets
 * through. The SDK hands every nested block over with ALL its schema keys, unset ones at their zero
 * value or schema default, and the createXxx functions test only key presence, so:
 * - createServiceLabels: labels unset -> nil map -> "Labels": null;
 * - createServiceTaskSpec: resources, restart_policy and placement (Optional+Computed, unset) become
 *   empty structs ({}); force_update reads 0 and is sent (no omitempty); runtime "" and log_driver
 *   (createLogDriver returns nil) are left out;
 * - createContainerSpec: stop_grace_period (Optional+Computed, unset) reads "", time.ParseDuration
 *   fails and the error is dropped, so StopGracePeriod is &0: tasks are stopped WITHOUT grace
 *   (swarm's executor passes 0 s to ContainerStop). healthcheck and dns_config become empty structs,
 *   isolation carries its schema default "default"; empty lists, sets and maps are omitted (omitempty).
 *   env is a map: mapTypeMapValsToStringSlice emits it in Go's random map order; here it is sorted.
 * - createServiceAdvancedNetworks: Target is the configured name (docknet gives the network id),
 *   Aliases in schema.Set order, DriverOpts an empty map (omitted); entries in schema.Set order too.
 * - createServiceMode: replicated.replicas (default 1) is sent even when 0 (a *uint64); without a
 *   mode block, Mode is {}.
 * - createServiceEndpointSpec: always a struct; portSetToServicePorts takes protocol (default
 *   "tcp"), target_port, published_port (Optional+Computed: 0 and omitted when unset) and
 *   publish_mode (default "ingress"); mode (Optional+Computed) reads "" and is omitted.
 * Image is already what client.ServiceCreate makes of it before the digest lookup (imageWithTag);
 * the lookup itself is in Replay.createService.
 */
export function serviceCreateBody(c: Record<string, any>): ServiceSpecBody {
  const task = blocksOf(c.task_spec)[0] ?? {};
  const cs = blocksOf(task.container_spec)[0] ?? {};
  const containerSpec: ServiceSpecBody['TaskTemplate']['ContainerSpec'] = {
    Image: imageWithTag(str(cs.image)),
    StopGracePeriod: 0,
    Healthcheck: {},
    DNSConfig: {},
    Isolation: 'default',
  };
  if (nonEmpty(cs.command)) containerSpec.Command = (cs.command as unknown[]).map((x) => (x === null ? '' : String(x)));
  const env = Object.entries((cs.env ?? {}) as Record<string, unknown>).filter(([k]) => k.length > 0);
  if (env.length) containerSpec.Env = env.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${String(v)}`);

  const body: ServiceSpecBody = {
    Name: str(c.name),
    Labels: null,
    TaskTemplate: { ContainerSpec: containerSpec, Resources: {}, RestartPolicy: {}, Placement: {}, ForceUpdate: 0 },
    Mode: {},
    EndpointSpec: {},
  };
  const networks = sdkSetList(blocksOf(task.networks_advanced), hashServiceNetwork).map((n) => {
    const att: { Target: string; Aliases?: string[] } = { Target: str(n.name) };
    const aliases = aliasList(n.aliases);
    if (aliases.length) att.Aliases = aliases;
    return att;
  });
  if (networks.length) body.TaskTemplate.Networks = networks;

  const replicated = blocksOf(blocksOf(c.mode)[0]?.replicated);
  if (replicated.length) body.Mode.Replicated = { Replicas: Number(replicated[0].replicas ?? 1) };

  const ports = blocksOf(blocksOf(c.endpoint_spec)[0]?.ports);
  if (ports.length) {
    body.EndpointSpec.Ports = ports.map((p) => {
      const out: { Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string } = {};
      out.Protocol = p.protocol ?? 'tcp';
      if (nonEmpty(p.target_port)) out.TargetPort = Number(p.target_port);
      if (nonEmpty(p.published_port)) out.PublishedPort = Number(p.published_port);
      out.PublishMode = p.publish_mode ?? 'ingress';
      return out;
    });
  }
  return body;
}

// ---------------------------------------------------------------- apply / destroy

export type HostTargets = Record<string, string | EngineClient>;

export interface CreatedResource {
  readonly address: string;
  readonly type: string;
  readonly alias: string;
  readonly id: string;
  /** The resolved configuration plus computed attributes (id, image_id), for ${...} references. */
  readonly attrs: Record<string, any>;
}

export interface ReplayOptions {
  /** How long to wait for a started container to be running (must_run). @default 10000 */
  readonly runningTimeoutMs?: number;
  /** How long resourceDockerServiceRead waits for a new service's endpoint spec. @default 30000 (the provider's) */
  readonly serviceReadTimeoutMs?: number;
}

/**
 * One apply of one stack. apply() may fail part way; destroy() then removes whatever was created.
 */
export class Replay {
  readonly created: CreatedResource[] = [];
  readonly skipped: string[] = [];
  /** Warnings the provider would only log (e.g. an image digest that could not be resolved). */
  readonly warnings: string[] = [];
  private readonly clients = new Map<string, EngineClient>();
  private readonly byAddress = new Map<string, CreatedResource>();

  constructor(private readonly tf: TfJson, hosts: HostTargets, private readonly opts: ReplayOptions = {}) {
    for (const [alias, t] of Object.entries(hosts)) this.clients.set(alias, typeof t === 'string' ? dockerodeClient(t) : t);
  }

  /** The created resource at a Terraform address (e.g. "docker_container.web"). */
  get(address: string): CreatedResource {
    const r = this.byAddress.get(address);
    if (!r) throw new Error(`${address} was not created by this replay`);
    return r;
  }

  async apply(): Promise<CreatedResource[]> {
    const { order, skipped } = plan(this.tf);
    this.skipped.push(...skipped);
    const aliases = new Set((this.tf.provider?.docker ?? []).map((p) => p.alias ?? 'default'));
    for (const r of order) {
      if (aliases.size && !aliases.has(r.alias)) throw new Error(`${r.address} uses provider docker.${r.alias}, which the stack does not configure`);
      const client = this.clients.get(r.alias);
      if (!client) throw new Error(`${r.address} uses provider alias "${r.alias}": no host given for it (have ${[...this.clients.keys()].join(', ')})`);
      const config = this.resolve(r.address, r.config);
      const created = await this.create(r, config, client);
      this.created.push(created);
      this.byAddress.set(r.address, created);
    }
    return this.created;
  }

  /** Removes what apply created, in reverse order: services and containers, then networks; images are kept. */
  async destroy(): Promise<void> {
    const errors: string[] = [];
    for (const r of [...this.created].reverse()) {
      const client = this.clients.get(r.alias)!;
      try {
        if (r.type === 'docker_service') await destroyService(client, r);
        else if (r.type === 'docker_container') await destroyContainer(client, r);
        else if (r.type === 'docker_network') await destroyNetwork(client, r);
      } catch (e) {
        errors.push(`${r.address}: ${engineMessage(e)}`);
      }
      this.byAddress.delete(r.address);
    }
    this.created.length = 0;
    if (errors.length) throw new Error(`destroy failed:\n${errors.join('\n')}`);
  }

  /**
   * Like `terraform apply -replace=<address>...` (docknet verify's remedy): destroys those resources
   * the way destroy() does (already gone is fine) and creates them again, in plan order.
   */
  async replace(addresses: string[]): Promise<void> {
    const { order } = plan(this.tf);
    const wanted = order.filter((r) => addresses.includes(r.address));
    const unknown = addresses.filter((a) => !wanted.some((r) => r.address === a));
    if (unknown.length) throw new Error(`replace: not resources of this stack: ${unknown.join(', ')}`);
    for (const r of [...wanted].reverse()) {
      const c = this.byAddress.get(r.address);
      if (!c) continue;
      const client = this.clients.get(c.alias)!;
      if (c.type === 'docker_service') await destroyService(client, c);
      else if (c.type === 'docker_container') await destroyContainer(client, c);
      else if (c.type === 'docker_network') await destroyNetwork(client, c);
      this.byAddress.delete(r.address);
      this.created.splice(this.created.indexOf(c), 1);
    }
    for (const r of wanted) {
      const client = this.clients.get(r.alias)!;
      const created = await this.create(r, this.resolve(r.address, r.config), client);
      this.created.push(created);
      this.byAddress.set(r.address, created);
    }
  }

  private resolve(address: string, config: Record<string, any>): Record<string, any> {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const whole = /^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(v);
        if (whole) return this.attr(address, whole[1], whole[2], whole[3]);
        const out = v.replace(REF_RE, (_m, t, n, a) => String(this.attr(address, t, n, a)));
        if (out.includes('${')) throw new Error(`${address}: the replay cannot evaluate "${v}"`);
        return out;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(config)) if (!META_KEYS.has(k)) out[k] = walk(v);
    return out;
  }

  private attr(from: string, type: string, name: string, attr: string): unknown {
    const r = this.byAddress.get(`${type}.${name}`);
    if (!r) throw new Error(`${from}: ${type}.${name} is not created yet (order bug or skipped resource)`);
    if (!(attr in r.attrs)) throw new Error(`${from}: ${type}.${name}.${attr} is not known to the replay`);
    return r.attrs[attr];
  }

  private async create(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const base = { address: r.address, type: r.type, alias: r.alias };
    switch (r.type) {
      case 'docker_image': {
        // resource_docker_image_funcs.go would pull a missing image; no registry is reachable from the
        // lab, so the image must already be there (keep_locally images are imported by the lab).
        let id: string;
        try {
          id = (await client.imageInspect(c.name)).Id;
        } catch (e) {
          throw new Error(`${r.address}: image "${c.name}" is not on host ${r.alias} and cannot be pulled in the lab: ${engineMessage(e)}`);
        }
        return { ...base, id: `${id}${c.name}`, attrs: { ...c, id: `${id}${c.name}`, image_id: id, repo_digest: '' } };
      }
      case 'docker_network': {
        let id: string;
        try {
          id = (await client.networkCreate(networkCreateBody(c))).Id;
        } catch (e) {
          throw new Error(`${r.address}: Unable to create network: ${engineMessage(e)}`);
        }
        return { ...base, id, attrs: { ...c, id, driver: c.driver ?? 'bridge' } };
      }
      case 'docker_container':
        return this.createContainer(r, c, client);
      case 'docker_service':
        return this.createService(r, c, client);
      default:
        throw new Error(`${r.address}: unsupported type`);
    }
  }

  private async createContainer(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const name = str(c.name);
    let id: string;
    try {
      id = (await client.containerCreate(name, containerCreateBody(c))).Id;
    } catch (e) {
      throw new Error(`${r.address}: Unable to create container: ${engineMessage(e)}`);
    }
    const created: CreatedResource = { address: r.address, type: r.type, alias: r.alias, id, attrs: { ...c, id, name } };
    // Registered at once so destroy() removes it even if a later step fails.
    this.created.push(created);
    this.byAddress.set(r.address, created);
    try {
      if (nonEmpty(c.networks_advanced)) {
        // resourceDockerContainerCreate: the default network is dropped first; only this exact message
        // is tolerated (containsIgnorableErrorMessage), anything else fails the apply.
        try {
          await client.networkDisconnect('bridge', { Container: id, Force: false });
        } catch (e) {
          if (!engineMessage(e).includes('is not connected to the network bridge')) {
            throw new Error(`Unable to disconnect the default network: ${engineMessage(e)}`);
          }
        }
        for (const n of c.networks_advanced as any[]) {
          try {
            await client.networkConnect(n.name, { Container: id, EndpointConfig: endpointSettings(n) });
          } catch (e) {
            throw new Error(`Unable to connect to network '${n.name}': ${engineMessage(e)}`);
          }
        }
      }
      if (c.start !== false) {
        try {
          await client.containerStart(id);
        } catch (e) {
          throw new Error(`Unable to start container: ${engineMessage(e)}`);
        }
        // resourceDockerContainerRead: with must_run (default true) a container that is not running fails.
        if (c.must_run !== false) await this.waitRunning(client, id);
      }
    } catch (e) {
      throw new Error(`${r.address}: ${(e as Error).message}`);
    }
    // Returned for apply() to register; drop the early registration to avoid a duplicate.
    this.created.splice(this.created.indexOf(created), 1);
    return created;
  }

  /**
   * resource_docker_service_funcs.go resourceDockerServiceCreate: createServiceSpec, then
   * client.ServiceCreate with QueryRegistry = true and EncodedRegistryAuth = base64url(JSON) of the
   * registry.AuthConfig retrieveAndMarshalAuth finds (no auth block, and docknet configures no
   * registry_auth on its providers, so the empty AuthConfig: "{}" -> "e30="). No converge_config:
   * the apply does not wait for tasks, only for resourceDockerServiceRead.
   */
  private async createService(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const provider = (this.tf.provider?.docker ?? []).find((p) => (p.alias ?? 'default') === r.alias);
    if (provider?.registry_auth !== undefined) throw new Error(`${r.address}: the replay does not support registry_auth on provider docker.${r.alias}; add it to lab/replay.ts`);
    // Go's base64.URLEncoding: URL alphabet, with padding.
    const auth = Buffer.from(JSON.stringify({})).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const spec = serviceCreateBody(c);
    const cs = spec.TaskTemplate.ContainerSpec;
    // client.ServiceCreate (docker/docker v28.1.1, which the provider vendors) with QueryRegistry asks the
    // daemon for the image's registry digest (DistributionInspect) and, when that works, pins Image to
    // name@digest and sets Placement.Platforms (arch "arm" cleared). When it fails it only adds a warning
    // and sends the tag. The lab has no registry, so here it always fails (fast: no route out of the
    // lab's namespaces), exactly as for the provider offline; the call is made anyway, nothing is skipped.
    try {
      const d = await client.distributionInspect(cs.Image, auth);
      // imageWithDigestString: a reference that already has a digest is kept as it is.
      if (!cs.Image.includes('@')) cs.Image = `${cs.Image}@${d.Descriptor.digest}`;
      const platforms = (d.Platforms ?? []).map((p) => {
        const pl: { Architecture?: string; OS?: string } = {};
        const arch = (p.architecture ?? '').toLowerCase() === 'arm' ? '' : p.architecture ?? '';
        if (arch) pl.Architecture = arch;
        if (p.os) pl.OS = p.os;
        return pl;
      });
      if (platforms.length) spec.TaskTemplate.Placement.Platforms = platforms;
    } catch (e) {
      this.warnings.push(`${r.address}: image ${cs.Image} could not be accessed on a registry to record its digest (${engineMessage(e)}); each node uses its own ${cs.Image}`);
    }
    let id: string;
    try {
      id = (await client.serviceCreate(spec, auth)).ID;
    } catch (e) {
      throw new Error(`${r.address}: ${engineMessage(e)}`);
    }
    const created: CreatedResource = { address: r.address, type: r.type, alias: r.alias, id, attrs: { ...c, id } };
    this.created.push(created);
    this.byAddress.set(r.address, created);
    try {
      await this.waitServiceReadable(client, id);
    } catch (e) {
      throw new Error(`${r.address}: ${(e as Error).message}`);
    }
    this.created.splice(this.created.indexOf(created), 1);
    return created;
  }

  /**
   * resourceDockerServiceRead: retries (up to 30 s) until the service exposes an endpoint spec mode,
   * from Endpoint.Spec or Spec.EndpointSpec. (The provider finds the service through ServiceList by
   * id or name first and polls every 5 s after a 2 s delay; the id is known here, so ServiceInspect.)
   */
  private async waitServiceReadable(client: EngineClient, id: string): Promise<void> {
    const until = Date.now() + (this.opts.serviceReadTimeoutMs ?? 30_000);
    for (;;) {
      const s = await client.serviceInspect(id);
      if (s.Endpoint?.Spec?.Mode || s.Spec?.EndpointSpec?.Mode) return;
      if (Date.now() > until) throw new Error(`service ${id} did not expose its endpoint spec: timeout while waiting for state to become 'all_fields, removed'`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  private async waitRunning(client: EngineClient, id: string): Promise<void> {
    const until = Date.now() + (this.opts.runningTimeoutMs ?? 10_000);
    for (;;) {
      const st = (await client.containerInspect(id)).State;
      if (st.Running) return;
      if (Date.now() > until || st.Status === 'exited' || st.Status === 'dead') {
        throw new Error(`Container ${id} failed to be in running state (status ${st.Status}, exit code ${st.ExitCode})`);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}

// resourceDockerContainerDelete: stop with timeout destroy_grace_seconds (0 when unset), then remove
// forced with RemoveVolumes = remove_volumes (default true) and RemoveLinks = rm.
async function destroyContainer(client: EngineClient, r: CreatedResource): Promise<void> {
  const ignorable = (e: unknown) => /No such container|is already in progress/.test(engineMessage(e));
  try {
    await client.containerStop(r.id, Number(r.attrs.destroy_grace_seconds ?? 0));
  } catch (e) {
    if (!ignorable(e)) throw e;
  }
  try {
    await client.containerRemove(r.id, { force: true, v: r.attrs.remove_volumes !== false, link: r.attrs.rm === true });
  } catch (e) {
    if (!ignorable(e)) throw e;
  }
}

// resourceDockerServiceDelete -> deleteService: stop_grace_period reads back "0s" (see serviceCreateBody),
// so there are no tasks to wait for: just ServiceRemove. A service already gone is no error (Terraform's
// refresh would have dropped it from the state).
async function destroyService(client: EngineClient, r: CreatedResource): Promise<void> {
  try {
    await client.serviceRemove(r.id);
  } catch (e) {
    if (!/not found|No such service/i.test(engineMessage(e))) throw e;
  }
}

// resourceDockerNetworkRemoveRefreshFunc: "has active endpoints" means wait and retry (30 s there).
async function destroyNetwork(client: EngineClient, r: CreatedResource): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await client.networkRemove(r.id);
      return;
    } catch (e) {
      const m = engineMessage(e);
      if (/not found|No such network/i.test(m)) return;
      if (!m.includes('has active endpoints') || Date.now() > until) throw e;
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

/** Convenience: plan, apply and return the replay (destroy it when done). */
export async function replay(tf: TfJson, hosts: HostTargets, opts?: ReplayOptions): Promise<Replay> {
  const r = new Replay(tf, hosts, opts);
  await r.apply();
  return r;
}
