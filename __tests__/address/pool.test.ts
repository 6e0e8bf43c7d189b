import * as fc from 'fast-check';
import { Cidr } from '../../lib/core/address/cidr';
import { AddressPlan } from '../../lib/core/address/pool';
import { PlanRecord, normalizeRecord, parsePlanRecord, sameRecordText, serializePlanRecord } from '../../lib/core/address/record';

type Req = [key: string, prefix: number];

function plan(requests: Req[], record?: PlanRecord, opts: { frozen?: boolean; pool?: string } = {}) {
  const p = new AddressPlan(record, { frozen: opts.frozen });
  p.addPool('prod', 'nets', opts.pool ?? '10.10.0.0/16');
  const allocations = requests.map(([k, len]) => p.request('prod', 'nets', k, len));
  const result = p.resolve();
  const blocks: Record<string, string> = {};
  for (const a of allocations) {
    try {
      blocks[a.key] = a.cidr;
    } catch {
      /* exhausted: reported in problems */
    }
  }
  return { ...result, blocks };
}

const recordOf = (blocks: Record<string, string>): PlanRecord => ({ version: 1, environments: { prod: { pools: { nets: blocks }, lanRanges: {} } } });

describe('allocation', () => {
  test.each<[string, Req[], Record<string, string>]>([
    ['one /24', [['a', 24]], { a: '10.10.0.0/24' }],
    ['sorted by key, not by declaration', [['b', 24], ['a', 24]], { a: '10.10.0.0/24', b: '10.10.1.0/24' }],
    ['largest first, then aligned', [['a', 26], ['b', 24], ['c', 23]], { c: '10.10.0.0/23', b: '10.10.2.0/24', a: '10.10.3.0/26' }],
    ['mixed small blocks pack', [['a', 26], ['b', 26], ['c', 25]], { c: '10.10.0.0/25', a: '10.10.0.128/26', b: '10.10.0.192/26' }],
  ])('%s', (_name, requests, expected) => {
    const r = plan(requests);
    expect(r.blocks).toEqual(expected);
    expect(r.problems).toEqual([]);
    expect(r.changed).toBe(true);
  });

  test('recorded blocks are kept and new keys fill the gaps', () => {
    const r = plan([['a', 24], ['new', 24]], recordOf({ a: '10.10.5.0/24' }));
    expect(r.blocks).toEqual({ a: '10.10.5.0/24', new: '10.10.0.0/24' });
  });

  test('a block released in this run is not reused in the same run', () => {
    const r = plan([['b', 24]], recordOf({ a: '10.10.0.0/24' }));
    expect(r.blocks).toEqual({ b: '10.10.1.0/24' });
    expect(r.record.environments.prod.pools.nets).toEqual({ b: '10.10.1.0/24' });
    // next run: 10.10.0.0/24 is free again
    expect(plan([['b', 24], ['c', 24]], r.record).blocks).toEqual({ b: '10.10.1.0/24', c: '10.10.0.0/24' });
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['outside the pool', { a: '10.99.0.0/24' }, /recorded block 10.99.0.0\/24 of "a" in pool "nets" \(10.10.0.0\/16\) of environment "prod" is invalid \(10.99.0.0\/24 lies outside pool "nets"/],
    ['other prefix length', { a: '10.10.0.0/25' }, /is a \/25 but a \/24 is requested now\); moved to 10.10.0.0\/24/],
    ['not a CIDR', { a: '10.10.0.1/24' }, /"10.10.0.1\/24" is not a valid CIDR block/],
  ])('recorded entry %s is re-allocated with DN271', (_n, rec, message) => {
    const r = plan([['a', 24]], recordOf(rec));
    expect(r.blocks.a).toBe('10.10.0.0/24');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'DN271', severity: 'warning', constructs: ['a'] });
    expect(r.problems[0].message).toMatch(message);
  });

  test('overlapping recorded entries: the lower one stays, the other moves', () => {
    const r = plan([['a', 24], ['b', 24]], recordOf({ a: '10.10.1.0/24', b: '10.10.1.0/24' }));
    expect(r.blocks).toEqual({ a: '10.10.1.0/24', b: '10.10.0.0/24' });
    expect(r.problems[0].message).toMatch(/10.10.1.0\/24 overlaps 10.10.1.0\/24 recorded for "a"/);
  });

  test('exhaustion names pool, size, request and fix (DN270), and reading the block throws it', () => {
    const p = new AddressPlan(undefined);
    p.addPool('prod', 'tiny', '10.0.0.0/23');
    const allocs = ['a', 'b', 'c'].map((k) => p.request('prod', 'tiny', k, 24));
    const r = p.resolve();
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'DN270', constructs: ['c'] }),
    ]);
    expect(r.problems[0].message).toBe(
      'pool "tiny" (10.0.0.0/23) of environment "prod" has no free /24 for "c": the pool holds 512 addresses, 0 of them free, not enough or not as one aligned /24. Enlarge the pool, request a longer prefix, or add a second pool.',
    );
    expect(() => allocs[2].cidr).toThrow(/has no free \/24 for "c"/);
    expect(allocs[1].cidr).toBe('10.0.1.0/24');
  });

  test('bad single inputs throw at once', () => {
    const p = new AddressPlan();
    expect(() => p.addPool('prod', 'x', '10.0.0.1/16')).toThrow(/Pool "x" in environment "prod": "10.0.0.1\/16" has host bits set/);
    p.addPool('prod', 'x', '10.0.0.0/16');
    expect(() => p.addPool('prod', 'x', '10.1.0.0/16')).toThrow(/declared twice/);
    expect(() => p.request('prod', 'nope', 'k', 24)).toThrow(/asks pool "nope" of environment "prod", which is not declared \(declared: x\)/);
    expect(() => p.request('prod', 'x', 'k', 8)).toThrow(/must be a whole number from \/16 to \/32/);
    p.request('prod', 'x', 'k', 24);
    expect(() => p.request('prod', 'x', 'k', 25)).toThrow(/twice, for a \/24 and a \/25/);
  });

  test('a request after a block was read pins what was handed out', () => {
    const p = new AddressPlan();
    p.addPool('prod', 'x', '10.0.0.0/16');
    const b = p.request('prod', 'x', 'b', 24);
    expect(b.cidr).toBe('10.0.0.0/24');
    const a = p.request('prod', 'x', 'a', 24); // would sort before "b" in a fresh plan
    expect(a.cidr).toBe('10.0.1.0/24');
    expect(b.cidr).toBe('10.0.0.0/24');
    expect(p.resolve().record.environments.prod.pools.x).toEqual({ a: '10.0.1.0/24', b: '10.0.0.0/24' });
  });

  test('overlapping pools in one environment: DN273', () => {
    const p = new AddressPlan();
    p.addPool('prod', 'a', '10.0.0.0/16');
    p.addPool('prod', 'b', '10.0.128.0/17');
    expect(p.resolve().problems).toEqual([
      expect.objectContaining({ code: 'DN273', message: expect.stringMatching(/Pools "b" \(10.0.128.0\/17\) and "a" \(10.0.0.0\/16\) of environment "prod" overlap/) }),
    ]);
  });

  test('IPv6 pools', () => {
    const r = plan([['a', 64], ['b', 64]], undefined, { pool: 'fd00:10::/56' });
    expect(r.blocks).toEqual({ a: 'fd00:10::/64', b: 'fd00:10:0:1::/64' });
  });

  test('other environments in the record are kept untouched', () => {
    const rec: PlanRecord = { version: 1, environments: { staging: { pools: { nets: { x: '10.20.0.0/24' } }, lanRanges: {} } } };
    const r = plan([['a', 24]], rec);
    expect(r.record.environments.staging).toEqual(rec.environments.staging);
  });
});

describe('released blocks', () => {
  test('a full pool takes a block released in the same run, with DN275 naming the former key', () => {
    // /22 = four /24s, all recorded; "a" and "b" go, "x" and "y" come.
    const rec = recordOf({ a: '10.10.0.0/24', b: '10.10.1.0/24', c: '10.10.2.0/24', d: '10.10.3.0/24' });
    const r = plan([['c', 24], ['d', 24], ['y', 24], ['x', 24]], rec, { pool: '10.10.0.0/22' });
    expect(r.blocks).toEqual({ c: '10.10.2.0/24', d: '10.10.3.0/24', x: '10.10.0.0/24', y: '10.10.1.0/24' });
    expect(r.problems.map((p) => [p.code, p.severity, p.constructs])).toEqual([
      ['DN275', 'warning', ['x']],
      ['DN275', 'warning', ['y']],
    ]);
    expect(r.problems[0].message).toBe(
      '"x" gets 10.10.0.0/24 in pool "nets" (10.10.0.0/22) of environment "prod", released in this run (held until now by "a"), because nothing else is free. ' +
        'Apply removes the old network before this one can be created; if this is a renamed host, declare renamedFrom on addHost to keep its blocks instead.',
    );
  });

  test('never-used space is taken before freed space, and a larger block may span both', () => {
    // /23 pool: a (/25 at .0) is freed, .128/25 was never used, b keeps 10.10.1.0/24.
    const rec = recordOf({ a: '10.10.0.0/25', b: '10.10.1.0/24' });
    const small = plan([['b', 24], ['n', 25]], rec, { pool: '10.10.0.0/23' });
    expect(small.blocks).toEqual({ b: '10.10.1.0/24', n: '10.10.0.128/25' });
    expect(small.problems).toEqual([]);
    const big = plan([['b', 24], ['n', 24]], rec, { pool: '10.10.0.0/23' });
    expect(big.blocks).toEqual({ b: '10.10.1.0/24', n: '10.10.0.0/24' });
    expect(big.problems).toEqual([expect.objectContaining({ code: 'DN275', constructs: ['n'] })]);
  });

  test('freed space is not handed out twice, and what does not fit is still DN270', () => {
    const rec = recordOf({ a: '10.10.0.0/24' });
    const r = plan([['x', 24], ['y', 24]], rec, { pool: '10.10.0.0/24' });
    expect(r.blocks).toEqual({ x: '10.10.0.0/24' });
    expect(r.problems.map((p) => p.code)).toEqual(['DN275', 'DN270']);
  });

  test('a key read, then more declared: the freed block is still held back in the second resolve', () => {
    const p = new AddressPlan(recordOf({ old: '10.10.0.0/24' }));
    p.addPool('prod', 'nets', '10.10.0.0/16');
    expect(p.request('prod', 'nets', 'b', 24).cidr).toBe('10.10.1.0/24');
    expect(p.request('prod', 'nets', 'a', 24).cidr).toBe('10.10.2.0/24');
    expect(p.resolve().record.environments.prod.pools.nets).toEqual({ a: '10.10.2.0/24', b: '10.10.1.0/24' });
  });
});

describe('renamed hosts', () => {
  const rec: PlanRecord = {
    version: 1,
    environments: {
      prod: {
        pools: { nets: { 'prod/h1/backend': '10.10.7.0/24', 'prod/h1/daemon/bip': '10.10.9.0/24', 'prod/h10/x': '10.10.3.0/24', 'prod/swarm/pool': '10.10.4.0/24' } },
        lanRanges: { office: { h1: '192.168.1.96/27', h2: '192.168.1.32/27' } },
      },
    },
  };
  function renamed(record: PlanRecord, rename = true) {
    const p = new AddressPlan(record);
    p.addPool('prod', 'nets', '10.10.0.0/16');
    p.addLanSegment('prod', office);
    if (rename) p.renameHost('prod', 'h1', 'n1');
    const keys = ['prod/n1/backend', 'prod/n1/daemon/bip', 'prod/h10/x', 'prod/swarm/pool'];
    const allocs = keys.map((k) => p.request('prod', 'nets', k, 24));
    const lans = ['n1', 'h2'].map((h) => p.lanRange('prod', 'office', h));
    return { r: p.resolve(), blocks: Object.fromEntries([...allocs.map((a) => [a.key, a.cidr]), ...lans.map((l) => [l.host, l.cidr])]) };
  }
  const office = { name: 'office', subnet: '192.168.1.0/24', gateway: '192.168.1.1', reserved: [{ label: 'h1', cidr: '192.168.1.11' }] };

  test('renameHost moves the LAN range and every pool key under "<env>/<old>/" to the new name, and nothing else', () => {
    const { r, blocks } = renamed(rec);
    expect(blocks).toEqual({
      'prod/n1/backend': '10.10.7.0/24',
      'prod/n1/daemon/bip': '10.10.9.0/24',
      'prod/h10/x': '10.10.3.0/24', // "h10" is another host, not under "prod/h1/"
      'prod/swarm/pool': '10.10.4.0/24',
      n1: '192.168.1.96/27',
      h2: '192.168.1.32/27',
    });
    expect(r.problems).toEqual([]);
    expect(r.record.environments.prod.lanRanges.office).toEqual({ h2: '192.168.1.32/27', n1: '192.168.1.96/27' });
    expect(Object.keys(r.record.environments.prod.pools.nets)).not.toContain('prod/h1/backend');
    // Once recorded, the rename is a no-op: same record, unchanged.
    const again = renamed(r.record);
    expect(again.r.changed).toBe(false);
    expect(again.blocks).toEqual(blocks);
  });

  test('without renameHost the new name gets new blocks that avoid the old ones', () => {
    const { blocks } = renamed(rec, false);
    expect(blocks['prod/n1/backend']).toBe('10.10.0.0/24');
    expect(blocks.n1).toBe('192.168.1.64/27');
    expect(blocks['prod/swarm/pool']).toBe('10.10.4.0/24');
  });

  test('two hosts renamed from one name, or a host renamed from itself, throw', () => {
    const p = new AddressPlan();
    p.renameHost('prod', 'h1', 'n1');
    expect(() => p.renameHost('prod', 'h1', 'n2')).toThrow(/Hosts "n1" and "n2" of environment "prod" are both renamed from "h1"/);
    expect(() => p.renameHost('prod', 'n3', 'n3')).toThrow(/renamed from itself/);
  });
});

describe('frozen mode', () => {
  test('no change needed: no problem, unchanged', () => {
    const first = plan([['a', 24]]);
    const r = plan([['a', 24]], first.record, { frozen: true });
    expect(r.problems).toEqual([]);
    expect(r.changed).toBe(false);
  });
  test.each<[string, Req[], Record<string, string>, RegExp]>([
    ['new key', [['a', 24], ['b', 24]], { a: '10.10.0.0/24' }, /"b" needs a new block in pool "nets" \(10.10.0.0\/16\) but has none recorded/],
    ['removed key', [], { a: '10.10.0.0/24' }, /"a" \(10.10.0.0\/24\) in pool "nets" \(10.10.0.0\/16\) is recorded but no longer requested/],
    ['moved key', [['a', 25]], { a: '10.10.0.0/24' }, /the recorded block 10.10.0.0\/24 of "a" in pool "nets" \(10.10.0.0\/16\) is invalid and must move to 10.10.0.0\/25/],
  ])('%s is DN272 telling to run synth and commit', (_n, reqs, rec, message) => {
    const r = plan(reqs, recordOf(rec), { frozen: true });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'DN272', severity: 'error' });
    expect(r.problems[0].message).toMatch(message);
    expect(r.problems[0].message).toMatch(/docknet.plan.json is out of date \(frozen mode\).*Run synth locally and commit docknet.plan.json\.$/);
  });
});

describe('record file', () => {
  test('canonical serialization: sorted keys, two spaces, newline, round trip', () => {
    const text = serializePlanRecord({ version: 1, environments: { z: { pools: { b: { y: '10.0.1.0/24', x: '10.0.0.0/24' } }, lanRanges: {} }, a: { pools: {}, lanRanges: {} } } });
    expect(text).toBe(
      '{\n  "version": 1,\n  "environments": {\n    "a": {\n      "pools": {},\n      "lanRanges": {}\n    },\n    "z": {\n      "pools": {\n        "b": {\n          "x": "10.0.0.0/24",\n          "y": "10.0.1.0/24"\n        }\n      },\n      "lanRanges": {}\n    }\n  }\n}\n',
    );
    expect(serializePlanRecord(parsePlanRecord(text))).toBe(text);
  });
  test('sameRecordText (how resolve() sets `changed`) agrees with comparing the JSON texts', () => {
    const name = fc.constantFrom('a', 'b', '10', '2', 'toJSON', 'constructor');
    const leaf = fc.dictionary(name, fc.oneof(fc.constantFrom('10.0.0.0/24', '10.0.1.0/24'), fc.constant(undefined), fc.integer({ min: 0, max: 1 })));
    const env = fc.record({ pools: fc.dictionary(name, leaf, { maxKeys: 3 }), lanRanges: fc.dictionary(name, leaf, { maxKeys: 2 }) });
    const record = fc.dictionary(name, env, { maxKeys: 3 }).map((environments) => normalizeRecord({ version: 1, environments } as PlanRecord));
    // b: another record, or a copy of a with one leaf value changed
    const other = fc.tuple(record, fc.nat(), fc.constantFrom('10.0.0.0/24', '10.0.9.0/24', undefined, 0));
    fc.assert(
      fc.property(record, other, (a, [r, pick, value]) => {
        const b = normalizeRecord(a);
        const leaves = Object.values(b.environments).flatMap((e) => [...Object.values(e.pools), ...Object.values(e.lanRanges)]);
        const leaf = leaves[pick % Math.max(1, leaves.length)];
        const keys = leaf ? Object.keys(leaf) : [];
        if (keys.length && pick % 2) (leaf as Record<string, unknown>)[keys[pick % keys.length]] = value;
        for (const x of pick % 2 ? [b] : [r, b]) expect(sameRecordText(a, x)).toBe(JSON.stringify(a) === JSON.stringify(x));
      }),
      { numRuns: 3000 },
    );
  });
  test.each([
    ['{', /is not valid JSON/],
    ['{"version":2,"environments":{}}', /has version 2; this docknet reads version 1/],
    ['{"version":1,"environments":{"p":{"pools":{"a":{"k":5}}}}}', /does not match/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePlanRecord(text, 'plan.json')).toThrow(message);
  });
});

describe('stability properties', () => {
  const keys = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 30 });
  const requests = keys.chain((ks) => fc.tuple(...ks.map((k) => fc.integer({ min: 22, max: 28 }).map((p): Req => [k, p]))));

  const overlapFree = (blocks: Record<string, string>, pool: string) => {
    const cs = Object.values(blocks).map((b) => Cidr.parse(b)).sort(Cidr.compare);
    for (let i = 0; i < cs.length; i++) {
      expect(Cidr.parse(pool).contains(cs[i])).toBe(true);
      expect(cs[i].start % cs[i].size).toBe(0n);
      if (i > 0) expect(cs[i].start).toBeGreaterThan(cs[i - 1].end);
    }
  };

  test('random plans never overlap and never leave their pool', () => {
    fc.assert(
      fc.property(requests, (reqs) => {
        const r = plan(reqs, undefined, { pool: '10.10.0.0/20' });
        overlapFree(r.blocks, '10.10.0.0/20');
        // Everything that was not allocated is reported.
        expect(Object.keys(r.blocks).length + r.problems.filter((p) => p.code === 'DN270').length).toBe(reqs.length);
      }),
    );
  });

  test('declaration order does not matter', () => {
    fc.assert(
      fc.property(requests, fc.integer(), (reqs, seed) => {
        const shuffled = [...reqs].sort((a, b) => ((a[0].charCodeAt(0) * seed) % 7) - ((b[0].charCodeAt(0) * seed) % 7));
        expect(plan(shuffled).blocks).toEqual(plan(reqs).blocks);
      }),
    );
  });

  test('removing and adding in a crowded pool: kept blocks stay, nothing overlaps, every use of freed space is a DN275', () => {
    fc.assert(
      fc.property(requests, fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Z]{1,4}$/), fc.integer({ min: 22, max: 28 })), { maxLength: 8, selector: (t) => t[0] }), fc.nat(), (reqs, extra, seed) => {
        const first = plan(reqs, undefined, { pool: '10.10.0.0/20' });
        const kept = reqs.filter((_, i) => (seed >> i % 30) & 1 || i % 3 === 0);
        const second = plan([...kept, ...extra.map(([k, p]): Req => [k, p])], first.record, { pool: '10.10.0.0/20' });
        for (const [k] of kept) if (first.blocks[k]) expect(second.blocks[k]).toBe(first.blocks[k]);
        overlapFree(second.blocks, '10.10.0.0/20');
        const freed = reqs.filter(([k]) => !kept.some(([x]) => x === k) && first.blocks[k]).map(([k]) => Cidr.parse(first.blocks[k]));
        const fresh = [...kept, ...extra].filter(([k]) => !first.blocks[k]);
        const intoFreed = fresh.filter(([k]) => second.blocks[k] && freed.some((f) => f.overlaps(Cidr.parse(second.blocks[k])))).map(([k]) => k).sort();
        expect(second.problems.filter((p) => p.code === 'DN275').map((p) => p.constructs[0]).sort()).toEqual(intoFreed);
      }),
    );
  });

  test('with the record, adding, removing and reordering requests never moves another block', () => {
    fc.assert(
      fc.property(requests, fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Z]{1,4}$/), fc.integer({ min: 22, max: 28 })), { maxLength: 5, selector: (t) => t[0] }), fc.nat(), (reqs, extra, drop) => {
        const first = plan(reqs);
        const kept = reqs.filter((_, i) => i !== drop % reqs.length).reverse();
        const second = plan([...extra.map(([k, p]): Req => [k, p]), ...kept], first.record);
        for (const [k] of kept) expect(second.blocks[k]).toBe(first.blocks[k]);
        overlapFree(second.blocks, '10.10.0.0/16');
        expect(second.problems.filter((p) => p.code === 'DN271')).toEqual([]);
      }),
    );
  });
});
