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
import { Cidr, Interval, insertSorted, lowestFreeAligned, mergeIntervals } from './cidr';
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
 */
export function reconcile(
  container: Cidr,
  unavailable: Interval[],
  recorded: Record<string, string>,
  requests: BlockRequest[],
  what: string,
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
  for (const req of fresh) {
    // The lowest free block of a size only moves up during a run (space only fills), so each size
    // resumes where the previous search ended: allocation stays near-linear.
    let start = lowestFreeAligned(container, req.prefix, strict, hint.get(req.prefix) ?? container.start);
    let fromFreed = false;
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
    const c = Cidr.of(container.family, start, req.prefix);
    blocks.set(req.key, c);
    insertSorted(loose, { start: c.start, end: c.end });
    if (fromFreed) {
      // It may reach beyond the freed range into unused space: merge, the search needs disjoint intervals.
      strict.splice(0, strict.length, ...mergeIntervals([...strict, { start: c.start, end: c.end }]));
      looseHint.set(req.prefix, c.end + 1n);
      const owners = formerOwner.filter((o) => o.cidr.overlaps(c)).map((o) => o.key);
      reused.push({ key: req.key, cidr: c.toString(), formerKeys: owners });
    } else {
      insertSorted(strict, { start: c.start, end: c.end });
      hint.set(req.prefix, c.end + 1n);
    }
    if (recorded[req.key] === undefined) added.push(req.key);
  }
  const final = moved.map((m) => ({ ...m, to: blocks.get(m.key)?.toString() }));
  return { blocks, added, removed, moved: final, exhausted, reused };
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
