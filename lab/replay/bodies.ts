// The request bodies, built from a resource's configuration exactly as the provider builds them (pure).
import { ContainerCreateBody, EndpointSettingsBody, IpamConfigBody, NetworkCreateBody, ServiceSpecBody } from './client';
import { blocksOf } from './planner';

export const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
export const nonEmpty = (v: unknown): boolean =>
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
