import * as fs from 'fs';
import * as path from 'path';
import type { IConstruct } from '../cdk';
import { AddressPlan, AddressPlanError, Occupancy, readPlanRecord, serializePlanRecord, PLAN_RECORD_FILE } from '../core/address';
import { LanSegmentModel, PoolModel } from '../core/model';
import { Problem, Severity, error } from '../core/validation/problem';

export { AddressPlanError as PlanError };

export interface PoolProps {
  /** The pool's block, e.g. "10.110.0.0/16". */
  readonly cidr: string;
  /** What its blocks are for, shown in the report. @default none */
  readonly purpose?: string;
}

export interface LanSegmentProps {
  /** The LAN's subnet, e.g. "10.10.0.0/24". */
  readonly subnet: string;
  /** The LAN's router. */
  readonly gateway: string;
  /** Ranges no container may get: the hosts' own addresses, a DHCP pool, appliances. @default none */
  readonly reserved?: { label: string; cidr: string }[];
  /** Size of each host's ip_range. @default 27 */
  readonly perHostPrefixLength?: number;
}

/** Construct-context key: the plan record's path (relative to the directory holding cdktf.json, else the cwd). */
export const PLAN_FILE_CONTEXT = 'docknet:planFile';
/** Construct-context key: true makes any needed change to the record an error (CI). */
export const PLAN_FROZEN_CONTEXT = 'docknet:planFrozen';

export interface PlanFileOptions {
  /**
   * Refuse any change to the record: a synth that would change it fails with DN272 and says to run
   * synth locally and commit the record, like `npm ci` with a stale lock file. Set it in CI.
   * @default false
   */
  readonly frozen?: boolean;
}

/** The directory holding cdktf.json, walking up from `from`; undefined when there is none. */
export function findProjectDir(from: string = process.cwd()): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdktf.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function contextFlag(scope: IConstruct, key: string): boolean {
  const v: unknown = scope.node.tryGetContext(key);
  if (v === undefined || v === null || v === false || v === 'false' || v === '0' || v === '') return false;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  throw new Error(`context "${key}" is ${JSON.stringify(v)}. Expected true or false.`);
}

/** One store per App: every environment and stack of an app shares the plan. */
const STORES = new WeakMap<IConstruct, PlanStore>();

/**
 * The plan record (docknet.plan.json) and the one AddressPlan every environment of an app shares.
 * Where it lives is explicit; there is no silent in-memory fallback, since a plan that is not
 * recorded moves existing subnets whenever a network is added. For an app, in this order:
 * 1. a store attached in code: `PlanStore.attach(app, PlanStore.fromFile(...))` (DocknetApp's
 *    `planStore` prop does this), or `PlanStore.inMemory()` for tests;
 * 2. the context key `docknet:planFile` (App `context`, or cdktf.json's "context");
 * 3. docknet.plan.json next to cdktf.json (found walking up from the working directory, which is
 *    where `cdktf synth` runs the app).
 * With none of these, every DocknetStack reports a synth error saying so.
 * Frozen mode comes from the store's options or the context key `docknet:planFrozen`.
 */
export class PlanStore {
  public static readonly DEFAULT_FILE = PLAN_RECORD_FILE;

  /** The record in `file` (created at the first synth). */
  public static fromFile(file: string, options: PlanFileOptions = {}): PlanStore {
    const abs = path.resolve(file);
    const frozen = options.frozen ?? false;
    return new PlanStore(abs, new AddressPlan(readPlanRecord(abs), { frozen, recordFile: abs }), frozen);
  }

  /** A store that writes nothing: for tests, or a plan given as an object. Never chosen implicitly. */
  public static inMemory(record?: Parameters<typeof serializePlanRecord>[0]): PlanStore {
    return new PlanStore(undefined, new AddressPlan(record), false);
  }

  /** Makes `store` the plan of the app `scope` belongs to. Call before creating any stack. */
  public static attach(scope: IConstruct, store: PlanStore): PlanStore {
    const root = scope.node.root;
    const existing = STORES.get(root);
    if (existing && existing !== store) {
      throw new Error(
        `the app already uses the plan record ${existing.describe()}; attach ${store.describe()} before creating any DocknetStack or DocknetEnvironment, and only once.`,
      );
    }
    STORES.set(root, store);
    return store;
  }

  /** The plan store of the app `scope` belongs to, located as the class comment says. */
  public static of(scope: IConstruct): PlanStore {
    const root = scope.node.root;
    const existing = STORES.get(root);
    if (existing) return existing;
    return PlanStore.attach(root, PlanStore.locate(root));
  }

  /** Finds the record of an app from its context and cdktf.json (steps 2 and 3 of the class comment). */
  public static locate(app: IConstruct, options: { frozen?: boolean; cwd?: string } = {}): PlanStore {
    const frozen = options.frozen ?? contextFlag(app, PLAN_FROZEN_CONTEXT);
    const projectDir = findProjectDir(options.cwd);
    const given: unknown = app.node.tryGetContext(PLAN_FILE_CONTEXT);
    if (given !== undefined) {
      if (typeof given !== 'string' || given === '') {
        throw new Error(`context "${PLAN_FILE_CONTEXT}" is ${JSON.stringify(given)}. Expected the path of the plan record, e.g. "docknet.plan.json".`);
      }
      return PlanStore.fromFile(path.resolve(projectDir ?? options.cwd ?? process.cwd(), given), { frozen });
    }
    if (projectDir) return PlanStore.fromFile(path.join(projectDir, PLAN_RECORD_FILE), { frozen });
    return new PlanStore(undefined, new AddressPlan(undefined, { frozen }), frozen, options.cwd ?? process.cwd());
  }

  private written?: string;

  private constructor(
    public readonly file: string | undefined,
    public readonly plan: AddressPlan,
    public readonly frozen: boolean,
    /** Set when no record could be located: the working directory searched. */
    private readonly unlocatedFrom?: string,
  ) {}

  private reportedBy?: string;

  /** A synth error when no record could be located (empty otherwise); reported by the first stack that asks, once. */
  public locationProblems(stackPath: string): Problem[] {
    if (this.unlocatedFrom === undefined) return [];
    this.reportedBy ??= stackPath;
    if (this.reportedBy !== stackPath) return [];
    return [
      error('DN277', [stackPath], `no plan record: the address plan must live in a file committed with the code, or adding a network moves the subnets of existing ones. ` +
        `No cdktf.json was found in ${this.unlocatedFrom} or above, and the context key "${PLAN_FILE_CONTEXT}" is not set. ` +
        `Fix: run the app from the directory holding cdktf.json (the record is kept next to it as ${PLAN_RECORD_FILE}), ` +
        `or set the context ("${PLAN_FILE_CONTEXT}": "path/to/${PLAN_RECORD_FILE}" in new App({ context }) or cdktf.json), ` +
        `or attach a store in code: PlanStore.attach(app, PlanStore.fromFile("${PLAN_RECORD_FILE}")). ` +
        `Tests may attach PlanStore.inMemory().`),
    ];
  }

  private describe(): string {
    return this.file ? `"${this.file}"` : this.unlocatedFrom !== undefined ? '(none located)' : '(in memory)';
  }

  /**
   * Writes the record when the plan changed it and has no errors. Returns whether it wrote. Called at
   * synth (DocknetApp.synth, and each DocknetStack's synthesis under a plain App); writes a given
   * content once, atomically (never a half-written record).
   */
  public save(): boolean {
    const result = this.plan.resolve();
    if (!this.file || !result.changed) return false;
    if (result.problems.some((p) => p.severity === Severity.ERROR)) return false;
    const text = serializePlanRecord(result.record);
    if (text === this.written) return false;
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, this.file);
    this.written = text;
    return true;
  }
}

/**
 * `read()`, or undefined when the plan could not serve it (a pool exhausted): the model is still
 * built and validated, and the plan's own problem says why, once.
 */
export function unlessPlanFailed<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof AddressPlanError) return undefined;
    throw e;
  }
}

/** A subnet as the plan will have it: `cidr` resolves the whole plan on first read. */
export interface PlannedBlock {
  readonly cidr: string;
}

/** One environment's view of the shared plan. */
export class EnvironmentPlan {
  private readonly segments = new Map<string, LanSegmentProps>();

  constructor(public readonly environment: string, public readonly store: PlanStore) {}

  private get plan(): AddressPlan {
    return this.store.plan;
  }

  public addPool(name: string, props: PoolProps): void {
    this.plan.addPool(this.environment, name, props.cidr, props.purpose);
  }

  public addLanSegment(name: string, props: LanSegmentProps): void {
    this.plan.addLanSegment(this.environment, { name, ...props });
    this.segments.set(name, props);
  }

  /**
   * Registers a request now (the plan resolves all requests together, in an order-free way). With a
   * `scope`, a new block stays clear of what `setOccupancy`'s lookup says is in use there.
   */
  public request(pool: string, key: string, prefixLength: number, scope?: string): PlannedBlock {
    return this.plan.request(this.environment, pool, key, prefixLength, scope);
  }

  /** The static subnets in use per scope, read when the plan resolves (see AddressPlan.setOccupancy). */
  public setOccupancy(occupancy: () => Occupancy | undefined): void {
    this.plan.setOccupancy(this.environment, occupancy);
  }

  /** A static subnet or a host was declared: the next read resolves again (blocks read so far stay). */
  public occupancyChanged(): void {
    this.plan.occupancyChanged();
  }

  /** The block the plan record (as read) holds for `key` of `pool`, if any. */
  public recordedBlock(pool: string, key: string): string | undefined {
    return this.plan.recordedBlock(this.environment, pool, key);
  }

  /** Moves a renamed host's recorded blocks to its new name (see DockerHostProps.renamedFrom). */
  public renameHost(from: string, to: string): void {
    this.plan.renameHost(this.environment, from, to);
  }

  public lanSegment(name: string): LanSegmentProps | undefined {
    return this.segments.get(name);
  }

  public lanRange(segment: string, host: string): PlannedBlock {
    return this.plan.lanRange(this.environment, segment, host);
  }

  /** Problems of the whole plan that concern this environment (exhaustion, moved blocks, frozen drift). */
  public problems(): Problem[] {
    return this.plan.resolve().problems.filter((p) => p.constructs.some((c) => c.startsWith(`${this.environment}/`)));
  }

  public poolModels(): PoolModel[] {
    return this.plan.pools(this.environment);
  }

  public lanSegmentModels(): LanSegmentModel[] {
    return this.plan.lanSegments(this.environment);
  }
}
