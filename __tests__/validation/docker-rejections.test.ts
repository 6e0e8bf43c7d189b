// The other side of e2e scenario 6: every topology the lab proves Docker refuses (or silently
// accepts wrongly) is refused by docknet's validation at synth, before any host sees it.
import { ParentInterface, Subnet } from '../../lib';
import { DOCKER_REJECTIONS } from '../../lab/docker-rejections';
import { fleet } from '../fixtures';

const IMAGE = 'busybox:1.36';

/** The same mistake, written with docknet's constructs, and the code docknet refuses it with. */
const DOCKNET_SIDE: Record<string, { code: string; build: (f: ReturnType<typeof fleet>) => void }> = {
  'overlapping-subnets': {
    code: 'DN201',
    build: ({ h1 }) => {
      h1.addBridgeNetwork('rej-a', { subnet: Subnet.cidr('10.62.0.0/24') });
      h1.addBridgeNetwork('rej-b', { subnet: Subnet.cidr('10.62.0.0/25') });
    },
  },
  'macvlan-missing-parent': {
    code: 'DN302',
    build: ({ h1 }) => {
      h1.addMacvlanNetwork('rej-mv', { parent: ParentInterface.of('eth9'), subnet: Subnet.cidr('10.63.0.0/24') });
    },
  },
  'overlay-on-worker': {
    code: 'DN107',
    build: ({ h2 }) => {
      h2.addOverlayNetwork('rej-ov', { subnet: Subnet.cidr('10.64.0.0/24') });
    },
  },
  'static-ip-outside-subnet': {
    code: 'DN208',
    build: ({ h1 }) => {
      const n = h1.addBridgeNetwork('rej-br', { subnet: Subnet.cidr('10.65.0.0/24') });
      h1.addContainer('rej-c', { image: IMAGE, networks: [{ network: n, ipv4Address: '10.66.0.5' }] });
    },
  },
  'static-ip-outside-ip-range': {
    code: 'DN209',
    build: ({ h1 }) => {
      const n = h1.addMacvlanNetwork('rej-mv', { parent: ParentInterface.of('eth0'), lan: 'lan' });
      h1.addContainer('rej-c', { image: IMAGE, networks: [{ network: n, ipv4Address: '10.9.0.250' }] });
    },
  },
};

describe('docknet refuses what Docker refuses (scenario 6, the docknet side)', () => {
  test('every rejection case of the lab has a docknet counterpart', () => {
    expect(Object.keys(DOCKNET_SIDE).sort()).toEqual(DOCKER_REJECTIONS.map((r) => r.id).sort());
  });

  test.each(DOCKER_REJECTIONS.map((r) => [r.id, r.description] as const))('%s (%s) is a synth error', (id) => {
    const side = DOCKNET_SIDE[id];
    expect(fleet().stack.problems()).toEqual([]); // the same fleet without the mistake is clean
    const f = fleet();
    side.build(f);
    const errors = f.stack.problems().filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.code)).toContain(side.code);
  });
});
