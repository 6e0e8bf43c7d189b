import * as fc from 'fast-check';
import { Cidr, IpAddress } from '../../lib/core/address/cidr';
import { LanSegment } from '../../lib/core/address/lan';
import { AddressPlan } from '../../lib/core/address/pool';
import { PlanRecord } from '../../lib/core/address/record';

const office = {
  name: 'office',
  subnet: '192.168.1.0/24',
  gateway: '192.168.1.1',
  reserved: [
    { label: 'h1', cidr: '192.168.1.11' },
    { label: 'h2', cidr: '192.168.1.12' },
    { label: 'DHCP pool', cidr: '192.168.1.128/26' },
  ],
};

function ranges(hosts: string[], record?: PlanRecord, options = office) {
  const p = new AddressPlan(record);
  p.addLanSegment('prod', options);
  const handles = hosts.map((h) => p.lanRange('prod', 'office', h));
  const result = p.resolve();
  const got = handles.filter((h) => !result.problems.some((x) => x.constructs.includes(h.host)));
  return { result, ranges: Object.fromEntries(got.map((h) => [h.host, h.cidr])), models: p.lanSegments('prod') };
}

describe('LAN segments', () => {
  test('carves aligned /27 blocks around gateway, hosts and DHCP pool, sorted by host', () => {
    const r = ranges(['h3', 'h1', 'h2']);
    // .0/27 holds gateway and hosts; .128/26 is DHCP.
    expect(r.ranges).toEqual({ h1: '192.168.1.32/27', h2: '192.168.1.64/27', h3: '192.168.1.96/27' });
    expect(r.result.record.environments.prod.lanRanges).toEqual({ office: r.ranges });
    expect(r.models).toEqual([
      {
        name: 'office',
        subnet: '192.168.1.0/24',
        gateway: '192.168.1.1',
        reserved: [
          { label: 'h1', cidr: '192.168.1.11/32' },
          { label: 'h2', cidr: '192.168.1.12/32' },
          { label: 'DHCP pool', cidr: '192.168.1.128/26' },
        ],
        hostRanges: [
          { host: 'h1', ipRange: '192.168.1.32/27' },
          { host: 'h2', ipRange: '192.168.1.64/27' },
          { host: 'h3', ipRange: '192.168.1.96/27' },
        ],
      },
    ]);
  });

  test('the broadcast address keeps the last block out', () => {
    const r = ranges(['a', 'b', 'c', 'd', 'e']);
    expect(r.result.problems).toEqual([
      expect.objectContaining({
        code: 'DN274',
        constructs: ['prod/lan office', 'e'],
        message:
          'LAN segment "office" (192.168.1.0/24, /27 per host) has no free aligned /27 for host "e" outside the gateway and reserved ranges. Use a longer perHostPrefixLength, shrink reserved ranges, or use a larger subnet.',
      }),
    ]);
    expect(Object.keys(r.ranges)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('stable through the record when hosts come and go', () => {
    const first = ranges(['h1', 'h2', 'h3']);
    const second = ranges(['h0', 'h3'], first.result.record);
    expect(second.ranges.h3).toBe(first.ranges.h3);
    expect(second.ranges.h0).toBe('192.168.1.192/27'); // h1's and h2's blocks are released, reusable next run
  });

  test.each([
    [{ gateway: '10.0.0.1' }, /LAN segment "office": gateway 10.0.0.1 lies outside its subnet 192.168.1.0\/24/],
    [{ subnet: '192.168.1.1/24' }, /LAN segment "office": "192.168.1.1\/24" has host bits set/],
    [{ reserved: [{ label: 'nas', cidr: '10.1.1.1' }] }, /reserved range "nas" \(10.1.1.1\) lies outside the subnet/],
    [{ perHostPrefixLength: 24 }, /perHostPrefixLength \/24 must be longer than the subnet's \/24/],
  ])('refuses %j', (override, message) => {
    expect(() => new LanSegment({ ...office, ...override })).toThrow(message);
  });

  test('property: ranges are disjoint and never contain gateway, reserved or host addresses', () => {
    const arb = fc.record({
      hosts: fc.uniqueArray(fc.stringMatching(/^h[0-9]{1,2}$/), { minLength: 1, maxLength: 12 }),
      reservedHosts: fc.uniqueArray(fc.integer({ min: 2, max: 1022 }), { maxLength: 12 }),
      dhcp: fc.integer({ min: 0, max: 15 }),
      gw: fc.integer({ min: 1, max: 1022 }),
      per: fc.integer({ min: 26, max: 29 }),
    });
    fc.assert(
      fc.property(arb, ({ hosts, reservedHosts, dhcp, gw, per }) => {
        const subnet = Cidr.parse('10.20.0.0/22');
        const reserved = [
          ...reservedHosts.map((n) => ({ label: `host${n}`, cidr: subnet.nth(n).toString() })),
          { label: 'DHCP', cidr: Cidr.of(4, subnet.start + BigInt(dhcp) * 64n, 26).toString() },
        ];
        const opts = { name: 'office', subnet: '10.20.0.0/22', gateway: subnet.nth(gw).toString(), reserved, perHostPrefixLength: per };
        const r = ranges(hosts, undefined, opts);
        const blocks = Object.values(r.ranges).map((x) => Cidr.parse(x)).sort(Cidr.compare);
        const forbidden = [IpAddress.parse(opts.gateway), subnet.networkAddress, subnet.broadcastAddress];
        for (let i = 0; i < blocks.length; i++) {
          expect(subnet.contains(blocks[i])).toBe(true);
          if (i > 0) expect(blocks[i].start).toBeGreaterThan(blocks[i - 1].end);
          for (const f of forbidden) expect(blocks[i].contains(f)).toBe(false);
          for (const res of reserved) expect(blocks[i].overlaps(Cidr.containing(res.cidr))).toBe(false);
        }
        expect(blocks.length + r.result.problems.filter((p) => p.code === 'DN274').length).toBe(hosts.length);
      }),
    );
  });
});
