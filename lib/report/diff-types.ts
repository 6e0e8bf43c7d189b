/** The shapes of a semantic diff (lib/report/diff-compute.ts computes them, diff-render.ts renders them). */
import { ChangeEffect } from '../core/provider/semantics';
import { ResourceAddressModel, SwarmRoleName } from '../core/model';

export enum ChangeKind {
  ADD = 'add',
  UPDATE = 'update',
  REPLACE = 'replace',
  REMOVE = 'remove',
  /** Only a `moved` block: the resource keeps its state under a new address; Terraform changes nothing. */
  MOVE = 'move',
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

/** What a replacement does to something that depends on it. */
export enum Consequence {
  /** Terraform destroys and creates it too. */
  REPLACED = 'replaced',
  /** Docker removes it from a network that is destroyed (it keeps running). */
  DISCONNECTED = 'disconnected',
  /** It stops while its host's dockerd restarts. */
  RESTARTED = 'restarted',
}

export interface BlastItem {
  /** In the topology's words, e.g. "container `web-sidecar`". */
  readonly what: string;
  readonly name: string;
  readonly host: string;
  readonly consequence: Consequence;
  /** Why, e.g. "its network mode refers to container `web`'s id, which the replacement changes". */
  readonly because: string;
  /** "stack|type.key" of the affected resource, when it is one. */
  readonly resource?: string;
}

/** Everything a replacement takes with it, transitively. */
export interface BlastRadius {
  readonly items: BlastItem[];
  /** "host/name" of what Terraform replaces as well. */
  readonly alsoReplaced: string[];
  /** "host/name" of containers and services that lose a network. */
  readonly disconnected: string[];
  /** "host/name" of containers stopped by a dockerd restart. */
  readonly restarted: string[];
  /** How many items each host has. */
  readonly perHost: Record<string, number>;
}

export interface ResourceChange {
  readonly env: string;
  readonly host: string;
  readonly stack: string;
  /** The shard whose state the change touches, in a sharded environment. */
  readonly shard?: string;
  readonly type: string;
  readonly key: string;
  readonly name: string;
  readonly kind: ChangeKind;
  readonly changes: AttributeChange[];
  /** Top-level arguments that force the replacement. */
  readonly forcedBy: string[];
  readonly blastRadius?: BlastRadius;
  /** The docknet object the resource renders (from docknet-model.json). */
  readonly object?: ResourceAddressModel;
  /** "stack|type.key" of the replacement that forces this one, when it is not forced by its own arguments. */
  readonly causedBy?: string;
  /**
   * "type.key" the resource had in base, when a `moved` block of head gives it that state (a host
   * renamed with renamedFrom): it is compared with its old self, as Terraform plans it.
   */
  readonly movedFrom?: string;
  /** The host's name in base, when the move follows a host rename. */
  readonly renamedFrom?: string;
  /** One line in human words. */
  readonly summary: string;
}

export interface DiffCounts {
  readonly add: number;
  readonly update: number;
  readonly replace: number;
  readonly remove: number;
  /** Resources only moved to a new address (no change of their own). */
  readonly move: number;
}

/** One daemon.json key changing on one host. */
export interface DaemonKeyChange {
  readonly key: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A host's daemon.json changes: key by key, with what it does to dockerd. */
export interface DaemonChange {
  readonly host: string;
  readonly keys: DaemonKeyChange[];
  /** "dev1: dns 10.10.0.2,10.10.0.3 → 10.10.0.2,10.10.0.4; dockerd restarts". */
  readonly line: string;
}

/** A host joining, leaving or changing role in the swarm. */
export interface SwarmChange {
  readonly host: string;
  readonly before: SwarmRoleName;
  readonly after: SwarmRoleName;
  /** "stg3 joins as worker", "stg2: worker → manager". */
  readonly line: string;
}

/** A host renamed with renamedFrom whose hosts-stack state follows it through `moved` blocks. */
export interface HostRename {
  readonly from: string;
  readonly to: string;
  /** Its dockerd restarts all the same (daemon.json or the rollout's trigger changes). */
  readonly restarts: boolean;
  /** It leaves and joins the swarm all the same (its join is replaced, or its role changes). */
  readonly rejoins: boolean;
  /** "dev2 renamed to dev2b: its state moves (moved blocks); nothing restarts, no swarm leave/join". */
  readonly line: string;
}

/** Daemon and swarm changes of one environment, in operators' words. */
export interface HostOperations {
  readonly env: string;
  /** Hosts renamed with their state (empty when none). */
  readonly renames: HostRename[];
  readonly daemon: DaemonChange[];
  /** Hosts whose dockerd restarts, in the order the rollout restarts them: one wave after another. */
  readonly restartWaves: string[][];
  readonly waveSize: number;
  readonly swarm: SwarmChange[];
}

export interface DiffResult {
  readonly changes: ResourceChange[];
  readonly counts: DiffCounts;
  /** Per environment with a model on both sides and something to say. */
  readonly operations: HostOperations[];
  /**
   * What Terraform will refuse to plan, one sentence each with the way out: a host's provider
   * removed together with resources it still has to destroy ("Provider configuration not present").
   */
  readonly blockers?: string[];
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
