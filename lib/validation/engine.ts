/**
 * Whole-topology validation: every rule family runs over the plain model (lib/model.ts) and all
 * problems come back at once, sorted so that the output is the same on every run (errors first, then
 * by code, construct paths and message). Rules live in rules/, one file per family; codes.ts lists
 * every code. The work is O(n log n): sorting and sweeping for overlaps, maps for duplicates.
 */
import { TopologyModel } from '../model';
import { ValidationContext } from './context';
import { Problem, Severity } from './problem';
import { checkDrivers } from './rules/drivers';
import { checkNames } from './rules/names';
import { checkOverlaps } from './rules/overlaps';
import { checkStaticAddresses } from './rules/static-addresses';
import { checkSubnets } from './rules/subnets';
import { checkTopology } from './rules/topology';

const RULE_FAMILIES: ((ctx: ValidationContext) => void)[] = [checkTopology, checkSubnets, checkOverlaps, checkStaticAddresses, checkDrivers, checkNames];

export function validateTopology(model: TopologyModel): Problem[] {
  const ctx = new ValidationContext(model);
  for (const rule of RULE_FAMILIES) rule(ctx);
  return sortProblems(ctx.problems);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic order, duplicates removed. */
export function sortProblems(problems: Problem[]): Problem[] {
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

export { RULES, RULE_BY_CODE } from './codes';
export { overlayMtuLimit } from './rules/drivers';
