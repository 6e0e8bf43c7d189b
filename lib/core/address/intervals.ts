/**
 * Overlap detection on bigint intervals in O(n log n): sort by start, sweep keeping the interval that
 * reaches furthest. Never compares all pairs; a fleet has thousands of subnets.
 */
import { IpFamily } from './cidr';

export interface Span<T> {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
  readonly item: T;
}

function byStart<T>(a: Span<T>, b: Span<T>): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.end === b.end ? 0 : a.end > b.end ? -1 : 1;
}

/**
 * Pairs [earlier, later] of overlapping spans. Each span that overlaps anything before it in start
 * order is reported once, paired with the span reaching furthest so far: enough to name every
 * offender without an n-squared blow-up when many spans overlap one big one.
 */
export function sweepOverlaps<T>(spans: Span<T>[]): [T, T][] {
  const sorted = [...spans].sort(byStart);
  const out: [T, T][] = [];
  let reach: Span<T> | undefined;
  for (const s of sorted) {
    if (reach && reach.family === s.family && s.start <= reach.end) out.push([reach.item, s.item]);
    if (!reach || reach.family !== s.family || s.end > reach.end) reach = s;
  }
  return out;
}

/**
 * Pairs [a, b] with a from `left` and b from `right` that overlap. Spans within one side are not
 * compared. Each span is reported at most once, against the furthest-reaching span of the other side.
 * `accept` may reject a pair (an intended overlap); the next candidate is then tried, so a rejected
 * pair does not hide a real one.
 */
export function crossOverlaps<A, B>(left: Span<A>[], right: Span<B>[], accept: (a: A, b: B) => boolean = () => true): [A, B][] {
  const index = new SpanIndex(right);
  const out: [A, B][] = [];
  for (const l of left) {
    const hit = index.first(l, (r) => accept(l.item, r));
    if (hit !== undefined) out.push([l.item, hit]);
  }
  return out;
}

/**
 * Static index for "which spans overlap this one": sorted by start with a running maximum of ends,
 * so a query is a binary search plus a backward walk over candidates only.
 */
export class SpanIndex<T> {
  private readonly sorted: Span<T>[];
  private readonly maxEnd: bigint[];

  constructor(spans: Span<T>[]) {
    this.sorted = [...spans].sort(byStart);
    this.maxEnd = new Array(this.sorted.length);
    let fam: IpFamily | undefined;
    let m = -1n;
    this.sorted.forEach((s, i) => {
      if (s.family !== fam) {
        fam = s.family;
        m = -1n;
      }
      if (s.end > m) m = s.end;
      this.maxEnd[i] = m;
    });
  }

  public get size(): number {
    return this.sorted.length;
  }

  /** The first (furthest-reaching first) overlapping item that `accept` takes, or undefined. */
  public first(q: { family: IpFamily; start: bigint; end: bigint }, accept: (item: T) => boolean = () => true): T | undefined {
    let found: T | undefined;
    this.visit(q, (item) => {
      if (accept(item)) {
        found = item;
        return false;
      }
      return true;
    });
    return found;
  }

  /** Every overlapping item. */
  public all(q: { family: IpFamily; start: bigint; end: bigint }): T[] {
    // The walk of visit(), without its callback: validation asks once per network, and on a cold
    // first call a closure per query is thousands of allocations for mostly empty answers.
    const out: T[] = [];
    const s = this.sorted;
    for (let i = this.upperBound(q) - 1; i >= 0 && s[i].family === q.family && this.maxEnd[i] >= q.start; i--) {
      if (s[i].end >= q.start) out.push(s[i].item);
    }
    return out;
  }

  private visit(q: { family: IpFamily; start: bigint; end: bigint }, fn: (item: T) => boolean): void {
    const s = this.sorted;
    for (let i = this.upperBound(q) - 1; i >= 0 && s[i].family === q.family && this.maxEnd[i] >= q.start; i--) {
      if (s[i].end >= q.start && !fn(s[i].item)) return;
    }
  }

  /** One past the last span (in family order) whose start <= q.end. */
  private upperBound(q: { family: IpFamily; end: bigint }): number {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = s[mid];
      if (m.family < q.family || (m.family === q.family && m.start <= q.end)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
