/**
 * How constructs take part in validation without running it more than once per synth.
 *
 * A construct registers one function that returns its problems (errors and warnings). DocknetApp
 * calls every registered function ONCE per synth, annotates each warning once, and throws one
 * DocknetError with every error of every stack, sorted. The cdktf validation hook is kept for stacks
 * used without DocknetApp (a plain App, `Testing.synth(stack, true)`); there too a warning is
 * annotated once however often cdktf asks.
 */
import { Annotations, type IConstruct } from '../cdk';
import { Problem, Severity, formatProblem } from '../core/validation/problem';

const SOURCES = new WeakMap<IConstruct, () => Problem[]>();
const ANNOTATED = new WeakMap<IConstruct, Set<string>>();

/** Registers `problems` as the construct's findings (called once per synth by DocknetApp). */
export function registerProblems(scope: IConstruct, problems: () => Problem[]): void {
  SOURCES.set(scope, problems);
  scope.node.addValidation({
    validate: () => {
      const found = problems();
      annotateWarnings(scope, found);
      return found.filter((p) => p.severity === Severity.ERROR).map(formatProblem);
    },
  });
}

/** Whether docknet's own validation covers the construct (its cdktf hook only repeats that). */
export function hasProblemSource(scope: IConstruct): boolean {
  return SOURCES.has(scope);
}

/** Every registered source in the tree under `root`, each called once, in tree order. */
export function collectProblems(root: IConstruct): { scope: IConstruct; problems: Problem[] }[] {
  const out: { scope: IConstruct; problems: Problem[] }[] = [];
  for (const c of root.node.findAll()) {
    const source = SOURCES.get(c);
    if (source) out.push({ scope: c, problems: source() });
  }
  return out;
}

/** Adds each warning as a cdktf annotation on `scope`, never the same one twice. */
export function annotateWarnings(scope: IConstruct, problems: readonly Problem[]): void {
  let done = ANNOTATED.get(scope);
  if (!done) ANNOTATED.set(scope, (done = new Set()));
  for (const w of problems) {
    if (w.severity !== Severity.WARNING) continue;
    const text = formatProblem(w);
    if (done.has(text)) continue;
    done.add(text);
    Annotations.of(scope).addWarning(text);
  }
}
