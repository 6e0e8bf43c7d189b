/**
 * The shape of a provider line's schema as docknet keeps it (lib/core/provider/schemas/<version>.json):
 * what `terraform providers schema -json` reports for the provider block and each resource type,
 * reduced to what a configuration can get wrong (names, types, required/optional/computed,
 * deprecated, block nesting and item counts), without descriptions. tools/reduce-provider-schema.ts
 * produces it from the real provider's output (docs/providers.md says how); nothing here is typed by hand.
 */

/** A cty type as Terraform's JSON schema writes it: "string", ["list", "string"], ["object", {...}], ... */
export type SchemaType = string | [string, SchemaType] | ['object', Record<string, SchemaType>] | ['tuple', SchemaType[]];

export interface SchemaAttribute {
  readonly type: SchemaType;
  readonly required?: true;
  readonly optional?: true;
  readonly computed?: true;
  readonly deprecated?: true;
  readonly sensitive?: true;
}

export type Nesting = 'single' | 'group' | 'list' | 'set' | 'map';

export interface SchemaBlockType {
  readonly nesting: Nesting;
  readonly min_items?: number;
  readonly max_items?: number;
  readonly block: SchemaBlock;
}

export interface SchemaBlock {
  readonly attributes?: Record<string, SchemaAttribute>;
  readonly blocks?: Record<string, SchemaBlockType>;
  readonly deprecated?: true;
}

export interface ResourceSchema {
  /** The resource's state schema version (what a state upgrade keys on). */
  readonly version: number;
  readonly block: SchemaBlock;
}

export interface ProviderSchema {
  /** The provider's registry address, e.g. "registry.terraform.io/kreuzwerker/docker". */
  readonly provider: string;
  readonly version: string;
  /** How the data was produced: which build, which terraform, which converter. */
  readonly produced: string;
  /** `terraform providers schema -json`'s format_version. */
  readonly format_version: string;
  readonly provider_config: SchemaBlock;
  readonly resources: Record<string, ResourceSchema>;
}

const NESTINGS: readonly string[] = ['single', 'group', 'list', 'set', 'map'];

/** One block of the raw output, reduced; throws on anything it does not know, so a regeneration cannot drop facts silently. */
function reduceBlock(raw: any, where: string): SchemaBlock {
  const attributes: Record<string, SchemaAttribute> = {};
  for (const [name, a] of Object.entries<any>(raw.attributes ?? {})) {
    if (a.nested_type !== undefined) throw new Error(`${where}.${name}: nested attribute types (nested_type) are not supported by this converter; extend SchemaAttribute first`);
    if (a.type === undefined) throw new Error(`${where}.${name}: attribute without a type`);
    const flags = (['required', 'optional', 'computed', 'deprecated', 'sensitive'] as const).filter((f) => a[f] === true);
    attributes[name] = { type: a.type, ...Object.fromEntries(flags.map((f) => [f, true])) };
  }
  const blocks: Record<string, SchemaBlockType> = {};
  for (const [name, b] of Object.entries<any>(raw.block_types ?? {})) {
    if (!NESTINGS.includes(b.nesting_mode)) throw new Error(`${where}.${name}: unknown nesting mode ${JSON.stringify(b.nesting_mode)}`);
    blocks[name] = {
      nesting: b.nesting_mode,
      ...(b.min_items ? { min_items: b.min_items } : {}),
      ...(b.max_items ? { max_items: b.max_items } : {}),
      block: reduceBlock(b.block, `${where}.${name}`),
    };
  }
  return {
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(Object.keys(blocks).length ? { blocks } : {}),
    ...(raw.deprecated === true ? { deprecated: true as const } : {}),
  };
}

/**
 * The reduced schema of one provider from `terraform providers schema -json` output. Data sources are
 * left out: docknet renders none.
 */
export function reduceProviderSchema(raw: any, options: { provider: string; version: string; produced: string }): ProviderSchema {
  const schemas = raw?.provider_schemas?.[options.provider];
  if (!schemas) {
    throw new Error(`no schema for ${options.provider} in the input (it has: ${Object.keys(raw?.provider_schemas ?? {}).join(', ') || 'none'}); is this \`terraform providers schema -json\` output of a configuration that requires it?`);
  }
  const resources: Record<string, ResourceSchema> = {};
  for (const [type, r] of Object.entries<any>(schemas.resource_schemas ?? {})) resources[type] = { version: r.version, block: reduceBlock(r.block, type) };
  return {
    provider: options.provider,
    version: options.version,
    produced: options.produced,
    format_version: String(raw.format_version),
    provider_config: reduceBlock(schemas.provider.block, 'provider'),
    resources,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Width up to which a value is written on one line (an attribute is one line; a block spreads). */
const LINE = 110;

function write(value: unknown, indent: string): string {
  const flat = JSON.stringify(value);
  if (indent.length + flat.length <= LINE || value === null || typeof value !== 'object' || Array.isArray(value)) return flat;
  const inner = indent + '  ';
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** The committed text of a schema: keys sorted, one line per attribute, a newline at the end. Deterministic. */
export function serializeProviderSchema(schema: ProviderSchema): string {
  return write(sortKeys(schema), '') + '\n';
}
