/**
 * The plan allocates IPv4 in plain numbers (`decide`, for the cold first call) and IPv6 through the
 * general bigint path (`reconcile`). Both must give the same outcome for IPv4: this property test runs
 * the general path on IPv4 input too and compares everything the plan keeps.
 */
import * as fc from 'fast-check';
import { decide, reconcile } from '../../lib/core/address/allocator';
import { Cidr, Interval } from '../../lib/core/address/cidr';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'web', 'db', '10', '2', 'constructor', 'toString', 'a/b'];

/** An arbitrary IPv4 block text near the container: canonical, non-canonical, outside, or junk. */
const blockText = (container: Cidr) =>
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 22, max: 30 })).map(([i, p]) => Cidr.of(4, container.start + BigInt(i) * 64n, p).toString()),
    fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 24, max: 28 })).map(([i, p]) => `${Cidr.of(4, container.start + BigInt(i) * 16n, p).toString().replace(/^(\d+)\./, '0$1.')}`),
    fc.constantFrom('10.9.0.0/24', '10.0.0.5/24', 'not a block', '', '10.0.0.0/33', 'fd00:1::/64', ' 10.0.0.0/24'),
  );

const input = fc
  .tuple(fc.integer({ min: 20, max: 24 }), fc.boolean())
  .chain(([cp, uniform]) => {
    const container = Cidr.of(4, 10n << 24n, cp);
    const prefix = fc.integer({ min: cp, max: 30 });
    return fc.record({
      container: fc.constant(container),
      unavailable: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 40 })).map(([s, len]): Interval => ({ start: container.start + BigInt(s), end: container.start + BigInt(s + len) })),
        { maxLength: 4 },
      ),
      recorded: fc.dictionary(fc.constantFrom(...KEYS), blockText(container), { maxKeys: 8 }),
      requests: fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 10 }).chain((keys) =>
        uniform ? prefix.map((p) => keys.map((key) => ({ key, prefix: p }))) : fc.tuple(...keys.map(() => prefix)).map((ps) => keys.map((key, i) => ({ key, prefix: ps[i] }))),
      ),
      uniform: fc.constant(uniform),
      // Ranges some keys must also stay clear of (static subnets in their scope): two scopes, each
      // shared by the keys in it, as the plan passes them.
      scopes: fc.tuple(
        ...[0, 1].map(() =>
          fc.array(
            fc.tuple(fc.integer({ min: -64, max: 1100 }), fc.integer({ min: 0, max: 300 })).map(([s, len]): Interval => ({ start: container.start + BigInt(s), end: container.start + BigInt(s + len) })),
            { maxLength: 3 },
          ),
        ),
      ),
      scopeOf: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(0, 1), { maxKeys: 10 }),
    });
  });

const avoidMap = (scopes: Interval[][], scopeOf: Record<string, number>) =>
  new Map(Object.keys(scopeOf).map((k) => [k, scopes[scopeOf[k]]]));

test('decide (IPv4 in numbers) gives what reconcile (the general path) gives', () => {
  fc.assert(
    fc.property(input, ({ container, unavailable, recorded, requests, uniform, scopes, scopeOf }) => {
      const what = `pool "p" (${container})`;
      const keys = requests.map((r) => r.key);
      const prefixes = new Map(requests.map((r) => [r.key, r.prefix]));
      const prefix = uniform && requests.length ? requests[0].prefix : prefixes;
      const avoid = avoidMap(scopes, scopeOf);
      const got = decide(container, unavailable, recorded, keys, prefix, prefixes, what, avoid);
      const want = reconcile(container, unavailable, recorded, requests, what, avoid);
      // A new block (not the recorded one kept) never overlaps what its key avoids.
      for (const [k, c] of want.blocks) {
        if (recorded[k] === c.toString() && !want.moved.some((m) => m.key === k)) continue;
        for (const r of avoid.get(k) ?? []) expect(c.start > r.end || c.end < r.start).toBe(true);
      }
      const blocks = new Map([...want.blocks].map(([k, c]) => [k, c.toString()]));
      expect([...got.blocks].sort()).toEqual([...blocks].sort());
      // The record as normalizeRecord writes it: keys inserted in code-unit order (JSON shows the order).
      const record: Record<string, string> = {};
      for (const k of [...blocks.keys()].sort()) record[k] = blocks.get(k)!;
      expect(JSON.stringify(got.record)).toBe(JSON.stringify(record));
      expect(got.moved).toEqual(want.moved);
      expect(got.exhausted).toEqual(want.exhausted);
      expect(got.reused).toEqual(want.reused);
      expect(got.used).toBe([...want.blocks.values()].reduce((s, c) => s + c.size, 0n));
    }),
    { numRuns: 2000, seed: 4242 },
  );
});
