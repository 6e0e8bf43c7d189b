import { DocknetError } from '../core/errors';

/** What adopt() recorded: the Docker id for the import block, and the arguments left as the host has them. */
export interface Adoption {
  readonly id: string;
  readonly keep: string[];
}

/**
 * Checks an adopt() call of a container or a network (the same rules for both: a Docker id, and only
 * arguments the resource type lets Terraform ignore) and returns what it records, `keep` sorted
 * and without repeats.
 */
export function checkAdoption(
  scope: { readonly node: { readonly path: string } },
  what: { readonly kind: 'container' | 'network'; readonly name: string; readonly idPattern: RegExp; readonly idHint: string; readonly adoptable: readonly string[] },
  dockerId: unknown,
  keep: readonly string[] = [],
): Adoption {
  if (typeof dockerId !== 'string' || !what.idPattern.test(dockerId)) {
    throw new DocknetError(scope, `adopt() got ${JSON.stringify(dockerId)} as the Docker id of ${what.kind} "${what.name}". Expected the ${what.kind}'s id (${what.idHint}).`);
  }
  const unknown = keep.filter((k) => !what.adoptable.includes(k));
  if (unknown.length) {
    throw new DocknetError(scope, `adopt() of ${what.kind} "${what.name}" cannot keep ${unknown.map((k) => JSON.stringify(k)).join(', ')}. Expected docker_${what.kind} arguments among ${what.adoptable.join(', ')}.`);
  }
  return { id: dockerId, keep: [...new Set(keep)].sort() };
}
