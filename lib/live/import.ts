/**
 * `docknet import`: existing hosts (Engine API snapshots) -> a docknet project in the style of
 * stacks/: the topology once (topology.ts), the environment's values (<env>.ts: endpoints and the
 * ids of what is adopted), a plan record holding every subnet in use, and Terraform import blocks
 * (`adopt(id, { keep })`: network id, container id, as provider 3.6.2 imports them, and the arguments
 * the provider would read back with another value than the code's kept as ignore_changes) so the
 * first apply adopts the networks and containers instead of recreating or replacing them. What
 * docknet cannot express is listed in IMPORT.md, never dropped silently.
 */
import { Cidr } from '../core/address/cidr';
import { PLAN_RECORD_VERSION, serializePlanRecord } from '../core/address/record';
import { IPSEC_OVERHEAD, VXLAN_OVERHEAD } from '../core/facts/docker';
import { createHmac } from 'crypto';
import type { AdoptableArgument } from '../container/container';
import type { HostSnapshot } from './types';

export interface ImportHost {
  /** Host name in the generated code. */
  readonly name: string;
  /** Endpoint the generated provider uses (ssh://user@host[:port], tcp://host[:port] with TLS, or unix:///path). */
  readonly endpoint: string;
  /** For a tcp:// endpoint: the TLS folder (ca.pem, cert.pem, key.pem) the generated code names, as given. */
  readonly certPath?: string;
  readonly snapshot: HostSnapshot;
  /**
   * The host's sshd public keys ("type base64"), from known_hosts material the operator vouches for
   * (`--known-hosts`). None: the generated code gets a placeholder, listed as a to-do in IMPORT.md.
   */
  readonly hostKeys?: readonly string[];
}

export interface ImportOptions {
  readonly env: string;
  readonly hosts: ImportHost[];
  /** Module the generated code imports docknet from. @default "docknet" */
  readonly libImport?: string;
}

export interface ImportResult {
  /** File name -> content. */
  readonly files: Record<string, string>;
  /** "h1/network/app" -> id of each adopted object. */
  readonly adopted: Record<string, string>;
  /** "h1/container/web" -> the docker_container arguments its adopt() keeps as the host has them. */
  readonly kept: Record<string, string[]>;
  /** What docknet cannot express, one line each. */
  readonly notExpressed: string[];
  /** What the operator must do before the first apply (host keys to fill in), one line each. */
  readonly todo: string[];
}

/**
 * An all-zero ed25519 key: well-formed, so the generated project synthesizes, but no sshd has it, so
 * every ssh hop to a host still carrying it is refused (StrictHostKeyChecking=yes): fails closed.
 */
export const PLACEHOLDER_HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * The keys known_hosts text holds for host[:port], as ssh matches them: plain patterns (`host`,
 * `[host]:port`, comma lists) and hashed ones (`|1|salt|hmac`). Wildcards, negations and
 * @cert-authority lines are not host keys of this host and are skipped; @revoked keys are removed.
 */
export function hostKeysFromKnownHosts(text: string, host: string, port = 22): string[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const matches = (pattern: string) =>
    pattern.split(',').some((p) => {
      const h = /^\|1\|([^|]+)\|([^|]+)$/.exec(p);
      if (h) return createHmac('sha1', Buffer.from(h[1], 'base64')).update(name).digest('base64') === h[2];
      return p.toLowerCase() === name.toLowerCase();
    });
  const keys: string[] = [];
  const revoked = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    const marker = f[0].startsWith('@') ? f.shift() : undefined;
    if (f.length < 3 || !matches(f[0])) continue;
    const key = `${f[1]} ${f[2]}`;
    if (marker === '@revoked') revoked.add(key);
    else if (!marker && !keys.includes(key)) keys.push(key);
  }
  return keys.filter((k) => !revoked.has(k));
}

const PREDEFINED = new Set(['bridge', 'host', 'none', 'docker_gwbridge', 'ingress']);
const KNOWN_OPTIONS: Record<string, Set<string>> = {
  bridge: new Set(['com.docker.network.bridge.enable_icc', 'com.docker.network.driver.mtu']),
  macvlan: new Set(['parent', 'macvlan_mode']),
  overlay: new Set(['encrypted', 'com.docker.network.driver.mtu', 'com.docker.network.driver.overlay.vxlanid_list']),
};

/**
 * What provider 3.6.2 reads back after `terraform import` of a container, for each ForceNew argument
 * docknet does not write (resourceDockerContainerRead): non-empty means the adopted container
 * differs from the generated code there, so the argument is kept (ignore_changes) and listed.
 */
const READ_BACK_NOT_WRITTEN: { arg: AdoptableArgument; what: string; has: (c: Record<string, any>) => boolean }[] = [
  { arg: 'mounts', what: 'mounts', has: (c) => (c.HostConfig?.Mounts ?? []).length > 0 },
  { arg: 'privileged', what: 'privileged', has: (c) => c.HostConfig?.Privileged === true },
  { arg: 'capabilities', what: 'capabilities', has: (c) => (c.HostConfig?.CapAdd ?? []).length > 0 || (c.HostConfig?.CapDrop ?? []).length > 0 },
  { arg: 'tty', what: 'a TTY (-t)', has: (c) => c.Config?.Tty === true },
  { arg: 'stdin_open', what: 'stdin open (-i)', has: (c) => c.Config?.OpenStdin === true },
  { arg: 'host', what: 'extra /etc/hosts entries', has: (c) => (c.HostConfig?.ExtraHosts ?? []).length > 0 },
  { arg: 'read_only', what: 'a read-only root file system', has: (c) => c.HostConfig?.ReadonlyRootfs === true },
  { arg: 'sysctls', what: 'sysctls', has: (c) => Object.keys(c.HostConfig?.Sysctls ?? {}).length > 0 },
  { arg: 'log_opts', what: 'log options', has: (c) => Object.keys(c.HostConfig?.LogConfig?.Config ?? {}).length > 0 },
  { arg: 'dns_opts', what: 'DNS options', has: (c) => (c.HostConfig?.DnsOptions ?? []).length > 0 },
  { arg: 'dns_search', what: 'DNS search domains', has: (c) => (c.HostConfig?.DnsSearch ?? []).length > 0 },
  { arg: 'domainname', what: 'a domain name', has: (c) => !!c.Config?.Domainname },
  { arg: 'pid_mode', what: 'a PID mode', has: (c) => !!c.HostConfig?.PidMode },
  { arg: 'userns_mode', what: 'a user namespace mode', has: (c) => !!c.HostConfig?.UsernsMode },
  { arg: 'group_add', what: 'extra groups', has: (c) => (c.HostConfig?.GroupAdd ?? []).length > 0 },
  { arg: 'devices', what: 'devices', has: (c) => (c.HostConfig?.Devices ?? []).length > 0 },
  { arg: 'ulimit', what: 'ulimits', has: (c) => (c.HostConfig?.Ulimits ?? []).length > 0 },
];

/** A port list as the provider compares it: one "internal/protocol ip external" per binding. */
const portKeys = (ports: { internal: number; protocol: string; ip: string; external?: number }[]) =>
  ports.map((p) => `${p.internal}/${p.protocol} ${p.ip} ${p.external ?? '*'}`).sort();

/** The ports provider 3.6.2 reads back (flattenContainerPorts of NetworkSettings.Ports: every binding Docker made). */
function portsReadBack(c: Record<string, any>): string[] {
  const out: { internal: number; protocol: string; ip: string; external?: number }[] = [];
  for (const [key, bindings] of Object.entries((c.NetworkSettings?.Ports ?? {}) as Record<string, any[] | null>)) {
    const [port, proto] = key.split('/');
    for (const b of bindings ?? []) out.push({ internal: Number(port), protocol: proto, ip: b.HostIp ?? '', external: Number(b.HostPort) || 0 });
  }
  return portKeys(out);
}

const q = (s: string) => JSON.stringify(s);
const ident = (prefix: string, s: string) => `${prefix}_${s.replace(/[^A-Za-z0-9]/g, '_')}`;
const ipv4Cfg = (n: Record<string, any>) => (n.IPAM?.Config ?? []).find((c: any) => typeof c.Subnet === 'string' && !c.Subnet.includes(':'));
const cname = (c: Record<string, any>) => String(c.Name).replace(/^\//, '');

function connectionCode(endpoint: string, name: string, certPath?: string): string {
  const u = new URL(endpoint);
  if (u.protocol === 'unix:') return `HostConnection.unix(${q(u.pathname)})`;
  if (u.protocol === 'ssh:') {
    return `HostConnection.ssh({ user: ${q(decodeURIComponent(u.username || 'root'))}, host: ${q(u.hostname)}${u.port ? `, port: ${Number(u.port)}` : ''}, hostKey: v.hostKeys[${q(name)}] })`;
  }
  if (u.protocol === 'tcp:') {
    // The folder, never the key: the provider reads the files at plan time, nothing secret lands in the code.
    if (!certPath) throw new Error(`host "${name}": ${endpoint} is a TLS endpoint and no TLS folder was given. Pass --cert-path ${name}=<folder with ca.pem, cert.pem, key.pem>.`);
    const port = u.port && Number(u.port) !== 2376 ? `, port: ${Number(u.port)}` : '';
    return `HostConnection.tls({ host: ${q(u.hostname.replace(/^\[|\]$/g, ''))}${port}, certPath: ${q(certPath)} })`;
  }
  throw new Error(`host "${name}": docknet import writes ssh://, tcp:// (TLS) or unix:// hosts; "${endpoint}" is none of them.`);
}

/** Generates the project. Pure: snapshots in, files out. */
export function generateImport(opts: ImportOptions): ImportResult {
  const lib = opts.libImport ?? 'docknet';
  const notes: string[] = [];
  const adopted: Record<string, string> = {};
  const pools = new Map<string, string>(); // pool name -> cidr
  const record: Record<string, Record<string, string>> = {};
  const body: string[] = [];
  const networkVar = new Map<string, string>(); // "host/network" (or "swarm/network" for overlays) -> variable
  const used = new Set<string>();
  const keptArgs: Record<string, string[]> = {}; // "h1/container/web" -> the arguments its adopt() keeps

  const todo: string[] = [];
  const hostKeys: Record<string, readonly string[] | undefined> = {};
  for (const h of opts.hosts) {
    if (!h.endpoint.startsWith('ssh://')) continue;
    if (h.hostKeys?.length) hostKeys[h.name] = h.hostKeys;
    else {
      hostKeys[h.name] = undefined;
      todo.push(`${h.name}: host key is a placeholder (PLACEHOLDER_HOST_KEY in ${opts.env}.ts): no known_hosts entry for ${new URL(h.endpoint).host} was given. Replace it with the host's sshd key (\`ssh-keyscan -t ed25519 <host>\`, fingerprint checked on its console) or re-run the import with --known-hosts; until then every ssh hop to it is refused`);
    }
  }

  const manager = opts.hosts.find((h) => h.snapshot.info.Swarm?.ControlAvailable === true);
  const swarm = manager?.snapshot.info.Swarm?.Cluster;

  /** A pooled subnet: the /16 around it is a pool, and the record keeps this block for this key. */
  const pooled = (cidr: string, key: string): string => {
    const c = Cidr.parse(cidr);
    const wide = c.family === 4 && c.prefix >= 16 ? Cidr.of(4, c.start, 16) : c;
    const pool = `imported-${wide.toString().replace(/[./:]/g, '-')}`;
    pools.set(pool, wide.toString());
    (record[pool] ??= {})[`${opts.env}/${key}`] = c.toString();
    return `Subnet.fromPool(${q(pool)}, ${c.prefix}, ${q(key)})`;
  };

  for (const h of opts.hosts) {
    const s = h.snapshot;
    const hv = ident('host', h.name);
    const state = s.info.Swarm?.LocalNodeState;
    const role = state === 'active' ? (s.info.Swarm.ControlAvailable ? 'MANAGER' : 'WORKER') : undefined;
    const ssh = h.endpoint.startsWith('ssh://');
    if (role && !ssh) notes.push(`${h.name}: swarm ${role.toLowerCase()} not declared: docknet manages swarm membership over ssh, and this host was imported over ${h.endpoint}`);
    const parents = new Set<string>();
    for (const n of s.networks) if (n.Driver === 'macvlan' && n.Options?.parent) parents.add(String(n.Options.parent).split('.')[0]);
    const addr = s.info.Swarm?.NodeAddr as string | undefined;
    const ifaces = [...parents].map((p) => {
      const lan = s.networks.find((n) => n.Driver === 'macvlan' && String(n.Options?.parent).split('.')[0] === p);
      const cfg = lan && ipv4Cfg(lan);
      const inLan = addr && cfg && Cidr.parse(cfg.Subnet).contains(addr);
      return `${q(p)}: {${inLan ? ` address: ${q(`${addr}/${String(cfg.Subnet).split('/')[1]}`)} ` : ''}}`;
    });
    body.push(
      `  const ${hv} = env.addHost(${q(h.name)}, {`,
      `    connection: ${connectionCode(h.endpoint, h.name, h.certPath)},`,
      ...(ifaces.length ? [`    interfaces: { ${ifaces.join(', ')} },`] : []),
      ...(role && ssh ? [`    swarmRole: SwarmRole.${role},`, ...(addr ? [`    swarmAdvertiseAddress: ${q(addr)},`] : [])] : []),
      '  });',
    );
    // The daemon's settings are read back (bip, MTU) but not declared: docknet would then own
    // daemon.json and replace the host's file, dropping keys the Engine API does not show.
    const bridge = s.networks.find((n) => n.Name === 'bridge');
    const bcfg = bridge && ipv4Cfg(bridge);
    const mtu = bridge?.Options?.['com.docker.network.driver.mtu'];
    // (Docker does not always report the default bridge's gateway.)
    const settings = [
      bcfg && bcfg.Subnet !== '172.17.0.0/16' ? (bcfg.Gateway ? `bip ${bcfg.Gateway}/${String(bcfg.Subnet).split('/')[1]}` : `default bridge ${bcfg.Subnet}`) : '',
      mtu && mtu !== '1500' ? `mtu ${mtu}` : '',
    ].filter(Boolean);
    if (settings.length) {
      notes.push(`${h.name}: daemon settings in use (${settings.join(', ')}) not declared: docknet would own daemon.json and replace the host's file; copy the host's /etc/docker/daemon.json into \`daemon\` (and \`extra\`) first`);
    }

    if (s.networks.some((n) => n.Driver === 'macvlan')) {
      notes.push(`${h.name}: a macvlan shim (a host interface, not an Engine API object) cannot be seen: if ${h.name} reaches its own macvlan containers, add host.addMacvlanShim(...) with the shim's address`);
    }
    // Networks (by name, for a stable file): overlays once, from the manager.
    for (const n of [...s.networks].sort((a, b) => (String(a.Name) < String(b.Name) ? -1 : 1))) {
      const name = String(n.Name);
      if (PREDEFINED.has(name) || n.Ingress) continue;
      if (n.Driver === 'overlay' && (h !== manager || networkVar.has(`swarm/${name}`))) continue;
      const where = `${h.name}: network ${name}`;
      const cfg = ipv4Cfg(n);
      const extra: string[] = [];
      for (const k of Object.keys(n.Options ?? {})) if (!KNOWN_OPTIONS[n.Driver]?.has(k)) extra.push(`option ${k}=${n.Options[k]}`);
      for (const [k, v] of Object.entries(n.Labels ?? {})) if (k !== 'managed-by') extra.push(`label ${k}=${v}`);
      if (n.EnableIPv6) extra.push('IPv6');
      if (n.IPAM?.Driver && n.IPAM.Driver !== 'default') extra.push(`IPAM driver ${n.IPAM.Driver}`);
      if (!['bridge', 'macvlan', 'overlay'].includes(n.Driver) || !cfg) {
        notes.push(`${where} (driver ${n.Driver}${cfg ? '' : ', no IPv4 subnet'}) not imported: docknet import writes bridge, macvlan and overlay networks with an IPv4 subnet`);
        continue;
      }
      if (extra.length) notes.push(`${where}: not expressed: ${extra.join(', ')}`);
      // docknet writes these options always; a network made without them behaves the same (verify
      // agrees), but provider 3.6.2 compares options literally and has no update for networks.
      const implicit = n.Driver === 'macvlan' ? ['macvlan_mode'] : n.Driver === 'overlay' ? ['com.docker.network.driver.mtu'] : [];
      const missing = implicit.filter((k) => n.Options?.[k] === undefined);
      if (missing.length) {
        notes.push(`${where}: has no ${missing.join(', ')} option (Docker's default applies, the same behaviour); docknet writes it explicitly, so the network's options are kept as the host has them (Terraform ignores them, docknet verify compares them); a replacement writes it`);
      }
      // What the code's docker_network says: the options the library writes for the props below,
      // and its label. Provider 3.6.2 reads both back literally after the import (ForceNew, and a
      // network has no update): where the host has others, they are kept (ignore_changes).
      const writtenOptions: Record<string, string> = {};
      if (n.Driver === 'macvlan') Object.assign(writtenOptions, { parent: String(n.Options?.parent ?? 'eth0'), macvlan_mode: String(n.Options?.macvlan_mode ?? 'bridge') });
      if (n.Driver === 'overlay') {
        writtenOptions['com.docker.network.driver.mtu'] = String(n.Options?.['com.docker.network.driver.mtu'] ?? '(docknet default)');
        if (n.Options?.encrypted !== undefined) writtenOptions.encrypted = 'true';
      }
      if (n.Driver === 'bridge') {
        if (n.Options?.['com.docker.network.bridge.enable_icc'] === 'false') writtenOptions['com.docker.network.bridge.enable_icc'] = 'false';
        if (n.Options?.['com.docker.network.driver.mtu']) writtenOptions['com.docker.network.driver.mtu'] = String(n.Options['com.docker.network.driver.mtu']);
      }
      const sameMap = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(sortKeys(a as Record<string, string>)) === JSON.stringify(sortKeys(b as Record<string, string>));
      // `docker network create --subnet X` without --gateway stores no gateway (Docker still gives the
      // network the subnet's first address); the code writes that address, and provider 3.6.2 reads
      // ipam_config back without it: kept, or the first plan would replace the network.
      const noStoredGateway = (n.IPAM?.Config ?? []).some((c: any) => typeof c.Subnet === 'string' && !c.Gateway);
      if (noStoredGateway) notes.push(`${where}: Docker stored no gateway (created with --subnet and no --gateway; the subnet's first address serves); the code writes that address, so the network's ipam_config is kept as the host has it (docknet verify compares it)`);
      const netKeep = [
        ...(noStoredGateway ? ['ipam_config'] : []),
        ...(sameMap(n.Labels ?? {}, { 'managed-by': 'docknet' }) ? [] : ['labels']),
        ...(sameMap(n.Options ?? {}, writtenOptions) ? [] : ['options']),
      ].sort();
      const v = ident(n.Driver === 'overlay' ? 'overlay' : 'net', `${h.name}_${name}`);
      const common = [`name: ${q(name)}`];
      const props: string[] = [];
      if (n.Driver === 'macvlan') {
        const parent = String(n.Options?.parent ?? 'eth0');
        const vlan = /^(.+)\.(\d+)$/.exec(parent);
        props.push(`parent: ${vlan ? `ParentInterface.vlan(${q(vlan[1])}, ${vlan[2]})` : `ParentInterface.of(${q(parent)})`}`);
        if (n.Options?.macvlan_mode && n.Options.macvlan_mode !== 'bridge') props.push(`mode: MacvlanMode.${String(n.Options.macvlan_mode).toUpperCase()}`);
        props.push(`subnet: Subnet.cidr(${q(cfg.Subnet)})`);
      } else if (n.Driver === 'overlay' && (swarm?.DefaultAddrPool ?? []).some((p: string) => Cidr.parse(p).contains(cfg.Subnet))) {
        // Drawn from the swarm's own pool, which the environment declares: no pool of its own.
        props.push(`subnet: Subnet.cidr(${q(cfg.Subnet)})`);
      } else {
        props.push(`subnet: ${pooled(cfg.Subnet, `${n.Driver === 'overlay' ? 'swarm' : h.name}/${name}`)}`);
      }
      if (cfg.Gateway) props.push(`gateway: ${q(cfg.Gateway)}`);
      if (cfg.IPRange) props.push(`ipRange: ${q(cfg.IPRange)}`);
      if (cfg.AuxiliaryAddresses && Object.keys(cfg.AuxiliaryAddresses).length) props.push(`auxAddresses: ${JSON.stringify(cfg.AuxiliaryAddresses)}`);
      const m = n.Options?.['com.docker.network.driver.mtu'];
      if (n.Driver === 'bridge') {
        if (n.Internal) props.push('internal: true');
        if (n.Options?.['com.docker.network.bridge.enable_icc'] === 'false') props.push('icc: false');
        if (m) props.push(`mtu: ${Number(m)}`);
        if (n.Attachable) notes.push(`${where}: attachable flag not expressed (docknet bridges are not attachable)`);
      }
      if (n.Driver === 'overlay') {
        props.push(`attachable: ${n.Attachable === true}`);
        const encrypted = n.Options?.encrypted !== undefined;
        if (encrypted) props.push('encrypted: true');
        // The option is the underlay MTU Docker subtracts VXLAN (and IPsec) from; docknet's mtu is what the containers get.
        if (m) props.push(`mtu: ${Number(m) - VXLAN_OVERHEAD - (encrypted ? IPSEC_OVERHEAD : 0)}`);
        if (n.Internal) notes.push(`${where}: internal flag not expressed for overlays`);
      }
      if (n.Driver === 'macvlan' && n.Internal) notes.push(`${where}: internal flag not expressed for macvlan`);
      const method = n.Driver === 'bridge' ? 'addBridgeNetwork' : n.Driver === 'macvlan' ? 'addMacvlanNetwork' : 'addOverlayNetwork';
      body.push(`  const ${v} = ${hv}.${method}(${q(name)}, { ${[...common, ...props].join(', ')} });`);
      const key = `${h.name}/network/${name}`;
      body.push(`  ${v}.adopt(v.ids[${q(key)}]${netKeep.length ? `, { keep: ${JSON.stringify(netKeep)} }` : ''});`);
      adopted[key] = String(n.Id);
      if (netKeep.length) keptArgs[key] = netKeep;
      networkVar.set(n.Driver === 'overlay' ? `swarm/${name}` : `${h.name}/${name}`, v);
      used.add(v);
    }
  }

  // Containers, after every network (overlays attach across hosts); container:<other> after <other>.
  for (const h of opts.hosts) {
    const s = h.snapshot;
    const hv = ident('host', h.name);
    const byId = new Map(s.containers.map((c) => [String(c.Id), c]));
    const done = new Map<string, string>();
    const pending = s.containers.filter((c) => !cname(c).startsWith('docknet-probe-')).sort((a, b) => (cname(a) < cname(b) ? -1 : 1));
    const emit = (c: Record<string, any>, stack: Set<string>): string | undefined => {
      const name = cname(c);
      if (done.has(name)) return done.get(name);
      const where = `${h.name}: container ${name}`;
      const task = c.Config?.Labels?.['com.docker.swarm.service.name'];
      if (task) {
        notes.push(`${where}: a task of swarm service ${task}: services are not imported (declare it with manager.addService)`);
        return undefined;
      }
      const image = s.images.find((i) => i.Id === c.Image)?.RepoTags[0];
      if (!image) {
        notes.push(`${where} not imported: its image ${String(c.Image).slice(0, 19)} has no tag to name it by`);
        return undefined;
      }
      const props = [`name: ${q(name)}`, `image: ${q(image)}`];
      if (c.Config?.Cmd?.length) props.push(`command: ${JSON.stringify(c.Config.Cmd)}`);
      const lost: string[] = [];
      if (c.Config?.Entrypoint?.length) lost.push(`entrypoint ${JSON.stringify(c.Config.Entrypoint)}`);
      if ((c.Mounts ?? []).length) lost.push(`${c.Mounts.length} mount(s)`);
      // docknet writes a restart policy always (unless-stopped by default) and the provider updates
      // it in place: the host's own is written, so the first apply leaves it.
      const restart = String(c.HostConfig?.RestartPolicy?.Name || 'no');
      const retries = Number(c.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0);
      props.push(`restartPolicy: ${restart === 'unless-stopped' ? 'RestartPolicy.unlessStopped()' : restart === 'always' ? 'RestartPolicy.always()' : restart === 'on-failure' ? `RestartPolicy.onFailure(${retries})` : 'RestartPolicy.no()'}`);
      const env = (c.Config?.Env ?? []).filter((e: string) => !e.startsWith('PATH='));
      if (env.length) lost.push(`environment ${env.map((e: string) => e.split('=')[0]).join(', ')}`);
      // Arguments the provider reads back after the import with another value than the code's:
      // kept as the host has them (ignore_changes), each a replacement otherwise.
      const keep = new Set<AdoptableArgument>(['image']); // the code runs the image by id, through a docker_image created by the first apply
      const kept: string[] = [];
      for (const r of READ_BACK_NOT_WRITTEN) {
        if (!r.has(c)) continue;
        keep.add(r.arg);
        kept.push(r.arg === 'capabilities' ? `capabilities ${[...(c.HostConfig.CapAdd ?? []), ...(c.HostConfig.CapDrop ?? []).map((x: string) => `-${x}`)].join(', ')}` : r.what);
      }
      const dns = c.HostConfig?.Dns ?? [];
      if (dns.length) props.push(`dns: ${JSON.stringify(dns)}`);
      const mode = String(c.HostConfig?.NetworkMode ?? 'default');
      const nets = Object.entries((c.NetworkSettings?.Networks ?? {}) as Record<string, any>);
      if (mode === 'host' || mode === 'none') {
        props.push(`networkMode: NetworkMode.${mode}()`);
      } else if (mode.startsWith('container:')) {
        const other = byId.get(mode.slice('container:'.length)) ?? s.containers.find((x) => String(x.Id).startsWith(mode.slice(10)));
        const ov = other && !stack.has(cname(other)) ? emit(other, new Set([...stack, name])) : undefined;
        if (!ov) {
          notes.push(`${where} not imported: it shares the network of a container docknet cannot import`);
          return undefined;
        }
        props.push(`networkMode: NetworkMode.container(${ov})`);
        // The code writes container:<the other's id>; Docker keeps what it was given (a name, if so).
        if (mode !== `container:${other!.Id}`) keep.add('network_mode');
      } else {
        // The code writes network_mode "bridge" (provider 3.6.2 creates the container there, then
        // connects its networks: the only way a static address holds, issue #521). Docker reports
        // "default" for a plain `docker run` and the network's name for `--network <name>`, and the
        // provider reads that back literally: kept, so the first apply does not replace it.
        if (mode !== 'bridge') keep.add('network_mode');
        const attach: string[] = [];
        const user = nets.filter(([n]) => n !== 'bridge');
        if (user.length && nets.some(([n]) => n === 'bridge')) notes.push(`${where}: its attachment to the default bridge is not expressed (docknet containers with networks leave the default bridge)`);
        for (const [n, ep] of user) {
          const nv = networkVar.get(`${h.name}/${n}`) ?? networkVar.get(`swarm/${n}`);
          if (!nv) {
            notes.push(`${where}: attachment to network ${n} not expressed (the network is not imported)`);
            continue;
          }
          const aliases = (ep.Aliases ?? []).filter((a: string) => !String(c.Id).startsWith(a) && a !== name);
          const parts = [`network: ${nv}`];
          if (ep.IPAMConfig?.IPv4Address) parts.push(`ipv4Address: ${q(ep.IPAMConfig.IPv4Address)}`);
          if (aliases.length) parts.push(`aliases: ${JSON.stringify(aliases)}`);
          attach.push(`{ ${parts.join(', ')} }`);
        }
        if (attach.length) props.push(`networks: [${attach.join(', ')}]`);
        // The provider never reads networks_advanced back: after the import it is empty.
        if (attach.length) keep.add('networks_advanced');
        const ports: string[] = [];
        const written: { internal: number; protocol: string; ip: string; external?: number }[] = [];
        for (const [key, bindings] of Object.entries((c.HostConfig?.PortBindings ?? {}) as Record<string, any[] | null>).sort()) {
          const [port, proto] = key.split('/');
          for (const b of bindings ?? []) {
            const o = [b.HostPort ? `hostPort: ${Number(b.HostPort)}` : '', b.HostIp && b.HostIp !== '0.0.0.0' ? `hostIp: ${q(b.HostIp)}` : ''].filter(Boolean);
            ports.push(`Port.${proto === 'udp' ? 'udp' : 'tcp'}(${Number(port)}${o.length ? `, { ${o.join(', ')} }` : ''})`);
            written.push({ internal: Number(port), protocol: proto === 'udp' ? 'udp' : 'tcp', ip: b.HostIp || '0.0.0.0', ...(b.HostPort ? { external: Number(b.HostPort) } : {}) });
          }
        }
        if (ports.length) props.push(`ports: [${ports.join(', ')}]`);
        // A port without a host port is "any" in the code and the provider takes what it reads.
        const readBack = portsReadBack(c);
        const unmatched = [...readBack];
        const matched = portKeys(written).filter((k) => {
          const i = unmatched.findIndex((r) => (k.endsWith(' *') ? r.startsWith(k.slice(0, -1)) : r === k));
          return i >= 0 && unmatched.splice(i, 1).length === 1;
        });
        if (unmatched.length || matched.length !== written.length) {
          keep.add('ports');
          if (written.length) kept.push(`port bindings as Docker made them (${readBack.join(', ') || 'none while stopped'})`);
        }
      }
      if (lost.length) notes.push(`${where}: not expressed: ${lost.join(', ')}`);
      if (kept.length) notes.push(`${where}: not expressed, kept on the host as it is (Terraform ignores ${[...keep].filter((k) => k !== 'image' && k !== 'network_mode' && k !== 'networks_advanced').sort().join(', ')}; a replacement drops it): ${kept.join(', ')}`);
      const v = ident('ctr', `${h.name}_${name}`);
      body.push(`  const ${v} = ${hv}.addContainer(${q(name)}, { ${props.join(', ')} });`);
      const key = `${h.name}/container/${name}`;
      body.push(`  ${v}.adopt(v.ids[${q(key)}], { keep: ${JSON.stringify([...keep].sort())} });`);
      adopted[key] = String(c.Id);
      keptArgs[key] = [...keep].sort();
      done.set(name, v);
      return v;
    };
    for (const c of pending) emit(c, new Set([cname(c)]));
  }

  const envConst = ident('values', opts.env);
  const swarmOpt = swarm?.DefaultAddrPool?.length && manager?.endpoint.startsWith('ssh://')
    ? `, {\n    swarm: { defaultAddrPools: [${swarm.DefaultAddrPool.map((p: string) => `Subnet.cidr(${q(p)})`).join(', ')}], defaultAddrPoolMaskLength: ${swarm.SubnetSize ?? 24} },\n  }`
    : '';
  const topology = [
    `// Generated by \`docknet import\` from ${opts.hosts.length} host(s). The topology, once; values in ${opts.env}.ts.`,
    '// What docknet could not express is listed in IMPORT.md.',
    `import { DocknetApp, DocknetEnvironment, HostConnection, MacvlanMode, NetworkMode, ParentInterface, Port, RestartPolicy, Subnet, SwarmRole } from ${q(lib)};`,
    "import { ImportedValues } from './values';",
    '',
    '// Keeps every import in use whatever the hosts held (noUnusedLocals).',
    'void [MacvlanMode, NetworkMode, ParentInterface, Port, RestartPolicy, Subnet, SwarmRole, HostConnection];',
    '',
    'export function buildEnvironment(app: DocknetApp, v: ImportedValues): DocknetEnvironment {',
    `  const env = new DocknetEnvironment(app, v.environment${swarmOpt});`,
    ...[...pools].sort().map(([p, c]) => `  env.addPool(${q(p)}, { cidr: ${q(c)}, purpose: 'imported: subnets in use' });`),
    ...body,
    '  return env;',
    '}',
    '',
  ].join('\n');
  const values = [
    '/** What differs per environment: where the hosts are and the ids of the objects adopted by the first apply. */',
    'export interface ImportedValues {',
    '  readonly environment: string;',
    '  /** "<host>/network/<name>" or "<host>/container/<name>" -> Docker id (the provider\'s import id). */',
    '  readonly ids: Record<string, string>;',
    '  /** ssh host -> its sshd public key(s), checked on every ssh hop. */',
    '  readonly hostKeys: Record<string, string | string[]>;',
    '}',
    '',
    '/** Well-formed but no sshd has it: a host still carrying it is refused on every ssh hop. REPLACE it (IMPORT.md). */',
    `export const PLACEHOLDER_HOST_KEY = ${q(PLACEHOLDER_HOST_KEY)};`,
    '',
  ].join('\n');
  const keyLines = Object.keys(hostKeys).map((n) => {
    const k = hostKeys[n];
    return k ? `    ${q(n)}: ${k.length === 1 ? q(k[0]) : JSON.stringify(k)},` : `    ${q(n)}: PLACEHOLDER_HOST_KEY, // TO DO: the host's real key (IMPORT.md)`;
  });
  const valuesJson = JSON.stringify({ environment: opts.env, ids: sortKeys(adopted) }, null, 2);
  const envFile = [
    `import { ImportedValues${todo.length ? ', PLACEHOLDER_HOST_KEY' : ''} } from './values';`,
    '',
    `export const ${envConst}: ImportedValues = ${valuesJson.slice(0, -2)},`,
    '  "hostKeys": {',
    ...keyLines,
    '  },',
    '};',
    '',
  ].join('\n');
  const main = [
    `import { DocknetApp } from ${q(lib)};`,
    "import { buildEnvironment } from './topology';",
    `import { ${envConst} } from './${opts.env}';`,
    '',
    'const app = new DocknetApp();',
    `buildEnvironment(app, ${envConst});`,
    'app.synth();',
    '',
  ].join('\n');
  const plan = serializePlanRecord({ version: PLAN_RECORD_VERSION, environments: { [opts.env]: { pools: record, lanRanges: {} } } });
  const md = [
    `# docknet import: ${opts.env}`,
    '',
    `Hosts: ${opts.hosts.map((h) => `${h.name} (${h.endpoint})`).join(', ')}.`,
    '',
    `Adopted by the first apply (Terraform import blocks, id = the Docker id): ${Object.keys(adopted).length}.`,
    '',
    ...Object.keys(adopted).sort().map((k) => `- ${k}: \`${adopted[k].slice(0, 12)}\`${keptArgs[k]?.length ? ` (kept as the host has it: ${keptArgs[k].join(', ')})` : ''}`),
    '',
    'Kept arguments are Terraform `ignore_changes`: provider 3.6.2 reads them back after the import with another value than the code writes (a container\'s image by tag, `network_mode` "default" or the network\'s name for a container started with `--network <name>`, `networks_advanced` never; a network\'s labels and the options Docker keeps), and each would replace the object. `docknet verify` still compares them with the code; to change one, apply with `-replace=`.',
    '',
    ...(todo.length ? [`## To do before the first apply (${todo.length})`, '', ...todo.map((t) => `- ${t}`), ''] : []),
    `## Not expressed (${notes.length})`,
    '',
    ...(notes.length ? notes.map((n) => `- ${n}`) : ['Nothing: everything found is in the generated code.']),
    '',
  ].join('\n');
  return {
    files: { 'cdktf.json': JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts', projectId: `docknet-import-${opts.env}`, sendCrashReports: 'false' }, null, 2) + '\n', 'topology.ts': topology, 'values.ts': values, [`${opts.env}.ts`]: envFile, 'main.ts': main, 'docknet.plan.json': plan, 'IMPORT.md': md },
    adopted,
    kept: keptArgs,
    notExpressed: notes,
    todo,
  };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
