/**
 * The address plan: named pools per environment hand out blocks to stable keys, LAN segments hand out
 * one ip_range per host, and the plan record (record.ts) keeps every decision stable across runs.
 *
 *   const plan = new AddressPlan(readPlanRecord('docknet.plan.json'), { frozen: !!process.env.CI });
 *   plan.addPool('prod', 'bridges', '10.10.0.0/16', 'bridge networks');
 *   const a = plan.request('prod', 'bridges', network.node.path, 24);   // a.cidr is lazy
 *   plan.addLanSegment('prod', { name: 'office', subnet: '192.168.1.0/24', gateway: '192.168.1.1',
 *     reserved: [{ label: 'h1', cidr: '192.168.1.11' }, { label: 'DHCP', cidr: '192.168.1.128/25' }] });
 *   const r = plan.lanRange('prod', 'office', 'h1');                    // r.cidr is lazy
 *   const { record, changed, problems } = plan.resolve();              // write record when changed
 *
 * Rules
 * - Keys are the network's construct path (or a user-given key). A recorded block that is still
 *   valid (inside its pool, same prefix length, no overlap) is kept whatever else changes, so adding,
 *   removing or reordering requests never moves another's block. Invalid recorded blocks are
 *   re-allocated with a DN271 warning (a moved block replaces the network).
 * - New keys get the lowest free aligned block, largest blocks first then by key: the result does not
 *   depend on declaration order. A key requested with a scope also avoids what `setOccupancy`'s
 *   lookup says is in use there (static subnets of other networks, the LAN); a recorded block is not
 *   moved for them (the topology's overlap rules report it).
 * - Removed keys are dropped from the record and their blocks released in the same run. New keys take
 *   never-used space first: within the run that frees a block, the old network still exists until the
 *   apply destroys it, and docker refuses a second network overlapping it on the same host. Only when
 *   nothing else fits (a full LAN segment after a host rename) does a new key get freed space, with a
 *   DN275 warning, so renames, removals and role changes always synthesize in one run. From the next
 *   run on, freed blocks are ordinary free space.
 * - `renameHost(env, from, to)` moves a renamed host's blocks to its new name before allocation: its
 *   LAN ranges and every pool key under "<env>/<from>/" (the default keys of its networks and daemon
 *   blocks). A rename without it gives the new name new blocks, like any new host.
 * - frozen (CI, like `npm ci`): any change to the record is a DN272 error telling to run synth
 *   locally and commit docknet.plan.json. Values are still computed so the rest of synth can report.
 * - Environments the plan does not touch are copied from the record unchanged.
 * - Bad single inputs (unknown pool, invalid CIDR, impossible prefix) throw at once; problems that
 *   need the whole plan (exhaustion, moves, frozen drift) are returned by `resolve()`.
 * - Declaring more after a block was read is allowed: the next read resolves again with every block
 *   handed out so far pinned, so nothing already rendered moves.
 */
import { Problem, error, warning } from '../validation/problem';
import { Code } from '../validation/codes';
import { DocknetError } from '../errors';
import { Decision, decide } from './allocator';
import { Cidr, Interval, mergeIntervals } from './cidr';
import { LanSegment, LanSegmentOptions } from './lan';
import { EnvironmentRecord, PLAN_RECORD_FILE, PLAN_RECORD_VERSION, PlanRecord, compareKeys, emptyRecord, normalizeEnvironment, normalizeRecord, sameRecordText } from './record';

export const PLAN_CODES = {
  POOL_EXHAUSTED: 'DN270',
  RECORD_MOVED: 'DN271',
  RECORD_FROZEN: 'DN272',
  POOLS_OVERLAP: 'DN273',
  LAN_EXHAUSTED: 'DN274',
  FREED_REUSED: 'DN275',
  RENAME_INVALID: 'DN276',
} as const satisfies Record<string, Code>;

export interface AddressPlanOptions {
  /**
   * Refuse any change to the record (CI).
   * @default false
   */
  readonly frozen?: boolean;
  /**
   * How messages name the record file.
   * @default "docknet.plan.json"
   */
  readonly recordFile?: string;
}

/** A subnet the plan does not hand out but must stay clear of: declared statically by another network, a LAN. */
export interface OccupiedRange {
  readonly cidr: string;
  /** How messages name it, e.g. `network "app-net" (10.110.0.0/24) on host dev1`. */
  readonly label: string;
}

/**
 * The ranges in use in a request's scope (its host, or every swarm member for an overlay), as
 * `request`'s `scope` names it. Called when the plan resolves, once per scope and resolve, so it
 * must not read a block of the plan (only what is declared statically).
 */
export type Occupancy = (scope: string) => readonly OccupiedRange[];

/** A block handed out under a key. `cidr` resolves the whole plan on first read. */
export interface Allocation {
  readonly environment: string;
  readonly pool: string;
  readonly key: string;
  readonly prefixLength: number;
  /** @throws AddressPlanError when the pool had no room (the message names pool, size, request, fix). */
  readonly cidr: string;
}

/** A host's ip_range on a LAN segment. `cidr` resolves the whole plan on first read. */
export interface LanRange {
  readonly environment: string;
  readonly segment: string;
  readonly host: string;
  readonly cidr: string;
}

export interface PlanResult {
  /** The record to write back (canonical form; see serializePlanRecord). */
  readonly record: PlanRecord;
  /** True when `record` differs from the record given to the constructor. */
  readonly changed: boolean;
  readonly problems: Problem[];
}

/** A request the plan cannot serve: docknet's one error type, named after the plan (no construct path). */
export class AddressPlanError extends DocknetError {
  constructor(message: string | Problem, code: Code = 'DN100', subject = 'address plan') {
    if (typeof message === 'string') super(subject, message, code);
    else super([message]);
    this.name = 'AddressPlanError';
  }
}

interface PoolState {
  readonly name: string;
  readonly cidr: Cidr;
  /** cidr.bits, read once (a getter call per request otherwise). */
  readonly bits: number;
  readonly purpose?: string;
  /** key -> prefix length, in declaration order. */
  readonly requests: Map<string, number>;
  /** key -> its scope, for keys that stay clear of what is in use there (see Occupancy). */
  readonly scopes: Map<string, string>;
  /** The prefix length every request asks so far (-1: none yet), or null when they differ. */
  uniform: number | null;
}

interface EnvState {
  readonly pools: Map<string, PoolState>;
  readonly lans: Map<string, { segment: LanSegment; hosts: Set<string> }>;
  /** undefined from the call: nothing is in use anywhere in the environment. */
  occupancy?: () => Occupancy | undefined;
}

interface Resolved extends PlanResult {
  /** environment -> pool -> outcome. */
  readonly pools: Map<string, Map<string, Decision>>;
  /** environment -> LAN segment -> outcome. */
  readonly lans: Map<string, Map<string, Decision>>;
  readonly failures: Map<string, Problem>; // "env\0pool\0key" and "env\0lan\0segment\0host"
}

export class AddressPlan {
  private readonly input: PlanRecord;
  /** What allocation starts from: the input record, plus every block already handed out. */
  private base: PlanRecord;
  private carried: Problem[] = [];
  private readonly envs = new Map<string, EnvState>();
  /** environment -> new host name -> old host name. */
  private readonly renames = new Map<string, Map<string, string>>();
  private resolved?: Resolved;
  /**
   * The `cidr` getter of the allocations (and LAN ranges) this plan hands out, one per plan, reading
   * the allocation's own fields. An object literal's own getter is a new closure per call and gives
   * every object its own hidden class: on a cold first call that was about a microsecond per request.
   * The property is the same: own, enumerable, configurable, no setter.
   */
  private readonly blockGetter: PropertyDescriptor;
  private readonly rangeGetter: PropertyDescriptor;

  constructor(record?: PlanRecord, private readonly options: AddressPlanOptions = {}) {
    this.input = normalizeRecord(record ?? emptyRecord());
    this.base = this.input;
    const self = this;
    this.blockGetter = {
      get(this: Allocation): string {
        return self.lookup(self.resolveAll().pools, this.environment, this.pool, this.key, `${this.environment}\0${this.pool}\0${this.key}`);
      },
      enumerable: true,
      configurable: true,
    };
    this.rangeGetter = {
      get(this: LanRange): string {
        return self.lookup(self.resolveAll().lans, this.environment, this.segment, this.host, `${this.environment}\0lan\0${this.segment}\0${this.host}`);
      },
      enumerable: true,
      configurable: true,
    };
  }

  private get file(): string {
    return this.options.recordFile ?? PLAN_RECORD_FILE;
  }

  private env(name: string): EnvState {
    let e = this.envs.get(name);
    if (!e) {
      e = { pools: new Map(), lans: new Map() };
      this.envs.set(name, e);
    }
    return e;
  }

  /**
   * Something declared after a block was read: resolve again later, pinning every block already
   * handed out (they may be in rendered output), so late declarations never move earlier ones.
   */
  private reopen(): void {
    if (!this.resolved) return;
    this.base = withReleased(this.resolved.record, this.input);
    this.carried = this.resolved.problems.filter((p) => p.code === PLAN_CODES.RECORD_MOVED);
    this.resolved = undefined;
  }

  /** Declares a pool. @throws on an invalid CIDR or a second pool of the same name in the environment. */
  public addPool(environment: string, name: string, cidr: string, purpose?: string): void {
    this.reopen();
    const e = this.env(environment);
    if (e.pools.has(name)) throw new AddressPlanError(`Pool "${name}" is declared twice in environment "${environment}". Pool names must be unique per environment.`);
    let c: Cidr;
    try {
      c = Cidr.parse(cidr);
    } catch (err) {
      throw new AddressPlanError(`Pool "${name}" in environment "${environment}": ${(err as Error).message}`);
    }
    e.pools.set(name, { name, cidr: c, bits: c.bits, purpose, requests: new Map(), scopes: new Map(), uniform: -1 });
  }

  /**
   * What is in use in each scope of `environment`: a new block of a request with a `scope` stays
   * clear of those ranges (a recorded block stays where it is). `occupancy` is called when the plan
   * resolves and returns the lookup for that resolve.
   */
  public setOccupancy(environment: string, occupancy: () => Occupancy | undefined): void {
    this.reopen();
    this.env(environment).occupancy = occupancy;
  }

  /**
   * Something the occupancy reads was declared (a static subnet, a host): resolve again at the next
   * read, with the blocks handed out so far pinned (see reopen).
   */
  public occupancyChanged(): void {
    if (this.resolved) this.reopen();
  }

  /**
   * Asks pool `pool` for a /prefixLength block under `key`. Asking again with the same key and length
   * returns the same allocation. With a `scope` (see setOccupancy), a new block is also clear of the
   * ranges in use there.
   * @throws on an unknown pool, an impossible prefix, or the same key with another length.
   */
  public request(environment: string, pool: string, key: string, prefixLength: number, scope?: string): Allocation {
    if (this.resolved) this.reopen();
    const p = this.envs.get(environment)?.pools.get(pool);
    if (!p) {
      const known = [...(this.envs.get(environment)?.pools.keys() ?? [])].sort(compareKeys);
      throw new AddressPlanError(
        `"${key}" asks pool "${pool}" of environment "${environment}", which is not declared (declared: ${known.length ? known.join(', ') : 'none'}). Call addPool first.`,
      );
    }
    if (!Number.isInteger(prefixLength) || prefixLength < p.cidr.prefix || prefixLength > p.bits) {
      throw new AddressPlanError(
        `"${key}" asks pool "${pool}" (${p.cidr}) for a /${prefixLength}: it must be a whole number from /${p.cidr.prefix} to /${p.cidr.bits}.`,
      );
    }
    const prev = p.requests.get(key);
    if (prev !== undefined && prev !== prefixLength) {
      throw new AddressPlanError(`"${key}" asks pool "${pool}" twice, for a /${prev} and a /${prefixLength}. Use one prefix length per key.`);
    }
    if (p.uniform !== prefixLength) p.uniform = p.requests.size === 0 ? prefixLength : null;
    p.requests.set(key, prefixLength);
    if (scope !== undefined) p.scopes.set(key, scope);
    return Object.defineProperty({ environment, pool, key, prefixLength }, 'cidr', this.blockGetter) as Allocation;
  }

  /** Declares a LAN segment. @throws on invalid addresses (see LanSegment). */
  public addLanSegment(environment: string, options: LanSegmentOptions): LanSegment {
    this.reopen();
    const e = this.env(environment);
    if (e.lans.has(options.name)) {
      throw new AddressPlanError(`LAN segment "${options.name}" is declared twice in environment "${environment}".`);
    }
    const segment = new LanSegment(options);
    e.lans.set(options.name, { segment, hosts: new Set() });
    return segment;
  }

  /** The ip_range of `host` on LAN segment `segment`. */
  public lanRange(environment: string, segment: string, host: string): LanRange {
    if (this.resolved) this.reopen();
    const lan = this.envs.get(environment)?.lans.get(segment);
    if (!lan) throw new AddressPlanError(`Host "${host}" asks LAN segment "${segment}" of environment "${environment}", which is not declared. Call addLanSegment first.`);
    lan.hosts.add(host);
    return Object.defineProperty({ environment, segment, host }, 'cidr', this.rangeGetter) as LanRange;
  }

  /**
   * Host `to` was called `from` until now: its recorded blocks (LAN ranges, and pool keys under
   * "<environment>/<from>/") move to the new name before allocation, so it keeps its addresses.
   * A no-op once the record has the new name (the option may stay in the code).
   * @throws when `from` is renamed twice or `from` equals `to`.
   */
  public renameHost(environment: string, from: string, to: string): void {
    this.reopen();
    let m = this.renames.get(environment);
    if (!m) {
      m = new Map();
      this.renames.set(environment, m);
    }
    if (from === to) throw new AddressPlanError(`Host "${to}" of environment "${environment}" is renamed from itself. Remove renamedFrom, or give the host's former name.`);
    const other = [...m.entries()].find(([t, f]) => f === from && t !== to);
    if (other) {
      throw new AddressPlanError(`Hosts "${other[0]}" and "${to}" of environment "${environment}" are both renamed from "${from}": only one host can take over its blocks. Remove renamedFrom from one of them.`);
    }
    m.set(to, from);
  }

  /** The block the input record holds for `key` of `pool` (after renames: under the key's old name too). */
  public recordedBlock(environment: string, pool: string, key: string): string | undefined {
    const rec = this.input.environments[environment]?.pools[pool];
    if (!rec) return undefined;
    if (Object.prototype.hasOwnProperty.call(rec, key)) return rec[key];
    for (const [to, from] of this.renames.get(environment) ?? []) {
      const now = `${environment}/${to}/`;
      const old = `${environment}/${from}/${key.slice(now.length)}`;
      if (key.startsWith(now) && Object.prototype.hasOwnProperty.call(rec, old)) return rec[old];
    }
    return undefined;
  }

  /** Pools of an environment, for the topology model. */
  public pools(environment: string): { name: string; cidr: string; purpose?: string }[] {
    return [...(this.envs.get(environment)?.pools.values() ?? [])].map((p) => ({ name: p.name, cidr: p.cidr.toString(), purpose: p.purpose }));
  }

  /** LAN segments of an environment with their carved host ranges, for the topology model. Resolves. */
  public lanSegments(environment: string): {
    name: string;
    subnet: string;
    gateway: string;
    reserved: { label: string; cidr: string }[];
    hostRanges: { host: string; ipRange: string }[];
  }[] {
    const decided = this.resolveAll().lans.get(environment);
    return [...(this.envs.get(environment)?.lans.values() ?? [])].map(({ segment, hosts }) => ({
      name: segment.name,
      subnet: segment.subnet.toString(),
      gateway: segment.gateway.networkAddress.toString(),
      reserved: segment.reserved.map((x) => ({ label: x.label, cidr: x.cidr.toString() })),
      hostRanges: [...hosts]
        .sort(compareKeys)
        .flatMap((h) => {
          const c = decided?.get(segment.name)?.blocks.get(h);
          return c !== undefined ? [{ host: h, ipRange: c }] : [];
        }),
    }));
  }

  private resolveAll(): Resolved {
    return this.resolve() as Resolved;
  }

  /** The block of `key` in container `name` of `environment`; `id` names it in the failures map. */
  private lookup(decided: Map<string, Map<string, Decision>>, environment: string, name: string, key: string, id: string): string {
    const c = decided.get(environment)?.get(name)?.blocks.get(key);
    if (c !== undefined) return c;
    // The same problem resolve() reports, so the synth's one list shows it once (duplicates merge).
    const failure = this.resolveAll().failures.get(id);
    if (failure) throw new AddressPlanError(failure);
    throw new AddressPlanError(`No allocation for ${id.split('\0').join(' / ')}.`, 'DN270');
  }

  /** Decides every block (once; later calls return the same result). */
  public resolve(): PlanResult {
    if (this.resolved) return this.resolved;
    const problems: Problem[] = [];
    const decidedPools = new Map<string, Map<string, Decision>>();
    const decidedLans = new Map<string, Map<string, Decision>>();
    const failures = new Map<string, Problem>();
    // The environments of the record to write: the input's (already in canonical form), then each
    // declared environment's new entry in its place; normalized once at the end.
    const environments: Record<string, EnvironmentRecord> = {};
    const inputNames = Object.keys(this.input.environments);
    for (let i = 0; i < inputNames.length; i++) environments[inputNames[i]] = this.input.environments[inputNames[i]];
    const frozen = this.options.frozen ?? false;
    const fix = `Run synth locally and commit ${this.file}.`;
    const drift = (subject: string, what: string) =>
      problems.push(error(PLAN_CODES.RECORD_FROZEN, [subject], `${this.file} is out of date (frozen mode): ${what}. ${fix}`));

    for (const envName of [...this.envs.keys()].sort()) {
      const e = this.envs.get(envName)!;
      const poolDecisions = new Map<string, Decision>();
      const lanDecisions = new Map<string, Decision>();
      decidedPools.set(envName, poolDecisions);
      decidedLans.set(envName, lanDecisions);
      const prev: EnvironmentRecord = this.moveRenamed(envName, this.base.environments[envName] ?? { pools: {}, lanRanges: {} }, e, problems);
      const orig: EnvironmentRecord = this.input.environments[envName] ?? { pools: {}, lanRanges: {} };
      const next: EnvironmentRecord = { pools: {}, lanRanges: {} };

      const pools = [...e.pools.values()].sort((a, b) => compareKeys(a.name, b.name));
      const byStart = [...pools].sort((a, b) => Cidr.compare(a.cidr, b.cidr));
      for (let i = 1; i < byStart.length; i++) {
        const a = byStart[i - 1];
        const b = byStart[i];
        if (a.cidr.overlaps(b.cidr)) {
          problems.push(
            error(PLAN_CODES.POOLS_OVERLAP, [`${envName}/pool ${b.name}`, `${envName}/pool ${a.name}`],
              `Pools "${b.name}" (${b.cidr}) and "${a.name}" (${a.cidr}) of environment "${envName}" overlap, so their networks could collide. Give each pool its own range.`),
          );
        }
      }

      // What is in use in each scope, read once per resolve and scope.
      // Scopes that get the same list from the lookup (every overlay, the bridges of a host) share
      // the parsed list, and the per-pool list below.
      let occupancy: Occupancy | undefined | null = null; // null: not read yet
      const inScope = new Map<string, { cidr: Cidr; label: string }[]>();
      const parsed = new Map<readonly OccupiedRange[], { cidr: Cidr; label: string }[]>();
      const occupied = (scope: string) => {
        let list = inScope.get(scope);
        if (!list) {
          const raw = occupancy?.(scope) ?? [];
          list = parsed.get(raw);
          if (!list) {
            list = [];
            for (const r of raw) {
              const c = Cidr.tryParse(r.cidr); // a malformed one is DN200 of the topology
              if (c) list.push({ cidr: c, label: r.label });
            }
            parsed.set(raw, list);
          }
          inScope.set(scope, list);
        }
        return list;
      };

      for (const p of pools) {
        const what = `pool "${p.name}" (${p.cidr})`;
        // key -> the ranges in use in its scope that lie in the pool; keys of one scope share one list.
        const avoid = new Map<string, Interval[]>();
        const avoidLabels = new Map<Interval[], string[]>();
        if (p.scopes.size && occupancy === null) occupancy = e.occupancy?.();
        if (p.scopes.size && occupancy) {
          const byList = new Map<{ cidr: Cidr; label: string }[], Interval[]>();
          for (const [key, scope] of p.scopes) {
            const used = occupied(scope);
            let list = byList.get(used);
            if (!list) {
              list = [];
              const labels: string[] = [];
              for (const r of used) {
                if (r.cidr.family !== p.cidr.family || !r.cidr.overlaps(p.cidr)) continue;
                list.push({ start: r.cidr.start, end: r.cidr.end });
                labels.push(r.label);
              }
              byList.set(used, list);
              avoidLabels.set(list, labels);
            }
            if (list.length) avoid.set(key, list);
          }
        }
        const result = decide(p.cidr, [], prev.pools[p.name] ?? {}, [...p.requests.keys()], p.uniform ?? p.requests, p.requests, what, avoid);
        poolDecisions.set(p.name, result);
        next.pools[p.name] = result.record;
        this.report(result, envName, what, problems, frozen);
        if (frozen) diff(orig.pools[p.name] ?? {}, next.pools[p.name], what, drift);
        for (const req of result.exhausted) {
          const inUse = avoid.get(req.key);
          let msg: string;
          if (!inUse) {
            const free = p.cidr.size - result.used;
            msg =
              `${what} of environment "${envName}" has no free /${req.prefix} for "${req.key}": the pool holds ${p.cidr.size} addresses, ` +
              `${free} of them free, not enough or not as one aligned /${req.prefix}. Enlarge the pool, request a longer prefix, or add a second pool.`;
          } else {
            // Free for this key: neither handed out nor in use in its scope.
            const taken: Interval[] = [...inUse];
            for (const b of result.blocks.values()) {
              const c = Cidr.parse(b);
              taken.push({ start: c.start, end: c.end });
            }
            let free = p.cidr.size;
            for (const t of mergeIntervals(taken)) {
              const lo = t.start > p.cidr.start ? t.start : p.cidr.start;
              const hi = t.end < p.cidr.end ? t.end : p.cidr.end;
              if (lo <= hi) free -= hi - lo + 1n;
            }
            const labels = avoidLabels.get(inUse)!;
            const shown = labels.slice(0, 3).join('; ') + (labels.length > 3 ? `; and ${labels.length - 3} more` : '');
            msg =
              `${what} of environment "${envName}" has no free /${req.prefix} for "${req.key}": the pool holds ${p.cidr.size} addresses, ` +
              `${free} of them free for it, not enough or not as one aligned /${req.prefix}. Besides the pool's own blocks, these subnets in its scope take part of the pool: ${shown}. ` +
              `Enlarge the pool, request a longer prefix, add a second pool, or move those subnets out of the pool.`;
          }
          const pr = error(PLAN_CODES.POOL_EXHAUSTED, [req.key], msg);
          failures.set(`${envName}\0${p.name}\0${req.key}`, pr);
          problems.push(pr);
        }
      }
      for (const name of Object.keys(orig.pools).sort(compareKeys)) {
        if (!e.pools.has(name) && frozen) drift(`${envName}/pool ${name}`, `pool "${name}" is recorded but no longer declared`);
      }

      for (const [name, lan] of [...e.lans.entries()].sort((a, b) => compareKeys(a[0], b[0]))) {
        const seg = lan.segment;
        const what = seg.describe();
        const result = decide(seg.subnet, seg.unavailable(), prev.lanRanges[name] ?? {}, [...lan.hosts], seg.perHostPrefixLength, lan.hosts, what);
        lanDecisions.set(name, result);
        next.lanRanges[name] = result.record;
        this.report(result, envName, what, problems, frozen);
        if (frozen) diff(orig.lanRanges[name] ?? {}, next.lanRanges[name], what, drift);
        for (const req of result.exhausted) {
          const msg =
            `${what} has no free aligned /${req.prefix} for host "${req.key}" outside the gateway and reserved ranges. ` +
            `Use a longer perHostPrefixLength, shrink reserved ranges, or use a larger subnet.`;
          const pr = error(PLAN_CODES.LAN_EXHAUSTED, [`${envName}/lan ${name}`, req.key], msg);
          failures.set(`${envName}\0lan\0${name}\0${req.key}`, pr);
          problems.push(pr);
        }
      }
      for (const name of Object.keys(orig.lanRanges).sort(compareKeys)) {
        if (!e.lans.has(name) && frozen) drift(`${envName}/lan ${name}`, `LAN segment "${name}" is recorded but no longer declared`);
      }
      environments[envName] = next;
    }

    // Canonical form (normalizeRecord) without sorting the leaves again: decide() builds them in
    // key order, and the input's environments are canonical already.
    const record: PlanRecord = { version: PLAN_RECORD_VERSION, environments: {} };
    const names = Object.keys(environments).sort();
    for (let i = 0; i < names.length; i++) {
      const env = environments[names[i]];
      record.environments[names[i]] = this.envs.has(names[i])
        ? { pools: sortKeys(env.pools), lanRanges: sortKeys(env.lanRanges) }
        : normalizeEnvironment(env);
    }
    const changed = !sameRecordText(record, this.input);
    const moves = new Set(problems.filter((p) => p.code === PLAN_CODES.RECORD_MOVED).map((p) => p.message));
    problems.unshift(...this.carried.filter((p) => !moves.has(p.message)));
    this.resolved = { record, changed, problems, pools: decidedPools, lans: decidedLans, failures };
    return this.resolved;
  }

  /**
   * The record with the renames of an environment applied: old keys become new keys, unless the new
   * key is recorded already (then the rename happened before and the old entry is left to be freed).
   */
  private moveRenamed(envName: string, rec: EnvironmentRecord, e: EnvState, problems: Problem[]): EnvironmentRecord {
    const renames = this.renames.get(envName);
    if (!renames || renames.size === 0) return rec;
    const declared = new Set<string>();
    for (const lan of e.lans.values()) for (const h of lan.hosts) declared.add(h);
    const move = (m: Record<string, string>, rename: (k: string) => string | undefined) => {
      const out: Record<string, string> = { ...m };
      for (const k of Object.keys(m).sort(compareKeys)) {
        const to = rename(k);
        if (to === undefined || out[to] !== undefined) continue;
        out[to] = m[k];
        delete out[k];
      }
      return out;
    };
    for (const [to, from] of [...renames.entries()].sort((a, b) => compareKeys(a[0], b[0]))) {
      if (declared.has(from)) {
        problems.push(
          error(PLAN_CODES.RENAME_INVALID, [`${envName}/${to}`],
            `Host "${to}" of environment "${envName}" is renamed from "${from}", but a host "${from}" is still declared. Remove renamedFrom, or remove or rename the host "${from}".`),
        );
        renames.delete(to);
      }
    }
    const prefixOf = (k: string): string | undefined => {
      for (const [to, from] of renames) {
        const old = `${envName}/${from}/`;
        if (k.startsWith(old)) return `${envName}/${to}/${k.slice(old.length)}`;
      }
      return undefined;
    };
    const byOld = new Map([...renames.entries()].map(([to, from]) => [from, to]));
    return {
      pools: Object.fromEntries(Object.entries(rec.pools).map(([n, m]) => [n, move(m, prefixOf)])),
      lanRanges: Object.fromEntries(Object.entries(rec.lanRanges).map(([n, m]) => [n, move(m, (k) => byOld.get(k))])),
    };
  }

  /** DN271 for recorded blocks that had to move (in frozen mode the diff reports them as DN272). */
  private report(result: Decision, envName: string, what: string, problems: Problem[], frozen: boolean): void {
    if (frozen) return;
    for (const r of result.reused) {
      const former = r.formerKeys.length ? ` (held until now by ${r.formerKeys.map((k) => `"${k}"`).join(', ')})` : '';
      problems.push(
        warning(PLAN_CODES.FREED_REUSED, [r.key],
          `"${r.key}" gets ${r.cidr} in ${what} of environment "${envName}", released in this run${former}, because nothing else is free. ` +
            `Apply removes the old network before this one can be created; if this is a renamed host, declare renamedFrom on addHost to keep its blocks instead.`),
      );
    }
    for (const m of result.moved) {
      const to = m.to ? `moved to ${m.to}` : 'could not be re-allocated';
      {
        problems.push(
          warning(PLAN_CODES.RECORD_MOVED, [m.key],
            `The recorded block ${m.from} of "${m.key}" in ${what} of environment "${envName}" is invalid (${m.reason}); ${to}. The network will be replaced on apply; commit ${this.file}.`),
        );
      }
    }
  }
}

/**
 * After a re-open: the blocks handed out so far, plus the keys the input record had but this run no
 * longer requests, so their blocks stay held back (as freed, not free) in the next resolve.
 */
function withReleased(resolved: PlanRecord, input: PlanRecord): PlanRecord {
  const out = normalizeRecord(resolved);
  for (const [envName, env] of Object.entries(input.environments)) {
    const o = (out.environments[envName] ??= { pools: {}, lanRanges: {} });
    for (const [kind, maps] of [['pools', env.pools], ['lanRanges', env.lanRanges]] as const) {
      for (const [name, m] of Object.entries(maps)) {
        const target = (o[kind][name] ??= {});
        const taken = new Set(Object.values(target));
        for (const [k, v] of Object.entries(m)) if (target[k] === undefined && !taken.has(v)) target[k] = v;
      }
    }
  }
  return out;
}

/** Frozen mode: every difference between the committed record and what this run needs. */
function diff(before: Record<string, string>, after: Record<string, string>, what: string, drift: (subject: string, what: string) => void): void {
  for (const k of Object.keys(after).sort(compareKeys)) {
    if (before[k] === undefined) drift(k, `"${k}" needs a new block in ${what} but has none recorded`);
    else if (before[k] !== after[k]) drift(k, `the recorded block ${before[k]} of "${k}" in ${what} is invalid and must move to ${after[k]}`);
  }
  for (const k of Object.keys(before).sort(compareKeys)) {
    if (after[k] === undefined) drift(k, `"${k}" (${before[k]}) in ${what} is recorded but no longer requested`);
  }
}

/** A copy with the keys in code-unit order; the values as they are. */
function sortKeys<V>(o: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  const keys = Object.keys(o).sort();
  for (let i = 0; i < keys.length; i++) out[keys[i]] = o[keys[i]];
  return out;
}
