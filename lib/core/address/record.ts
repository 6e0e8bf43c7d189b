/**
 * The plan record (docknet.plan.json): which block each key got, committed next to the code like a
 * lock file so allocations survive reordering, additions and removals, and can be reviewed in a diff.
 *
 *   { "version": 1,
 *     "environments": { "prod": {
 *       "pools": { "bridges": { "prod/h1/backend": "10.10.1.0/24" } },
 *       "lanRanges": { "office": { "h1": "192.168.1.64/27" } } } } }
 *
 * Serialization is canonical (keys sorted by code unit, two-space indent, final newline) so a synth
 * that changes nothing rewrites the file byte for byte and a real change is a small diff.
 */
import * as fs from 'fs';

export const PLAN_RECORD_VERSION = 1;
export const PLAN_RECORD_FILE = 'docknet.plan.json';

export interface EnvironmentRecord {
  /** pool name -> key -> CIDR block. */
  pools: Record<string, Record<string, string>>;
  /** LAN segment name -> host name -> ip_range. */
  lanRanges: Record<string, Record<string, string>>;
}

export interface PlanRecord {
  version: typeof PLAN_RECORD_VERSION;
  environments: Record<string, EnvironmentRecord>;
}

export function emptyRecord(): PlanRecord {
  return { version: PLAN_RECORD_VERSION, environments: {} };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Array.prototype.sort without a comparator orders strings by UTF-16 code unit, exactly as
// compareKeys does, but runs natively: on a cold first call an interpreted comparator costs about
// a microsecond per comparison, and a record has thousands of keys.
function sortObject<V, W>(o: Record<string, V>, map: (v: V) => W): Record<string, W> {
  const out: Record<string, W> = {};
  const keys = Object.keys(o).sort();
  for (let i = 0; i < keys.length; i++) out[keys[i]] = map(o[keys[i]]);
  return out;
}

function sortLeaf(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = Object.keys(o).sort();
  for (let i = 0; i < keys.length; i++) out[keys[i]] = o[keys[i]];
  return out;
}

/** A deep copy with every object's keys sorted. */
export function normalizeRecord(record: PlanRecord): PlanRecord {
  return {
    version: PLAN_RECORD_VERSION,
    environments: sortObject(record.environments, normalizeEnvironment),
  };
}

/** One environment of normalizeRecord: a deep copy with every object's keys sorted. */
export function normalizeEnvironment(env: EnvironmentRecord): EnvironmentRecord {
  return {
    pools: sortObject(env.pools ?? {}, sortLeaf),
    lanRanges: sortObject(env.lanRanges ?? {}, sortLeaf),
  };
}

/**
 * `JSON.stringify(a) === JSON.stringify(b)` for records in canonical form (normalizeRecord's shape:
 * each environment an object of `pools` and `lanRanges`, each of those an object of objects), without
 * building either text: a first run would write out thousands of blocks only to compare them with
 * an empty record. Key lists are compared level by level (every value above the leaves is an
 * object, so it is always in the text); a leaf that is not plainly equal is compared as text.
 */
export function sameRecordText(a: PlanRecord, b: PlanRecord): boolean {
  if (a.version !== b.version) return JSON.stringify(a) === JSON.stringify(b);
  const envs = Object.keys(a.environments);
  if (!sameList(envs, Object.keys(b.environments))) return false;
  for (let i = 0; i < envs.length; i++) {
    const ea = a.environments[envs[i]];
    const eb = b.environments[envs[i]];
    for (const kind of ['pools', 'lanRanges'] as const) {
      const names = Object.keys(ea[kind]);
      if (!sameList(names, Object.keys(eb[kind]))) return false;
      for (let j = 0; j < names.length; j++) {
        const la = ea[kind][names[j]];
        const lb = eb[kind][names[j]];
        if (!sameLeaf(la, lb) && JSON.stringify(la) !== JSON.stringify(lb)) return false;
      }
    }
  }
  return true;
}

function sameList(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same keys in the same order, the same string values. */
function sameLeaf(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (!sameList(ka, kb)) return false;
  for (let i = 0; i < ka.length; i++) {
    const v = a[ka[i]];
    if (typeof v !== 'string' || v !== b[ka[i]]) return false;
  }
  return true;
}

export function serializePlanRecord(record: PlanRecord): string {
  return JSON.stringify(normalizeRecord(record), null, 2) + '\n';
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function isMapOf(v: unknown, inner: (x: unknown) => boolean): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(inner);
}

/**
 * Parses and checks the shape (not the addresses: AddressPlan validates those against the pools).
 * @throws Error naming the file and the fix.
 */
export function parsePlanRecord(text: string, source = PLAN_RECORD_FILE): PlanRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${(e as Error).message}). Resolve the merge conflict by hand, keeping every block line (each is an address some network may already have), or restore it from git (\`git checkout <last good commit> -- <file>\`) and run synth. Never delete it: synth would allocate every block anew, and deployed networks would get other addresses.`);
  }
  const d = data as { version?: unknown; environments?: unknown };
  if (typeof data !== 'object' || data === null || d.version !== PLAN_RECORD_VERSION) {
    throw new Error(`${source} has version ${JSON.stringify(d?.version)}; this docknet reads version ${PLAN_RECORD_VERSION}.`);
  }
  const envOk = (e: unknown) => {
    const env = e as Partial<EnvironmentRecord>;
    return typeof e === 'object' && e !== null && isMapOf(env.pools ?? {}, isStringMap) && isMapOf(env.lanRanges ?? {}, isStringMap);
  };
  if (!isMapOf(d.environments ?? {}, envOk)) {
    throw new Error(`${source} does not match { version, environments: { <env>: { pools: { <pool>: { <key>: "<cidr>" } }, lanRanges: { <segment>: { <host>: "<cidr>" } } } } }.`);
  }
  return normalizeRecord({ version: PLAN_RECORD_VERSION, environments: (d.environments ?? {}) as Record<string, EnvironmentRecord> });
}

/** undefined when the file does not exist yet (first synth). */
export function readPlanRecord(file: string): PlanRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  return parsePlanRecord(fs.readFileSync(file, 'utf8'), file);
}

/** Writes only when the content differs, so an unchanged plan leaves the file's mtime alone. Returns true when written. */
export function writePlanRecord(file: string, record: PlanRecord): boolean {
  const text = serializePlanRecord(record);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.writeFileSync(file, text);
  return true;
}
