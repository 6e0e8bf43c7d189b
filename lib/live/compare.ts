/**
 * Compares live hosts (Engine API snapshots) with the environment's model. Pure: no I/O, so the
 * rules are tested on snapshots recorded from the lab. Only what the model declares is compared;
 * what Docker fills in by itself (a gateway nobody declared, the aliases Docker adds) is not drift.
 */
import { Cidr, IpAddress } from '../core/address/cidr';
import { BRIDGE_OPTIONS } from '../core/daemon/daemon-readback';
import { ContainerModel, DocknetModel, HostModel, NetworkModel, ResourceAddressModel, SwarmRoleName } from '../core/model';
import { formatValue, mdCode, jsonEqual } from '../report/text';
import { checkWithEvidence, evidenceDescription } from './daemon-evidence';
import { DriftKind, Expectation, Finding, HostSnapshot, ObjectKind, Remedy, RemedyAction } from './types';

export type { Expectation } from './types';


/**
 * Driver options an absent key means, per driver: a network made by hand without them behaves the
 * same, so it is not drift on the host (docknet import notes that Terraform compares literally).
 */
export const DOCKER_OPTION_DEFAULTS: Record<string, Record<string, string>> = {
  bridge: { 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.driver.mtu': '1500' },
  macvlan: { macvlan_mode: 'bridge' },
  ipvlan: { ipvlan_mode: 'l2' },
  // libnetwork's overlay takes 1500 as the underlay MTU when none is given.
  overlay: { 'com.docker.network.driver.mtu': '1500' },
};

/** Networks every daemon has by itself. */
const PREDEFINED_NETWORKS = new Set(['bridge', 'host', 'none', 'docker_gwbridge', 'ingress']);
const MANAGED_LABEL = 'managed-by';

/**
 * The default bridge's options that daemon.json keys set, parsed into daemon.json's types. Option
 * names and defaults come from the settings gate's mapping (one table for both).
 */
const BRIDGE_OPTION_KEYS: Record<string, { option: string; parse: (v: string | undefined) => unknown }> = Object.fromEntries(
  Object.entries(BRIDGE_OPTIONS).map(([key, o]) => {
    const parse = (v: string | undefined): unknown => {
      const text = v ?? o.dflt;
      if (o.dflt === 'true' || o.dflt === 'false') return text !== 'false';
      return /^\d+$/.test(o.dflt) ? Number(text) : text;
    };
    return [key, { option: o.option, parse }];
  }),
);

const tfAddress = (r: ResourceAddressModel) => `${r.type}.${r.logicalId}`;

function resourceOf(model: DocknetModel, kind: ResourceAddressModel['kind'], host: string, name: string, type?: string): ResourceAddressModel | undefined {
  return model.resources.find((r) => r.kind === kind && r.host === host && r.name === name && (type === undefined || r.type === type));
}

function replaceRemedy(resources: (ResourceAddressModel | undefined)[], why: string): Remedy {
  const rs = resources.filter((r): r is ResourceAddressModel => r !== undefined);
  const unique = [...new Map(rs.map((r) => [`${r.stack}|${tfAddress(r)}`, r])).values()];
  if (unique.length === 0) return { action: RemedyAction.CHANGE_CODE, text: `${why}; no Terraform resource of the model renders it: change the host or the code.` };
  const stack = unique[0].stack;
  const addresses = unique.filter((r) => r.stack === stack).map(tfAddress);
  const flags = addresses.map((a) => `-replace=${a}`).join(' ');
  return { action: RemedyAction.REPLACE, stack, addresses, text: `${why}: re-apply ${mdCode(stack)} with ${mdCode(`terraform apply ${flags}`)}` };
}

function reapplyRemedy(stack: string, why: string): Remedy {
  return { action: RemedyAction.REAPPLY, stack, text: `re-apply ${mdCode(stack)} (${mdCode('terraform apply')}): ${why}` };
}

function find(host: string, objectKind: ObjectKind, object: string, kind: DriftKind, attribute: string | undefined, expected: unknown, actual: unknown, remedy?: Remedy): Finding {
  const what = `${objectKind === 'daemon' ? 'daemon' : objectKind === 'swarm' ? 'swarm' : objectKind} ${mdCode(object)}`;
  let description: string;
  switch (kind) {
    case DriftKind.MISSING:
      description = `${what}${attribute ? ` ${attribute}` : ''} is missing on the host`;
      break;
    case DriftKind.UNEXPECTED:
    case DriftKind.UNMANAGED:
      description = `${what} is on the host but not in the code${attribute ? ` (${attribute})` : ''}`;
      break;
    case DriftKind.UNVERIFIED:
      description = `${what}: ${attribute} not reported by the Engine API, not verified`;
      break;
    default:
      description = `${what}: ${attribute ?? 'value'} is ${formatValue(actual)}, expected ${formatValue(expected)}`;
  }
  return { host, objectKind, object, kind, ...(attribute ? { attribute } : {}), ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}), description, ...(remedy ? { remedy } : {}) };
}

const containerName = (c: Record<string, any>): string => String(c.Name ?? '').replace(/^\//, '');

/**
 * HostConfig.NetworkMode as provider 3.6.2 reads it back into network_mode (literally: "default"
 * for a plain `docker run`, a network's name for `--network <name>`), with container:<id> named.
 */
function liveMode(c: Record<string, any>, byId: Map<string, string>): string {
  const m = String(c.HostConfig?.NetworkMode ?? 'default');
  if (m.startsWith('container:')) {
    const ref = m.slice('container:'.length);
    return `container:${byId.get(ref) ?? [...byId.entries()].find(([id]) => id.startsWith(ref))?.[1] ?? ref}`;
  }
  return m;
}

function ipv4Config(net: Record<string, any>): Record<string, any> | undefined {
  return (net.IPAM?.Config ?? []).find((c: any) => typeof c.Subnet === 'string' && !c.Subnet.includes(':'));
}

function ipv6Config(net: Record<string, any>): Record<string, any> | undefined {
  return (net.IPAM?.Config ?? []).find((c: any) => typeof c.Subnet === 'string' && c.Subnet.includes(':'));
}

/** An IPv6 address or subnet in one spelling (RFC 5952), so "2001:db8:0::1" equals "2001:db8::1"; anything else as given. */
function canonical6(v: unknown): unknown {
  if (typeof v !== 'string' || !v.includes(':')) return v || undefined;
  if (v.includes('/')) return Cidr.tryParse(v)?.toString() ?? v;
  try {
    return IpAddress.parse(v).toString();
  } catch {
    return v;
  }
}

/** Findings for everything the model places on one host. */
export function compareHost(exp: Expectation, hostName: string, snap: HostSnapshot): Finding[] {
  const { model } = exp;
  const host = model.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`host "${hostName}" is not in the model of environment ${model.environment}`);
  const networkStack = model.stacks.network;
  const out: Finding[] = [];
  const networksByPath = new Map(model.networks.map((n) => [n.path, n]));
  const containersByPath = new Map(model.containers.map((c) => [c.path, c]));
  const liveNets = new Map(snap.networks.map((n) => [String(n.Name), n]));
  const liveContainers = new Map(snap.containers.map((c) => [containerName(c), c]));
  const nameById = new Map(snap.containers.map((c) => [String(c.Id), containerName(c)]));
  const netRes = (n: NetworkModel) => resourceOf(model, 'network', n.host, n.name, 'docker_network');
  const ctrRes = (c: ContainerModel) => resourceOf(model, 'container', c.host, c.name, 'docker_container');
  const onNetwork = (n: NetworkModel) => model.containers.filter((c) => c.attachments.some((a) => a.network === n.path));

  // ---- networks this host's provider creates
  for (const n of model.networks.filter((x) => x.host === hostName)) {
    const live = liveNets.get(n.name);
    const dependents = onNetwork(n);
    if (!live) {
      const why = dependents.length
        ? `Terraform's refresh finds the network gone and creates it; its containers stay disconnected until replaced (${dependents.map((c) => mdCode(c.name)).join(', ')})`
        : "Terraform's refresh finds the network gone and creates it";
      out.push(find(hostName, 'network', n.name, DriftKind.MISSING, undefined, n.ipv4?.subnet ?? n.driver, undefined, reapplyRemedy(networkStack, why)));
      continue;
    }
    // A network has no update in the provider: any difference means replacing it and, with it, every container on it.
    const remedy = replaceRemedy([netRes(n), ...dependents.map(ctrRes)], 'the network differs from its declaration and the provider replaces networks (and their containers) as a whole');
    const attr = (attribute: string, expected: unknown, actual: unknown) => {
      if (!jsonEqual(expected, actual)) out.push(find(hostName, 'network', n.name, DriftKind.CHANGED, attribute, expected, actual, remedy));
    };
    attr('driver', n.driver, live.Driver);
    attr('internal flag', n.internal, live.Internal === true);
    attr('attachable flag', n.attachable, live.Attachable === true);
    attr('IPv6 flag', n.enableIpv6, live.EnableIPv6 === true);
    if (n.ipv4) {
      const cfg = ipv4Config(live) ?? {};
      attr('subnet', n.ipv4.subnet, cfg.Subnet);
      // An adopted network whose ipam_config is kept may have no stored gateway (created with
      // --subnet only): Docker then serves the subnet's first address.
      const served = !cfg.Gateway && n.adopted?.keep.includes('ipam_config') && typeof cfg.Subnet === 'string' ? Cidr.parse(cfg.Subnet).firstUsable.toString() : cfg.Gateway;
      if (n.ipv4.gateway) attr('gateway', n.ipv4.gateway, served);
      attr('IP range', n.ipv4.ipRange, cfg.IPRange || undefined);
      if (Object.keys(n.ipv4.auxAddresses).length) attr('aux addresses', n.ipv4.auxAddresses, cfg.AuxiliaryAddresses ?? {});
    }
    // With IPv6 off on the host the flag says it all (the network is replaced either way).
    if (n.enableIpv6 && n.ipv6 && live.EnableIPv6 === true) {
      const cfg6 = ipv6Config(live) ?? {};
      attr('IPv6 subnet', canonical6(n.ipv6.subnet), canonical6(cfg6.Subnet));
      if (n.ipv6.gateway) attr('IPv6 gateway', canonical6(n.ipv6.gateway), canonical6(cfg6.Gateway));
      if (n.ipv6.ipRange) attr('IPv6 range', canonical6(n.ipv6.ipRange), canonical6(cfg6.IPRange));
    }
    const r = netRes(n);
    const options = (r && exp.networkOptions.get(tfAddress(r))) ?? {};
    for (const [k, v] of Object.entries(options).sort()) attr(`driver option ${mdCode(k)}`, v, live.Options?.[k] ?? DOCKER_OPTION_DEFAULTS[n.driver]?.[k]);
  }

  // ---- networks on the host the model does not declare here
  const declaredHere = new Set(model.networks.filter((x) => x.host === hostName).map((x) => x.name));
  const overlays = new Set(model.networks.filter((x) => x.driver === 'overlay').map((x) => x.name));
  const planned = plannedRanges(model, host);
  for (const live of snap.networks) {
    const name = String(live.Name);
    if (PREDEFINED_NETWORKS.has(name) || live.Ingress === true || declaredHere.has(name)) continue;
    // A worker sees an overlay once a container of its own is attached: the manager creates it.
    if (live.Scope === 'swarm' && overlays.has(name)) continue;
    const subnets: string[] = (live.IPAM?.Config ?? []).map((c: any) => c.Subnet).filter((s: unknown): s is string => typeof s === 'string');
    if (live.Labels?.[MANAGED_LABEL] === 'docknet') {
      out.push(find(hostName, 'network', name, DriftKind.UNEXPECTED, `labelled ${MANAGED_LABEL}=docknet, left over from an earlier version of the code`, undefined, subnets,
        { action: RemedyAction.CHANGE_CODE, text: `Terraform no longer tracks it: remove it on the host (${mdCode(`docker network rm ${name}`)}) or declare it again` }));
      continue;
    }
    const clashes = overlapsOf(subnets, planned);
    if (clashes.length) {
      out.push(find(hostName, 'network', name, DriftKind.UNEXPECTED, `${subnets.join(', ')} overlaps the plan: ${clashes.join('; ')}`, undefined, subnets,
        { action: RemedyAction.CHANGE_CODE, text: `remove it on the host (${mdCode(`docker network rm ${name}`)}), or adopt it into the code (${mdCode('docknet import')}) so the plan accounts for its range` }));
    } else {
      out.push(find(hostName, 'network', name, DriftKind.UNMANAGED, subnets.length ? subnets.join(', ') : live.Driver, undefined, subnets));
    }
  }

  // ---- containers
  for (const c of model.containers.filter((x) => x.host === hostName)) {
    const live = liveContainers.get(c.name);
    const remedy = replaceRemedy([ctrRes(c)], "the provider never reads a container's networks back, so a plain apply does not see this");
    if (!live) {
      out.push(find(hostName, 'container', c.name, DriftKind.MISSING, undefined, 'running', undefined, reapplyRemedy(networkStack, "Terraform's refresh finds the container gone and creates it")));
      continue;
    }
    const changed = (attribute: string, expected: unknown, actual: unknown, r: Remedy = remedy) =>
      out.push(find(hostName, 'container', c.name, DriftKind.CHANGED, attribute, expected, actual, r));
    if (live.State?.Running !== true) {
      changed('state', 'running', live.State?.Status ?? 'unknown', replaceRemedy([ctrRes(c)], 'must_run containers are recreated'));
    }
    const imageIds = snap.images.filter((i) => i.RepoTags.includes(withTag(c.image))).map((i) => i.Id);
    if (imageIds.length && !imageIds.includes(String(live.Image))) {
      const tags = snap.images.find((i) => i.Id === live.Image)?.RepoTags ?? [];
      changed('image', c.image, tags[0] ?? String(live.Image).slice(0, 19));
    }
    // network_mode as the provider sees it: the code writes "bridge", "host", "none" or
    // container:<id>, and the provider reads HostConfig.NetworkMode back literally, so any other
    // value makes the next plan replace the container. An adopted container keeps the mode it was
    // started with (ignore_changes): "default", or one of its declared networks, is bridge mode there.
    const expectedMode = c.mode === 'container' ? `container:${containersByPath.get(c.sharesWith ?? '')?.name ?? c.sharesWith}` : c.mode;
    const rawMode = liveMode(live, nameById);
    const declaredNets = new Set(c.attachments.map((a) => networksByPath.get(a.network)?.name ?? a.network));
    const kept = c.adopted?.keep.includes('network_mode') === true;
    const mode = kept && c.mode === 'bridge' && (rawMode === 'default' || declaredNets.has(rawMode)) ? 'bridge' : rawMode;
    if (mode !== expectedMode) {
      changed('network mode', expectedMode, mode, kept ? remedy : reapplyRemedy(networkStack, "Terraform's refresh reads the network mode back and the plan replaces the container"));
    }
    if (c.mode === 'bridge' && mode === 'bridge') {
      const liveAttach: Record<string, any> = live.NetworkSettings?.Networks ?? {};
      const expected = c.attachments.length
        ? c.attachments.map((a) => ({ name: networksByPath.get(a.network)?.name ?? a.network, a }))
        : [{ name: 'bridge', a: undefined }];
      const expectedNames = new Set(expected.map((e) => e.name));
      for (const { name, a } of expected) {
        const l = liveAttach[name];
        const want = a ? { ...(a.ipv4Address ? { ipv4: a.ipv4Address } : {}), ...(a.ipv6Address ? { ipv6: a.ipv6Address } : {}), ...(a.aliases.length ? { aliases: a.aliases } : {}) } : 'connected';
        if (!l) {
          changed(`attachment to network ${mdCode(name)}`, Object.keys(want).length ? want : 'connected', 'not connected');
          continue;
        }
        if (a?.ipv4Address && l.IPAMConfig?.IPv4Address !== a.ipv4Address) changed(`IPv4 address on network ${mdCode(name)}`, a.ipv4Address, l.IPAMConfig?.IPv4Address ?? l.IPAddress);
        if (a?.ipv6Address && canonical6(l.IPAMConfig?.IPv6Address) !== canonical6(a.ipv6Address)) {
          changed(`IPv6 address on network ${mdCode(name)}`, a.ipv6Address, l.IPAMConfig?.IPv6Address || l.GlobalIPv6Address || 'none');
        }
        const aliases: string[] = l.Aliases ?? [];
        const lost = (a?.aliases ?? []).filter((x) => !aliases.includes(x));
        if (lost.length) changed(`aliases on network ${mdCode(name)}`, a!.aliases, aliases.filter((x) => !String(live.Id).startsWith(x) && x !== c.name));
      }
      for (const [name, l] of Object.entries(liveAttach).sort(([x], [y]) => (x < y ? -1 : 1))) {
        if (!expectedNames.has(name)) changed(`attachment to network ${mdCode(name)}`, 'not connected', l.IPAddress || 'connected');
      }
    }
    const wantPorts = new Map(c.ports.map((p) => [`${p.internal}/${p.protocol}`, p]));
    const livePorts: Record<string, { HostIp?: string; HostPort?: string }[] | null> = live.HostConfig?.PortBindings ?? {};
    for (const [key, p] of wantPorts) {
      const bindings = livePorts[key] ?? [];
      const ok = bindings.some((b) => (b.HostIp || '0.0.0.0') === p.hostIp && (p.external === undefined || Number(b.HostPort) === p.external));
      if (!ok) changed(`port ${key}`, `${p.hostIp}:${p.external ?? '(any)'}`, bindings.length ? bindings.map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`).join(', ') : 'not published');
    }
    for (const key of Object.keys(livePorts).sort()) {
      if (!wantPorts.has(key)) changed(`port ${key}`, 'not published', (livePorts[key] ?? []).map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`).join(', '));
    }
  }

  // ---- containers the model does not declare (swarm tasks of declared services included as theirs)
  const declaredContainers = new Set(model.containers.filter((x) => x.host === hostName).map((x) => x.name));
  const services = new Set((model.services ?? []).map((s) => s.name));
  for (const live of snap.containers) {
    const name = containerName(live);
    if (declaredContainers.has(name)) continue;
    const task = live.Config?.Labels?.['com.docker.swarm.service.name'];
    if (task && services.has(task)) continue;
    out.push(find(hostName, 'container', name, DriftKind.UNMANAGED, task ? `a task of swarm service ${mdCode(task)}` : String(live.Config?.Image ?? ''), undefined, live.State?.Status));
  }

  // ---- swarm services created through this host
  if (snap.services) {
    const liveServices = new Map(snap.services.map((s) => [String(s.Spec?.Name), s]));
    for (const s of (model.services ?? []).filter((x) => x.host === hostName)) {
      const live = liveServices.get(s.name);
      const res = resourceOf(model, 'service', s.host, s.name, 'docker_service');
      if (!live) {
        out.push(find(hostName, 'service', s.name, DriftKind.MISSING, undefined, `${s.replicas} replicas`, undefined, reapplyRemedy(networkStack, "Terraform's refresh finds the service gone and creates it")));
        continue;
      }
      const stack = res?.stack ?? networkStack;
      const svc = (attribute: string, expected: unknown, actual: unknown, why: string) =>
        out.push(find(hostName, 'service', s.name, DriftKind.CHANGED, attribute, expected, actual, reapplyRemedy(stack, why)));
      // The model's services are replicated; `docker service update --mode` cannot change it, but a service made again by hand can be global.
      if (live.Spec?.Mode?.Global !== undefined) svc('mode', `replicated (${s.replicas})`, 'global', "the provider reads the mode back and replaces the service");
      else {
        const replicas = live.Spec?.Mode?.Replicated?.Replicas;
        if (replicas !== s.replicas) svc('replicas', s.replicas, replicas, 'the provider reads replicas back and updates the service in place');
      }
      // Networks: the spec names them by id (the provider passes ids, and Docker resolves names to ids).
      const idToName = new Map(snap.networks.map((n) => [String(n.Id), String(n.Name)]));
      const svcNets = new Map<string, string[]>();
      for (const a of (live.Spec?.TaskTemplate?.Networks ?? live.Spec?.Networks ?? []) as { Target?: string; Aliases?: string[] }[]) {
        const target = String(a.Target ?? '');
        svcNets.set(idToName.get(target) ?? [...idToName].find(([id]) => id.startsWith(target))?.[1] ?? target, a.Aliases ?? []);
      }
      const why = "the provider reads a service's networks back: the plan updates or replaces the service";
      const declared = new Set<string>();
      for (const a of s.attachments) {
        const name = networksByPath.get(a.network)?.name ?? a.network;
        declared.add(name);
        const aliases = svcNets.get(name);
        if (!aliases) {
          svc(`attachment to network ${mdCode(name)}`, a.aliases.length ? { aliases: a.aliases } : 'attached', 'not attached', why);
          continue;
        }
        const lost = a.aliases.filter((x) => !aliases.includes(x));
        if (lost.length) svc(`aliases on network ${mdCode(name)}`, a.aliases, aliases, why);
      }
      for (const name of [...svcNets.keys()].sort()) {
        if (!declared.has(name)) svc(`attachment to network ${mdCode(name)}`, 'not attached', 'attached', why);
      }
    }
  }

  out.push(...compareDaemon(model, host, snap));
  out.push(...compareSwarmMembership(model, host, snap));
  return out;
}

function withTag(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  return image.includes('@') || image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

interface PlannedRange {
  readonly cidr: Cidr;
  readonly label: string;
}

/** Every range the plan gives out on or around this host: its networks, the overlays, its daemon ranges, the LAN segments and the pools. */
function plannedRanges(model: DocknetModel, host: HostModel): PlannedRange[] {
  const out: PlannedRange[] = [];
  const add = (cidr: string | undefined, label: string) => {
    const c = cidr ? Cidr.tryParse(cidr) : undefined;
    if (c) out.push({ cidr: c, label });
  };
  for (const n of model.networks) {
    if (n.host === host.name || n.driver === 'overlay') {
      add(n.ipv4?.subnet, `network ${mdCode(n.name)} ${n.ipv4?.subnet}`);
      add(n.ipv6?.subnet, `network ${mdCode(n.name)} ${n.ipv6?.subnet}`);
    }
  }
  for (const r of host.daemonRanges) add(r.cidr, `daemon ${r.label} ${r.cidr}`);
  for (const s of model.lanSegments) add(s.subnet, `LAN segment ${mdCode(s.name)} ${s.subnet}`);
  for (const p of model.pools) add(p.cidr, `pool ${mdCode(p.name)} ${p.cidr}`);
  for (const p of model.swarm?.defaultAddrPools ?? []) add(p, `swarm default-addr-pool ${p}`);
  return out;
}

function overlapsOf(subnets: string[], planned: PlannedRange[]): string[] {
  const out: string[] = [];
  for (const s of subnets) {
    const c = Cidr.tryParse(s);
    if (!c) continue;
    for (const p of planned) if (p.cidr.family === c.family && p.cidr.overlaps(c)) out.push(p.label);
  }
  return [...new Set(out)];
}

/** daemon.json keys the Engine API reports back, and those it does not. */
export const DAEMON_KEYS_READ_BACK = ['bip', 'fixed-cidr', 'mtu', 'icc', 'ip-masq', 'ip', 'bridge', 'ipv6', 'live-restore', 'default-address-pools'] as const;

/** The daemon's effective settings, read back from the default bridge and /info, in daemon.json's terms. */
export function observedDaemon(snap: HostSnapshot): Record<string, unknown> {
  const bridge = snap.networks.find((n) => n.Name === 'bridge');
  const out: Record<string, unknown> = {};
  if (bridge) {
    const cfg = ipv4Config(bridge);
    if (cfg?.Subnet && cfg.Gateway) out.bip = `${cfg.Gateway}/${String(cfg.Subnet).split('/')[1]}`;
    if (cfg) out['fixed-cidr'] = cfg.IPRange || undefined;
    for (const [key, o] of Object.entries(BRIDGE_OPTION_KEYS)) out[key] = o.parse(bridge.Options?.[o.option]);
    out.ipv6 = bridge.EnableIPv6 === true;
  }
  if (typeof snap.info.LiveRestoreEnabled === 'boolean') out['live-restore'] = snap.info.LiveRestoreEnabled;
  // Docker 23+ reports the pools in /info; older engines do not.
  if (Array.isArray(snap.info.DefaultAddressPools)) {
    out['default-address-pools'] = snap.info.DefaultAddressPools.map((p: any) => ({ base: p.Base, size: p.Size }));
  }
  return out;
}

function compareDaemon(model: DocknetModel, host: HostModel, snap: HostSnapshot): Finding[] {
  if (!host.daemon) return [];
  const observed = observedDaemon(snap);
  const rollout = model.resources.find((r) => r.kind === 'daemon' && r.host === host.name);
  const out: Finding[] = [];
  const unverified: string[] = [];
  const remedy = () => replaceRemedy([rollout], "the rollout only runs when the declared daemon.json changes, so an edit on the host is invisible to Terraform's plan");
  // Keys the Engine API does not report: checked through what Docker did with them, when it shows.
  const notReported = Object.fromEntries(Object.entries(host.daemon).filter(([k]) => !(k in observed)));
  const byEvidence = checkWithEvidence(notReported, snap.daemonEvidence, (key, expected, actual, evidence) => ({
    ...find(host.name, 'daemon', host.name, DriftKind.CHANGED, key, expected, actual, remedy()),
    description: evidenceDescription(host.name, key, expected, actual, evidence),
    evidence,
  }));
  out.push(...byEvidence.findings);
  for (const [key, why] of byEvidence.unverified) {
    out.push({ host: host.name, objectKind: 'daemon', object: host.name, kind: DriftKind.UNVERIFIED, attribute: key,
      description: `daemon ${mdCode(host.name)}: ${key} not reported by the Engine API, not verified: ${why}` });
  }
  for (const key of Object.keys(host.daemon).sort()) {
    const want = host.daemon[key];
    if (byEvidence.verified.has(key) || byEvidence.unverified.has(key)) continue;
    if (!(key in observed)) {
      unverified.push(key);
      continue;
    }
    const got = observed[key];
    if (!jsonEqual(want, got)) {
      out.push(find(host.name, 'daemon', host.name, DriftKind.CHANGED, key, want, got, remedy()));
    }
  }
  if (unverified.length) out.push(find(host.name, 'daemon', host.name, DriftKind.UNVERIFIED, unverified.join(', '), undefined, undefined));
  return out;
}

function liveRole(snap: HostSnapshot): SwarmRoleName | string {
  const s = snap.info.Swarm ?? {};
  if (s.LocalNodeState === 'inactive' || s.LocalNodeState === undefined) return 'none';
  if (s.LocalNodeState !== 'active') return `swarm state ${s.LocalNodeState}`;
  return s.ControlAvailable ? 'manager' : 'worker';
}

const ROLE_WORDS = (r: string) => (r === 'none' ? 'not in a swarm' : r);

function compareSwarmMembership(model: DocknetModel, host: HostModel, snap: HostSnapshot): Finding[] {
  const actual = liveRole(snap);
  if (actual === host.swarmRole) return [];
  const member = model.resources.find((r) => r.kind === 'swarm' && r.host === host.name);
  const remedy = host.swarmRole === 'none'
    ? { action: RemedyAction.CHANGE_CODE, text: `the code declares no swarm role: run ${mdCode('docker swarm leave')} on the host, or declare its role` }
    : replaceRemedy([member], `the swarm step runs only when its inputs change, so a plain plan does not see a node that left (${mdCode('bin/tf-stack.sh plan')} and ${mdCode('docknet swarm-replace <stack>')} add this replacement)`);
  return [find(host.name, 'swarm', host.name, DriftKind.CHANGED, 'membership', ROLE_WORDS(host.swarmRole), ROLE_WORDS(actual), remedy)];
}

/**
 * The swarm as a manager lists it: every node must be a model host, ready, in its declared role.
 * Nodes are matched by the id each host reports, else by address (a node that left leaves a Down
 * entry under its old id).
 */
export function compareSwarmNodes(model: DocknetModel, snaps: ReadonlyMap<string, HostSnapshot>): Finding[] {
  const managerName = model.hosts.find((h) => h.swarmRole === 'manager' && snaps.get(h.name)?.nodes)?.name;
  if (!managerName) return [];
  const nodes = snaps.get(managerName)!.nodes!;
  const idOf = new Map<string, string>();
  for (const [name, s] of snaps) if (s.info.Swarm?.NodeID) idOf.set(String(s.info.Swarm.NodeID), name);
  const byAddress = new Map<string, string>();
  for (const h of model.hosts) for (const i of h.interfaces) if (i.address) byAddress.set(i.address.split('/')[0], h.name);
  const out: Finding[] = [];
  for (const n of nodes) {
    const id = String(n.ID);
    const addr = String(n.Status?.Addr ?? '');
    const state = String(n.Status?.State ?? 'unknown');
    const role = String(n.Spec?.Role ?? 'worker');
    const current = idOf.get(id);
    const host = current ?? byAddress.get(addr);
    const hostModel = model.hosts.find((h) => h.name === host);
    const label = `node ${id.slice(0, 12)} (${n.Description?.Hostname ?? '?'}, ${addr || 'no address'})`;
    const rm = `on ${managerName}: ${mdCode(`docker node rm --force ${id}`)}`;
    if (!hostModel || hostModel.swarmRole === 'none') {
      out.push(find(managerName, 'swarm', label, DriftKind.UNEXPECTED, 'a swarm member the code does not declare', undefined, `${role}, ${state}`,
        { action: RemedyAction.CHANGE_CODE, text: `remove it (${rm}) or declare the host in the code` }));
      continue;
    }
    if (!current && !snaps.has(hostModel.name)) continue; // its host was not read: nothing to compare with
    if (!current) {
      // An entry of a host that left (or re-joined under a new id): the manager keeps it as Down.
      const member = model.resources.find((r) => r.kind === 'swarm' && r.host === hostModel.name);
      const rejoin = replaceRemedy([member], 'rejoin');
      const own = String(snaps.get(hostModel.name)!.info.Swarm?.NodeID || '');
      out.push(find(managerName, 'swarm', hostModel.name, DriftKind.CHANGED, 'stale node entry on the manager', own ? `only ${own.slice(0, 12)}, the id ${hostModel.name} reports` : `none (${hostModel.name} is not in a swarm)`, `${id.slice(0, 12)} (${state})`,
        { ...rejoin, action: RemedyAction.REPLACE, text: `remove the stale entry (${rm})${rejoin.action === RemedyAction.REPLACE ? `, then ${rejoin.text.replace(/^rejoin: /, '')}` : ''}` }));
      continue;
    }
    if (state !== 'ready') out.push(find(managerName, 'swarm', hostModel.name, DriftKind.CHANGED, 'node state on the manager', 'ready', state));
    if (role !== hostModel.swarmRole && liveRole(snaps.get(current)!) === hostModel.swarmRole) {
      out.push(find(managerName, 'swarm', hostModel.name, DriftKind.CHANGED, 'node role on the manager', hostModel.swarmRole, role));
    }
  }
  return out;
}
