/**
 * What differs between two provider lines' schemas, argument by argument: added, removed, and changed
 * (type, required/optional/computed, deprecated, nesting, item counts). docs/providers.md lists it
 * for the resource types docknet renders; a test keeps that list equal to this function's output.
 */
import type { ProviderSchema, SchemaAttribute, SchemaBlock, SchemaBlockType } from './schema-data';

function attributeWords(a: SchemaAttribute): string {
  const mode = a.required ? 'required' : a.optional ? (a.computed ? 'optional, computed' : 'optional') : 'computed only';
  return `${JSON.stringify(a.type)}, ${mode}${a.deprecated ? ', deprecated' : ''}${a.sensitive ? ', sensitive' : ''}`;
}

function blockWords(b: SchemaBlockType): string {
  const items = [b.min_items ? `min ${b.min_items}` : '', b.max_items ? `max ${b.max_items}` : ''].filter(Boolean).join(', ');
  return `block, ${b.nesting}${items ? `, ${items}` : ''}${b.block.deprecated ? ', deprecated' : ''}`;
}

function diffBlock(from: SchemaBlock | undefined, to: SchemaBlock | undefined, path: string, out: string[]): void {
  const names = new Set([...Object.keys(from?.attributes ?? {}), ...Object.keys(to?.attributes ?? {}), ...Object.keys(from?.blocks ?? {}), ...Object.keys(to?.blocks ?? {})]);
  for (const name of [...names].sort()) {
    const at = `${path}.${name}`;
    const [a, b] = [from?.attributes?.[name], to?.attributes?.[name]];
    const [x, y] = [from?.blocks?.[name], to?.blocks?.[name]];
    const before = a ? attributeWords(a) : x ? blockWords(x) : undefined;
    const after = b ? attributeWords(b) : y ? blockWords(y) : undefined;
    if (before === undefined) out.push(`${at}: new (${after})`);
    else if (after === undefined) out.push(`${at}: removed (was ${before})`);
    else if (before !== after) out.push(`${at}: ${before} -> ${after}`);
    if (x && y) diffBlock(x.block, y.block, at, out);
  }
}

/** One line per difference, from `from` to `to`, for the provider block and the given resource types (all when omitted). */
export function diffProviderSchemas(from: ProviderSchema, to: ProviderSchema, types?: readonly string[]): string[] {
  const out: string[] = [];
  diffBlock(from.provider_config, to.provider_config, 'provider', out);
  const all = [...new Set([...Object.keys(from.resources), ...Object.keys(to.resources)])].sort();
  for (const type of types ?? all) {
    const [a, b] = [from.resources[type], to.resources[type]];
    if (!a && !b) continue;
    if (!a) out.push(`${type}: new resource type`);
    else if (!b) out.push(`${type}: removed resource type`);
    else {
      if (a.version !== b.version) out.push(`${type}: state schema version ${a.version} -> ${b.version}`);
      diffBlock(a.block, b.block, type, out);
    }
  }
  return out;
}
