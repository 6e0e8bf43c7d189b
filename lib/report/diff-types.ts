/** The shapes of a semantic diff (lib/report/diff-compute.ts computes them, diff-render.ts renders them). */
import { ChangeEffect } from './semantics';

export enum ChangeKind {
  ADD = 'add',
  UPDATE = 'update',
  REPLACE = 'replace',
  REMOVE = 'remove',
}

export interface AttributeChange {
  /** Path into the resource's arguments; block lists are keyed by their identity (network name, port). */
  readonly path: string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly effect: ChangeEffect;
  /** The change in human words, e.g. "IPv4 address on network backend: 10.1.0.5 → 10.1.0.6". */
  readonly description: string;
}

export interface BlastRadius {
  /** Base containers (and services) attached to a replaced network, which lose their connection. */
  readonly disconnected: string[];
  /** Those referencing the network by id: Terraform replaces them as well. */
  readonly alsoReplaced: string[];
}

export interface ResourceChange {
  readonly env: string;
  readonly host: string;
  readonly stack: string;
  readonly type: string;
  readonly key: string;
  readonly name: string;
  readonly kind: ChangeKind;
  readonly changes: AttributeChange[];
  /** Top-level arguments that force the replacement. */
  readonly forcedBy: string[];
  readonly blastRadius?: BlastRadius;
  /** One line in human words. */
  readonly summary: string;
}

export interface DiffCounts {
  readonly add: number;
  readonly update: number;
  readonly replace: number;
  readonly remove: number;
}

export interface DiffResult {
  readonly changes: ResourceChange[];
  readonly counts: DiffCounts;
}

/** When `docknet diff` exits non-zero. */
export enum FailOn {
  /** Exit 2 for changes, 3 for replacements (the default). */
  CHANGE = 'change',
  /** Exit 3 for replacements only; plain changes exit 0. */
  REPLACE = 'replace',
  /** Always exit 0 (report only). */
  NEVER = 'never',
}

export const EXIT_NO_CHANGES = 0;
export const EXIT_CHANGES = 2;
export const EXIT_REPLACEMENTS = 3;
