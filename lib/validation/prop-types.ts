/**
 * The shapes of the public API's props, checked where a construct takes them: the guard for what
 * TypeScript cannot stop (JavaScript callers, `as any`, JSON read at runtime). Each prop of the wrong
 * kind is named with what was given and what it takes, all of a call's props together, as one
 * DocknetError; the construct's own rules then see only values of the right kind.
 */
import { DocknetError, describeGiven } from '../core/errors';
import { problem, Problem } from '../core/validation/problem';

export type Kind =
  /** The construct checks this prop itself, with a message of its own (listed so it is a known prop). */
  | 'own'
  | 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'list'
  | 'string list' | 'string map' | 'string or number map'
  | { readonly instance: { readonly prototype: object }; readonly example: string }
  | { readonly list: { readonly prototype: object }; readonly example: string }
  | { readonly oneOf: readonly string[] };

export type PropSpec = Readonly<Record<string, Kind>>;

const plainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** instanceof for classes with private constructors (TypeScript types them without a construct signature). */
const isInstance = (v: unknown, cls: { readonly prototype: object }): boolean => v !== null && typeof v === 'object' && cls.prototype.isPrototypeOf(v);

function fits(kind: Kind, v: unknown): boolean {
  if (typeof kind === 'object') {
    if ('instance' in kind) return isInstance(v, kind.instance);
    if ('list' in kind) return Array.isArray(v) && v.every((e) => isInstance(e, kind.list));
    return typeof v === 'string' && kind.oneOf.includes(v);
  }
  switch (kind) {
    case 'own': return true;
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'object': return plainObject(v);
    case 'list': return Array.isArray(v);
    case 'string list': return Array.isArray(v) && v.every((e) => typeof e === 'string');
    case 'string map': return plainObject(v) && Object.values(v).every((e) => typeof e === 'string');
    case 'string or number map': return plainObject(v) && Object.values(v).every((e) => typeof e === 'string' || (typeof e === 'number' && Number.isFinite(e)));
  }
}

function expected(kind: Kind): string {
  if (typeof kind === 'object') {
    if ('instance' in kind) return kind.example;
    if ('list' in kind) return `a list of ${kind.example}`;
    return `one of ${kind.oneOf.map((x) => JSON.stringify(x)).join(', ')}`;
  }
  return {
    own: '',
    string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', object: 'an object', list: 'a list',
    'string list': 'a list of strings', 'string map': 'an object of string values', 'string or number map': 'an object of string or number values',
  }[kind];
}

/**
 * The props of one call whose kind is wrong (undefined is "not given": each construct says what it
 * requires), and the props it does not take at all: those would be dropped silently.
 */
export function propTypeProblems(path: string, props: Record<string, unknown>, spec: PropSpec, what: string): Problem[] {
  const out: Problem[] = [];
  for (const name of Object.keys(props).sort()) {
    if (name in spec || props[name] === undefined) continue;
    const near = Object.keys(spec).find((k) => k.toLowerCase() === name.toLowerCase() || editDistance(k, name) <= 2);
    out.push(problem('DN100', [path], `${name} is not a prop of ${what}, so it would be dropped silently.${near ? ` Did you mean ${near}?` : ''} Expected one of: ${Object.keys(spec).join(', ')}.`));
  }
  for (const [name, kind] of Object.entries(spec)) {
    const v = props[name];
    if (v === undefined || fits(kind, v)) continue;
    out.push(problem('DN100', [path], `${name} is ${describeGiven(v)}. Expected ${expected(kind)}.`));
  }
  return out;
}

/** Throws one DocknetError with every prop of the wrong kind. */
export function checkPropTypes(scope: { readonly node: { readonly path: string } } | string, props: object, spec: PropSpec, what: string): void {
  const path = typeof scope === 'string' ? scope : scope.node.path;
  const problems = propTypeProblems(path, props as Record<string, unknown>, spec, what);
  if (problems.length === 1) throw new DocknetError(path, problems[0].message);
  if (problems.length) throw new DocknetError(problems);
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}
