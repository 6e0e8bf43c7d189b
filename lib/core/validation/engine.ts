/**
 * Whole-topology validation: every rule family runs over the plain model (lib/core/model.ts) and all
 * problems come back at once, sorted so that the output is the same on every run (errors first, then
 * by code, construct paths and message). Rules live in rules/, one file per family; codes.ts lists
 * every code. The work is O(n log n): sorting and sweeping for overlaps, maps for duplicates.
 */
import { TopologyModel } from '../model';
import { ValidationContext } from './context';
import { Problem, sortProblems } from './problem';
import { checkDrivers, checkShims } from './rules/drivers';
import { checkNames } from './rules/names';
import { checkOverlaps } from './rules/overlaps';
import { checkStaticAddresses } from './rules/static-addresses';
import { checkSubnets } from './rules/subnets';
import { checkTopology } from './rules/topology';

const RULE_FAMILIES: ((ctx: ValidationContext) => void)[] = [checkTopology, checkSubnets, checkOverlaps, checkStaticAddresses, checkDrivers, checkShims, checkNames];

export function validateTopology(model: TopologyModel): Problem[] {
  const ctx = new ValidationContext(model);
  for (const rule of RULE_FAMILIES) rule(ctx);
  return sortProblems(ctx.problems);
}

export { RULES, RULE_BY_CODE } from './codes';
export { sortProblems } from './problem';
