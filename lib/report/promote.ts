/**
 * Environment promotion check: staging and prod must be the same topology with different values.
 * Each environment's synthesized stacks are normalized (environment names, endpoints, addresses and
 * CIDRs become placeholders, numbered replicas web-1..web-N collapse into one group with a count),
 * then compared. Structural differences (a network only in one environment, another driver option,
 * another network mode, another internal port) fail; value and count differences are listed for
 * information, because they are exactly what each environment is supposed to declare.
 */
import { Cidr, IpAddress } from '../address/cidr';
import { AttributeChange, diffAttributes } from './diff';
import { kindWord } from './semantics';
import { readSynthDir, SynthResource, SynthStack } from './synth';
import { mdCode, stableStringify } from './text';

export const EXIT_PROMOTE_OK = 0;
/** Structural drift between the environments. */
export const EXIT_PROMOTE_DRIFT = 4;

export interface PromoteFinding {
  /** "<role>/<kind> <name> on host <host>", with normalized names. */
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

interface Member {
  readonly resource: SynthResource;
  /** Normalized arguments: the structure. */
  readonly shape: Record<string, unknown>;
  readonly signature: string;
}

interface Group {
  readonly subject: string;
  readonly type: string;
  readonly members: Member[];
}

export function compareEnvironments(stacks: SynthStack[], from: string, to: string): PromoteResult {
  const envs = [...new Set(stacks.map((s) => s.env))].sort();
  for (const env of [from, to]) {
    if (!envs.includes(env)) throw new Error(`No stacks for environment "${env}" in the synth output (found: ${envs.join(', ') || 'none'}). Run "cdktf synth" and check --from/--to.`);
  }
  const a = groupsOf(stacks.filter((s) => s.env === from), from);
  const b = groupsOf(stacks.filter((s) => s.env === to), to);
  const structural: PromoteFinding[] = [];
  const counts: PromoteFinding[] = [];
  const values: PromoteFinding[] = [];

  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const ga = a.get(key);
    const gb = b.get(key);
    const subject = (ga ?? gb)!.subject;
    if (!ga || !gb) {
      structural.push({ subject, message: `exists only in ${mdCode(ga ? from : to)}` });
      continue;
    }
    const sigA = new Set(ga.members.map((m) => m.signature));
    const sigB = new Set(gb.members.map((m) => m.signature));
    const onlyA = ga.members.find((m) => !sigB.has(m.signature));
    const onlyB = gb.members.find((m) => !sigA.has(m.signature));
    if (onlyA || onlyB) {
      const left = onlyA ?? ga.members[0];
      const right = onlyB ?? gb.members[0];
      const changes = diffAttributes(ga.type, left.shape, right.shape);
      structural.push({ subject, message: changes.length ? changes.map((c) => describeStructural(c, from, to)).join('; ') : 'replicas differ in shape' });
    }
    if (ga.members.length !== gb.members.length) {
      counts.push({ subject, message: `${ga.members.length} in ${mdCode(from)}, ${gb.members.length} in ${mdCode(to)}` });
    }
    // Pair replicas in name order; the differences left are values.
    for (let i = 0; i < Math.min(ga.members.length, gb.members.length); i++) {
      const ra = ga.members[i].resource;
      const rb = gb.members[i].resource;
      const changes = diffAttributes(ra.type, ra.attrs, rb.attrs);
      if (changes.length) values.push({ subject: ra.name === rb.name ? subject : `${subject} (${mdCode(ra.name)} / ${mdCode(rb.name)})`, message: changes.map((c) => c.description).join('; ') });
    }
  }
  values.push(...providerValues(stacks, from, to));
  return { from, to, structural, counts, values, ok: structural.length === 0 };
}

function describeStructural(c: AttributeChange, from: string, to: string): string {
  return c.description.replace(/ added: /, ` only in ${mdCode(to)}: `).replace(/ removed \(was (.*)\)$/, ` only in ${mdCode(from)}: $1`);
}

function providerValues(stacks: SynthStack[], from: string, to: string): PromoteFinding[] {
  const endpoints = (env: string) => {
    const out = new Map<string, string>();
    for (const s of stacks.filter((x) => x.env === env)) for (const p of s.providers) out.set(normalizeName(p.alias, env), String(p.config.host ?? ''));
    return out;
  };
  const ea = endpoints(from);
  const eb = endpoints(to);
  const out: PromoteFinding[] = [];
  for (const host of [...new Set([...ea.keys(), ...eb.keys()])].sort()) {
    if (ea.get(host) !== eb.get(host)) out.push({ subject: `host ${mdCode(host)}`, message: `endpoint ${mdCode(ea.get(host) ?? '(none)')} → ${mdCode(eb.get(host) ?? '(none)')}` });
  }
  return out;
}

function groupsOf(stacks: SynthStack[], env: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const s of stacks) {
    for (const r of s.resources) {
      const host = normalizeName(r.host, env);
      const name = normalizeName(r.name, env);
      const key = `${s.role}|${r.type}|${host}|${name}`;
      const shape = normalizeValue(r.attrs, env) as Record<string, unknown>;
      delete shape.name; // the name is the group key; replicas differ in it by design
      const g = groups.get(key) ?? { subject: `${kindWord(r.type)} ${mdCode(name)} on host ${mdCode(host)}`, type: r.type, members: [] };
      g.members.push({ resource: r, shape, signature: stableStringify(shape) });
      groups.set(key, g);
    }
  }
  for (const g of groups.values()) g.members.sort((x, y) => x.resource.name.localeCompare(y.resource.name, undefined, { numeric: true }));
  return groups;
}

/** Environment name as a whole token: "prod-backend", "backend_prod", "docknet_prod". */
function envToken(env: string): RegExp {
  const e = env.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${e}(?=$|[^A-Za-z0-9])`, 'g');
}

/** A name without its environment and replica number: "prod-web-3" -> "<env>-web-#". */
export function normalizeName(name: string, env: string): string {
  return name.replace(envToken(env), '$1<env>').replace(/([A-Za-z][A-Za-z0-9]*)[-_]\d+$/, '$1-#');
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

/** Ports: the internal number and protocol are structure, the published host port and IP are values. */
const VALUE_FIELDS: Record<string, Set<string>> = {
  ports: new Set(['external', 'ip']),
};

function normalizeValue(v: unknown, env: string, field = ''): unknown {
  if (typeof v === 'string') return normalizeString(v, env);
  if (Array.isArray(v)) return v.map((x) => normalizeValue(x, env, field));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (VALUE_FIELDS[field]?.has(k)) continue;
      out[normalizeString(k, env)] = normalizeValue(x, env, k);
    }
    return out;
  }
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
