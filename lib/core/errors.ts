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
