/**
 * Text helpers shared by the report, the diff and the promotion check: Markdown and Mermaid escaping
 * (the same names end up in PR comments, tables and diagrams), stable value formatting, equality.
 */

/** Inline code that survives any content, including backticks. */
export function mdCode(s: string | number | boolean): string {
  const text = String(s).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Names inside prose: code-formatted. */
export const mdInline = mdCode;

/** A table cell: pipes escaped, newlines as <br>, empty as an em dash. */
export function mdCell(s: string | undefined): string {
  if (s === undefined || s === '') return '—';
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Plain text that must not turn into Markdown (names from the topology). */
export function mdText(s: string): string {
  return s.replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1');
}

const MAX_VALUE = 160;

/** A value for prose: scalars in code, scalar lists comma-joined, blocks as k=v pairs. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (Array.isArray(v)) return v.length ? (v.every((x) => typeof x !== 'object') ? v.map((x) => formatValue(x)).join(', ') : v.map((x) => `{${formatValue(x)}}`).join(', ')) : '(empty)';
  if (typeof v === 'object') {
    return Object.keys(v as object)
      .sort()
      .map((k) => `${k}=${formatValue((v as Record<string, unknown>)[k])}`)
      .join(', ');
  }
  const s = String(v);
  return mdCode(s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s);
}

/** Structural equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * A Mermaid label inside double quotes. Quotes, angle brackets, '#', backticks and pipes become
 * Mermaid entity codes so no name can break out of the label or start markup.
 */
export function mermaidLabel(s: string): string {
  const codes: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '`': '#96;', '|': '#124;', '&': '#amp;' };
  return s.replace(/["#<>`|&]/g, (c) => codes[c]).replace(/\r?\n/g, ' ');
}

/** 32-bit FNV-1a, hex: short stable suffixes for node ids. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** A Mermaid node id from a kind and a stable key: ASCII word characters only, unique by hash. */
export function mermaidId(kind: string, key: string): string {
  const slug = key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  return `${kind}_${slug}_${shortHash(key)}`;
}
