// Static IPv4 addresses are checked on numbers when they are canonical and clean, and by the general
// path otherwise (rules/static-addresses.ts). These cases sit on the edges between the two: each
// address's findings must be what the general path says, whichever path it took.
import { TopologyModel } from '../../lib/core/model';
import { validateTopology } from '../../lib/core/validation/engine';
import { base, ctr, net, v4 } from './builder';

/** One container on a network of h1, asking for `address`; the codes of the problems it raises. */
function codesFor(network: ReturnType<typeof net>, ...addresses: string[]): string[] {
  const m = base();
  m.networks.push(network);
  addresses.forEach((a, i) => m.containers.push(ctr('h1', `probe${i}`, { attachments: [{ network: network.path, ipv4Address: a, aliases: [] }] })));
  return validateTopology(m as TopologyModel)
    .filter((p) => p.constructs.some((c) => c.startsWith('prod/h1/probe')))
    .map((p) => p.code);
}

const bridge = (subnet: string, gateway?: string) => net('h1', 'probe-net', { ipv4: v4(subnet, { gateway }) });
const macvlan = net('h1', 'probe-lan', { driver: 'macvlan', parent: 'eth0.40', mode: 'bridge', lan: 'probe', ipv4: v4('172.30.0.0/24', { gateway: '172.30.0.1', ipRange: '172.30.0.64/26' }) });

test.each([
  ['an ordinary address', bridge('10.99.0.0/24'), ['10.99.0.10'], []],
  ['the implicit gateway (first address)', bridge('10.99.0.0/24'), ['10.99.0.1'], ['DN210']],
  ['a declared gateway', bridge('10.99.0.0/24', '10.99.0.254'), ['10.99.0.254'], ['DN210']],
  ['the first address when the gateway is declared elsewhere', bridge('10.99.0.0/24', '10.99.0.254'), ['10.99.0.1'], []],
  ['the network address', bridge('10.99.0.0/24', '10.99.0.254'), ['10.99.0.0'], ['DN210']],
  ['the broadcast address', bridge('10.99.0.0/24'), ['10.99.0.255'], ['DN210']],
  ['outside the subnet, just past it', bridge('10.99.0.0/24'), ['10.99.1.0'], ['DN208']],
  ['outside the subnet, just before it', bridge('10.99.0.0/24'), ['10.98.255.255'], ['DN208']],
  ['a /31: no network, broadcast or implicit gateway address', bridge('10.99.0.0/31'), ['10.99.0.0', '10.99.0.1'], []],
  ['a /31 with a declared gateway', bridge('10.99.0.0/31', '10.99.0.0'), ['10.99.0.0'], ['DN210']],
  ['a /32 whose declared gateway is the address', bridge('10.99.0.7/32', '10.99.0.7'), ['10.99.0.7'], ['DN210']],
  ['above 128.0.0.0 (past 31-bit integers)', bridge('200.1.2.0/24'), ['200.1.2.200'], []],
  ['the top of the address space', bridge('255.255.255.0/24'), ['255.255.255.254'], []],
  ['a non-canonical form', bridge('10.99.0.0/24'), ['10.99.0.010'], ['DN200']],
  ['an IPv6 value', bridge('10.99.0.0/24'), ['fd00::1'], ['DN200']],
  ['the same address twice', bridge('10.99.0.0/24'), ['10.99.0.10', '10.99.0.10'], ['DN211']],
  ['a special address twice: reported each time and as a duplicate', bridge('10.99.0.0/24'), ['10.99.0.255', '10.99.0.255'], ['DN210', 'DN210', 'DN211']],
  ['inside a macvlan ip_range', macvlan, ['172.30.0.70'], []],
  ['in the macvlan subnet but outside its ip_range', macvlan, ['172.30.0.10'], ['DN209']],
  ['just past the ip_range', macvlan, ['172.30.0.128'], ['DN209']],
  ['outside the ip_range twice', macvlan, ['172.30.0.10', '172.30.0.10'], ['DN209', 'DN209', 'DN211']],
])('%s', (_what, network, addresses, codes) => {
  expect(codesFor(network, ...addresses).sort()).toEqual([...codes].sort());
});
