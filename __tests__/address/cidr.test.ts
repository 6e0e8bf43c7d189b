import * as fc from 'fast-check';
import { AddressError, Cidr, IpAddress, IpPrefix, ipv4CidrText, parseAddress, parsePrefix, readCanonicalIpv4Block } from '../../lib/core/address/cidr';

describe('Cidr.parse', () => {
  test.each([
    ['10.0.0.0/24', '10.0.0.0/24', 4, 24],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0],
    ['255.255.255.255/32', '255.255.255.255/32', 4, 32],
    ['fd00::/64', 'fd00::/64', 6, 64],
    ['FD00:0:0:0::/48', 'fd00::/48', 6, 48],
    ['::/0', '::/0', 6, 0],
    ['2001:db8::1/128', '2001:db8::1/128', 6, 128],
  ])('%s parses to %s', (text, canonical, family, prefix) => {
    const c = Cidr.parse(text);
    expect(c.toString()).toBe(canonical);
    expect(c.family).toBe(family);
    expect(c.prefix).toBe(prefix);
  });

  test.each([
    ['10.0.0.1', /CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1\/32"\?/],
    ['fd00::1', /CIDR mask is missing in "fd00::1". Did you mean "fd00::1\/128"\?/],
    ['10.0.0.5/24', /"10.0.0.5\/24" has host bits set. Did you mean "10.0.0.0\/24"/],
    ['fd00::1/64', /Did you mean "fd00::\/64"/],
    ['999.1.1.1/99', /"999.1.1.1" in "999.1.1.1\/99" is not a valid/],
    ['10.0.0.0/33', /Prefix length "\/33" in "10.0.0.0\/33" is invalid: IPv4 prefixes are \/0 to \/32/],
    ['fd00::/129', /IPv6 prefixes are \/0 to \/128/],
    ['10.0.0.0/-1', /Prefix length/],
    ['10.0.0.0/ 8', /Prefix length/],
    // Refused, not trimmed: a trimmed parse would let the untrimmed text reach the JSON (issue 11).
    [' 192.168.1.0/24 ', /" 192.168.1.0\/24 " has surrounding whitespace. Write "192.168.1.0\/24"/],
    ['10.0.0.0/24\n', /has surrounding whitespace/],
    ['10.1/16', /not a valid/],
    ['010.0.0.0/8', /not a valid/],
    ['0x0a.0.0.0/8', /not a valid/],
    ['fe80::%eth0/64', /not a valid/],
    ['hello', /is not a CIDR block/],
    ['', /is not a CIDR block/],
  ])('%s is refused', (text, message) => {
    expect(() => Cidr.parse(text)).toThrow(AddressError);
    expect(() => Cidr.parse(text)).toThrow(message);
  });

  test('cached: the same string gives the same object', () => {
    expect(Cidr.parse('10.9.0.0/16')).toBe(Cidr.parse('10.9.0.0/16'));
  });
});

describe('IpAddress.parse', () => {
  test.each([
    ['10.0.0.1', '10.0.0.1', 4],
    ['255.255.255.255', '255.255.255.255', 4],
    ['::ffff:1.2.3.4', '::ffff:102:304', 6],
    ['2001:DB8::1', '2001:db8::1', 6],
  ])('%s', (text, canonical, family) => {
    const ip = IpAddress.parse(text);
    expect(ip.toString()).toBe(canonical);
    expect(ip.family).toBe(family);
  });
  test.each([
    ['10.0.0.1/24', /is a CIDR block where a single address is expected. Did you mean "10.0.0.1"\?/],
    ['256.0.0.1', /not a valid IPv4 or IPv6 address/],
    ['1.2.3', /not a valid/],
  ])('%s is refused', (text, message) => {
    expect(() => IpAddress.parse(text)).toThrow(message);
  });
  test('128.0.0.0 and above stay positive (no signed 32-bit arithmetic)', () => {
    expect(IpAddress.parse('200.0.0.1').value).toBe(3355443201n);
    expect(Cidr.parse('128.0.0.0/1').end).toBe(4294967295n);
  });
});

describe('Cidr math', () => {
  test.each([
    // cidr, size, network, broadcast, firstUsable, lastUsable
    ['10.0.0.0/24', 256n, '10.0.0.0', '10.0.0.255', '10.0.0.1', '10.0.0.254'],
    ['10.0.0.0/31', 2n, '10.0.0.0', '10.0.0.1', '10.0.0.0', '10.0.0.1'],
    ['10.0.0.7/32', 1n, '10.0.0.7', '10.0.0.7', '10.0.0.7', '10.0.0.7'],
    ['fd00::/64', 18446744073709551616n, 'fd00::', 'fd00::ffff:ffff:ffff:ffff', 'fd00::1', 'fd00::ffff:ffff:ffff:ffff'],
  ])('%s', (text, size, network, broadcast, first, last) => {
    const c = Cidr.parse(text);
    expect(c.size).toBe(size);
    expect(c.networkAddress.toString()).toBe(network);
    expect(c.broadcastAddress.toString()).toBe(broadcast);
    expect(c.firstUsable.toString()).toBe(first);
    expect(c.lastUsable.toString()).toBe(last);
  });

  test.each([
    ['10.0.0.0/24', 0, '10.0.0.0'],
    ['10.0.0.0/24', 10, '10.0.0.10'],
    ['10.0.0.0/24', -1, '10.0.0.255'],
    ['10.0.0.0/24', -2, '10.0.0.254'],
    ['fd00::/120', 255, 'fd00::ff'],
  ])('%s nth(%d) = %s', (text, n, expected) => {
    expect(Cidr.parse(text).nth(n).toString()).toBe(expected);
  });
  test('nth outside the block throws', () => {
    expect(() => Cidr.parse('10.0.0.0/30').nth(4)).toThrow(/10.0.0.0\/30 has 4 addresses; index 4 is outside it/);
  });

  test.each([
    ['10.0.0.0/24', '10.0.0.7', true],
    ['10.0.0.0/24', '10.0.1.0', false],
    ['10.0.0.0/24', '10.0.0.128/25', true],
    ['10.0.0.0/24', '10.0.0.0/23', false],
    ['10.0.0.0/24', 'fd00::1', false],
    ['fd00::/64', 'fd00::abcd', true],
  ])('%s contains %s: %s', (a, b, expected) => {
    expect(Cidr.parse(a).contains(b)).toBe(expected);
  });

  test.each([
    ['10.0.0.0/24', '10.0.0.128/25', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['10.0.0.0/16', '10.0.255.0/24', true],
    ['10.0.0.0/8', 'fd00::/8', false],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(Cidr.parse(a).overlaps(b)).toBe(expected);
    expect(Cidr.parse(b).overlaps(a)).toBe(expected);
  });

  test.each([
    ['10.0.0.0/24', 26, ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26']],
    ['10.0.0.0/24', 24, ['10.0.0.0/24']],
    ['fd00::/63', 64, ['fd00::/64', 'fd00:0:0:1::/64']],
  ])('%s split /%d', (a, prefix, expected) => {
    expect(Cidr.parse(a).split(prefix).map(String)).toEqual(expected);
  });
  test('split refuses a shorter prefix and huge counts', () => {
    expect(() => Cidr.parse('10.0.0.0/24').split(23)).toThrow(/between \/24 and \/32/);
    expect(() => Cidr.parse('10.0.0.0/8').split(32)).toThrow(/more than the limit/);
  });

  test.each([
    ['10.0.0.0/24', ['10.0.0.0/26'], ['10.0.0.64/26', '10.0.0.128/25']],
    ['10.0.0.0/24', ['10.0.0.1/32'], ['10.0.0.0/32', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/29', '10.0.0.16/28', '10.0.0.32/27', '10.0.0.64/26', '10.0.0.128/25']],
    ['10.0.0.0/24', ['10.0.0.0/16'], []],
    ['10.0.0.0/24', ['10.0.1.0/24'], ['10.0.0.0/24']],
    ['10.0.0.0/24', ['10.0.0.64/26', '10.0.0.0/26'], ['10.0.0.128/25']],
  ])('%s minus %j', (a, minus, expected) => {
    expect(Cidr.parse(a).subtract(...minus.map((m) => Cidr.parse(m))).map(String)).toEqual(expected);
  });

  test.each([
    ['10.0.0.0/16', 24, [], '10.0.0.0/24'],
    ['10.0.0.0/16', 24, ['10.0.0.0/24'], '10.0.1.0/24'],
    ['10.0.0.0/16', 23, ['10.0.0.0/24'], '10.0.2.0/23'],
    ['10.0.0.0/16', 24, ['10.0.0.0/25', '10.0.1.0/24'], '10.0.2.0/24'],
    ['10.0.0.0/24', 24, ['10.0.0.5/32'], undefined],
    ['10.0.0.0/24', 26, ['10.0.0.0/25', '10.0.0.0/26'], '10.0.0.128/26'],
    ['fd00::/56', 64, ['fd00::/64'], 'fd00:0:0:1::/64'],
  ])('%s next free /%d after %j', (pool, prefix, used, expected) => {
    expect(Cidr.parse(pool).nextFree(prefix, used.map((u) => Cidr.parse(u)))?.toString()).toBe(expected);
  });

  test('containing: interface address to its network', () => {
    expect(Cidr.containing('10.0.0.11/24').toString()).toBe('10.0.0.0/24');
    expect(Cidr.containing('10.0.0.11').toString()).toBe('10.0.0.11/32');
  });
});

describe('properties', () => {
  const v4cidr = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([v, p]) => Cidr.of(4, BigInt(v), p));
  test('toString round-trips through parse', () => {
    fc.assert(fc.property(v4cidr, (c) => Cidr.parse(c.toString()).equals(c)));
  });
  test('subtract leaves disjoint aligned blocks that cover exactly the difference', () => {
    fc.assert(
      fc.property(v4cidr.filter((c) => c.prefix >= 16), fc.array(v4cidr.filter((c) => c.prefix >= 20), { maxLength: 5 }), (a, cut) => {
        const rest = a.subtract(...cut);
        let total = 0n;
        for (let i = 0; i < rest.length; i++) {
          expect(a.contains(rest[i])).toBe(true);
          for (const c of cut) expect(rest[i].overlaps(c)).toBe(false);
          if (i > 0) expect(rest[i].start).toBeGreaterThan(rest[i - 1].end);
          total += rest[i].size;
        }
        // Size check: covered = a minus union(cut ∩ a).
        const merged = cut.filter((c) => c.overlaps(a)).map((c) => ({ s: c.start > a.start ? c.start : a.start, e: c.end < a.end ? c.end : a.end }));
        merged.sort((x, y) => (x.s < y.s ? -1 : 1));
        let removed = 0n;
        let cur = -1n;
        for (const m of merged) {
          const s = m.s > cur ? m.s : cur + 1n;
          if (m.e >= s) removed += m.e - s + 1n;
          if (m.e > cur) cur = m.e;
        }
        expect(total).toBe(a.size - removed);
      }),
    );
  });
  test('nextFree returns an aligned block inside the pool overlapping nothing used', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), fc.integer({ min: 20, max: 28 }), (usedThirds, prefix) => {
        const pool = Cidr.parse('10.0.0.0/16');
        const used = usedThirds.map((t) => Cidr.of(4, pool.start + BigInt(t) * 256n, 24));
        const c = pool.nextFree(prefix, used);
        if (!c) return;
        expect(pool.contains(c)).toBe(true);
        expect(c.start % c.size).toBe(0n);
        for (const u of used) expect(c.overlaps(u)).toBe(false);
      }),
    );
  });
});

describe('fast IPv4 path agrees with ipaddr.js', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ipaddr = require('ipaddr.js');
  const { fastIpv4 } = require('../../lib/core/address/cidr');
  test('on random dotted strings', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{0,4}$/), fc.constantFrom('0x1', '00', '01', ' 1'));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.join('.');
        expect(fastIpv4(text) >= 0).toBe(ipaddr.IPv4.isValidFourPartDecimal(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the allocator\'s IPv4 number helpers agree with Cidr', () => {
  test('ipv4CidrText writes what Cidr#toString writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (v, prefix) => {
        const c = Cidr.of(4, BigInt(v), prefix);
        expect(ipv4CidrText(Number(c.start), prefix)).toBe(c.toString());
      }),
      { numRuns: 2000 },
    );
  });

  test('readCanonicalIpv4Block takes exactly the texts Cidr#toString writes, with their start and prefix', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', ' 1', '1 ', '', '0x1', '-0'));
    const mask = fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom('00', '024', '08', '', ' 24', '3 '));
    const text = fc.oneof(
      fc.tuple(fc.array(octet, { minLength: 3, maxLength: 5 }), mask).map(([o, m]) => `${o.join('.')}/${m}`),
      fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([v, p]) => Cidr.of(4, BigInt(v), p).toString()),
      fc.constantFrom('10.0.0.0', '10.0.0.0/24/1', 'fd00::/64', '10.0.0.0/-1'),
      // canonical texts with one change: a leading zero, a space, a sign, a character dropped
      fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), fc.nat(), fc.constantFrom('0', ' ', '+', '-', '')).map(([v, p, at, ins]) => {
        const t = Cidr.of(4, BigInt(v), p).toString();
        const i = at % (t.length + 1);
        return ins === '' ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + ins + t.slice(i);
      }),
    );
    const out = [0, 0];
    fc.assert(
      fc.property(text, (t) => {
        const c = Cidr.tryParse(t);
        const canonical = c !== undefined && c.family === 4 && c.toString() === t;
        expect(readCanonicalIpv4Block(t, out)).toBe(canonical);
        if (canonical) expect([out[0], out[1]]).toEqual([Number(c.start), c.prefix]);
      }),
      { numRuns: 5000 },
    );
    expect(readCanonicalIpv4Block(undefined, out)).toBe(false);
  });
});

describe('parseAddress / parsePrefix (result or reason, as strict as Go net/netip)', () => {
  const prefix = (text: unknown, family?: 4 | 6) => {
    const p = parsePrefix(text, family);
    if (typeof p === 'string') throw new Error(p);
    return p;
  };

  test.each([
    ['10.0.0.1', undefined, '10.0.0.1', 4],
    ['2001:DB8::1', 6, '2001:db8::1', 6],
    ['::ffff:1.2.3.4', undefined, '::ffff:102:304', 6],
  ] as [string, 4 | 6 | undefined, string, number][])('address %s', (text, family, canonical, fam) => {
    const a = parseAddress(text, family);
    expect(a).toBeInstanceOf(IpAddress);
    expect(a.toString()).toBe(canonical);
    expect((a as IpAddress).family).toBe(fam);
  });

  test.each([
    ['10/8', undefined, '"10/8" is not an IP address'],
    ['010.0.0.1', 4, '"010.0.0.1" is not an IPv4 address'],
    ['10.1', undefined, '"10.1" is not an IP address'],
    [' 10.0.0.1', undefined, '" 10.0.0.1" is not an IP address'],
    ['::ffff:010.1.2.3', 6, '"::ffff:010.1.2.3" is not an IPv6 address'],
    ['fe80::1%eth0', 6, '"fe80::1%eth0" is not an IPv6 address'],
    ['10.0.0.1', 6, '"10.0.0.1" is IPv4, expected an IPv6 address'],
    ['fd00::1', 4, '"fd00::1" is IPv6, expected an IPv4 address'],
    [42, undefined, 'expected an IP address string, got 42'],
  ] as [unknown, 4 | 6 | undefined, string][])('address %p (family %p) is refused with a reason', (text, family, reason) => {
    expect(parseAddress(text, family)).toBe(reason);
  });

  test('a host address with prefix keeps the address; block is its network', () => {
    const bip = prefix('10.200.0.1/24', 4);
    expect(bip).toBeInstanceOf(IpPrefix);
    expect([bip.family, bip.address.toString(), bip.prefix, bip.block.toString(), bip.toString()]).toEqual([4, '10.200.0.1', 24, '10.200.0.0/24', '10.200.0.1/24']);
    expect(bip.isNetworkAddress).toBe(false);
    expect(prefix('10.200.0.0/24').isNetworkAddress).toBe(true);
    expect(prefix('10.200.0.0/31').isNetworkAddress).toBe(false);
    expect(prefix('fd00::/127').isNetworkAddress).toBe(false);
    expect(prefix('fd00::/64').block.toString()).toBe('fd00::/64');
  });

  test('containment and overlap go through the block', () => {
    const bip = prefix('10.200.0.1/24');
    expect(bip.block.contains(prefix('10.200.0.128/25').block)).toBe(true);
    expect(bip.block.contains(prefix('10.200.0.0/23').block)).toBe(false);
    expect(bip.block.contains(parseAddress('10.200.0.254') as IpAddress)).toBe(true);
    expect(bip.block.contains(parseAddress('10.201.0.1') as IpAddress)).toBe(false);
    expect(prefix('10.0.0.0/8').block.overlaps(bip.block)).toBe(true);
    expect(prefix('10.0.0.0/16').block.overlaps(bip.block)).toBe(false);
    expect(prefix('::/0').block.overlaps(bip.block)).toBe(false);
  });

  test('IpAddress.match compares the first prefix bits', () => {
    const a = IpAddress.parse('198.18.0.200');
    expect(a.match(IpAddress.parse('198.18.0.128'), 25)).toBe(true);
    expect(a.match(IpAddress.parse('198.18.0.128'), 26)).toBe(false);
    expect(a.match(IpAddress.parse('fd00::1'), 0)).toBe(false);
  });

  test.each([
    ['10.200.0.1', undefined, 'CIDR prefix is missing in "10.200.0.1". Did you mean "10.200.0.1/32"?'],
    ['fd00::1', undefined, 'CIDR prefix is missing in "fd00::1". Did you mean "fd00::1/128"?'],
    ['hello', undefined, 'CIDR prefix is missing in "hello".'],
    ['999.1.1.1/24', 4, '"999.1.1.1/24" is not a CIDR: "999.1.1.1" is not an IPv4 address'],
    ['10.0.0.0/8', 6, '"10.0.0.0/8" is not a CIDR: "10.0.0.0" is IPv4, expected an IPv6 address'],
    ['10.0.0.0/33', undefined, '"10.0.0.0/33" has prefix "/33", expected /0 to /32'],
    ['10.0.0.0/08', undefined, '"10.0.0.0/08" has prefix "/08", expected /0 to /32'],
    ['fd00::/129', undefined, '"fd00::/129" has prefix "/129", expected /0 to /128'],
    [undefined, undefined, 'expected a CIDR string, got undefined'],
  ] as [unknown, 4 | 6 | undefined, string][])('prefix %p (family %p) is refused with a reason', (text, family, reason) => {
    expect(parsePrefix(text, family)).toBe(reason);
  });
});
