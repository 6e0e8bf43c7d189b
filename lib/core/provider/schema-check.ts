/**
 * Checks rendered Terraform JSON against a provider line's schema, as Terraform would refuse it at
 * plan time: unknown arguments, wrong types, missing required arguments, computed-only arguments set,
 * too few or too many blocks; deprecated arguments are warnings. The schemas are data read off the
 * real provider (schema-data.ts, schemas/*.json); an argument unknown to one line but known to another
 * is named with the line that has it ("new in 4.5.0", "removed in 4.5.0").
 *
 * A string holding a token ("${docker_network.x.name}") counts as a value of any type: Terraform
 * decides that at plan time. A value Terraform converts on its own (a number or bool where a string
 * belongs, "512" for a number, "true" for a bool) is a warning of kind "conversion": valid, but not the
 * provider's own type, which docknet's rendering keeps. Checked against `terraform validate` with the
 * real provider of both lines (docs/providers.md): the same cases are errors and warnings.
 */
import type { ProviderSchema, SchemaAttribute, SchemaBlock, SchemaBlockType, SchemaType } from './schema-data';
import schema362 from './schemas/3.6.2.json';
import schema450 from './schemas/4.5.0.json';

/** Every provider line whose schema docknet holds, by version. */
export const PROVIDER_SCHEMAS: Readonly<Record<string, ProviderSchema>> = {
  '3.6.2': schema362 as unknown as ProviderSchema,
  '4.5.0': schema450 as unknown as ProviderSchema,
};

export type SchemaFindingKind = 'unknown' | 'type' | 'conversion' | 'required' | 'computed' | 'min_items' | 'max_items' | 'deprecated';

export interface SchemaFinding {
  readonly severity: 'error' | 'warning';
  readonly kind: SchemaFindingKind;
  /** Where, as a Terraform address with argument path: docker_container.h1_web.networks_advanced[0].name */
  readonly path: string;
  readonly message: string;
}

/** Terraform's meta-arguments of a resource: not the provider's. */
const RESOURCE_META = new Set(['//', 'count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);
/** Meta-arguments of a provider block. */
const PROVIDER_META = new Set(['//', 'alias', 'version']);

const isToken = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

function versionKey(v: string): number[] {
  return v.split('.').map(Number);
}

function newer(a: string, b: string): boolean {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

/** The block at a path of block names, or undefined when some step is not a block there. */
function blockAt(root: SchemaBlock | undefined, blocks: readonly string[]): SchemaBlock | undefined {
  let b = root;
  for (const name of blocks) b = b?.blocks?.[name]?.block;
  return b;
}

function typeWord(t: SchemaType): string {
  if (typeof t === 'string') return t;
  if (t[0] === 'object') return 'object';
  if (t[0] === 'tuple') return 'tuple';
  return `${t[0]} of ${typeWord(t[1] as SchemaType)}`;
}

function given(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

class Checker {
  readonly findings: SchemaFinding[] = [];

  constructor(private readonly line: ProviderSchema, private readonly others: readonly ProviderSchema[], private readonly rootOf: (s: ProviderSchema) => SchemaBlock | undefined, private readonly what: string) {}

  private add(severity: SchemaFinding['severity'], kind: SchemaFindingKind, path: string, message: string): void {
    this.findings.push({ severity, kind, path, message });
  }

  /** Which other line has the name at the same place: the hint of an unknown argument. */
  private elsewhere(blocks: readonly string[], name: string): string {
    const has = this.others.filter((o) => {
      const b = blockAt(this.rootOf(o), blocks);
      return b?.attributes?.[name] !== undefined || b?.blocks?.[name] !== undefined;
    });
    if (has.length === 0) return '';
    const later = has.filter((o) => newer(o.version, this.line.version)).map((o) => o.version);
    const earlier = has.filter((o) => newer(this.line.version, o.version)).map((o) => o.version);
    const parts = [];
    if (later.length) parts.push(`new in ${later[0]}`);
    if (earlier.length) parts.push(`removed in ${this.line.version}: ${earlier.join(', ')} ${earlier.length > 1 ? 'have' : 'has'} it`);
    return ` (${parts.join('; ')})`;
  }

  block(schema: SchemaBlock, body: unknown, path: string, blocks: readonly string[], meta: ReadonlySet<string>): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      this.add('error', 'type', path, `${path} is ${given(body)}; expected a block (a JSON object)`);
      return;
    }
    const values = body as Record<string, unknown>;
    for (const [name, value] of Object.entries(values)) {
      if (meta.has(name) || value === null || value === undefined) continue;
      const at = `${path}.${name}`;
      const attribute = schema.attributes?.[name];
      const nested = schema.blocks?.[name];
      if (attribute) this.attribute(attribute, value, at, name);
      else if (nested) this.nested(nested, value, at, [...blocks, name]);
      else this.add('error', 'unknown', at, `"${name}" is not an argument of ${this.what} in provider ${this.line.version}${this.elsewhere(blocks, name)}`);
    }
    for (const [name, a] of Object.entries(schema.attributes ?? {})) {
      if (a.required && (values[name] === undefined || values[name] === null)) {
        this.add('error', 'required', `${path}.${name}`, `"${name}" is required by ${this.what} in provider ${this.line.version} and missing`);
      }
    }
    for (const [name, b] of Object.entries(schema.blocks ?? {})) {
      if (b.min_items && (values[name] === undefined || values[name] === null)) {
        this.add('error', 'min_items', `${path}.${name}`, `${this.what} needs at least ${b.min_items} "${name}" block(s) in provider ${this.line.version}; none given`);
      }
    }
  }

  private attribute(a: SchemaAttribute, value: unknown, path: string, name: string): void {
    if (!a.required && !a.optional) {
      this.add('error', 'computed', path, `"${name}" of ${this.what} is read-only (computed) in provider ${this.line.version}; a configuration cannot set it`);
      return;
    }
    if (a.deprecated) this.add('warning', 'deprecated', path, `"${name}" of ${this.what} is deprecated in provider ${this.line.version}`);
    this.value(a.type, value, path);
  }

  private value(t: SchemaType, v: unknown, path: string): void {
    if (isToken(v) || t === 'dynamic') return;
    const wrong = () => this.add('error', 'type', path, `${path} is ${given(v)}; provider ${this.line.version} expects ${typeWord(t)}`);
    if (typeof t === 'string') {
      const want = t === 'bool' ? 'boolean' : t;
      if (typeof v === want) return;
      // cty's safe and unsafe primitive conversions, which Terraform applies to configuration values.
      const converts = (t === 'string' && (typeof v === 'number' || typeof v === 'boolean'))
        || (t === 'number' && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
        || (t === 'bool' && (v === 'true' || v === 'false'));
      if (converts) this.add('warning', 'conversion', path, `${path} is ${given(v)}; provider ${this.line.version} expects ${t} (Terraform converts it)`);
      else wrong();
      return;
    }
    const [kind, inner] = t;
    if (kind === 'list' || kind === 'set') {
      if (!Array.isArray(v)) return wrong();
      v.forEach((e, i) => this.value(inner as SchemaType, e, `${path}[${i}]`));
    } else if (kind === 'map') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return wrong();
      for (const [k, e] of Object.entries(v)) this.value(inner as SchemaType, e, `${path}["${k}"]`);
    } else if (kind === 'object') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return wrong();
      const fields = inner as Record<string, SchemaType>;
      for (const [k, e] of Object.entries(v)) {
        if (fields[k] === undefined) this.add('error', 'type', `${path}.${k}`, `${path} has no field "${k}" in provider ${this.line.version}`);
        else this.value(fields[k], e, `${path}.${k}`);
      }
      for (const k of Object.keys(fields)) if (!(k in v)) this.add('error', 'type', `${path}.${k}`, `${path} lacks field "${k}", which its object type requires in provider ${this.line.version}`);
    } else if (kind === 'tuple') {
      const items = inner as unknown as SchemaType[];
      if (!Array.isArray(v) || v.length !== items.length) return wrong();
      v.forEach((e, i) => this.value(items[i], e, `${path}[${i}]`));
    }
  }

  private nested(b: SchemaBlockType, value: unknown, path: string, blocks: readonly string[]): void {
    if (b.block.deprecated) this.add('warning', 'deprecated', path, `the "${blocks[blocks.length - 1]}" block of ${this.what} is deprecated in provider ${this.line.version}`);
    if (b.nesting === 'map') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        this.add('error', 'type', path, `${path} is ${given(value)}; provider ${this.line.version} expects blocks by label (a JSON object of objects)`);
        return;
      }
      for (const [k, e] of Object.entries(value)) this.block(b.block, e, `${path}["${k}"]`, blocks, new Set());
      return;
    }
    // Terraform's JSON syntax takes one block as an object or any number of them as an array of objects.
    const items = Array.isArray(value) ? value : [value];
    const single = b.nesting === 'single' || b.nesting === 'group';
    const max = single ? 1 : b.max_items;
    if (typeof value !== 'object') {
      this.add('error', 'type', path, `${path} is ${given(value)}; "${blocks[blocks.length - 1]}" is a block in provider ${this.line.version}, written as ${single ? 'an object' : 'a list of objects'}, not a value`);
      return;
    }
    if (max !== undefined && items.length > max) {
      this.add('error', 'max_items', path, `${path} has ${items.length} blocks; provider ${this.line.version} takes at most ${max}`);
    }
    if (b.min_items && items.length < b.min_items) {
      this.add('error', 'min_items', path, `${path} has ${items.length} blocks; provider ${this.line.version} needs at least ${b.min_items}`);
    }
    items.forEach((e, i) => this.block(b.block, e, Array.isArray(value) ? `${path}[${i}]` : path, blocks, new Set()));
  }
}

function schemaOf(version: string): ProviderSchema {
  const s = PROVIDER_SCHEMAS[version];
  if (!s) throw new Error(`no schema of provider line ${version}; docknet holds ${Object.keys(PROVIDER_SCHEMAS).join(', ')} (lib/core/provider/schemas/)`);
  return s;
}

function othersOf(line: ProviderSchema): ProviderSchema[] {
  return Object.values(PROVIDER_SCHEMAS).filter((s) => s.version !== line.version);
}

/** Findings of one resource body (its Terraform JSON object) of a type, against the line's schema. */
export function checkResource(version: string, type: string, body: unknown, address = `${type}.<resource>`): SchemaFinding[] {
  const line = schemaOf(version);
  const resource = line.resources[type];
  if (!resource) {
    const has = othersOf(line).filter((o) => o.resources[type]).map((o) => o.version);
    return [{ severity: 'error', kind: 'unknown', path: address, message: `provider ${version} has no resource type ${type}${has.length ? ` (${has.map((v) => (newer(v, version) ? `new in ${v}` : `removed in ${version}: ${v} has it`)).join('; ')})` : ''}` }];
  }
  const c = new Checker(line, othersOf(line), (s) => s.resources[type]?.block, type);
  c.block(resource.block, body, address, [], RESOURCE_META);
  const lifecycle = (body as Record<string, any> | null)?.lifecycle;
  for (const [i, entry] of (Array.isArray(lifecycle?.ignore_changes) ? lifecycle.ignore_changes : []).entries()) {
    const root = typeof entry === 'string' ? entry.split(/[.[]/)[0] : undefined;
    if (entry === 'all') continue;
    if (root !== undefined && (resource.block.attributes?.[root]?.deprecated || resource.block.blocks?.[root]?.block.deprecated)) {
      c.findings.push({ severity: 'warning', kind: 'deprecated', path: `${address}.lifecycle.ignore_changes[${i}]`, message: `ignore_changes names ${JSON.stringify(entry)}, which is deprecated in ${type} of provider ${version}` });
    }
    if (root !== undefined && (resource.block.attributes?.[root] || resource.block.blocks?.[root])) continue;
    c.findings.push({ severity: 'error', kind: 'unknown', path: `${address}.lifecycle.ignore_changes[${i}]`, message: `ignore_changes names ${JSON.stringify(entry)}, which is not an argument of ${type} in provider ${version}` });
  }
  return c.findings;
}

/** Findings of one provider block's config, against the line's schema. */
export function checkProviderConfig(version: string, body: unknown, address = 'provider.docker'): SchemaFinding[] {
  const line = schemaOf(version);
  const c = new Checker(line, othersOf(line), (s) => s.provider_config, 'the provider block');
  c.block(line.provider_config, body, address, [], PROVIDER_META);
  return c.findings;
}

/**
 * Findings of a whole cdk.tf.json: every resource of a type the provider has a prefix for
 * (docker_*) and every `docker` provider block. Resources of other providers are not looked at.
 */
export function checkTerraformJson(version: string, json: any, prefix = 'docker'): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  for (const [type, byName] of Object.entries<Record<string, unknown>>(json?.resource ?? {})) {
    if (!type.startsWith(`${prefix}_`)) continue;
    for (const [name, body] of Object.entries(byName)) findings.push(...checkResource(version, type, body, `${type}.${name}`));
  }
  const providers = json?.provider?.[prefix];
  for (const [i, body] of (Array.isArray(providers) ? providers : providers ? [providers] : []).entries()) {
    const alias = (body as Record<string, unknown>)?.alias;
    findings.push(...checkProviderConfig(version, body, `provider.${prefix}${typeof alias === 'string' ? `.${alias}` : `[${i}]`}`));
  }
  return findings;
}
