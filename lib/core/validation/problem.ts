/**
 * One finding of docknet's validation. Every finding has a registered code (codes.ts: users grep
 * for it, CI logs cite it), names the constructs involved by construct path, and says what was
 * given, what was expected and how to fix it. Its severity comes from the registry, never from the
 * call site, so a code cannot be an error in one place and a warning in another.
 */
import { Code, RULE_BY_CODE } from './codes';
import { Severity } from './severity';

export { Severity };

export interface Problem {
  /** Stable rule code, e.g. "DN201". Never reused for another meaning. */
  readonly code: string;
  readonly severity: Severity;
  /** Construct paths (or other stable names) of everything involved, first the one to fix. */
  readonly constructs: string[];
  /** Given, expected, fix: one or two sentences. */
  readonly message: string;
}

/** A finding with the registry's severity for `code`. */
export function problem(code: Code, constructs: string[], message: string): Problem {
  const rule = RULE_BY_CODE.get(code)!;
  return { code, severity: rule.severity, constructs, message };
}

/** A finding of an error code (the registry must agree: a mismatch is a bug in docknet). */
export function error(code: Code, constructs: string[], message: string): Problem {
  return expect(problem(code, constructs, message), Severity.ERROR);
}

/** A finding of a warning code (the registry must agree). */
export function warning(code: Code, constructs: string[], message: string): Problem {
  return expect(problem(code, constructs, message), Severity.WARNING);
}

function expect(p: Problem, severity: Severity): Problem {
  if (p.severity !== severity) throw new Error(`docknet bug: ${p.code} is registered as ${p.severity} but reported as ${severity}`);
  return p;
}

/** "error DN201 [stack/h1/backend] message": the one line format used in errors, warnings and reports. */
export function formatProblem(p: Problem): string {
  return `${p.severity === Severity.ERROR ? 'error' : 'warning'} ${p.code} [${p.constructs.join(', ')}] ${p.message}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic order (errors first, then code, construct paths, message), duplicates removed. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const keyed = problems.map((p) => ({ p, k: `${p.constructs.join('\0')}\u0001${p.message}` }));
  keyed.sort(
    (a, b) =>
      (a.p.severity === b.p.severity ? 0 : a.p.severity === Severity.ERROR ? -1 : 1) || cmp(a.p.code, b.p.code) || cmp(a.k, b.k),
  );
  const out: Problem[] = [];
  let last: string | undefined;
  for (const { p, k } of keyed) {
    const id = `${p.code}\u0002${k}`;
    if (id !== last) out.push(p);
    last = id;
  }
  return out;
}
