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
    });
  });

test('decide (IPv4 in numbers) gives what reconcile (the general path) gives', () => {
  fc.assert(
    fc.property(input, ({ container, unavailable, recorded, requests, uniform }) => {
      const what = `pool "p" (${container})`;
      const keys = requests.map((r) => r.key);
      const prefixes = new Map(requests.map((r) => [r.key, r.prefix]));
      const prefix = uniform && requests.length ? requests[0].prefix : prefixes;
      const got = decide(container, unavailable, recorded, keys, prefix, prefixes, what);
      const want = reconcile(container, unavailable, recorded, requests, what);
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
