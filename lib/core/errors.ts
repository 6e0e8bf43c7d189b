import { Code } from './validation/codes';
import { Problem, formatProblem, problem, sortProblems } from './validation/problem';


/**
 * docknet's one error type. It carries the problems (each with its registered code, construct
 * paths, given / expected / fix); its message is "[path] message" for one construct's problem and
 * the sorted list, one formatted problem per line, for several. A bad single
 * prop throws it at once from the constructor; a synth with problems throws it once with all of
 * them. No stack trace: the construct path says where, and a trace of docknet's internals would
 * only bury the message (cdktf prints it in full).
 */
export class DocknetError extends Error {
  public readonly problems: Problem[];

  // Of a construct only its path is needed: any construct fits, and the core imports no constructs.
  /** One problem of one construct (`code` defaults to DN100, an invalid construct property). */
  constructor(scope: { readonly node: { readonly path: string } } | string, message: string, code?: Code);
  /** Several problems at once, e.g. every problem of a synth. */
  constructor(problems: readonly Problem[], header?: string);
  constructor(a: { readonly node: { readonly path: string } } | string | readonly Problem[], b?: string, code: Code = 'DN100') {
    const problems = Array.isArray(a)
      ? sortProblems(a as readonly Problem[])
      : [problem(code, [typeof a === 'string' ? a : (a as { node: { path: string } }).node.path], b ?? '')];
    const header = Array.isArray(a) ? b : undefined;
    // One construct's problem reads "[path] message" (the code is in .problems and in the stack
    // line); a list reads one formatted problem per line.
    const lines = Array.isArray(a) ? problems.map(formatProblem) : [`[${problems[0].constructs[0]}] ${problems[0].message}`];
    super(header ? `${header}\n  ${lines.join('\n  ')}` : lines.join('\n'));
    this.name = 'DocknetError';
    this.problems = problems;
    // The message is the whole report; frames would repeat docknet's internals after every synth.
    this.stack = `${this.name}${Array.isArray(a) ? '' : ` ${problems[0].code}`}: ${this.message}`;
  }
}

/**
 * A value given where a docknet object was expected, as a user would recognise it in the code:
 * `undefined`, a string or number as written, a construct by its path, a plain object by its JSON.
 * Used by the guards for props TypeScript cannot protect (JavaScript callers, `as any`, an array
 * index past the end), so that they get a DocknetError instead of a TypeError from deep inside.
 */
export function describeGiven(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  const node = (value as { node?: { path?: unknown } }).node;
  if (node && typeof node.path === 'string') return `${value.constructor?.name ?? 'a construct'} ${node.path}`;
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return `${Array.isArray(value) ? 'the list' : 'the object'} ${json.length > 80 ? `${json.slice(0, 77)}...` : json}`;
}

/**
 * A props argument: an object (not null, a list, a string...). `optional`: undefined stands for `{}`.
 * Refused with what was given and an example, so a JavaScript caller (or `as any`) gets a DocknetError
 * naming the construct instead of a TypeError from deep inside.
 */
export function propsObject<T>(scope: { readonly node: { readonly path: string } } | string, name: string, value: T, example: string, optional = false): T {
  if (value === undefined && optional) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DocknetError(scope, `${name} is ${describeGiven(value)}. Expected an object of props, such as ${example}.`);
  }
  return value;
}

/** A list prop: undefined is an empty list; anything but an array is refused with what was given. */
export function listProp<T>(scope: { readonly node: { readonly path: string } }, name: string, value: readonly T[] | undefined, expected: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DocknetError(scope, `${name} is ${describeGiven(value)}. Expected ${expected}.`);
  return value;
}
