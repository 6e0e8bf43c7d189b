// The second plan: after an apply, `terraform plan` refreshes each docker resource (the provider's Read
// sets attributes from the Engine API's inspect) and diffs the configuration against that state.
// Provider 3.6.2 cannot be downloaded, so both halves are emulated here, pure, and tested on recorded
// inspect output (__tests__/lab/refresh.test.ts); Replay.refreshPlan() runs them on the lab.
//
// Read: what resourceDocker{Network,Container,Service}Read set into state, per attribute, from
// internal/provider/resource_docker_network_funcs.go (resourceDockerNetworkReadRefreshFunc,
// flattenIpamConfigSpec), resource_docker_container_funcs.go (resourceDockerContainerRead,
// flattenContainerPorts, flattenExtraHosts...) and resource_docker_service_funcs.go
// (resourceDockerServiceReadRefreshFunc, flattenTaskSpec...) at tag v3.6.2. Attributes a Read never
// sets keep what the apply stored: the configuration with the schema's defaults.
//
// Plan: Terraform core first applies lifecycle.ignore_changes to the configuration (a whole attribute,
// or one key of a map: a key missing from the configuration is taken from the prior state), and for an
// Optional+Computed attribute left out of the configuration proposes the prior value. Then the plugin
// SDK (terraform-plugin-sdk v2.37.0, helper/schema/schema.go: diffString, diffList, diffMap, diffSet,
// finalizeDiff) compares per attribute: Default fills an unset primitive; an unset primitive compares
// as its zero value; a removed Computed value is no change; a map key in state but not in the
// configuration is a removal; sets compare by element (hash of the Optional/Required fields), lists by
// index; a difference in a ForceNew attribute (or ForceNew field of a changed element) replaces the
// resource, any other difference is an update in place. DiffSuppressFuncs of the schema are mirrored
// (user, working_dir: "" is no change; ports: the provider's suppressIfPortsDidNotChangeForMigrationV0ToV1).
import { blocksOf } from './planner';

// ---------------------------------------------------------------- schema facts

type Kind = 'string' | 'int' | 'bool' | 'list' | 'set' | 'map' | 'opaque';

/** One attribute of a provider schema, as far as the diff needs it. */
export interface AttrSchema {
  readonly kind: Kind;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly forceNew?: boolean;
  readonly default?: string | number | boolean;
  /** A block's fields (list/set of blocks); undefined: a collection of primitives. */
  readonly block?: BlockSchema;
  /** DiffSuppressFunc: 'emptyIsNoChange' (user, working_dir), 'ports' (suppressIfPortsDidNotChangeForMigrationV0ToV1). */
  readonly suppress?: 'emptyIsNoChange' | 'ports';
  /** StateFunc of ports.ip: "" becomes 0.0.0.0. */
  readonly stateFunc?: 'defaultIp';
}
export type BlockSchema = Readonly<Record<string, AttrSchema>>;

// Shorthand: flags "O" Optional, "R" Required, "C" Computed, "F" ForceNew.
const at = (kind: Kind, flags: string, extra: Partial<AttrSchema> = {}): AttrSchema => ({
  kind,
  optional: flags.includes('O') || flags.includes('R'),
  computed: flags.includes('C'),
  forceNew: flags.includes('F'),
  ...extra,
});
const label = { label: at('string', 'RF'), value: at('string', 'RF') };

/**
 * docker_network, internal/provider/resource_docker_network.go at v3.6.2 (no Update function: every
 * argument is ForceNew).
 */
export const NETWORK_SCHEMA: BlockSchema = {
  name: at('string', 'RF'),
  labels: at('set', 'OF', { block: label }),
  check_duplicate: at('bool', 'OF'),
  driver: at('string', 'OCF'),
  options: at('map', 'OCF'),
  internal: at('bool', 'OCF'),
  attachable: at('bool', 'OF'),
  ingress: at('bool', 'OF'),
  ipv6: at('bool', 'OF'),
  ipam_driver: at('string', 'OF', { default: 'default' }),
  ipam_options: at('map', 'OF'),
  ipam_config: at('set', 'OCF', {
    block: { subnet: at('string', 'OF'), ip_range: at('string', 'OF'), gateway: at('string', 'OF'), aux_address: at('map', 'OF') },
  }),
  scope: at('string', 'C'),
};

/** docker_container, internal/provider/resource_docker_container.go at v3.6.2 (attributes docknet writes or Read sets). */
export const CONTAINER_SCHEMA: BlockSchema = {
  name: at('string', 'RF'),
  rm: at('bool', 'O', { default: false }),
  read_only: at('bool', 'OF', { default: false }),
  start: at('bool', 'O', { default: true }),
  wait: at('bool', 'O', { default: false }),
  wait_timeout: at('int', 'O', { default: 60 }),
  attach: at('bool', 'O', { default: false }),
  logs: at('bool', 'O', { default: false }),
  must_run: at('bool', 'O', { default: true }),
  exit_code: at('int', 'C'),
  container_logs: at('string', 'C'),
  image: at('string', 'RF'),
  hostname: at('string', 'OCF'),
  domainname: at('string', 'OF'),
  command: at('list', 'OCF'),
  entrypoint: at('list', 'OCF'),
  user: at('string', 'OF', { suppress: 'emptyIsNoChange' }),
  dns: at('set', 'OF'),
  dns_opts: at('set', 'OF'),
  dns_search: at('set', 'OF'),
  publish_all_ports: at('bool', 'OF'),
  restart: at('string', 'O', { default: 'no' }),
  max_retry_count: at('int', 'O'),
  working_dir: at('string', 'OF', { suppress: 'emptyIsNoChange' }),
  remove_volumes: at('bool', 'O', { default: true }),
  capabilities: at('set', 'OF', { block: { add: at('set', 'OF'), drop: at('set', 'OF') } }),
  security_opts: at('set', 'OCF'),
  runtime: at('string', 'OCF'),
  stop_signal: at('string', 'OCF'),
  stop_timeout: at('int', 'OCF'),
  mounts: at('opaque', 'OF'),
  volumes: at('set', 'OF', {
    block: { from_container: at('string', 'OF'), container_path: at('string', 'OF'), host_path: at('string', 'OF'), volume_name: at('string', 'OF'), read_only: at('bool', 'OF') },
  }),
  tmpfs: at('map', 'O'),
  ports: at('list', 'OF', {
    suppress: 'ports',
    block: {
      internal: at('int', 'RF'),
      external: at('int', 'OCF'),
      ip: at('string', 'OF', { default: '0.0.0.0', stateFunc: 'defaultIp' }),
      protocol: at('string', 'OF', { default: 'tcp' }),
    },
  }),
  host: at('set', 'OF', { block: { ip: at('string', 'RF'), host: at('string', 'RF') } }),
  ulimit: at('set', 'OF', { block: { name: at('string', 'RF'), soft: at('int', 'RF'), hard: at('int', 'RF') } }),
  env: at('set', 'OCF'),
  bridge: at('string', 'C'),
  network_data: at('opaque', 'C'),
  privileged: at('bool', 'OF'),
  devices: at('set', 'OF', { block: { host_path: at('string', 'RF'), container_path: at('string', 'OF'), permissions: at('string', 'OF') } }),
  destroy_grace_seconds: at('int', 'O'),
  labels: at('set', 'OCF', { block: label }),
  memory: at('int', 'O'),
  memory_swap: at('int', 'O'),
  shm_size: at('int', 'OCF'),
  cpu_shares: at('int', 'O'),
  cpu_set: at('string', 'O'),
  log_driver: at('string', 'OCF'),
  log_opts: at('map', 'OF'),
  network_mode: at('string', 'OF', { default: 'bridge' }),
  networks_advanced: at('set', 'OF', {
    block: { name: at('string', 'RF'), aliases: at('set', 'OF'), ipv4_address: at('string', 'OF'), ipv6_address: at('string', 'OF') },
  }),
  pid_mode: at('string', 'OF'),
  userns_mode: at('string', 'OF'),
  healthcheck: at('list', 'OC', {
    block: {
      test: at('list', 'R'),
      interval: at('string', 'O', { default: '0s' }),
      timeout: at('string', 'O', { default: '0s' }),
      start_period: at('string', 'O', { default: '0s' }),
      start_interval: at('string', 'O', { default: '0s' }),
      retries: at('int', 'O', { default: 0 }),
    },
  }),
  container_read_refresh_timeout_milliseconds: at('int', 'O', { default: 15000 }),
  sysctls: at('map', 'OF'),
  ipc_mode: at('string', 'OCF'),
  group_add: at('set', 'OF'),
  init: at('bool', 'OC'),
  tty: at('bool', 'OF', { default: false }),
  stdin_open: at('bool', 'OF', { default: false }),
  storage_opts: at('map', 'OF'),
  gpus: at('string', 'OF'),
  cpus: at('string', 'OF'),
};

/**
 * docker_service, internal/provider/resource_docker_service.go at v3.6.2: what docknet writes and
 * what the Read sets (nested blocks docknet never writes are compared as a whole, 'opaque').
 */
export const SERVICE_SCHEMA: BlockSchema = {
  auth: at('opaque', 'OF'),
  name: at('string', 'RF'),
  labels: at('set', 'OC', { block: label }),
  task_spec: at('list', 'R', {
    block: {
      container_spec: at('list', 'R', {
        block: {
          image: at('string', 'R'),
          labels: at('set', 'O', { block: label }),
          command: at('list', 'O'),
          args: at('list', 'O'),
          hostname: at('string', 'O'),
          env: at('map', 'O'),
          dir: at('string', 'O'),
          user: at('string', 'O'),
          groups: at('list', 'O'),
          privileges: at('opaque', 'O'),
          read_only: at('bool', 'O'),
          mounts: at('opaque', 'O'),
          stop_signal: at('string', 'O'),
          stop_grace_period: at('string', 'OC'),
          healthcheck: at('opaque', 'OC'),
          hosts: at('set', 'OF', { block: { ip: at('string', 'RF'), host: at('string', 'RF') } }),
          dns_config: at('opaque', 'OC'),
          secrets: at('opaque', 'O'),
          configs: at('opaque', 'O'),
          isolation: at('string', 'O', { default: 'default' }),
          sysctl: at('map', 'OF'),
          cap_add: at('list', 'O'),
          cap_drop: at('list', 'O'),
        },
      }),
      resources: at('opaque', 'OC'),
      restart_policy: at('opaque', 'OC'),
      placement: at('opaque', 'OC'),
      force_update: at('int', 'OC'),
      runtime: at('string', 'OC'),
      networks_advanced: at('set', 'O', { block: { name: at('string', 'RF'), aliases: at('set', 'OF'), driver_opts: at('set', 'OF') } }),
      log_driver: at('opaque', 'O'),
    },
  }),
  mode: at('list', 'OCF', {
    block: { replicated: at('list', 'OC', { block: { replicas: at('int', 'O', { default: 1 }) } }), global: at('bool', 'O', { default: false }) },
  }),
  update_config: at('opaque', 'O'),
  rollback_config: at('opaque', 'O'),
  endpoint_spec: at('list', 'OC', {
    block: {
      mode: at('string', 'OC'),
      ports: at('list', 'O', {
        block: {
          name: at('string', 'O'),
          protocol: at('string', 'O', { default: 'tcp' }),
          target_port: at('int', 'R'),
          published_port: at('int', 'OC'),
          publish_mode: at('string', 'O', { default: 'ingress' }),
        },
      }),
    },
  }),
  converge_config: at('opaque', 'O'),
};

export const SCHEMAS: Readonly<Record<string, BlockSchema>> = {
  docker_network: NETWORK_SCHEMA,
  docker_container: CONTAINER_SCHEMA,
  docker_service: SERVICE_SCHEMA,
};

// ---------------------------------------------------------------- Read (refresh)

/** Go's time.Duration.String() (what the provider writes back for health check durations). */
export function goDurationString(nanos: number): string {
  if (!Number.isFinite(nanos)) throw new Error(`not a duration: ${nanos}`);
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let u = Math.abs(Math.round(nanos));
  const frac = (v: number, div: number): string => {
    const whole = Math.floor(v / div);
    const digits = String(div).length - 1;
    const rest = String(v % div).padStart(digits, '0').replace(/0+$/, '');
    return rest ? `${whole}.${rest}` : String(whole);
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 1e3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 1e6)}ms`;
  const h = Math.floor(u / 3600e9);
  u -= h * 3600e9;
  const m = Math.floor(u / 60e9);
  u -= m * 60e9;
  const s = `${frac(u, 1e9)}s`;
  return sign + (h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s);
}

// helpers.go mapToLabelSet
const labelSet = (m: Record<string, string> | null | undefined) => Object.entries(m ?? {}).map(([l, v]) => ({ label: l, value: v }));
const orEmpty = <T>(v: T[] | null | undefined): T[] => v ?? [];

/** resourceDockerNetworkReadRefreshFunc: every attribute it sets (options from Options for every scope). */
export function readNetwork(n: any): Record<string, unknown> {
  return {
    name: n.Name,
    labels: labelSet(n.Labels),
    driver: n.Driver,
    internal: n.Internal === true,
    attachable: n.Attachable === true,
    ingress: n.Ingress === true,
    ipv6: n.EnableIPv6 === true,
    ipam_driver: n.IPAM?.Driver ?? '',
    ipam_options: n.IPAM?.Options ?? {},
    scope: n.Scope,
    // `if retNetwork.Scope == "overlay"` never holds (overlays have scope "swarm"): Options as they are.
    options: n.Options ?? {},
    // flattenIpamConfigSpec: only the non-empty fields.
    ipam_config: orEmpty<any>(n.IPAM?.Config).map((c) => ({
      ...(c.Subnet ? { subnet: c.Subnet } : {}),
      ...(c.IPRange ? { ip_range: c.IPRange } : {}),
      ...(c.Gateway ? { gateway: c.Gateway } : {}),
      ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { aux_address: c.AuxiliaryAddresses } : {}),
    })),
  };
}

// resource_docker_container_structures.go byPortAndProtocol: by port number, then protocol.
function sortedPortKeys(ports: Record<string, unknown>): string[] {
  return Object.keys(ports).sort((a, b) => {
    const [pa, qa] = a.split('/');
    const [pb, qb] = b.split('/');
    return Number(pa) !== Number(pb) ? Number(pa) - Number(pb) : qa < qb ? -1 : qa > qb ? 1 : 0;
  });
}

/**
 * resourceDockerContainerRead: every attribute it sets. Not set (kept from the apply): env, labels,
 * volumes, networks_advanced, start, must_run, attach, logs, destroy_grace_seconds, upload...
 * @param configuredImage the image in the configuration: a "sha256:" id reads back Image, else Config.Image.
 */
export function readContainer(c: any, configuredImage: string): Record<string, unknown> {
  const hc = c.HostConfig ?? {};
  const cfg = c.Config ?? {};
  const out: Record<string, unknown> = {};
  if (c.NetworkSettings) {
    out.bridge = c.NetworkSettings.Bridge ?? '';
    const ports = c.NetworkSettings.Ports ?? {};
    // flattenContainerPorts: one entry per binding (an exposed port without bindings gives none).
    out.ports = sortedPortKeys(ports).flatMap((key) => orEmpty<any>(ports[key]).map((b) => {
      const [internal, protocol] = key.split('/');
      return { internal: Number(internal), external: Number(b.HostPort) || 0, ip: b.HostIp ?? '', protocol };
    }));
  }
  out.name = String(c.Name ?? '').replace(/^\/+/, '');
  out.rm = hc.AutoRemove === true;
  out.read_only = hc.ReadonlyRootfs === true;
  out.image = configuredImage.startsWith('sha256:') ? c.Image : cfg.Image;
  out.hostname = cfg.Hostname ?? '';
  out.domainname = cfg.Domainname ?? '';
  out.command = orEmpty(cfg.Cmd);
  out.entrypoint = orEmpty(cfg.Entrypoint);
  out.user = cfg.User ?? '';
  out.dns = orEmpty(hc.Dns);
  out.dns_opts = orEmpty(hc.DnsOptions);
  out.security_opts = orEmpty(hc.SecurityOpt);
  out.dns_search = orEmpty(hc.DnsSearch);
  out.publish_all_ports = hc.PublishAllPorts === true;
  out.restart = hc.RestartPolicy?.Name ?? '';
  out.max_retry_count = hc.RestartPolicy?.MaximumRetryCount ?? 0;
  out.init = hc.Init === true;
  out.working_dir = cfg.WorkingDir ?? '';
  // Only when there is something to read; else the configured value stays.
  if (orEmpty(hc.CapAdd).length || orEmpty(hc.CapDrop).length) out.capabilities = [{ add: orEmpty(hc.CapAdd), drop: orEmpty(hc.CapDrop) }];
  out.runtime = hc.Runtime ?? '';
  out.mounts = orEmpty<any>(hc.Mounts).map((m) => ({ target: m.Target, source: m.Source, type: m.Type, read_only: m.ReadOnly === true }));
  out.tmpfs = hc.Tmpfs ?? {};
  // flattenExtraHosts: split on ":" and take the first two parts, so an IPv6 address reads back cut.
  out.host = orEmpty<string>(hc.ExtraHosts).map((e) => {
    const parts = e.split(':');
    return { host: parts[0], ip: parts[1] ?? '' };
  });
  out.ulimit = orEmpty<any>(hc.Ulimits).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard }));
  out.privileged = hc.Privileged === true;
  out.devices = orEmpty<any>(hc.Devices).map((d) => ({ host_path: d.PathOnHost, container_path: d.PathInContainer, permissions: d.CgroupPermissions }));
  out.memory = Math.trunc((hc.Memory ?? 0) / 1024 / 1024);
  out.memory_swap = (hc.MemorySwap ?? 0) > 0 ? Math.trunc(hc.MemorySwap / 1024 / 1024) : hc.MemorySwap ?? 0;
  out.shm_size = Math.trunc((hc.ShmSize ?? 0) / 1024 / 1024);
  if ((hc.NanoCpus ?? 0) > 0) out.cpus = String(hc.NanoCpus);
  out.cpu_shares = hc.CpuShares ?? 0;
  out.cpu_set = hc.CpusetCpus ?? '';
  out.log_driver = hc.LogConfig?.Type ?? '';
  out.log_opts = hc.LogConfig?.Config ?? {};
  out.storage_opts = hc.StorageOpt ?? {};
  out.network_mode = hc.NetworkMode ?? '';
  out.pid_mode = hc.PidMode ?? '';
  out.userns_mode = hc.UsernsMode ?? '';
  if (cfg.Healthcheck) {
    const h = cfg.Healthcheck;
    out.healthcheck = [{
      test: orEmpty(h.Test),
      interval: goDurationString(h.Interval ?? 0),
      timeout: goDurationString(h.Timeout ?? 0),
      start_period: goDurationString(h.StartPeriod ?? 0),
      start_interval: goDurationString(h.StartInterval ?? 0),
      retries: h.Retries ?? 0,
    }];
  }
  out.sysctls = hc.Sysctls ?? {};
  out.ipc_mode = hc.IpcMode ?? '';
  out.group_add = orEmpty(hc.GroupAdd);
  out.tty = cfg.Tty === true;
  out.stdin_open = cfg.OpenStdin === true;
  out.stop_signal = cfg.StopSignal ?? '';
  out.stop_timeout = cfg.StopTimeout ?? 0;
  if (orEmpty(hc.DeviceRequests).length) out.gpus = 'all';
  return out;
}

// resource_docker_service_structures.go shortDur: Duration.String() without a trailing "0s"/"0m".
const shortDur = (ns: number): string => {
  const s = goDurationString(ns);
  return s.endsWith('m0s') ? s.slice(0, -2) : s.endsWith('h0m') ? s.slice(0, -2) : s;
};

/** resourceDockerServiceReadRefreshFunc: name, labels, task_spec, mode, update/rollback config, endpoint_spec. */
export function readService(s: any): Record<string, unknown> {
  const spec = s.Spec ?? {};
  const tt = spec.TaskTemplate ?? {};
  const task: Record<string, unknown> = {};
  const cs = tt.ContainerSpec;
  if (cs) {
    // flattenContainerSpec: only non-empty fields.
    const c: Record<string, unknown> = {};
    if (cs.Image) c.image = cs.Image;
    if (cs.Labels && Object.keys(cs.Labels).length) c.labels = labelSet(cs.Labels);
    if (orEmpty(cs.Command).length) c.command = cs.Command;
    if (orEmpty(cs.Args).length) c.args = cs.Args;
    if (cs.Hostname) c.hostname = cs.Hostname;
    // mapStringSliceToMap: "K=V" split at the first "=".
    if (orEmpty(cs.Env).length) c.env = Object.fromEntries((cs.Env as string[]).map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
    if (cs.User) c.user = cs.User;
    if (cs.Dir) c.dir = cs.Dir;
    if (orEmpty(cs.Groups).length) c.groups = cs.Groups;
    if (cs.Privileges) c.privileges = [cs.Privileges];
    if (cs.ReadOnly) c.read_only = true;
    if (orEmpty(cs.Mounts).length) c.mounts = cs.Mounts;
    if (cs.StopSignal) c.stop_signal = cs.StopSignal;
    if (cs.StopGracePeriod !== undefined && cs.StopGracePeriod !== null) c.stop_grace_period = shortDur(cs.StopGracePeriod);
    if (cs.Healthcheck) c.healthcheck = [cs.Healthcheck];
    if (orEmpty(cs.Hosts).length) {
      c.hosts = (cs.Hosts as string[]).map((h) => {
        const [ip, host] = h.split(/\s+/);
        return { ip, host };
      });
    }
    if (cs.DNSConfig) c.dns_config = [cs.DNSConfig];
    if (orEmpty(cs.Secrets).length) c.secrets = cs.Secrets;
    if (orEmpty(cs.Configs).length) c.configs = cs.Configs;
    if (cs.Isolation) c.isolation = cs.Isolation;
    if (cs.Sysctls && Object.keys(cs.Sysctls).length) c.sysctl = cs.Sysctls;
    if (orEmpty(cs.CapabilityAdd).length) c.cap_add = cs.CapabilityAdd;
    if (orEmpty(cs.CapabilityDrop).length) c.cap_drop = cs.CapabilityDrop;
    task.container_spec = [c];
  }
  if (tt.Resources) task.resources = [tt.Resources];
  if (tt.RestartPolicy) task.restart_policy = [tt.RestartPolicy];
  if (tt.Placement) task.placement = [tt.Placement];
  task.force_update = tt.ForceUpdate ?? 0;
  if (tt.Runtime) task.runtime = tt.Runtime;
  if (orEmpty(tt.Networks).length) {
    task.networks_advanced = (tt.Networks as any[]).map((n) => ({
      name: n.Target,
      driver_opts: Object.entries(n.DriverOpts ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(orEmpty(n.Aliases).length ? { aliases: n.Aliases } : {}),
    }));
  }
  if (tt.LogDriver) task.log_driver = [tt.LogDriver];
  const mode = spec.Mode ?? {};
  const endpoint = s.Endpoint?.Spec?.Mode ? { mode: s.Endpoint.Spec.Mode, ports: s.Endpoint.Ports } : { mode: spec.EndpointSpec?.Mode ?? '', ports: spec.EndpointSpec?.Ports };
  const updateConfig = (u: any) => (u ? [u] : []);
  return {
    name: spec.Name,
    labels: labelSet(spec.Labels),
    task_spec: [task],
    mode: [{
      ...(mode.Replicated ? { replicated: [mode.Replicated.Replicas !== undefined ? { replicas: mode.Replicated.Replicas } : {}] } : {}),
      global: mode.Global !== undefined && mode.Global !== null,
    }],
    update_config: updateConfig(spec.UpdateConfig),
    rollback_config: updateConfig(spec.RollbackConfig),
    endpoint_spec: [{
      mode: endpoint.mode,
      ports: orEmpty<any>(endpoint.ports).map((p) => ({
        name: p.Name ?? '', protocol: p.Protocol ?? '', target_port: p.TargetPort ?? 0, published_port: p.PublishedPort ?? 0, publish_mode: p.PublishMode ?? '',
      })),
    }],
  };
}

/**
 * The state after apply and refresh: what the apply stored (the configuration; Read overwrites what it
 * sets) with the Read's attributes on top.
 */
export function refreshedState(type: string, config: Record<string, any>, inspect: any): Record<string, unknown> {
  const read = type === 'docker_network' ? readNetwork(inspect)
    : type === 'docker_container' ? readContainer(inspect, String(config.image ?? ''))
      : type === 'docker_service' ? readService(inspect)
        : undefined;
  if (!read) throw new Error(`refresh: ${type} is not emulated`);
  // The apply stored every Default of an attribute the configuration leaves out (rm, remove_volumes...).
  const defaults = Object.fromEntries(Object.entries(SCHEMAS[type]).filter(([k, s]) => s.default !== undefined && isNull(config[k])).map(([k, s]) => [k, s.default]));
  return { ...defaults, ...config, ...read };
}

// ---------------------------------------------------------------- plan (diff)

export interface AttributeChange {
  /** Top-level attribute. */
  readonly attribute: string;
  /** Where in it, e.g. options["com.docker.network.driver.overlay.vxlanid_list"], healthcheck[0].interval. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requiresNew: boolean;
}

export interface PlannedAction {
  readonly action: 'no-op' | 'update' | 'replace';
  readonly changes: AttributeChange[];
}

const isNull = (v: unknown): boolean => v === undefined || v === null;
const zeroOf = (kind: Kind): unknown => (kind === 'string' ? '' : kind === 'int' ? 0 : kind === 'bool' ? false : kind === 'map' ? {} : []);
/** mapstructure.WeakDecode to string, bools normalized as finalizeDiff does. */
const primString = (v: unknown): string => (isNull(v) ? '' : typeof v === 'boolean' ? String(v) : v === 1 || v === '1' ? '1' : String(v));
const boolString = (v: unknown): string => (v === true || v === 'true' || v === 1 || v === '1' ? 'true' : v === false || v === 'false' || v === 0 || v === '0' ? 'false' : primString(v));

/** The value a reader gives for one field of a block element: Default (configuration side) or zero. */
function fieldValue(s: AttrSchema, v: unknown, side: 'config' | 'state'): unknown {
  if (isNull(v)) {
    if (side === 'config' && s.default !== undefined) return s.default;
    return zeroOf(s.kind);
  }
  if (s.stateFunc === 'defaultIp' && v === '') return '0.0.0.0';
  return v;
}

/** The identity of a set element (schema.HashResource over Optional/Required fields; HashString for strings). */
function elementCode(s: AttrSchema, v: unknown, side: 'config' | 'state'): string {
  if (!s.block) return primString(v);
  const e = (v ?? {}) as Record<string, unknown>;
  const parts = Object.keys(s.block).sort().filter((k) => s.block![k].optional).map((k) => {
    const f = s.block![k];
    const x = fieldValue(f, e[k], side);
    if (f.kind === 'set') return `${k}:{${[...new Set((x as unknown[]).map((y) => elementCode(f, y, side)))].sort().join(';')}}`;
    if (f.kind === 'list') return `${k}:(${(x as unknown[]).map((y) => elementCode(f, y, side)).join(';')})`;
    if (f.kind === 'map' || f.kind === 'opaque') return `${k}:${JSON.stringify(sortKeys(x))}`;
    return `${k}:${f.kind === 'bool' ? boolString(x) : primString(x)}`;
  });
  return parts.join(';');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as any)[k])]));
  return v;
}

/** schemaMap.diff for one attribute: the changes found (empty: none). */
function diffAttr(name: string, path: string, s: AttrSchema, o: unknown, n: unknown, out: AttributeChange[]): void {
  const push = (p: string, before: unknown, after: unknown, requiresNew: boolean) => out.push({ attribute: name, path: p, before, after, requiresNew });
  switch (s.kind) {
    case 'string': case 'int': case 'bool': {
      let nv = n;
      if (isNull(nv) && s.default !== undefined) nv = s.default;
      if (s.stateFunc === 'defaultIp' && nv === '') nv = '0.0.0.0';
      const str = s.kind === 'bool' ? boolString : primString;
      const os = str(o);
      const ns = isNull(nv) ? (isNull(o) ? '' : str(zeroOf(s.kind))) : str(nv);
      if (os === ns) return;
      const removed = !isNull(o) && isNull(nv);
      if (removed && s.computed) return;
      if (s.suppress === 'emptyIsNoChange' && ns === '') return;
      // finalizeDiff: a Computed attribute whose new value is "" is "unset", no change.
      if (s.computed && ns === '' && os !== '') return;
      push(path, o, nv, !!s.forceNew);
      return;
    }
    case 'map': {
      const sm = (o ?? {}) as Record<string, unknown>;
      const cm = (n ?? {}) as Record<string, unknown>;
      if (isNull(n) && s.computed) return;
      for (const k of new Set([...Object.keys(cm), ...Object.keys(sm)])) {
        const before = k in sm ? primString(sm[k]) : undefined;
        const after = k in cm ? primString(cm[k]) : undefined;
        if (before === after) continue;
        // A key only in state: NewRemoved; finalizeDiff sets RequiresNew when Old != New.
        push(`${path}[${JSON.stringify(k)}]`, before, after, !!s.forceNew && (before ?? '') !== (after ?? ''));
      }
      return;
    }
    case 'opaque': {
      if (isNull(n) && s.computed) return;
      const empty = (v: unknown) => isNull(v) || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);
      if (empty(o) && empty(n)) return;
      if (JSON.stringify(sortKeys(o)) === JSON.stringify(sortKeys(n))) return;
      push(path, o, n, !!s.forceNew);
      return;
    }
    case 'set': {
      if (!isNull(o) && isNull(n) && s.computed) return;
      // Both unset: what the provider has left out of state since the create; observed as no change.
      if (isNull(o) && isNull(n)) return;
      const os = blocksOrValues(o);
      const ns = blocksOrValues(n);
      const oc = new Map(os.map((e) => [elementCode(s, e, 'state'), e]));
      const nc = new Map(ns.map((e) => [elementCode(s, e, 'config'), e]));
      const removed = [...oc.keys()].filter((k) => !nc.has(k));
      const added = [...nc.keys()].filter((k) => !oc.has(k));
      if (!removed.length && !added.length) return;
      // RequiresNew: the count of a ForceNew set, or a ForceNew field of a removed or added element.
      const forceField = (e: unknown, side: 'config' | 'state') => !s.block
        ? !!s.forceNew
        : Object.entries(s.block).some(([k, f]) => f.forceNew && elementCode({ kind: 'set', block: { [k]: f } } as AttrSchema, e, side) !== elementCode({ kind: 'set', block: { [k]: f } } as AttrSchema, {}, side));
      const requiresNew = (!!s.forceNew && oc.size !== nc.size) || removed.some((k) => forceField(oc.get(k), 'state')) || added.some((k) => forceField(nc.get(k), 'config'));
      push(path, removed.map((k) => oc.get(k)), added.map((k) => nc.get(k)), requiresNew);
      return;
    }
    case 'list': {
      if (!isNull(o) && isNull(n) && s.computed) return;
      const os = blocksOrValues(o);
      const ns = blocksOrValues(n);
      if (os.length !== ns.length) push(`${path}.#`, os.length, ns.length, !!s.forceNew);
      for (let i = 0; i < Math.max(os.length, ns.length); i++) {
        if (s.block) {
          for (const [k, f] of Object.entries(s.block)) {
            const ov = (os[i] as any)?.[k];
            let nv = (ns[i] as any)?.[k];
            // objchange.ProposedNew: an Optional+Computed field left unset takes the prior element's value.
            if (isNull(nv) && f.computed && i < ns.length) nv = ov;
            if (i >= ns.length) nv = undefined;
            diffAttr(name, `${path}[${i}].${k}`, f, i < os.length ? fieldOrNull(f, ov) : undefined, nv, out);
          }
        } else {
          diffAttr(name, `${path}[${i}]`, { kind: 'string', forceNew: s.forceNew, optional: true }, os[i], ns[i], out);
        }
      }
      return;
    }
  }
}

// State holds every field of a block element (zero when unset).
const fieldOrNull = (f: AttrSchema, v: unknown): unknown => (isNull(v) ? zeroOf(f.kind) : v);
const blocksOrValues = (v: unknown): unknown[] => (isNull(v) ? [] : Array.isArray(v) ? v : [v]);

/** suppressIfPortsDidNotChangeForMigrationV0ToV1: same length and every prior port found unchanged. */
function portsUnchanged(o: unknown, n: unknown): boolean {
  const norm = (p: any, prior?: any) => ({
    internal: Number(p.internal),
    external: Number(isNull(p.external) ? prior?.external ?? 0 : p.external),
    ip: isNull(p.ip) || p.ip === '' ? '0.0.0.0' : p.ip,
    protocol: p.protocol ?? 'tcp',
  });
  const olds = blocksOrValues(o).map((p) => norm(p));
  const news = blocksOrValues(n).map((p, i) => norm(p, olds[i]));
  if (olds.length !== news.length) return false;
  return olds.every((op) => {
    const same = news.find((np) => np.internal === op.internal);
    if (!same) return false;
    if (same.protocol !== op.protocol) return news.some((np) => np.internal === op.internal && np.protocol === op.protocol && np.external === op.external && np.ip === op.ip);
    return same.external === op.external && same.ip === op.ip;
  });
}

/** lifecycle.ignore_changes entries Terraform accepts here: an attribute, or attribute["map key"]. */
export function applyIgnoreChanges(config: Record<string, any>, state: Record<string, any>, ignore: readonly string[]): Record<string, any> {
  const out = { ...config };
  for (const entry of ignore) {
    const m = /^([a-z_][a-z0-9_]*)(?:\["((?:[^"\\]|\\.)*)"\])?$/.exec(entry);
    if (!m) throw new Error(`refresh: ignore_changes entry ${JSON.stringify(entry)} is not emulated (an attribute, or attribute["key"] of a map)`);
    const [, attr, rawKey] = m;
    if (rawKey === undefined) {
      if (state[attr] === undefined) delete out[attr];
      else out[attr] = state[attr];
      continue;
    }
    const key = JSON.parse(`"${rawKey}"`) as string;
    const prior = (state[attr] ?? {}) as Record<string, unknown>;
    const next = { ...((out[attr] ?? {}) as Record<string, unknown>) };
    if (key in prior) next[key] = prior[key];
    else delete next[key];
    out[attr] = next;
  }
  return out;
}

/** The plan of one resource: configuration (with ignore_changes applied) against the refreshed state. */
export function planResource(type: string, config: Record<string, any>, state: Record<string, any>, ignoreChanges: readonly string[] = []): PlannedAction {
  const schema = SCHEMAS[type];
  if (!schema) throw new Error(`plan: ${type} is not emulated`);
  const unknown = Object.keys(config).filter((k) => !(k in schema) && k !== 'id');
  if (unknown.length) throw new Error(`plan: ${type} attributes ${unknown.join(', ')} are not in the emulated schema (lab/replay/refresh.ts)`);
  const cfg = applyIgnoreChanges(config, state, ignoreChanges);
  const changes: AttributeChange[] = [];
  for (const [name, s] of Object.entries(schema)) {
    if (!s.optional) continue; // Computed-only attributes are never in a plan's diff.
    const o = state[name];
    let n = cfg[name];
    if (isNull(n) && s.computed) n = o; // objchange.ProposedNew
    if (s.suppress === 'ports' && portsUnchanged(o, n)) continue;
    diffAttr(name, name, s, o, n, changes);
  }
  const action = changes.length === 0 ? 'no-op' : changes.some((c) => c.requiresNew) ? 'replace' : 'update';
  return { action, changes };
}

/** One line per change: `options["k"]: "a" -> (removed) (forces replacement)`. */
export function describeChanges(p: PlannedAction): string[] {
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return p.changes.map((c) => `${c.path}: ${show(c.before)} -> ${show(c.after)}${c.requiresNew ? ' (forces replacement)' : ''}`);
}

/** What a block list in the configuration holds, for callers that read nested config. */
export const firstBlock = (v: unknown): Record<string, any> => blocksOf(v)[0] ?? {};
