import { IConstruct } from 'constructs';

/**
 * A bad single prop: thrown at once from the constructor, with the construct path, so the user
 * sees where it came from. Whole-tree problems go through validation instead (lib/validation).
 */
export class DocknetError extends Error {
  constructor(scope: IConstruct | string, message: string) {
    super(`[${typeof scope === 'string' ? scope : scope.node.path}] ${message}`);
    this.name = 'DocknetError';
  }
}
