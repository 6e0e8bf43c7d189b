/**
 * The topology report: one Markdown document per environment, rendered from the plain-data model
 * (lib/core/model.ts) at synth time and written next to the stack as docknet-report.md. It is meant to be
 * read in a PR comment and on GitHub, so everything is sorted (stable diffs between commits), every
 * name is escaped for Markdown tables and Mermaid, and Mermaid node ids come from construct paths.
 */
import { ContainerModel, HostModel, NetworkModel, ServiceModel, TopologyModel } from '../core/model';
import { formatProblem, Problem } from '../core/validation/problem';
import { mdCell, mdCode, mermaidId, mermaidLabel, stableStringify } from './text';
import { compareKeys } from '../core/address/record';

export interface ReportExtras {
  /**
   * daemon.json settings per host name, as written to the host.
   * @default no daemon settings section
   */
  readonly daemonSettings?: Record<string, Record<string, unknown>>;
  /**
   * Validation findings to list at the end (usually the warnings; errors stop synth earlier).
   * @default none
   */
  readonly warnings?: (Problem | string)[];
  /**
   * Level-1 heading.
   * @default "Topology <environment>"
   */
  readonly title?: string;
}

/** File name the report is written to, next to each stack's cdk.tf.json. */
export const REPORT_FILE = 'docknet-report.md';

const byName = <T extends { name: string }>(a: T, b: T) => compareKeys(a.name, b.name);
const byHostName = <T extends { host: string; name: string }>(a: T, b: T) => compareKeys(a.host, b.host) || compareKeys(a.name, b.name);

/** Renders the whole report. Pure: same model, same bytes. */
export function renderReport(model: TopologyModel, extras: ReportExtras = {}): string {
  const m = sortedModel(model);
  const services = m.services ?? [];
  const sections = [
    `# ${extras.title ?? `Topology ${mdCode(m.environment)}`}`,
    `${m.hosts.length} host${plural(m.hosts.length)}, ${m.networks.length} network${plural(m.networks.length)}, ${m.containers.length} container${plural(m.containers.length)}${services.length ? `, ${services.length} service${plural(services.length)}` : ''}.`,
    m.hosts.length || m.containers.length || services.length ? renderMermaid(m) : '',
    renderHosts(m),
    renderNetworks(m),
    renderContainers(m),
    renderServices(m),
    renderDaemonSettings(extras.daemonSettings),
    renderSwarm(m),
    renderAddressPlan(m),
    renderWarnings(extras.warnings),
  ];
  return sections.filter((s) => s !== '').join('\n\n') + '\n';
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function sortedModel(m: TopologyModel): TopologyModel {
  return {
    ...m,
    hosts: [...m.hosts].sort(byName),
    networks: [...m.networks].sort(byHostName),
    containers: [...m.containers].sort(byHostName),
    services: m.services ? [...m.services].sort(byName) : undefined,
    pools: [...m.pools].sort(byName),
    lanSegments: [...m.lanSegments].sort(byName),
  };
}

function table(header: string[], rows: (string | undefined)[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
}

/** Code spans joined by line breaks inside one table cell. */
function codes(values: (string | undefined)[]): string | undefined {
  const v = values.filter((x): x is string => !!x);
  return v.length ? v.map(mdCode).join('<br>') : undefined;
}

function renderHosts(m: TopologyModel): string {
  if (!m.hosts.length) return '## Hosts\n\nNo hosts.';
  const rows = m.hosts.map((h) => [
    mdCode(h.name),
    mdCode(h.endpoint),
    h.swarmRole,
    codes(h.interfaces.map((i) => [i.name, i.address, `mtu ${i.mtu}`, i.lan && `lan ${i.lan}`].filter(Boolean).join(' '))),
    codes(h.daemonRanges.map((r) => `${r.label} ${r.cidr}`)),
  ]);
  return `## Hosts\n\n${table(['Host', 'Endpoint', 'Swarm role', 'Interfaces', 'Daemon ranges'], rows)}`;
}

function networkOptions(n: NetworkModel): string[] {
  const o: string[] = [];
  if (n.parent) o.push(`parent=${n.parent}`);
  if (n.mode) o.push(`mode=${n.mode}`);
  if (n.mtu !== undefined) o.push(`mtu=${n.mtu}`);
  if (n.internal) o.push('internal');
  if (n.attachable) o.push('attachable');
  if (n.encrypted) o.push('encrypted');
  if (n.enableIpv6) o.push('ipv6');
  if (n.lan) o.push(`lan=${n.lan}`);
  for (const cfg of [n.ipv4, n.ipv6]) {
    for (const k of Object.keys(cfg?.auxAddresses ?? {}).sort()) o.push(`aux ${k}=${cfg!.auxAddresses[k]}`);
  }
  return o;
}

function networkRow(n: NetworkModel): (string | undefined)[] {
  return [
    mdCode(n.name),
    n.driver,
    codes([n.ipv4?.subnet, n.ipv6?.subnet]),
    codes([n.ipv4?.gateway, n.ipv6?.gateway]),
    codes([n.ipv4?.ipRange, n.ipv6?.ipRange]),
    codes(networkOptions(n)),
  ];
}

const NETWORK_HEADER = ['Network', 'Driver', 'Subnet', 'Gateway', 'IP range', 'Options'];

function renderNetworks(m: TopologyModel): string {
  const parts = ['## Networks'];
  const local = m.networks.filter((n) => n.driver !== 'overlay');
  const overlays = m.networks.filter((n) => n.driver === 'overlay');
  for (const host of [...new Set(local.map((n) => n.host))]) {
    parts.push(`### Host ${mdCode(host)}\n\n${table(NETWORK_HEADER, local.filter((n) => n.host === host).map(networkRow))}`);
  }
  if (overlays.length) {
    parts.push(`### Overlay networks (span the swarm)\n\n${table([...NETWORK_HEADER, 'Created via'], overlays.map((n) => [...networkRow(n), mdCode(n.host)]))}`);
  }
  if (!m.networks.length) parts.push('No networks.');
  return parts.join('\n\n');
}

function modeOf(c: ContainerModel, containersByPath: Map<string, ContainerModel>): string {
  if (c.mode !== 'container') return c.mode;
  const other = c.sharesWith ? containersByPath.get(c.sharesWith) : undefined;
  return `container:${other?.name ?? c.sharesWith ?? '?'}`;
}

function renderContainers(m: TopologyModel): string {
  if (!m.containers.length) return '## Containers\n\nNo containers.';
  const nets = new Map(m.networks.map((n) => [n.path, n]));
  const ctrs = new Map(m.containers.map((c) => [c.path, c]));
  const rows = m.containers.map((c) => [
    mdCode(c.name),
    mdCode(c.host),
    mdCode(c.image),
    mdCode(modeOf(c, ctrs)),
    codes(
      [...c.attachments]
        .sort((a, b) => compareKeys((nets.get(a.network)?.name ?? a.network), nets.get(b.network)?.name ?? b.network))
        .map((a) => {
          const addr = [a.ipv4Address, a.ipv6Address].filter(Boolean).join(', ') || 'dynamic';
          const aliases = a.aliases.length ? ` (aliases ${[...a.aliases].sort().join(', ')})` : '';
          return `${nets.get(a.network)?.name ?? a.network}: ${addr}${aliases}`;
        }),
    ),
    codes(c.ports.map((p) => `${p.hostIp === '0.0.0.0' ? '' : `${p.hostIp}:`}${p.external ?? 'random'}→${p.internal}/${p.protocol}`)),
    codes(c.dns),
  ]);
  return `## Containers\n\n${table(['Container', 'Host', 'Image', 'Mode', 'Addresses', 'Ports', 'DNS'], rows)}`;
}

/** Only when there are services, so reports of environments without any stay as they were. */
function renderServices(m: TopologyModel): string {
  const services = m.services ?? [];
  if (!services.length) return '';
  const nets = new Map(m.networks.map((n) => [n.path, n]));
  const rows = services.map((s) => [
    mdCode(s.name),
    mdCode(s.host),
    mdCode(s.image),
    String(s.replicas),
    codes(
      s.attachments
        .map((a) => {
          const aliases = a.aliases.length ? ` (aliases ${[...a.aliases].sort().join(', ')})` : '';
          return `${nets.get(a.network)?.name ?? a.network}: VIP${aliases}`;
        })
        .sort(compareKeys),
    ),
    codes(s.ports.map((p) => `${p.published ?? 'random'}→${p.target}/${p.protocol}`)),
  ]);
  return `## Services\n\n${table(['Service', 'Created via', 'Image', 'Replicas', 'Networks', 'Ports (routing mesh)'], rows)}`;
}

function renderDaemonSettings(settings: ReportExtras['daemonSettings']): string {
  if (!settings || !Object.keys(settings).length) return '';
  const parts = ['## Daemon settings'];
  for (const host of Object.keys(settings).sort()) {
    const s = settings[host] ?? {};
    const keys = Object.keys(s).sort();
    parts.push(`### Host ${mdCode(host)}\n\n${keys.length ? table(['Setting', 'Value'], keys.map((k) => [mdCode(k), mdCode(typeof s[k] === 'string' ? (s[k] as string) : stableStringify(s[k]))])) : 'Docker defaults.'}`);
  }
  return parts.join('\n\n');
}

function renderSwarm(m: TopologyModel): string {
  if (!m.swarm) return '';
  const s = m.swarm;
  const list = (xs: string[]) => (xs.length ? [...xs].sort().map(mdCode).join(', ') : '—');
  return [
    '## Swarm\n',
    `- Managers: ${list(s.managers)}`,
    `- Workers: ${list(s.workers)}`,
    `- Default address pools: ${list(s.defaultAddrPools)} (mask /${s.defaultAddrPoolMaskLength})`,
  ].join('\n');
}

function renderAddressPlan(m: TopologyModel): string {
  const parts: string[] = [];
  if (m.pools.length) parts.push(`## Address pools\n\n${table(['Pool', 'CIDR', 'Purpose'], m.pools.map((p) => [mdCode(p.name), mdCode(p.cidr), p.purpose]))}`);
  if (m.lanSegments.length) {
    const rows = m.lanSegments.map((l) => [
      mdCode(l.name),
      mdCode(l.subnet),
      mdCode(l.gateway),
      codes([...l.reserved].sort((a, b) => compareKeys(a.label, b.label)).map((r) => `${r.label} ${r.cidr}`)),
      codes([...l.hostRanges].sort((a, b) => compareKeys(a.host, b.host)).map((r) => `${r.host} ${r.ipRange}`)),
    ]);
    parts.push(`## LAN segments\n\n${table(['Segment', 'Subnet', 'Gateway', 'Reserved', 'Host ranges'], rows)}`);
  }
  return parts.join('\n\n');
}

function renderWarnings(warnings: ReportExtras['warnings']): string {
  if (!warnings?.length) return '';
  const lines = warnings.map((w) => (typeof w === 'string' ? w : formatProblem(w))).sort();
  return `## Warnings\n\n${lines.map((l) => `- ${l.replace(/\r?\n/g, ' ')}`).join('\n')}`;
}

/**
 * A Mermaid flowchart: one subgraph per host holding its local networks and its containers;
 * overlays drawn once, outside every host, because they span the swarm. Edges go from containers
 * to networks, labelled with the container's addresses.
 */
export function renderMermaid(model: TopologyModel): string {
  const m = sortedModel(model);
  const lines = ['flowchart LR'];
  const netId = (n: NetworkModel) => mermaidId('net', n.path);
  const ctrId = (c: ContainerModel) => mermaidId('ctr', c.path);
  const hostId = (h: string) => mermaidId('host', h);
  const label = (...parts: (string | undefined)[]) => `"${parts.filter((p): p is string => !!p).map(mermaidLabel).join('<br/>')}"`;
  const netLabel = (n: NetworkModel) => label(n.name, [n.driver, n.ipv4?.subnet, n.ipv6?.subnet].filter(Boolean).join(' '));
  const hostNames = [...new Set([...m.hosts.map((h) => h.name), ...m.networks.filter((n) => n.driver !== 'overlay').map((n) => n.host), ...m.containers.map((c) => c.host)])].sort();
  const hostsByName = new Map<string, HostModel>(m.hosts.map((h) => [h.name, h]));
  const hostNet = new Set(m.containers.filter((c) => c.mode === 'host').map((c) => c.host));
  for (const name of hostNames) {
    const h = hostsByName.get(name);
    lines.push(`  subgraph ${hostId(name)}[${label(name, h && h.swarmRole !== 'none' ? `swarm ${h.swarmRole}` : undefined)}]`);
    if (hostNet.has(name)) lines.push(`    ${mermaidId('hostnet', name)}[/${label('host network stack')}/]`);
    for (const n of m.networks.filter((x) => x.host === name && x.driver !== 'overlay')) lines.push(`    ${netId(n)}[${netLabel(n)}]`);
    for (const c of m.containers.filter((x) => x.host === name)) lines.push(`    ${ctrId(c)}(${label(c.name, c.mode === 'none' ? 'no network' : undefined)})`);
    lines.push('  end');
  }
  for (const n of m.networks.filter((x) => x.driver === 'overlay')) lines.push(`  ${netId(n)}[[${netLabel(n)}]]`);
  // Services span the swarm like overlays: drawn once, outside every host.
  const svcId = (s: ServiceModel) => mermaidId('svc', s.path);
  for (const s of m.services ?? []) lines.push(`  ${svcId(s)}{{${label(s.name, `service ×${s.replicas}`)}}}`);
  const nets = new Map(m.networks.map((n) => [n.path, n]));
  const ctrs = new Map(m.containers.map((c) => [c.path, c]));
  const external = new Set<string>();
  /** The node of an attached network; one outside the model (imported, external) still gets a node. */
  const networkNode = (path: string): string => {
    const n = nets.get(path);
    if (n) return netId(n);
    const target = mermaidId('ext', path);
    if (!external.has(target)) {
      external.add(target);
      lines.push(`  ${target}[${label(path, 'external')}]`);
    }
    return target;
  };
  for (const c of m.containers) {
    if (c.mode === 'host') lines.push(`  ${ctrId(c)} -.->|${label('host')}| ${mermaidId('hostnet', c.host)}`);
    if (c.mode === 'container') {
      const other = c.sharesWith ? ctrs.get(c.sharesWith) : undefined;
      if (other) lines.push(`  ${ctrId(c)} -.->|${label('shares netns')}| ${ctrId(other)}`);
    }
    for (const a of [...c.attachments].sort((x, y) => compareKeys(x.network, y.network))) {
      lines.push(`  ${ctrId(c)} -->|${label([a.ipv4Address, a.ipv6Address].filter(Boolean).join(' ') || 'dynamic')}| ${networkNode(a.network)}`);
    }
  }
  for (const s of m.services ?? []) {
    for (const a of [...s.attachments].sort((x, y) => compareKeys(x.network, y.network))) {
      lines.push(`  ${svcId(s)} -->|${label('VIP')}| ${networkNode(a.network)}`);
    }
  }
  return ['## Diagram', '', '```mermaid', ...lines, '```'].join('\n');
}
