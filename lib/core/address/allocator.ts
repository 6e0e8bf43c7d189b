/**
 * The reconciler shared by pools and LAN segments: given a container block, ranges that are never
 * available, what the record says and what is requested now, decide every key's block.
 *
 * Stability comes from the record: a recorded block that is still valid is kept as is, whatever else
 * changes. Only keys without a valid recorded block are allocated, in an order that does not depend on
 * declaration order (largest blocks first, which limits fragmentation, then by key), each at the lowest
 * free aligned position, in space no recorded key held first, in blocks released by this run only when
 * nothing else fits.
 */
import { Cidr, Interval, firstEndingAtOrAfter, insertSorted, ipv4CidrText, lowestFreeAligned, mergeIntervals, readCanonicalIpv4Block } from './cidr';
import { compareKeys } from './record';

export interface BlockRequest {
  readonly key: string;
  readonly prefix: number;
}

export interface Move {
  readonly key: string;
  readonly from: string;
  /** undefined when there was no room for it. */
  readonly to?: string;
  readonly reason: string;
}

export interface Reconciled {
  /** key -> block, for every request that got one. */
  readonly blocks: Map<string, Cidr>;
  /** Requests with no recorded block that got a new one. */
  readonly added: string[];
  /** Recorded keys no longer requested, with their former block. */
  readonly removed: { key: string; cidr: string }[];
  /** Recorded blocks that could not be kept. */
  readonly moved: Move[];
  /** Requests left without a block. */
  readonly exhausted: BlockRequest[];
  /** Requests that got (part of) a block released in this same run, because nothing else was free. */
  readonly reused: Reuse[];
}

export interface Reuse {
  readonly key: string;
  readonly cidr: string;
  /** The keys that held it until this run. */
  readonly formerKeys: string[];
}

/**
 * @param container where blocks come from
 * @param unavailable ranges never handed out (gateway, reserved ranges, network/broadcast address)
 * @param recorded key -> block from the record (may be stale or hand-edited: every entry is checked)
 * @param requests what is needed now; keys are unique
 * @param what how messages name the container, e.g. `pool "bridges" (10.10.0.0/16)`
 * @param avoid key -> ranges a new block of that key must stay clear of, on top of `unavailable`
 *   (subnets other networks in its scope declare statically). Only new blocks: a recorded block is
 *   kept even when it overlaps them (moving it would re-address a deployed network; the topology's
 *   overlap rules report it). Keys of one scope may share one array.
 */
export function reconcile(
  container: Cidr,
  unavailable: Interval[],
  recorded: Record<string, string>,
  requests: BlockRequest[],
  what: string,
  avoid?: ReadonlyMap<string, Interval[]>,
): Reconciled {
  const blocks = new Map<string, Cidr>();
  const moved: Move[] = [];
  const fresh: BlockRequest[] = [];
  const requested = new Set<string>();
  const blocked = mergeIntervals(unavailable);

  const candidates: { key: string; cidr: Cidr; req: BlockRequest }[] = [];
  for (const req of requests) {
    requested.add(req.key);
    const text = recorded[req.key];
    if (text === undefined) {
      fresh.push(req);
      continue;
    }
    const c = Cidr.tryParse(text);
    let reason: string | undefined;
    if (!c) reason = `"${text}" is not a valid CIDR block`;
    else if (!container.contains(c)) reason = `${c} lies outside ${what}`;
    else if (c.prefix !== req.prefix) reason = `${c} is a /${c.prefix} but a /${req.prefix} is requested now`;
    else if (overlapsAny(blocked, c)) reason = `${c} overlaps a reserved range of ${what}`;
    if (reason || !c) {
      moved.push({ key: req.key, from: text, reason: reason ?? 'invalid' });
      fresh.push(req);
    } else candidates.push({ key: req.key, cidr: c, req });
  }

  // Recorded blocks overlapping each other (a bad merge of two branches): the lower-starting one is
  // kept, ties broken by key, so the outcome is deterministic.
  candidates.sort((a, b) => (a.cidr.start < b.cidr.start ? -1 : a.cidr.start > b.cidr.start ? 1 : compareKeys(a.key, b.key)));
  let reach: { key: string; cidr: Cidr } | undefined;
  for (const cand of candidates) {
    if (reach && cand.cidr.start <= reach.cidr.end) {
      moved.push({ key: cand.key, from: cand.cidr.toString(), reason: `${cand.cidr} overlaps ${reach.cidr} recorded for "${reach.key}"` });
      fresh.push(cand.req);
      continue;
    }
    blocks.set(cand.key, cand.cidr);
    reach = cand;
  }

  // Blocks of keys no longer requested are released in this run, but held back as long as there is
  // other room: the old network still exists until the apply destroys it, and docker refuses a
  // second network overlapping it on the same host (and two hosts of a LAN must not hand out the same
  // range, even for the minutes of an apply). Only a request that fits nowhere else takes freed
  // space (reported in `reused`), so a rename or a role change always synthesizes in one run.
  const removed: { key: string; cidr: string }[] = [];
  const freed: Interval[] = [];
  const formerOwner: { key: string; cidr: Cidr }[] = [];
  for (const key of Object.keys(recorded).sort(compareKeys)) {
    if (requested.has(key)) continue;
    removed.push({ key, cidr: recorded[key] });
    const c = Cidr.tryParse(recorded[key]);
    if (c && c.family === container.family) {
      freed.push({ start: c.start, end: c.end });
      formerOwner.push({ key, cidr: c });
    }
  }
  const kept: Interval[] = [...blocked];
  for (const c of blocks.values()) kept.push({ start: c.start, end: c.end });
  const strict: Interval[] = mergeIntervals([...kept, ...freed]); // never-used space only
  const loose = mergeIntervals(kept); // freed space too

  fresh.sort((a, b) => a.prefix - b.prefix || compareKeys(a.key, b.key));
  const hint = new Map<number, bigint>();
  const looseHint = new Map<number, bigint>();
  const exhausted: BlockRequest[] = [];
  const added: string[] = [];
  const reused: Reuse[] = [];
  const avoiding = new Map<Interval[], Interval[]>(); // a key's avoid array -> merged
  for (const req of fresh) {
    const own = avoid?.get(req.key);
    let extra: Interval[] | undefined;
    if (own && own.length) {
      extra = avoiding.get(own);
      if (!extra) avoiding.set(own, (extra = mergeIntervals(own)));
    }
    let start: bigint | undefined;
    let fromFreed = false;
    if (extra) {
      // The hints stay a lower bound (space free of more ranges is a subset), but are not moved:
      // what this key skips may be free for the others.
      start = lowestFreeAvoiding(container, req.prefix, strict, extra, hint.get(req.prefix) ?? container.start);
      if (start === undefined) {
        start = lowestFreeAvoiding(container, req.prefix, loose, extra, looseHint.get(req.prefix) ?? container.start);
        fromFreed = start !== undefined;
      }
      if (start === undefined) {
        exhausted.push(req);
        continue;
      }
    } else {
      // The lowest free block of a size only moves up during a run (space only fills), so each size
      // resumes where the previous search ended: allocation stays near-linear.
      start = lowestFreeAligned(container, req.prefix, strict, hint.get(req.prefix) ?? container.start);
      if (start === undefined) {
        hint.set(req.prefix, container.end + 1n);
        start = lowestFreeAligned(container, req.prefix, loose, looseHint.get(req.prefix) ?? container.start);
        fromFreed = start !== undefined;
      }
      if (start === undefined) {
        exhausted.push(req);
        looseHint.set(req.prefix, container.end + 1n);
        continue;
      }
    }
    const c = Cidr.of(container.family, start, req.prefix);
    blocks.set(req.key, c);
    insertSorted(loose, { start: c.start, end: c.end });
    if (fromFreed) {
      // It may reach beyond the freed range into unused space: merge, the search needs disjoint intervals.
      strict.splice(0, strict.length, ...mergeIntervals([...strict, { start: c.start, end: c.end }]));
      if (!extra) looseHint.set(req.prefix, c.end + 1n);
      const owners = formerOwner.filter((o) => o.cidr.overlaps(c)).map((o) => o.key);
      reused.push({ key: req.key, cidr: c.toString(), formerKeys: owners });
    } else {
      insertSorted(strict, { start: c.start, end: c.end });
      if (!extra) hint.set(req.prefix, c.end + 1n);
    }
    if (recorded[req.key] === undefined) added.push(req.key);
  }
  const final = moved.map((m) => ({ ...m, to: blocks.get(m.key)?.toString() }));
  return { blocks, added, removed, moved: final, exhausted, reused };
}

/**
 * lowestFreeAligned, also clear of `avoid` (sorted, disjoint): a candidate that overlaps an avoided
 * range moves past its end (every aligned block starting between the two overlaps it too).
 */
function lowestFreeAvoiding(container: Cidr, prefix: number, occupied: Interval[], avoid: Interval[], from: bigint): bigint | undefined {
  const size = 1n << BigInt(container.bits - prefix);
  for (let f = from; ; ) {
    const start = lowestFreeAligned(container, prefix, occupied, f);
    if (start === undefined) return undefined;
    const i = firstEndingAtOrAfter(avoid, start);
    if (i >= avoid.length || avoid[i].start > start + size - 1n) return start;
    f = avoid[i].end + 1n;
  }
}

function overlapsAny(sortedDisjoint: Interval[], c: Cidr): boolean {
  let lo = 0;
  let hi = sortedDisjoint.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedDisjoint[mid].end < c.start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sortedDisjoint.length && sortedDisjoint[lo].start <= c.end;
}

/** A container's outcome in the form the plan keeps: what the record and the lookups need. */
export interface Decision {
  /**
   * key -> block text for every key that got one, keys in code-unit order: the record's entry, as
   * normalizeRecord leaves it. A new object for the record; the plan reads `blocks`.
   */
  readonly record: Record<string, string>;
  /** key -> block text. */
  readonly blocks: Map<string, string>;
  readonly moved: Move[];
  readonly exhausted: BlockRequest[];
  readonly reused: Reuse[];
  /** Addresses in all the blocks handed out (for the exhaustion message). */
  readonly used: bigint;
}

/**
 * `reconcile` as the plan calls it, with the same outcome. `keys` in declaration order; `prefix` is
 * the prefix length all of them ask, or key -> prefix length; `requested` has exactly `keys`.
 *
 * IPv4 runs in plain numbers (an address fits a double exactly), with no bigint and no Cidr per
 * block: on a cold first call code runs interpreted, and bigint arithmetic and one object per
 * operation were most of the plan's time. IPv6 goes through `reconcile`. The searches are the same
 * function of the occupied set, so merging adjacent intervals on insert (which keeps the lists short:
 * blocks handed out in order coalesce) changes no result.
 */
export function decide(
  container: Cidr,
  unavailable: Interval[],
  recorded: Record<string, string>,
  keys: string[],
  prefix: number | Map<string, number>,
  requested: { has(key: string): boolean },
  what: string,
  avoid?: ReadonlyMap<string, Interval[]>,
): Decision {
  const n = keys.length;
  if (container.family !== 4) {
    const reqs: BlockRequest[] = keys.map((key) => ({ key, prefix: typeof prefix === 'number' ? prefix : prefix.get(key)! }));
    return fromReconciled(reconcile(container, unavailable, recorded, reqs, what, avoid));
  }
  const cs = Number(container.start);
  const ce = Number(container.end);
  const blocks = new Map<string, string>();
  const moved: Move[] = [];
  const blocked = mergeIntervals(unavailable);
  // Occupied space as parallel sorted arrays of starts and ends (numbers): first what is never
  // available, then the recorded blocks that are kept.
  const ks: number[] = [];
  const ke: number[] = [];
  for (let j = 0; j < blocked.length; j++) {
    ks.push(Number(blocked[j].start));
    ke.push(Number(blocked[j].end));
  }
  const nb = ks.length;

  // With nothing recorded (a first run) every key is new, unless a key is a name on the record's
  // prototype chain ("constructor"): reading the record then gives something, as in reconcile. Not
  // reading it per key saves a runtime call each on a cold first call (a keyed load, new string).
  const recordedKeys = Object.keys(recorded);
  let allFresh = recordedKeys.length === 0;
  for (let o: object | null = allFresh ? recorded : null; o !== null && allFresh; o = Object.getPrototypeOf(o)) {
    const names = Object.getOwnPropertyNames(o);
    for (let i = 0; i < names.length; i++) if (requested.has(names[i])) allFresh = false;
  }
  let fresh: number[] | undefined; // indices into keys; undefined: all of them
  const candidates: Candidate[] = [];
  if (!allFresh) {
    fresh = [];
    const read: number[] = [0, 0];
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const text = recorded[key];
      if (text === undefined) {
        fresh.push(i);
        continue;
      }
      const p = typeof prefix === 'number' ? prefix : prefix.get(key)!;
      if (readCanonicalIpv4Block(text, read)) {
        // The checks below on numbers; the text is the block's canonical text (what `${c}` gives).
        const start = read[0];
        const end = start + 2 ** (32 - read[1]) - 1;
        let why: string | undefined;
        if (start < cs || end > ce) why = `${text} lies outside ${what}`;
        else if (read[1] !== p) why = `${text} is a /${read[1]} but a /${p} is requested now`;
        else if (overlapsSorted(ks, ke, nb, start, end)) why = `${text} overlaps a reserved range of ${what}`;
        if (why) {
          moved.push({ key, from: text, reason: why });
          fresh.push(i);
        } else candidates.push({ key, text, i, start, end });
        continue;
      }
      const c = Cidr.tryParse(text);
      let reason: string | undefined;
      if (!c) reason = `"${text}" is not a valid CIDR block`;
      else if (!container.contains(c)) reason = `${c} lies outside ${what}`;
      else if (c.prefix !== p) reason = `${c} is a /${c.prefix} but a /${p} is requested now`;
      else if (overlapsAny(blocked, c)) reason = `${c} overlaps a reserved range of ${what}`;
      if (reason || !c) {
        moved.push({ key, from: text, reason: reason ?? 'invalid' });
        fresh.push(i);
      } else candidates.push({ key, text: c.toString(), i, start: Number(c.start), end: Number(c.end) });
    }
  }

  // Recorded blocks overlapping each other: the lower-starting one is kept, ties broken by key.
  sortCandidates(candidates);
  const keptKeys: string[] = [];
  let used = 0;
  let reach: Candidate | undefined;
  for (let j = 0; j < candidates.length; j++) {
    const cand = candidates[j];
    if (reach && cand.start <= reach.end) {
      moved.push({ key: cand.key, from: cand.text, reason: `${cand.text} overlaps ${reach.text} recorded for "${reach.key}"` });
      fresh!.push(cand.i);
      continue;
    }
    blocks.set(cand.key, cand.text);
    keptKeys.push(cand.key);
    ks.push(cand.start);
    ke.push(cand.end);
    used += cand.end - cand.start + 1;
    reach = cand;
  }

  // Keys no longer requested: their blocks are held back while there is other room (see reconcile).
  const fs: number[] = [];
  const fe: number[] = [];
  const formerOwner: { key: string; cidr: Cidr }[] = [];
  if (recordedKeys.length) {
    recordedKeys.sort(); // code-unit order, as compareKeys
    for (let j = 0; j < recordedKeys.length; j++) {
      const key = recordedKeys[j];
      if (requested.has(key)) continue;
      const c = Cidr.tryParse(recorded[key]);
      if (c && c.family === container.family) {
        fs.push(Number(c.start));
        fe.push(Number(c.end));
        formerOwner.push({ key, cidr: c });
      }
    }
  }
  // strict: never-used space only; loose: freed space too. With nothing freed they are the same
  // set all along, and a search that fails in one fails in the other: one list.
  const [ss, se] = merged(fs.length ? ks.concat(fs) : ks, fs.length ? ke.concat(fe) : ke);
  const [ls, le] = fs.length ? merged(ks, ke) : [ss, se];
  const twoLists = fs.length > 0;

  // New keys, largest blocks first, then by key: per prefix length, keys in code-unit order.
  const order = orderFresh(fresh, keys, prefix);
  const fk = order.keys;
  const fp = order.prefixes;
  const exhausted: BlockRequest[] = [];
  const reused: Reuse[] = [];
  // The record's entry is written as blocks go out when that is key order already (no recorded
  // blocks kept, one prefix length): one pass, no second list of keys.
  const inOrder = keptKeys.length === 0 && order.sorted;
  const rec: Record<string, string> = {};
  const allocated: string[] = [];
  let p = -1;
  let size = 0;
  let hint = cs;
  let looseHint = cs;
  let strictFull = false;
  let looseFull = false;
  // A key's avoid array -> its ranges in numbers (sorted, merged).
  const avoiding = avoid && avoid.size ? new Map<Interval[], [number[], number[]]>() : undefined;
  /** Hands [start, start + size) out to `key`: the record, the occupied lists, a reuse of freed space. */
  const place = (key: string, start: number, p: number, size: number, fromFreed: boolean): void => {
    const end = start + size - 1;
    const text = ipv4CidrText(start, p);
    blocks.set(key, text);
    if (inOrder) rec[key] = text;
    else allocated.push(key);
    used += size;
    addInterval(ss, se, start, end);
    if (twoLists) addInterval(ls, le, start, end);
    if (fromFreed) {
      const c = Cidr.of(4, BigInt(start), p);
      const owners = formerOwner.filter((o) => o.cidr.overlaps(c)).map((o) => o.key);
      reused.push({ key, cidr: text, formerKeys: owners });
    }
  };
  for (let j = 0; j < fk.length; j++) {
    const key = fk[j];
    const pj = typeof fp === 'number' ? fp : fp[j];
    const own = avoiding ? avoid!.get(key) : undefined;
    let extra: [number[], number[]] | undefined;
    if (own && own.length) {
      extra = avoiding!.get(own);
      if (!extra) {
        const m = mergeIntervals(own);
        avoiding!.set(own, (extra = [m.map((x) => Number(x.start)), m.map((x) => Number(x.end))]));
      }
    }
    if (pj !== p) {
      // The lowest free block of a size only moves up during a run, so each size resumes where
      // its previous search ended (reconcile's hints; sizes come in runs, so one per run).
      p = pj;
      size = 2 ** (32 - p);
      hint = cs;
      looseHint = cs;
      strictFull = looseFull = !(p >= container.prefix && p <= 32);
    }
    let start = -1;
    if (extra) {
      // As in reconcile: the hints are a lower bound for this key too, but stay where they are,
      // and a search that fails here says nothing about keys without these ranges.
      let fromFreed = false;
      start = strictFull ? -1 : lowestFreeAvoidingN(ss, se, extra[0], extra[1], cs, ce, size, hint);
      if (start < 0 && twoLists) {
        start = looseFull ? -1 : lowestFreeAvoidingN(ls, le, extra[0], extra[1], cs, ce, size, looseHint);
        fromFreed = start >= 0;
      }
      if (start < 0) {
        exhausted.push({ key, prefix: p });
        continue;
      }
      place(key, start, p, size, fromFreed);
      continue;
    }
    if (!strictFull) {
      // Usually nothing is occupied at or after the hint (blocks go out in order): no search.
      const r = (hint - cs) % size;
      const cand = r === 0 ? hint : hint + size - r;
      const last = se.length - 1;
      start = (last < 0 || se[last] < cand) && cand + size - 1 <= ce ? cand : lowestFree(ss, se, cs, ce, size, hint);
    }
    let fromFreed = false;
    if (start < 0 && twoLists) {
      strictFull = true;
      start = looseFull ? -1 : lowestFree(ls, le, cs, ce, size, looseHint);
      fromFreed = start >= 0;
    }
    if (start < 0) {
      exhausted.push({ key, prefix: p });
      strictFull = looseFull = true;
      continue;
    }
    place(key, start, p, size, fromFreed);
    if (fromFreed) looseHint = start + size;
    else hint = start + size;
  }

  const final = moved.length ? moved.map((m) => ({ ...m, to: blocks.get(m.key) })) : moved;
  let record = rec;
  if (!inOrder) {
    // Kept keys (in start order, which is mostly key order: a native sort is then one pass) merged
    // with the new ones, already in key order when they are of one prefix length.
    const all = order.sorted ? mergeSorted(keptKeys.sort(), allocated) : [...blocks.keys()].sort();
    record = {};
    for (let j = 0; j < all.length; j++) record[all[j]] = blocks.get(all[j])!;
  }
  return { record, blocks, moved: final, exhausted, reused, used: BigInt(used) };
}

function fromReconciled(r: Reconciled): Decision {
  const blocks = new Map<string, string>();
  let used = 0n;
  for (const [k, c] of r.blocks) {
    blocks.set(k, c.toString());
    used += c.size;
  }
  return { record: recordOf(blocks), blocks, moved: r.moved, exhausted: r.exhausted, reused: r.reused, used };
}

/** The record's entry: keys in code-unit order. */
function recordOf(blocks: Map<string, string>): Record<string, string> {
  const keys = [...blocks.keys()].sort();
  const rec: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) rec[keys[i]] = blocks.get(keys[i])!;
  return rec;
}

interface Candidate {
  readonly key: string;
  /** The recorded block's canonical text. */
  readonly text: string;
  /** Index of the request. */
  readonly i: number;
  readonly start: number;
  readonly end: number;
}

/**
 * By start, ties by key (code-unit order). Recorded blocks come in request order, rarely by start.
 * A comparator sort runs interpreted on a cold first call (about a microsecond per comparison);
 * sortedIndices sorts natively, then runs of equal starts go by key.
 */
function sortCandidates(c: Candidate[]): void {
  const n = c.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = c[i - 1].start < c[i].start;
  if (sorted) return;
  const idx = sortedIndices(c.map((x) => x.start));
  const out: Candidate[] = new Array<Candidate>(n);
  for (let j = 0; j < n; j++) out[j] = c[idx[j]];
  for (let j = 0; j < n; ) {
    let k = j + 1;
    while (k < n && out[k].start === out[j].start) k++;
    if (k - j > 1) {
      const run = out.slice(j, k).sort((a, b) => compareKeys(a.key, b.key));
      for (let r = 0; r < run.length; r++) out[j + r] = run[r];
    }
    j = k;
  }
  for (let j = 0; j < n; j++) c[j] = out[j];
}

/** Indices of `values` (whole numbers 0 to 2^32) in ascending order of value, ties by index. */
function sortedIndices(values: number[]): number[] {
  const n = values.length;
  const out: number[] = new Array<number>(n);
  if (n >= 1048576) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out.sort((a, b) => values[a] - values[b] || a - b);
  }
  const enc = new Float64Array(n); // value * 2^20 + index < 2^53: exact
  for (let i = 0; i < n; i++) enc[i] = values[i] * 1048576 + i;
  enc.sort();
  for (let i = 0; i < n; i++) out[i] = enc[i] % 1048576;
  return out;
}

/** Two lists in code-unit order, merged (no key is in both). */
function mergeSorted(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i] < b[j] ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** Whether [start, end] overlaps one of the first `n` intervals (sorted, disjoint). */
function overlapsSorted(s: number[], e: number[], n: number, start: number, end: number): boolean {
  const i = firstEndAtOrAfter(e, n, start);
  return i < n && s[i] <= end;
}

/** Index of the first of the first `n` intervals (sorted, disjoint; `e` their ends) ending at or after `value`. */
function firstEndAtOrAfter(e: number[], n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (e[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * New keys (indices into `keys`, undefined: all) in allocation order: prefix length ascending (largest
 * blocks first), then key in code-unit order. A native sort per prefix length instead of one
 * comparator sort: keys are unique, so the order is the same. `prefixes` is one number when all
 * share it; `sorted`: the keys are in code-unit order overall.
 */
function orderFresh(
  fresh: number[] | undefined,
  keys: string[],
  prefix: number | Map<string, number>,
): { keys: string[]; prefixes: number | number[]; sorted: boolean } {
  let out: string[];
  if (fresh === undefined) out = keys.slice();
  else {
    out = new Array<string>(fresh.length);
    for (let j = 0; j < fresh.length; j++) out[j] = keys[fresh[j]];
  }
  let first = typeof prefix === 'number' ? prefix : -1;
  if (typeof prefix !== 'number') {
    let single = true;
    for (let j = 0; j < out.length && single; j++) {
      const p = prefix.get(out[j])!;
      if (j === 0) first = p;
      else single = p === first;
    }
    if (!single) {
      const lengths = [...new Set(out.map((k) => prefix.get(k)!))].sort((a, b) => a - b);
      const grouped: string[] = [];
      const prefixes: number[] = [];
      for (const p of lengths) {
        const group = out.filter((k) => prefix.get(k) === p).sort();
        for (const k of group) {
          grouped.push(k);
          prefixes.push(p);
        }
      }
      return { keys: grouped, prefixes, sorted: false };
    }
  }
  out.sort();
  return { keys: out, prefixes: first, sorted: true };
}

/** Sorted by start, adjacent and overlapping intervals merged (the same set, fewer intervals). */
function merged(s: number[], e: number[]): [number[], number[]] {
  const n = s.length;
  let idx: number[] | undefined;
  for (let i = 1; i < n; i++) {
    if (s[i] < s[i - 1]) {
      idx = sortedIndices(s);
      break;
    }
  }
  const os: number[] = [];
  const oe: number[] = [];
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j] : j;
    const last = os.length - 1;
    if (last >= 0 && s[i] <= oe[last] + 1) {
      if (e[i] > oe[last]) oe[last] = e[i];
    } else {
      os.push(s[i]);
      oe.push(e[i]);
    }
  }
  return [os, oe];
}

/** Adds [a, b] to sorted, merged intervals, merging what it touches. */
function addInterval(s: number[], e: number[], a: number, b: number): void {
  const n = s.length;
  if (n === 0 || a > e[n - 1] + 1) {
    s.push(a);
    e.push(b);
    return;
  }
  if (a >= s[n - 1]) {
    if (b > e[n - 1]) e[n - 1] = b;
    return;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (e[mid] + 1 < a) lo = mid + 1;
    else hi = mid;
  }
  if (s[lo] > b + 1) {
    s.splice(lo, 0, a);
    e.splice(lo, 0, b);
    return;
  }
  const ns = s[lo] < a ? s[lo] : a;
  let ne = b;
  let j = lo;
  while (j < n && s[j] <= ne + 1) {
    if (e[j] > ne) ne = e[j];
    j++;
  }
  s.splice(lo, j - lo, ns);
  e.splice(lo, j - lo, ne);
}

/** lowestFree, also clear of the avoided ranges `as`/`ae` (sorted, disjoint); see lowestFreeAvoiding in reconcile. */
function lowestFreeAvoidingN(s: number[], e: number[], as: number[], ae: number[], cs: number, ce: number, size: number, from: number): number {
  for (let f = from; ; ) {
    const start = lowestFree(s, e, cs, ce, size, f);
    if (start < 0) return -1;
    const i = firstEndAtOrAfter(ae, ae.length, start);
    if (i >= ae.length || as[i] > start + size - 1) return start;
    f = ae[i] + 1;
  }
}

/**
 * lowestFreeAligned (cidr.ts) in numbers: the start of the lowest block of `size` addresses, aligned
 * to its size from the container start `cs`, ending by `ce`, at or after `from`, overlapping none of
 * the occupied intervals (sorted, disjoint); -1 when there is none.
 */
function lowestFree(s: number[], e: number[], cs: number, ce: number, size: number, from: number): number {
  let cand = cs;
  if (from > cs) {
    const r = (from - cs) % size;
    cand = r === 0 ? from : from + size - r;
  }
  const n = e.length;
  let i = firstEndAtOrAfter(e, n, cand);
  while (cand + size - 1 <= ce) {
    if (i >= n || s[i] > cand + size - 1) return cand;
    const r = (e[i] + 1 - cs) % size;
    cand = r === 0 ? e[i] + 1 : e[i] + 1 + size - r;
    i++;
    while (i < n && e[i] < cand) i++;
  }
  return -1;
}
