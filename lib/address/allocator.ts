/**
 * The reconciler shared by pools and LAN segments: given a container block, ranges that are never
 * available, what the record says and what is requested now, decide every key's block.
 *
 * Stability comes from the record: a recorded block that is still valid is kept as is, whatever else
 * changes. Only keys without a valid recorded block are allocated, in an order that does not depend on
 * declaration order (largest blocks first, which limits fragmentation, then by key), each at the lowest
 * free aligned position.
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

  // Released blocks stay unavailable for the rest of this run: the old network is destroyed by the same
  // apply that would create the new one, and docker refuses overlapping subnets on one host.
  const removed: { key: string; cidr: string }[] = [];
  const occupiedList: Interval[] = [...blocked];
  for (const key of Object.keys(recorded).sort(compareKeys)) {
    if (requested.has(key)) continue;
    removed.push({ key, cidr: recorded[key] });
    const c = Cidr.tryParse(recorded[key]);
    if (c && c.family === container.family) occupiedList.push({ start: c.start, end: c.end });
  }
  for (const c of blocks.values()) occupiedList.push({ start: c.start, end: c.end });
  const occupied = mergeIntervals(occupiedList);

  fresh.sort((a, b) => a.prefix - b.prefix || compareKeys(a.key, b.key));
  const hint = new Map<number, bigint>();
  const exhausted: BlockRequest[] = [];
  const added: string[] = [];
  for (const req of fresh) {
    // The lowest free block of a size only moves up during a run (space only fills), so each size
    // resumes where the previous search ended: allocation stays near-linear.
    const start = lowestFreeAligned(container, req.prefix, occupied, hint.get(req.prefix) ?? container.start);
    if (start === undefined) {
      exhausted.push(req);
      hint.set(req.prefix, container.end + 1n);
      continue;
    }
    const c = Cidr.of(container.family, start, req.prefix);
    blocks.set(req.key, c);
    insertSorted(occupied, { start: c.start, end: c.end });
    hint.set(req.prefix, c.end + 1n);
    if (recorded[req.key] === undefined) added.push(req.key);
  }
  const final = moved.map((m) => ({ ...m, to: blocks.get(m.key)?.toString() }));
  return { blocks, added, removed, moved: final, exhausted };
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
