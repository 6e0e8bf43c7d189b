/**
 * Environment promotion check: staging and prod must be the same topology with different values.
 * Both environments are read from their docknet-model.json: hosts are matched by their slot (their
 * place in the topology, the same in every environment), not by their names, which are values.
 * Networks, containers and services are matched by their host's slot and their name (numbered
 * replicas web-1..web-N collapse into one group with a count). A structural difference (a host
 * slot, network, container, service, mode, option, port, alias, daemon key or swarm role one
 * environment has and the other has not) fails, told in the topology's terms; values (names,
 * addresses, endpoints, counts, subnets) are listed for information, because they are exactly what
 * each environment is supposed to declare. The Terraform arguments of each matched pair are
 * compared too (normalized), for what the model does not spell out (driver options, commands).
 */
import { Cidr, IpAddress } from '../core/address/cidr';
import { ContainerModel, DocknetModel, HostModel, NetworkModel, ServiceModel } from '../core/model';
import { AttributeChange, diffAttributes } from './diff';
import { readSynthDir, SynthResource, SynthStack } from './synth';
import { formatValue, mdCode, stableStringify } from './text';

export const EXIT_PROMOTE_OK = 0;
/** Structural drift between the environments. */
export const EXIT_PROMOTE_DRIFT = 4;

export interface PromoteFinding {
  /** The object in topology terms, e.g. "network `backend` on host 1". */
  readonly subject: string;
  readonly message: string;
}

export interface PromoteResult {
  readonly from: string;
  readonly to: string;
  /** Failing: the environments differ in shape. */
  readonly structural: PromoteFinding[];
  /** Informational: replica counts differ. */
  readonly counts: PromoteFinding[];
  /** Informational: values (addresses, endpoints, names) differ. */
  readonly values: PromoteFinding[];
  readonly ok: boolean;
}

/** Compares two environments of one cdktf.out folder. */
export function promoteCheck(dir: string, from: string, to: string): PromoteResult {
  return compareEnvironments(readSynthDir(dir), from, to);
}

/** One environment: its model and its docker resources by "type.logicalId". */
interface Side {
  readonly env: string;
  readonly model: DocknetModel;
  readonly slot: Map<string, string>;
  readonly resources: Map<string, SynthResource>;
}

function sideOf(stacks: SynthStack[], env: string, found: string[]): Side {
  const own = stacks.filter((s) => s.env === env);
  const model = own.find((s) => s.model && s.model.stacks.network === s.name)?.model ?? own.find((s) => s.model)?.model;
  if (!own.length) throw new Error(`No stacks for environment "${env}" in the synth output (found: ${found.join(', ') || 'none'}). Run "npm run synth" and check --from/--to.`);
  if (!model) {
    throw new Error(`No docknet-model.json for environment "${env}" (stacks ${own.map((s) => s.name).join(', ')}): promote compares the models synth writes. Synthesize again with this docknet.`);
  }
  const resources = new Map<string, SynthResource>();
  for (const s of own) for (const r of s.resources) if (r.object) resources.set(`${r.object.kind}|${r.object.host}|${r.object.name}|${r.type}`, r);
  return { env, model, slot: new Map(model.hosts.map((h) => [h.name, h.slot ?? h.name])), resources };
}

export function compareEnvironments(stacks: SynthStack[], from: string, to: string): PromoteResult {
  const envs = [...new Set(stacks.map((s) => s.env))].sort();
  const a = sideOf(stacks, from, envs);
  const b = sideOf(stacks, to, envs);
  const out = new Findings(a, b);
  compareHosts(out);
  compareObjects(out, 'network', a.model.networks, b.model.networks, (n, s) => networkShape(n, s), (n) => networkValues(n));
  compareObjects(out, 'container', a.model.containers, b.model.containers, (c, s) => containerShape(c, s), (c) => containerValues(c));
  compareObjects(out, 'service', a.model.services ?? [], b.model.services ?? [], (v, s) => serviceShape(v, s), (v) => ({ image: v.image, replicas: v.replicas, published: v.ports.map((p) => p.published) }));
  compareNamed(out, 'address pool', a.model.pools, b.model.pools, (p) => ({ cidr: p.cidr }));
  compareNamed(out, 'LAN segment', a.model.lanSegments, b.model.lanSegments, (l) => ({ subnet: l.subnet, gateway: l.gateway, reserved: l.reserved.length }));
  if (a.model.swarm && b.model.swarm) {
    const pa = a.model.swarm;
    const pb = b.model.swarm;
    const va = { 'default-addr-pool': pa.defaultAddrPools, 'mask length': pa.defaultAddrPoolMaskLength };
    const vb = { 'default-addr-pool': pb.defaultAddrPools, 'mask length': pb.defaultAddrPoolMaskLength };
    if (pa.defaultAddrPools.length !== pb.defaultAddrPools.length) out.structural('the swarm', `${mdCode(from)} has ${pa.defaultAddrPools.length} default-addr-pool(s); ${mdCode(to)} has ${pb.defaultAddrPools.length}`);
    out.valueDiff('the swarm', va, vb);
  } else if (a.model.swarm || b.model.swarm) {
    out.structural('the swarm', `${mdCode(a.model.swarm ? from : to)} has a swarm; ${mdCode(a.model.swarm ? to : from)} has not`);
  }
  return { from, to, structural: out.s, counts: out.c, values: out.v, ok: out.s.length === 0 };
}

class Findings {
  public readonly s: PromoteFinding[] = [];
  public readonly c: PromoteFinding[] = [];
  public readonly v: PromoteFinding[] = [];
  constructor(public readonly a: Side, public readonly b: Side) {}
  public structural(subject: string, message: string): void {
    this.s.push({ subject, message });
  }
  public count(subject: string, message: string): void {
    this.c.push({ subject, message });
  }
  /** Every differing field of two value records, as one finding. */
  public valueDiff(subject: string, va: Record<string, unknown>, vb: Record<string, unknown>): void {
    const parts = [...new Set([...Object.keys(va), ...Object.keys(vb)])]
      .filter((k) => stableStringify(va[k]) !== stableStringify(vb[k]))
      .map((k) => `${k} ${formatValue(va[k])} → ${formatValue(vb[k])}`);
    if (parts.length) this.v.push({ subject, message: parts.join('; ') });
  }
}

/** "host 1", "the manager", "the worker 2": a slot in prose. */
export function slotPhrase(slot: string): string {
  return /^host\b/i.test(slot) ? slot : `the ${slot}`;
}

/** "its host 1 (`stg1`)": the slot, with the host's name in this environment. */
function onHost(side: Side, host: string): string {
  return `its ${side.slot.get(host) ?? host} (${mdCode(host)})`;
}

function compareHosts(out: Findings): void {
  const { a, b } = out;
  const bySlot = (s: Side) => new Map(s.model.hosts.map((h) => [h.slot ?? h.name, h]));
  const ha = bySlot(a);
  const hb = bySlot(b);
  for (const slot of [...new Set([...ha.keys(), ...hb.keys()])]) {
    const x = ha.get(slot);
    const y = hb.get(slot);
    const subject = slotPhrase(slot);
    if (!x || !y) {
      const [has, hasNot, h] = x ? [a, b, x] : [b, a, y!];
      out.structural(subject, `${mdCode(has.env)} has a host in slot ${mdCode(slot)} (${mdCode(h.name)}); ${mdCode(hasNot.env)} has not`);
      continue;
    }
    if (x.swarmRole !== y.swarmRole) {
      out.structural(subject, `swarm role: ${roleWords(x.swarmRole)} in ${mdCode(a.env)} (${mdCode(x.name)}), ${roleWords(y.swarmRole)} in ${mdCode(b.env)} (${mdCode(y.name)})`);
    }
    const da = x.daemon ?? {};
    const db = y.daemon ?? {};
    if (!x.daemon !== !y.daemon) {
      const [has, hasNot, h] = x.daemon ? [a, b, x] : [b, a, y];
      out.structural(subject, `${mdCode(has.env)} manages daemon.json on ${onHost(has, h.name)}; ${mdCode(hasNot.env)} does not`);
    }
    for (const key of [...new Set([...Object.keys(da), ...Object.keys(db)])].sort()) {
      if ((key in da) !== (key in db)) {
        const [has, hasNot, h] = key in da ? [a, b, x] : [b, a, y];
        out.structural(subject, `${mdCode(has.env)} declares daemon key ${mdCode(key)} on ${onHost(has, h.name)}; ${mdCode(hasNot.env)} does not`);
      }
    }
    const ia = x.interfaces.map((i) => i.name).sort();
    const ib = y.interfaces.map((i) => i.name).sort();
    for (const name of [...new Set([...ia, ...ib])]) {
      if (ia.includes(name) !== ib.includes(name)) {
        const [has, hasNot, h] = ia.includes(name) ? [a, b, x] : [b, a, y];
        out.structural(subject, `${mdCode(has.env)} declares interface ${mdCode(name)} on ${onHost(has, h.name)}; ${mdCode(hasNot.env)} does not`);
      }
    }
    const shims = (s: Side, h: HostModel) => s.model.resources.filter((r) => r.kind === 'shim' && r.host === h.name).map((r) => r.name);
    const sa = shims(a, x);
    const sb = shims(b, y);
    for (const name of [...new Set([...sa, ...sb])]) {
      if (sa.includes(name) !== sb.includes(name)) {
        const [has, hasNot, h] = sa.includes(name) ? [a, b, x] : [b, a, y];
        out.structural(subject, `${mdCode(has.env)} has macvlan shim ${mdCode(name)} on ${onHost(has, h.name)}; ${mdCode(hasNot.env)} has not`);
      }
    }
    const values = (h: HostModel) => ({
      name: h.name,
      endpoint: h.endpoint,
      ...Object.fromEntries(h.interfaces.map((i) => [`${i.name} address`, i.address])),
      ...Object.fromEntries(h.interfaces.map((i) => [`${i.name} MTU`, i.mtu])),
      ...Object.fromEntries(Object.entries(h.daemon ?? {}).map(([k, v]) => [`daemon ${k}`, v])),
    });
    out.valueDiff(subject, values(x), values(y));
  }
}

function roleWords(role: string): string {
  return role === 'none' ? 'not a swarm member' : `a ${role}`;
}

/** A name without its environment and replica number: "prod-web-3" -> "<env>-web-#". */
export function normalizeName(name: string, env: string): string {
  return name.replace(envToken(env), '$1<env>').replace(/([A-Za-z][A-Za-z0-9]*)[-_]\d+$/, '$1-#');
}

/** Environment name as a whole token: "prod-backend", "backend_prod", "docknet_prod". */
function envToken(env: string): RegExp {
  const e = env.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${e}(?=$|[^A-Za-z0-9])`, 'g');
}

const isReplica = (name: string, env: string) => normalizeName(name, env).endsWith('-#');

type Shape = Record<string, unknown>;

/**
 * Matches objects of one kind by (host slot, normalized name); numbered replicas by name alone,
 * because a topology spreads them over the hosts and their count is a value. Structure must be
 * equal for every member; counts and values are informational.
 */
function compareObjects<T extends { name: string; host: string }>(
  out: Findings,
  kind: 'network' | 'container' | 'service',
  la: T[],
  lb: T[],
  shape: (o: T, side: Side) => Shape,
  values: (o: T) => Record<string, unknown>,
): void {
  const { a, b } = out;
  const group = (list: T[], side: Side) => {
    const m = new Map<string, { subject: string; members: T[] }>();
    for (const o of list) {
      const name = normalizeName(o.name, side.env);
      const replica = isReplica(o.name, side.env);
      const key = replica ? `*|${name}` : `${side.slot.get(o.host) ?? o.host}|${name}`;
      const subject = replica ? `${kind} ${mdCode(name)} (replicas)` : `${kind} ${mdCode(name)} on ${slotPhrase(side.slot.get(o.host) ?? o.host)}`;
      const g = m.get(key) ?? { subject, members: [] };
      g.members.push(o);
      m.set(key, g);
    }
    for (const g of m.values()) g.members.sort((x, y) => x.name.localeCompare(y.name, undefined, { numeric: true }));
    return m;
  };
  const ga = group(la, a);
  const gb = group(lb, b);
  for (const key of [...new Set([...ga.keys(), ...gb.keys()])]) {
    const x = ga.get(key);
    const y = gb.get(key);
    const subject = (x ?? y)!.subject;
    if (!x || !y) {
      const [has, hasNot, g] = x ? [a, b, x] : [b, a, y!];
      const o = g.members[0];
      out.structural(subject, `${mdCode(has.env)} has ${kind} ${mdCode(o.name)} on ${onHost(has, o.host)}; ${mdCode(hasNot.env)} has not`);
      continue;
    }
    const shapesA = x.members.map((o) => ({ o, shape: { ...shape(o, a), ...tfShape(a, kind, o) } }));
    const shapesB = y.members.map((o) => ({ o, shape: { ...shape(o, b), ...tfShape(b, kind, o) } }));
    const sigB = new Set(shapesB.map((s) => stableStringify(s.shape)));
    const sigA = new Set(shapesA.map((s) => stableStringify(s.shape)));
    const oddA = shapesA.find((s) => !sigB.has(stableStringify(s.shape)));
    const oddB = shapesB.find((s) => !sigA.has(stableStringify(s.shape)));
    if (oddA || oddB) {
      const left = oddA ?? shapesA[0];
      const right = oddB ?? shapesB[0];
      const changes = diffAttributes(`docker_${kind}`, left.shape, right.shape);
      const where = `${mdCode(a.env)} ${mdCode(left.o.name)} on ${onHost(a, left.o.host)}, ${mdCode(b.env)} ${mdCode(right.o.name)} on ${onHost(b, right.o.host)}`;
      out.structural(subject, `${changes.map((c) => describeStructural(c, a.env, b.env)).join('; ')} (${where})`);
    }
    if (x.members.length !== y.members.length) {
      out.count(subject, `${x.members.length} in ${mdCode(a.env)}, ${y.members.length} in ${mdCode(b.env)}`);
    }
    for (let i = 0; i < Math.min(x.members.length, y.members.length); i++) {
      const [p, q] = [x.members[i], y.members[i]];
      // Host names are reported once, with their host.
      out.valueDiff(p.name === q.name ? subject : `${subject} (${mdCode(p.name)} / ${mdCode(q.name)})`, values(p), values(q));
    }
  }
}

/** Pools and LAN segments: by name; their ranges are values. */
function compareNamed<T extends { name: string }>(out: Findings, what: string, la: T[], lb: T[], values: (o: T) => Record<string, unknown>): void {
  for (const name of [...new Set([...la, ...lb].map((o) => o.name))]) {
    const x = la.find((o) => o.name === name);
    const y = lb.find((o) => o.name === name);
    if (!x || !y) out.structural(`${what} ${mdCode(name)}`, `${mdCode(x ? out.a.env : out.b.env)} has ${what} ${mdCode(name)}; ${mdCode(x ? out.b.env : out.a.env)} has not`);
    else out.valueDiff(`${what} ${mdCode(name)}`, values(x), values(y));
  }
}

function describeStructural(c: AttributeChange, from: string, to: string): string {
  return c.description.replace(/ added: /, ` only in ${mdCode(to)}: `).replace(/ removed \(was (.*)\)$/, ` only in ${mdCode(from)}: $1`);
}

/** The name of a network (by construct path) as the other side would call it. */
function networkName(side: Side, path: string): string {
  const n = side.model.networks.find((x) => x.path === path);
  return n ? normalizeName(n.name, side.env) : path;
}

function networkShape(n: NetworkModel, side: Side): Shape {
  const ip = (c: NetworkModel['ipv4']) => (c ? { subnet: !!c.subnet, gateway: !!c.gateway, 'IP range': !!c.ipRange, 'aux addresses': Object.keys(c.auxAddresses).sort() } : undefined);
  return {
    driver: n.driver,
    internal: n.internal,
    attachable: n.attachable,
    encrypted: n.encrypted,
    'IPv6 flag': n.enableIpv6,
    parent: n.parent === undefined ? undefined : normalizeName(n.parent, side.env),
    mode: n.mode,
    'LAN segment': n.lan,
    'declared MTU': n.mtu !== undefined,
    IPv4: ip(n.ipv4),
    IPv6: ip(n.ipv6),
  };
}

function networkValues(n: NetworkModel): Record<string, unknown> {
  return { subnet: n.ipv4?.subnet, gateway: n.ipv4?.gateway, 'IP range': n.ipv4?.ipRange, 'IPv6 subnet': n.ipv6?.subnet, MTU: n.mtu };
}

function containerShape(c: ContainerModel, side: Side): Shape {
  const shares = c.sharesWith ? side.model.containers.find((x) => x.path === c.sharesWith) : undefined;
  return {
    'network mode': c.mode === 'container' ? `container:${shares ? normalizeName(shares.name, side.env) : '?'}` : c.mode,
    networks_advanced: c.attachments
      .map((t) => ({ name: networkName(side, t.network), 'static IPv4 address': !!t.ipv4Address, 'static IPv6 address': !!t.ipv6Address, aliases: t.aliases.map((x) => normalizeName(x, side.env)).sort() }))
      .sort((x, y) => x.name.localeCompare(y.name)),
    ports: c.ports.map((p) => ({ internal: p.internal, protocol: p.protocol, published: p.external !== undefined })).sort((x, y) => x.internal - y.internal || x.protocol.localeCompare(y.protocol)),
  };
}

function containerValues(c: ContainerModel): Record<string, unknown> {
  return {
    image: c.image,
    addresses: c.attachments.flatMap((t) => [t.ipv4Address, t.ipv6Address].filter(Boolean)),
    'published ports': c.ports.map((p) => `${p.hostIp}:${p.external ?? ''}`),
    DNS: c.dns,
  };
}

function serviceShape(v: ServiceModel, side: Side): Shape {
  return {
    networks_advanced: v.attachments.map((t) => ({ name: networkName(side, t.network), aliases: t.aliases.map((x) => normalizeName(x, side.env)).sort() })).sort((x, y) => x.name.localeCompare(y.name)),
    ports: v.ports.map((p) => ({ target: p.target, protocol: p.protocol, published: p.published !== undefined })).sort((x, y) => x.target - y.target),
  };
}

/**
 * The Terraform arguments of an object the model does not spell out (driver options, command,
 * environment, restart policy...), normalized: environment names, addresses and endpoints become
 * placeholders, so only their shape counts.
 */
const MODELLED_ARGUMENTS = new Set(['name', 'driver', 'internal', 'attachable', 'ipv6', 'ipam_config', 'networks_advanced', 'network_mode', 'ports', 'image', 'dns', 'task_spec', 'mode', 'endpoint_spec']);

const VALUE_OPTIONS = new Set(['com.docker.network.driver.mtu', 'parent']);

function tfShape(side: Side, kind: 'network' | 'container' | 'service', o: { name: string; host: string }): Shape {
  const r = side.resources.get(`${kind}|${o.host}|${o.name}|docker_${kind}`);
  if (!r) return {};
  const out: Shape = {};
  for (const [k, v] of Object.entries(r.attrs)) if (!MODELLED_ARGUMENTS.has(k)) out[k] = normalizeValue(v, side.env);
  // The MTU and the parent interface are in the model, where they are values; the other options are structure.
  if (kind === 'network' && out.options && typeof out.options === 'object') {
    out.options = Object.fromEntries(Object.entries(out.options).map(([k, v]) => [k, VALUE_OPTIONS.has(k) ? '<value>' : v]));
  }
  if (kind === 'service') {
    const spec = (Array.isArray(r.attrs.task_spec) ? r.attrs.task_spec[0] : r.attrs.task_spec) as Record<string, unknown> | undefined;
    const cs = spec && (Array.isArray(spec.container_spec) ? spec.container_spec[0] : spec.container_spec);
    if (cs && typeof cs === 'object') {
      const { image: _image, ...rest } = cs as Record<string, unknown>;
      out.container_spec = normalizeValue(rest, side.env);
    }
  }
  return out;
}

/** Candidate address tokens; each is confirmed by the shared strict parser before it is replaced. */
const ADDRESS_TOKEN = /[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]+(?:\/\d{1,3})?/g;

/** "<ip>", "<cidr>" or undefined; "10.0.0.5/24" (host bits set) and "10.0.0.1:2377" count too. */
function addressPlaceholder(tok: string): string | undefined {
  const parses = (text: string, parse: (t: string) => unknown) => {
    try {
      parse(text);
      return true;
    } catch {
      return false;
    }
  };
  const [addr, prefix] = tok.split('/');
  if (prefix !== undefined) return parses(tok, Cidr.parse) || parses(addr, IpAddress.parse) ? '<cidr>' : undefined;
  if (parses(tok, IpAddress.parse)) return '<ip>';
  const withoutPort = tok.replace(/:\d+$/, '');
  return withoutPort !== tok && parses(withoutPort, IpAddress.parse) ? `<ip>${tok.slice(withoutPort.length)}` : undefined;
}

function normalizeString(s: string, env: string): string {
  const out = s.replace(ADDRESS_TOKEN, (tok) => addressPlaceholder(tok) ?? tok);
  // URLs (provider endpoints, ssh://user@host) are values of the environment.
  return normalizeName(out.replace(/\b(ssh|tcp|https?):\/\/[^\s"']+/g, '<endpoint>'), env);
}

function normalizeValue(v: unknown, env: string): unknown {
  if (typeof v === 'string') return normalizeString(v, env);
  if (Array.isArray(v)) return v.map((x) => normalizeValue(x, env));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [normalizeString(k, env), normalizeValue(x, env)]));
  return v;
}

/** Markdown report; the first line says pass or fail. */
export function renderPromoteMarkdown(r: PromoteResult): string {
  const lines = [`### docknet promote ${mdCode(r.from)} → ${mdCode(r.to)}`, ''];
  lines.push(
    r.ok
      ? `**OK**: same structure. ${r.counts.length} count difference(s) and ${r.values.length} value difference(s), all expected per environment.`
      : `**FAIL**: ${r.structural.length} structural difference(s). Make ${mdCode(r.to)} declare the same topology as ${mdCode(r.from)}, or change both.`,
    '',
  );
  const section = (title: string, items: PromoteFinding[]) => {
    if (!items.length) return;
    lines.push(`#### ${title}`, '', ...items.map((f) => `- ${f.subject}: ${f.message}`), '');
  };
  section('Structural differences (failing)', r.structural);
  section('Replica counts (informational)', r.counts);
  if (r.values.length) {
    lines.push(`<details><summary>Values (informational): ${r.values.length}</summary>`, '', ...r.values.map((f) => `- ${f.subject}: ${f.message}`), '', '</details>', '');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

export function renderPromoteJson(r: PromoteResult): string {
  return JSON.stringify({ ...r, exitCode: r.ok ? EXIT_PROMOTE_OK : EXIT_PROMOTE_DRIFT }, null, 2) + '\n';
}

/** `docknet promote` without the command line: output text and exit code. */
export function runPromote(options: { dir: string; from: string; to: string; format?: 'md' | 'json' }): { output: string; exitCode: number } {
  const result = promoteCheck(options.dir, options.from, options.to);
  return { output: options.format === 'json' ? renderPromoteJson(result) : renderPromoteMarkdown(result), exitCode: result.ok ? EXIT_PROMOTE_OK : EXIT_PROMOTE_DRIFT };
}
