/**
 * The container fields operators set beside networking: restart policy, health check, volumes,
 * labels, capabilities, sysctls, extra hosts and logging. Values are small classes with static
 * factories (RestartPolicy.unlessStopped(), HealthCheck.command([...]), Volume.bind(...)); every
 * single value is checked when the container is constructed, and rendered in the shape
 * kreuzwerker/docker 3.6.2's docker_container schema expects (restart, max_retry_count,
 * healthcheck, volumes, labels, capabilities, sysctls, host, log_driver, log_opts).
 *
 * Not offered: a MAC address. Provider 3.6.2 has no argument for it (networks_advanced.mac_address
 * arrived in 3.8); docknet pins 3.6.2.
 */
import type { ContainerConfig, IConstruct } from '../cdk';
import { DocknetError } from '../core/errors';
import { IpAddress } from '../core/address/cidr';
import type { ContainerModel } from '../core/model';

/** When Docker restarts the container: after it exits, and after the daemon (or the host) restarts. */
export class RestartPolicy {
  /**
   * Always restart, and start again after a daemon restart, unless it was stopped by hand before.
   * docknet's default: containers come back after a daemon.json rollout restarts dockerd. Not after
   * a dockerd crash without live-restore: the engine stops them as it starts and counts that as a
   * stop (measured on Docker 20.10); use always() where that matters.
   */
  public static unlessStopped(): RestartPolicy {
    return new RestartPolicy('unless-stopped');
  }

  /** Always restart, also after a dockerd crash, and even after a manual stop once the daemon restarts. */
  public static always(): RestartPolicy {
    return new RestartPolicy('always');
  }

  /**
   * Restart only after a non-zero exit, at most `maxRetries` times (0: no limit). Not restarted after
   * a daemon restart if it had stopped for good.
   */
  public static onFailure(maxRetries = 0): RestartPolicy {
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new DocknetError('RestartPolicy.onFailure', `maxRetries ${maxRetries} is not a retry count. Expected a whole number >= 0 (0: retry without limit).`);
    }
    return new RestartPolicy('on-failure', maxRetries);
  }

  /** Never restart: the container stays down after it exits and after every daemon restart. */
  public static no(): RestartPolicy {
    return new RestartPolicy('no');
  }

  private constructor(public readonly name: 'no' | 'on-failure' | 'always' | 'unless-stopped', public readonly maxRetries?: number) {}
}

export interface HealthCheckOptions {
  /**
   * Time between two checks, as a duration such as "30s" or "1m30s". Written as Go prints it ("1m"
   * becomes "1m0s"), the form the provider reads back. @default "30s" (Docker's)
   */
  readonly interval?: string;
  /** Time one check may take. @default "30s" (Docker's) */
  readonly timeout?: string;
  /** Consecutive failures before the container is unhealthy. @default 3 (Docker's) */
  readonly retries?: number;
  /** Time to start up during which failures do not count. @default "0s" */
  readonly startPeriod?: string;
}

/** A health check: HealthCheck.command(["wget", "-q", "-O-", "http://localhost/"]), .shell("..."), .none(). */
export class HealthCheck {
  /** Runs the command directly (exec form, Docker's ["CMD", ...]). */
  public static command(argv: string[], options: HealthCheckOptions = {}): HealthCheck {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a === '')) {
      throw new DocknetError('HealthCheck.command', `the command ${JSON.stringify(argv)} is not a command. Expected a non-empty list of non-empty strings, e.g. ["wget", "-q", "-O-", "http://localhost/"].`);
    }
    return new HealthCheck(['CMD', ...argv], options);
  }

  /** Runs the text with the container's /bin/sh -c (Docker's ["CMD-SHELL", ...]). */
  public static shell(script: string, options: HealthCheckOptions = {}): HealthCheck {
    if (typeof script !== 'string' || script.trim() === '') {
      throw new DocknetError('HealthCheck.shell', `the script ${JSON.stringify(script)} is empty. Expected a shell command line, e.g. "wget -q -O- http://localhost/ || exit 1".`);
    }
    return new HealthCheck(['CMD-SHELL', script], options);
  }

  /** Turns off a health check the image defines. */
  public static none(): HealthCheck {
    return new HealthCheck(['NONE'], {});
  }

  private constructor(public readonly test: string[], public readonly options: HealthCheckOptions) {
    const where = `HealthCheck.${test[0] === 'CMD' ? 'command' : test[0] === 'CMD-SHELL' ? 'shell' : 'none'}`;
    for (const key of ['interval', 'timeout', 'startPeriod'] as const) {
      const v = options[key];
      if (v === undefined) continue;
      const ns = durationNanos(v);
      // Docker refuses a non-zero interval, timeout or start period under 1 ms.
      if (ns === undefined || (ns !== 0 && ns < 1e6) || (key !== 'startPeriod' && ns === 0)) {
        throw new DocknetError(where, `${key} ${JSON.stringify(v)} is not a usable duration. Expected a positive duration of at least 1ms such as "10s", "1m30s" or "500ms"${key === 'startPeriod' ? ' (or "0s")' : ''}.`);
      }
    }
    if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 1)) {
      throw new DocknetError(where, `retries ${options.retries} is not a retry count. Expected a whole number >= 1 (omit it for Docker's 3).`);
    }
  }
}

/** Go's time.Duration syntax, as the provider parses it: nanoseconds, or undefined when invalid or negative. */
export function durationNanos(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) return undefined;
  const units: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const part of text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]];
  return Math.round(total);
}

/**
 * Go's time.Duration.String() of a non-negative duration: "0s", "1m0s", "1m30s", "1h0m0s", "1.5s",
 * "500ms", "250µs", "7ns". The provider writes health check durations back in this form.
 */
export function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const decimal = (v: number, unit: number): string => {
    const whole = Math.floor(v / unit);
    const fraction = String(v % unit).padStart(String(unit).length - 1, '0').replace(/0+$/, '');
    return fraction ? `${whole}.${fraction}` : String(whole);
  };
  if (nanos < 1e3) return `${nanos}ns`;
  if (nanos < 1e6) return `${decimal(nanos, 1e3)}µs`;
  if (nanos < 1e9) return `${decimal(nanos, 1e6)}ms`;
  const hours = Math.floor(nanos / 3600e9);
  const minutes = Math.floor((nanos % 3600e9) / 60e9);
  const seconds = `${decimal(nanos % 60e9, 1e9)}s`;
  return hours ? `${hours}h${minutes}m${seconds}` : minutes ? `${minutes}m${seconds}` : seconds;
}

export interface VolumeOptions {
  /** Mount read-only. @default false */
  readonly readOnly?: boolean;
}

/** Storage mounted into the container: Volume.bind("/srv/data", "/data"), Volume.named("pgdata", "/var/lib/postgresql/data"). */
export class Volume {
  /** A directory or file of the host (absolute path) at `containerPath`. Docker creates a missing directory. */
  public static bind(hostPath: string, containerPath: string, options: VolumeOptions = {}): Volume {
    if (typeof hostPath !== 'string' || !/^\/[^:\0]*$/.test(hostPath)) {
      throw new DocknetError('Volume.bind', `host path ${JSON.stringify(hostPath)} is not an absolute path. Expected a path on the host such as "/srv/data" (no ":").`);
    }
    return new Volume('bind', hostPath, containerPath, options);
  }

  /** A named Docker volume (created by Docker on first use) at `containerPath`. */
  public static named(volumeName: string, containerPath: string, options: VolumeOptions = {}): Volume {
    if (typeof volumeName !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(volumeName)) {
      throw new DocknetError('Volume.named', `volume name ${JSON.stringify(volumeName)} is not a Docker volume name. Expected letters, digits, "_", "." or "-", starting with a letter or digit, at least two characters.`);
    }
    return new Volume('volume', volumeName, containerPath, options);
  }

  private constructor(
    public readonly kind: 'bind' | 'volume',
    public readonly source: string,
    public readonly containerPath: string,
    public readonly options: VolumeOptions,
  ) {
    if (typeof containerPath !== 'string' || !/^\/[^:\0]*$/.test(containerPath) || containerPath === '/') {
      throw new DocknetError(`Volume.${kind === 'bind' ? 'bind' : 'named'}`, `container path ${JSON.stringify(containerPath)} is not a mount point. Expected an absolute path other than "/" such as "/data" (no ":").`);
    }
  }
}

/** Linux capabilities (capabilities(7)), without the CAP_ prefix, as Docker's --cap-add/--cap-drop take them. */
export enum Capability {
  ALL = 'ALL',
  AUDIT_CONTROL = 'AUDIT_CONTROL',
  AUDIT_READ = 'AUDIT_READ',
  AUDIT_WRITE = 'AUDIT_WRITE',
  BLOCK_SUSPEND = 'BLOCK_SUSPEND',
  BPF = 'BPF',
  CHECKPOINT_RESTORE = 'CHECKPOINT_RESTORE',
  CHOWN = 'CHOWN',
  DAC_OVERRIDE = 'DAC_OVERRIDE',
  DAC_READ_SEARCH = 'DAC_READ_SEARCH',
  FOWNER = 'FOWNER',
  FSETID = 'FSETID',
  IPC_LOCK = 'IPC_LOCK',
  IPC_OWNER = 'IPC_OWNER',
  KILL = 'KILL',
  LEASE = 'LEASE',
  LINUX_IMMUTABLE = 'LINUX_IMMUTABLE',
  MAC_ADMIN = 'MAC_ADMIN',
  MAC_OVERRIDE = 'MAC_OVERRIDE',
  MKNOD = 'MKNOD',
  NET_ADMIN = 'NET_ADMIN',
  NET_BIND_SERVICE = 'NET_BIND_SERVICE',
  NET_BROADCAST = 'NET_BROADCAST',
  NET_RAW = 'NET_RAW',
  PERFMON = 'PERFMON',
  SETFCAP = 'SETFCAP',
  SETGID = 'SETGID',
  SETPCAP = 'SETPCAP',
  SETUID = 'SETUID',
  SYSLOG = 'SYSLOG',
  SYS_ADMIN = 'SYS_ADMIN',
  SYS_BOOT = 'SYS_BOOT',
  SYS_CHROOT = 'SYS_CHROOT',
  SYS_MODULE = 'SYS_MODULE',
  SYS_NICE = 'SYS_NICE',
  SYS_PACCT = 'SYS_PACCT',
  SYS_PTRACE = 'SYS_PTRACE',
  SYS_RAWIO = 'SYS_RAWIO',
  SYS_RESOURCE = 'SYS_RESOURCE',
  SYS_TIME = 'SYS_TIME',
  SYS_TTY_CONFIG = 'SYS_TTY_CONFIG',
  WAKE_ALARM = 'WAKE_ALARM',
}

/** Where the container's output goes: LogDriver.jsonFile({ 'max-size': '10m' }), LogDriver.journald(), ... */
export class LogDriver {
  /** Docker's default: JSON files under the data root (options such as max-size, max-file, compress). */
  public static jsonFile(options: Record<string, string> = {}): LogDriver {
    return new LogDriver('json-file', options);
  }

  /** Docker's compact local format (max-size, max-file, compress). */
  public static local(options: Record<string, string> = {}): LogDriver {
    return new LogDriver('local', options);
  }

  /** The host's journal (tag, labels, env). */
  public static journald(options: Record<string, string> = {}): LogDriver {
    return new LogDriver('journald', options);
  }

  /** A syslog server (syslog-address, syslog-facility, tag, ...). */
  public static syslog(options: Record<string, string> = {}): LogDriver {
    return new LogDriver('syslog', options);
  }

  /** No logs at all (`docker logs` shows nothing). */
  public static none(): LogDriver {
    return new LogDriver('none', {});
  }

  /** Any other driver, including plugins ("fluentd", "gelf", "grafana/loki-docker-driver:latest"). */
  public static custom(driver: string, options: Record<string, string> = {}): LogDriver {
    if (typeof driver !== 'string' || !/^[a-z0-9][a-z0-9_./:-]*$/i.test(driver)) {
      throw new DocknetError('LogDriver.custom', `driver ${JSON.stringify(driver)} is not a log driver name. Expected a name such as "fluentd" or a plugin reference such as "grafana/loki-docker-driver:latest".`);
    }
    return new LogDriver(driver, options);
  }

  private constructor(public readonly driver: string, public readonly options: Record<string, string>) {
    for (const [k, v] of Object.entries(options ?? {})) {
      if (k === '' || typeof v !== 'string') {
        throw new DocknetError(`LogDriver(${driver})`, `option ${JSON.stringify(k)}=${JSON.stringify(v)} is not a log option. Expected string keys and string values, e.g. { "max-size": "10m" }.`);
      }
    }
  }
}

/** The runtime fields of ContainerProps (see container.ts). */
export interface ContainerRuntimeProps {
  /**
   * What Docker does when the container exits and when the daemon restarts. The default brings
   * containers back after a daemon restart (a daemon.json rollout restarts dockerd).
   * @default RestartPolicy.unlessStopped()
   */
  readonly restartPolicy?: RestartPolicy;
  /** Health check; the container reports healthy/unhealthy in `docker ps`. @default the image's, if any */
  readonly healthCheck?: HealthCheck;
  /** Bind mounts and named volumes. Each container path once. @default none */
  readonly volumes?: Volume[];
  /** Container labels (key -> value). @default none */
  readonly labels?: Record<string, string>;
  /**
   * Linux capabilities to add to or drop from Docker's default set, e.g. add NET_ADMIN for a
   * container that sets up routes or interfaces by hand.
   * @default Docker's default set
   */
  readonly capabilities?: { readonly add?: Capability[]; readonly drop?: Capability[] };
  /**
   * Namespaced kernel parameters for the container, e.g. { "net.ipv4.ip_forward": "1" }. Docker
   * allows net.* (not in host network mode), kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.*.
   * @default none
   */
  readonly sysctls?: Record<string, string | number>;
  /** Extra /etc/hosts entries: host name -> IPv4 address (provider 3.6.2 cannot read IPv6 ones back). @default none */
  readonly extraHosts?: Record<string, string>;
  /** Log driver and its options. @default the daemon's (log-driver in daemon.json, json-file) */
  readonly logDriver?: LogDriver;
}

const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const CAPABILITIES = new Set<string>(Object.values(Capability));
const HOST_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const LABEL_KEY = /^[a-zA-Z0-9]([a-zA-Z0-9._/-]*[a-zA-Z0-9])?$/;

/**
 * Checks the runtime props of one container; throws one DocknetError naming the container, with
 * every bad value, what was expected and the fix.
 */
export function checkRuntimeProps(scope: IConstruct, props: ContainerRuntimeProps, networkMode: string): void {
  const problems: string[] = [];
  if (props.restartPolicy !== undefined && !(props.restartPolicy instanceof RestartPolicy)) {
    problems.push(`restartPolicy ${JSON.stringify(props.restartPolicy)} is not a RestartPolicy. Use RestartPolicy.unlessStopped(), .always(), .onFailure(maxRetries) or .no().`);
  }
  if (props.healthCheck !== undefined && !(props.healthCheck instanceof HealthCheck)) {
    problems.push(`healthCheck is not a HealthCheck. Use HealthCheck.command([...]), HealthCheck.shell("...") or HealthCheck.none().`);
  }
  if (props.logDriver !== undefined && !(props.logDriver instanceof LogDriver)) {
    problems.push(`logDriver is not a LogDriver. Use LogDriver.jsonFile(...), .local(...), .journald(...), .syslog(...), .none() or .custom(name, options).`);
  }
  const paths = new Set<string>();
  for (const v of props.volumes ?? []) {
    if (!(v instanceof Volume)) {
      problems.push(`volumes has ${JSON.stringify(v)}, which is not a Volume. Use Volume.bind(hostPath, containerPath) or Volume.named(name, containerPath).`);
      continue;
    }
    const p = v.containerPath.replace(/\/+$/, '');
    if (paths.has(p)) problems.push(`volumes mount two sources at ${v.containerPath}; Docker refuses a duplicate mount point. Mount each container path once.`);
    paths.add(p);
  }
  for (const [k, v] of Object.entries(props.labels ?? {})) {
    if (!LABEL_KEY.test(k)) problems.push(`label key ${JSON.stringify(k)} is not a label key. Expected letters, digits, ".", "_", "/" or "-", starting and ending with a letter or digit, e.g. "com.example.team".`);
    if (typeof v !== 'string') problems.push(`label ${JSON.stringify(k)} has the value ${JSON.stringify(v)}. Expected a string.`);
  }
  const add = props.capabilities?.add ?? [];
  const drop = props.capabilities?.drop ?? [];
  for (const [list, caps] of [['add', add], ['drop', drop]] as const) {
    for (const c of caps) {
      if (!CAPABILITIES.has(c)) {
        problems.push(`capabilities.${list} has ${JSON.stringify(c)}, which is not a Linux capability. Use a Capability value such as Capability.NET_ADMIN (no "CAP_" prefix).`);
      }
    }
  }
  for (const c of add.filter((x) => drop.includes(x))) {
    problems.push(`capability ${c} is both added and dropped. Keep it in one list.`);
  }
  for (const [k, v] of Object.entries(props.sysctls ?? {})) {
    const namespaced = IPC_SYSCTLS.has(k) || k.startsWith('fs.mqueue.') || k.startsWith('net.');
    if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(k) || !namespaced) {
      problems.push(`sysctl ${JSON.stringify(k)} is not one Docker lets a container set. Expected a namespaced parameter: net.*, kernel.msg*, kernel.sem, kernel.shm* or fs.mqueue.*; set others on the host.`);
    } else if (k.startsWith('net.') && networkMode === 'host') {
      problems.push(`sysctl ${JSON.stringify(k)} would change the host's own network stack (network mode host); Docker refuses it. Set it on the host, or give the container its own network namespace.`);
    }
    if (!((typeof v === 'string' && v !== '' && !/[\n\0]/.test(v)) || (typeof v === 'number' && Number.isFinite(v)))) {
      problems.push(`sysctl ${JSON.stringify(k)} has the value ${JSON.stringify(v)}. Expected a number or a non-empty string such as "1".`);
    }
  }
  for (const [h, ip] of Object.entries(props.extraHosts ?? {})) {
    if (!HOST_NAME.test(h)) problems.push(`extraHosts has the host name ${JSON.stringify(h)}. Expected a DNS name such as "db" or "db.internal".`);
    try {
      IpAddress.parse(ip);
      // flattenExtraHosts (provider 3.6.2) splits "host:ip" at every ":", so an IPv6 address reads back
      // cut ("fd00") and the plan after every apply would replace the container.
      if (ip.includes(':')) {
        problems.push(`extraHosts.${h} is the IPv6 address ${ip}. Provider 3.6.2 reads extra hosts back split at every ":" (this one as "${ip.split(':')[0]}"), so every plan would replace the container. Use an IPv4 address, or a DNS name the container can resolve.`);
      }
    } catch (e) {
      problems.push(`extraHosts.${h}: ${(e as Error).message}`);
    }
  }
  if (networkMode === 'container' && props.extraHosts && Object.keys(props.extraHosts).length) {
    problems.push('extraHosts cannot be set in container:<other> network mode (Docker refuses: conflicting options). Set them on the other container.');
  }
  if (problems.length) throw new DocknetError(scope, problems.join(' '));
}

/**
 * The runtime props as docker_container config (the binding writes them as the 3.6.2 schema's
 * restart, max_retry_count, healthcheck, volumes, labels, capabilities, sysctls, host, log_driver,
 * log_opts). Lists and maps are sorted, so the output does not depend on declaration order.
 */
export function renderRuntimeProps(props: ContainerRuntimeProps): Partial<ContainerConfig> {
  const restart = props.restartPolicy ?? RestartPolicy.unlessStopped();
  const sortedKeys = (o: Record<string, unknown> = {}) => Object.keys(o).sort();
  const out: { -readonly [K in keyof ContainerConfig]?: ContainerConfig[K] } = { restart: restart.name };
  if (restart.name === 'on-failure' && restart.maxRetries) out.maxRetryCount = restart.maxRetries;
  const h = props.healthCheck;
  if (h) {
    // As Go prints the durations: provider 3.6.2 reads them back with Duration.String(), so "1m" would
    // come back as "1m0s" and update the container on every plan.
    const d = (v?: string) => (v === undefined ? undefined : goDuration(durationNanos(v)!));
    out.healthcheck = { test: h.test, interval: d(h.options.interval), timeout: d(h.options.timeout), startPeriod: d(h.options.startPeriod), retries: h.options.retries };
  }
  if (props.volumes?.length) {
    out.volumes = props.volumes.map((v) => ({
      ...(v.kind === 'bind' ? { hostPath: v.source } : { volumeName: v.source }),
      containerPath: v.containerPath,
      readOnly: v.options.readOnly === true,
    }));
  }
  if (props.labels && Object.keys(props.labels).length) out.labels = sortedKeys(props.labels).map((k) => ({ label: k, value: props.labels![k] }));
  const caps = props.capabilities;
  if (caps && ((caps.add?.length ?? 0) > 0 || (caps.drop?.length ?? 0) > 0)) {
    out.capabilities = { add: [...new Set(caps.add ?? [])].sort(), drop: [...new Set(caps.drop ?? [])].sort() };
  }
  if (props.sysctls && Object.keys(props.sysctls).length) {
    out.sysctls = Object.fromEntries(sortedKeys(props.sysctls).map((k) => [k, String(props.sysctls![k])]));
  }
  if (props.extraHosts && Object.keys(props.extraHosts).length) out.host = sortedKeys(props.extraHosts).map((k) => ({ host: k, ip: props.extraHosts![k] }));
  if (props.logDriver) {
    out.logDriver = props.logDriver.driver;
    if (Object.keys(props.logDriver.options).length) out.logOpts = Object.fromEntries(sortedKeys(props.logDriver.options).map((k) => [k, props.logDriver!.options[k]]));
  }
  return out;
}

/** The runtime props for the topology model (lib/core/model.ts ContainerModel). */
export function runtimeModel(props: ContainerRuntimeProps): Partial<ContainerModel> {
  const restart = props.restartPolicy ?? RestartPolicy.unlessStopped();
  const sorted = <V>(o?: Record<string, V>) => (o && Object.keys(o).length ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])) : undefined);
  const sysctls = sorted(props.sysctls);
  return {
    restartPolicy: restart.name,
    ...(restart.name === 'on-failure' ? { restartMaxRetries: restart.maxRetries ?? 0 } : {}),
    ...(props.healthCheck ? { healthCheck: [...props.healthCheck.test] } : {}),
    ...(props.volumes?.length ? { volumes: props.volumes.map((v) => ({ kind: v.kind, source: v.source, containerPath: v.containerPath, readOnly: v.options.readOnly === true })) } : {}),
    ...(sorted(props.labels) ? { labels: sorted(props.labels) } : {}),
    ...(props.capabilities?.add?.length ? { capAdd: [...new Set(props.capabilities.add)].sort() } : {}),
    ...(props.capabilities?.drop?.length ? { capDrop: [...new Set(props.capabilities.drop)].sort() } : {}),
    ...(sysctls ? { sysctls: Object.fromEntries(Object.entries(sysctls).map(([k, v]) => [k, String(v)])) } : {}),
    ...(sorted(props.extraHosts) ? { extraHosts: sorted(props.extraHosts) } : {}),
    ...(props.logDriver ? { logDriver: props.logDriver.driver } : {}),
  };
}
