/**
 * One finding of docknet's validation. Every rule has a stable code (users grep for it, CI logs
 * cite it), names the constructs involved by construct path, and says what was given, what was
 * expected and how to fix it.
 */
export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
}

export interface Problem {
  /** Stable rule code, e.g. "DN201". Never reused for another meaning. */
  readonly code: string;
  readonly severity: Severity;
  /** Construct paths (or other stable names) of everything involved, first the one to fix. */
  readonly constructs: string[];
  /** Given, expected, fix: one or two sentences. */
  readonly message: string;
}

export function error(code: string, constructs: string[], message: string): Problem {
  return { code, severity: Severity.ERROR, constructs, message };
}

export function warning(code: string, constructs: string[], message: string): Problem {
  return { code, severity: Severity.WARNING, constructs, message };
}

/** "DN201 [stack/h1/backend] message" — the one line format used in errors, warnings and reports. */
export function formatProblem(p: Problem): string {
  return `${p.severity === Severity.ERROR ? 'error' : 'warning'} ${p.code} [${p.constructs.join(', ')}] ${p.message}`;
}
