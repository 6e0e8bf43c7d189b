import * as fs from 'fs';
import { AddressPlan, AddressPlanError, readPlanRecord, serializePlanRecord, PLAN_RECORD_FILE } from '../address';
import { LanSegmentModel, PoolModel } from '../model';
import { Problem } from '../validation/problem';

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

/**
 * The plan record on disk (docknet.plan.json) and the one AddressPlan every environment of an app
 * shares. Frozen (DOCKNET_PLAN_FROZEN=1, as in CI): a synth that would change the record fails and
 * says to run synth locally and commit the record, like `npm ci` with a stale lock file.
 */
export class PlanStore {
  public static readonly DEFAULT_FILE = PLAN_RECORD_FILE;

  public static fromFile(file: string, frozen = process.env.DOCKNET_PLAN_FROZEN === '1'): PlanStore {
    return new PlanStore(file, new AddressPlan(readPlanRecord(file), { frozen, recordFile: file }));
  }

  /** A store that writes nothing: for tests, or a plan given as an object. */
  public static inMemory(record?: Parameters<typeof serializePlanRecord>[0]): PlanStore {
    return new PlanStore(undefined, new AddressPlan(record));
  }

  private constructor(public readonly file: string | undefined, public readonly plan: AddressPlan) {}

  /** Writes the record when the plan changed it. Returns whether it wrote. */
  public save(): boolean {
    const result = this.plan.resolve();
    if (!this.file || !result.changed) return false;
    const text = serializePlanRecord(result.record);
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, this.file); // never a half-written record
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

  constructor(public readonly environment: string, public readonly store: PlanStore = PlanStore.inMemory()) {}

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

  /** Registers a request now (the plan resolves all requests together, in an order-free way). */
  public request(pool: string, key: string, prefixLength: number): PlannedBlock {
    return this.plan.request(this.environment, pool, key, prefixLength);
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
