import { HostConnection, IpvlanFlag, IpvlanMode, MacvlanMode, ParentInterface, Subnet, overlayMtu } from '../../lib';
import { TEST_HOST_KEY, fleet, resourceNamed, synthJson, codes } from '../fixtures';

describe('BridgeNetwork', () => {
  test('typed options map onto the driver options and ipam_config', () => {
    const { stack, h1 } = fleet();
    h1.addBridgeNetwork('my_net', {
      subnet: Subnet.cidr('172.77.0.0/24'),
      gateway: '172.77.0.1',
      ipRange: '172.77.0.128/25',
      auxAddresses: { router: '172.77.0.254' },
      bridgeName: 'br-my',
      icc: false,
      ipMasquerade: false,
      hostBindingIpv4: '127.0.0.1',
      mtu: 1400,
      internal: true,
    });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'my_net');
    expect(net).toMatchObject({
      provider: 'docker.h1',
      driver: 'bridge',
      internal: true,
      ipam_driver: 'default',
      options: {
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.enable_ip_masquerade': 'false',
        'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1',
        'com.docker.network.bridge.name': 'br-my',
        'com.docker.network.driver.mtu': '1400',
      },
      ipam_config: [{ subnet: '172.77.0.0/24', gateway: '172.77.0.1', ip_range: '172.77.0.128/25', aux_address: { router: '172.77.0.254' } }],
    });
  });

  test('the gateway is written out (first address) so plans do not drift; IPv6 enables ipv6', () => {
    const { stack, h1 } = fleet();
    h1.addBridgeNetwork('dual', { subnet: Subnet.cidr('10.60.0.0/24'), ipv6: { subnet: Subnet.cidr('fd12:3456::/64') } });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'dual');
    expect(net.ipv6).toBe(true);
    expect(net.ipam_config).toEqual([
      { subnet: '10.60.0.0/24', gateway: '10.60.0.1' },
      { subnet: 'fd12:3456::/64', gateway: 'fd12:3456::1' },
    ]);
  });

  test('a pooled subnet comes from the plan', () => {
    const { stack, h1 } = fleet();
    h1.addBridgeNetwork('a', { subnet: Subnet.fromPool('bridges', 24) });
    h1.addBridgeNetwork('b', { subnet: Subnet.fromPool('bridges', 24) });
    const json = synthJson(stack);
    const subnets = ['a', 'b'].map((n) => resourceNamed(json, 'docker_network', n).ipam_config[0].subnet);
    expect(new Set(subnets).size).toBe(2);
    for (const s of subnets) expect(s).toMatch(/^10\.50\.\d+\.0\/24$/);
  });

  test.each([
    [{ subnet: Subnet.cidr('10.0.0.5/24') }, /subnet: .*10\.0\.0\.0\/24/],
    [{ subnet: Subnet.cidr('999.1.1.1/99') }, /subnet: /],
    [{ ipRange: '10.0.0.0/25' }, /ipRange 10\.0\.0\.0\/25 was given without a subnet/],
    [{ subnet: Subnet.cidr('10.0.0.0/24'), gateway: '10.0.0.256' }, /gateway: /],
    [{ name: 'bad name' }, /network name "bad name" is not a valid Docker name/],
    [{ mtu: 20 }, /mtu 20 is not a valid MTU/],
    [{ bridgeName: 'a-very-long-bridge-name' }, /bridgeName .* is not a Linux interface name/],
  ])('bad props throw with the construct path: %p', (props, message) => {
    const { h1 } = fleet();
    expect(() => h1.addBridgeNetwork('n', props as any)).toThrow(message);
    expect(() => h1.addBridgeNetwork('m', props as any)).toThrow(/\[test-network\/h1\/m\]/);
  });

  test('labels and options are sorted by code unit, not by locale, so the output is the same on every machine', () => {
    const { stack, h1 } = fleet();
    h1.addBridgeNetwork('labelled', {
      labels: { 'b': '1', 'é': '2', 'B': '3', 'a': '4', 'Z': '5', 'ä': '6', '_x': '7', 'managed-by': 'docknet' },
      auxAddresses: { 'b': '10.0.0.2', 'B': '10.0.0.3', 'é': '10.0.0.4', 'a': '10.0.0.5' },
      subnet: Subnet.cidr('10.0.0.0/24'),
    });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'labelled');
    // localeCompare would give _x, a, ä, b, B, é, managed-by, Z.
    expect(net.labels.map((l: { label: string }) => l.label)).toEqual(['B', 'Z', '_x', 'a', 'b', 'managed-by', 'ä', 'é']);
    expect(Object.keys(net.ipam_config[0].aux_address)).toEqual(['B', 'a', 'b', 'é']);
  });
});

describe('MacvlanNetwork and IpvlanNetwork', () => {
  test('macvlan on an 802.1Q parent with mode, subnet, gateway and range', () => {
    const { stack, h1 } = fleet();
    h1.addMacvlanNetwork('vlan50', {
      parent: ParentInterface.vlan('eth0', 50),
      mode: MacvlanMode.PRIVATE,
      subnet: Subnet.cidr('10.50.50.0/24'),
      gateway: '10.50.50.1',
      ipRange: '10.50.50.64/26',
    });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'vlan50');
    expect(net.driver).toBe('macvlan');
    expect(net.options).toEqual({ macvlan_mode: 'private', parent: 'eth0.50' });
    expect(net.ipam_config).toEqual([{ subnet: '10.50.50.0/24', gateway: '10.50.50.1', ip_range: '10.50.50.64/26' }]);
  });

  test('macvlan from a LAN segment gets the segment subnet/gateway and a disjoint range per host', () => {
    const { stack, h1, h2 } = fleet();
    h1.addMacvlanNetwork('lan', { parent: ParentInterface.of('eth0'), lan: 'lan' });
    h2.addMacvlanNetwork('lan', { parent: ParentInterface.of('eth0'), lan: 'lan' });
    const json = synthJson(stack);
    const nets = Object.values(json.resource.docker_network) as any[];
    expect(nets).toHaveLength(2);
    for (const n of nets) expect(n.ipam_config[0]).toMatchObject({ subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
    const [r1, r2] = nets.map((n) => n.ipam_config[0].ip_range);
    expect(r1).not.toBe(r2);
    expect(codes(stack)).toEqual([]);
  });

  test('ipvlan with mode and flag', () => {
    const { stack, h1 } = fleet();
    h1.addIpvlanNetwork('ipv', { parent: ParentInterface.of('eth0'), mode: IpvlanMode.L3, flag: IpvlanFlag.PRIVATE, subnet: Subnet.cidr('10.70.0.0/24') });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'ipv');
    expect(net.driver).toBe('ipvlan');
    expect(net.options).toEqual({ ipvlan_flag: 'private', ipvlan_mode: 'l3', parent: 'eth0' });
  });

  test.each([
    [() => ParentInterface.vlan('eth0', 4095), /VLAN id 4095 on eth0 is out of range\. Expected an integer from 1 to 4094/],
    [() => ParentInterface.vlan('eth0', 0), /VLAN id 0/],
    [() => ParentInterface.of('eth0.5000'), /VLAN id 5000/],
    [() => ParentInterface.of('eth 0'), /is not an interface name/],
  ])('parent interfaces are checked', (make, message) => {
    expect(make).toThrow(message);
  });

  test('a LAN network needs a parent, and lan excludes explicit addressing', () => {
    const { h1 } = fleet();
    expect(() => h1.addMacvlanNetwork('m', {} as any)).toThrow(/parent is missing/);
    expect(() => h1.addMacvlanNetwork('m2', { parent: ParentInterface.of('eth0'), lan: 'lan', subnet: Subnet.cidr('10.9.0.0/24') })).toThrow(/both lan "lan" and subnet/);
    expect(() => h1.addMacvlanNetwork('m3', { parent: ParentInterface.of('eth0'), lan: 'nope' })).toThrow(/LAN segment "nope" is not declared/);
  });
});

describe('OverlayNetwork', () => {
  test.each([
    [1500, false, 1450],
    [1500, true, 1424],
    [9000, false, 8950],
    [9000, true, 8924],
  ])('overlayMtu(%i, encrypted=%p) = %i', (underlay, encrypted, mtu) => {
    expect(overlayMtu(underlay, encrypted)).toBe(mtu);
  });

  test('attachable, encrypted, MTU defaulted from the underlay, created through the manager', () => {
    const { stack, h1 } = fleet();
    h1.addOverlayNetwork('multihost', { subnet: Subnet.cidr('10.77.1.0/24'), encrypted: true });
    const net = resourceNamed(synthJson(stack), 'docker_network', 'multihost');
    // Docker's overlay driver subtracts VXLAN + IPsec from the option itself: 1500 - 76 = 1424 inside.
    expect(net).toMatchObject({ provider: 'docker.h1', driver: 'overlay', attachable: true, options: { 'com.docker.network.driver.mtu': '1500', encrypted: 'true' } });
  });

  test.each([
    [{ mtu: 1400 }, '1450'],
    [{ mtu: 1400, encrypted: true }, '1476'],
    [{}, '1500'],
  ])('overlay %j: the option is the underlay value that gives the containers the declared MTU', (props, option) => {
    const { stack, h1 } = fleet();
    h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.77.1.0/24'), ...props });
    expect(resourceNamed(synthJson(stack), 'docker_network', 'ov').options['com.docker.network.driver.mtu']).toBe(option);
  });

  test('the VXLAN id swarm adds to options is ignored (ignore_changes on that key only), composed with adopt() and kept after the binding swap', () => {
    const { stack, h1 } = fleet();
    const key = 'options["com.docker.network.driver.overlay.vxlanid_list"]';
    const ov = h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.77.1.0/24') });
    const kept = h1.addOverlayNetwork('kept', { subnet: Subnet.cidr('10.77.2.0/24') }).adopt('ab'.repeat(32), { keep: ['labels'] });
    h1.addOverlayNetwork('all', { subnet: Subnet.cidr('10.77.3.0/24') }).adopt('ef'.repeat(32), { keep: ['options'] });
    h1.addBridgeNetwork('br', { subnet: Subnet.cidr('10.63.0.0/24') });
    let json = synthJson(stack);
    expect(resourceNamed(json, 'docker_network', 'ov').lifecycle).toEqual({ ignore_changes: [key] });
    expect(resourceNamed(json, 'docker_network', 'kept').lifecycle).toEqual({ ignore_changes: ['labels', key] });
    expect(resourceNamed(json, 'docker_network', 'all').lifecycle).toEqual({ ignore_changes: ['options'] });
    expect(resourceNamed(json, 'docker_network', 'br').lifecycle).toBeUndefined();
    // The JSON Terraform reads: the key's quotes escaped once.
    expect(JSON.stringify(resourceNamed(json, 'docker_network', 'ov').lifecycle)).toBe('{"ignore_changes":["options[\\"com.docker.network.driver.overlay.vxlanid_list\\"]"]}');
    ov.resource.checkDuplicate = true;
    kept.resource.checkDuplicate = true;
    json = synthJson(stack);
    expect(resourceNamed(json, 'docker_network', 'ov').lifecycle).toEqual({ ignore_changes: [key] });
    expect(resourceNamed(json, 'docker_network', 'kept').lifecycle).toEqual({ ignore_changes: ['labels', key] });
  });

  test('encrypted overlay MTU that Docker would round down is refused', () => {
    const { h1 } = fleet();
    expect(() => h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.77.1.0/24'), encrypted: true, mtu: 1402 })).toThrow(/mtu 1402 of an encrypted overlay is not a multiple of 4.*Use 1400/);
  });
});

describe('IPv6 needs an IPv4 subnet beside it', () => {
  test('refused without one: Docker picks an IPv4 subnet the provider reads back, replacing the network on every plan', () => {
    const { h1 } = fleet();
    expect(() => h1.addBridgeNetwork('v6only', { ipv6: { subnet: Subnet.cidr('fd12:3456::/64') } }))
      .toThrow('ipv6 was given without an IPv4 subnet. Docker would add an IPv4 subnet of its own choosing, which provider 3.6.2 reads back into ipam_config, so every plan would replace network "v6only". Add subnet: Subnet.cidr(...) or Subnet.fromPool(...) beside ipv6.');
    expect(() => h1.addOverlayNetwork('ov6', { ipv6: { subnet: Subnet.cidr('fd12:3457::/64') } })).toThrow(/ipv6 was given without an IPv4 subnet/);
  });
});

describe('Network.adopt (docknet import)', () => {
  test('an import block with the Docker id and the kept arguments as ignore_changes, also after the binding swap; bad input named', () => {
    const { stack, h1 } = fleet();
    const id = 'cd'.repeat(32);
    const net = h1.addBridgeNetwork('app', { subnet: Subnet.cidr('10.63.0.0/24') }).adopt(id, { keep: ['options', 'labels'] });
    const plain = h1.addBridgeNetwork('plain', { subnet: Subnet.cidr('10.63.1.0/24') });
    let json = synthJson(stack);
    const address = Object.entries(json.resource.docker_network).find(([, r]: [string, any]) => r.name === 'app')![0];
    expect(json.import).toEqual([expect.objectContaining({ to: `docker_network.${address}`, id })]);
    expect(resourceNamed(json, 'docker_network', 'app').lifecycle).toEqual({ ignore_changes: ['labels', 'options'] });
    expect(resourceNamed(json, 'docker_network', 'plain').lifecycle).toBeUndefined();
    net.resource.checkDuplicate = true;
    json = synthJson(stack);
    expect(json.import).toEqual([expect.objectContaining({ to: `docker_network.${address}`, id })]);
    expect(resourceNamed(json, 'docker_network', 'app').lifecycle).toEqual({ ignore_changes: ['labels', 'options'] });
    expect(() => plain.adopt('plain')).toThrow(/adopt\(\) got "plain" as the Docker id of network "plain"\. Expected the network's id/);
    expect(() => plain.adopt(id, { keep: ['driver' as never] })).toThrow(/cannot keep "driver"\. Expected docker_network arguments among ipam_config, labels, options/);
  });
});

describe("daemon.json's default-network-opts (Docker 24+)", () => {
  test("a local network writes the host's defaults for its driver under its own options (dockerd adds them; provider 3.6.2 reads options back, ForceNew)", () => {
    const { stack } = fleet();
    const h3 = stack.addHost('h3', {
      connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.13', hostKey: TEST_HOST_KEY }),
      daemon: { defaultNetworkOpts: { bridge: { 'com.docker.network.driver.mtu': '1400', 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' } } },
    });
    h3.addBridgeNetwork('plain', { subnet: Subnet.cidr('10.61.0.0/24') });
    h3.addBridgeNetwork('own', { subnet: Subnet.cidr('10.61.1.0/24'), mtu: 9000 });
    const json = synthJson(stack);
    expect(resourceNamed(json, 'docker_network', 'plain').options).toEqual({ 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1', 'com.docker.network.driver.mtu': '1400' });
    expect(resourceNamed(json, 'docker_network', 'own').options).toEqual({ 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1', 'com.docker.network.driver.mtu': '9000' });
  });

  test('other drivers and hosts without the key are unchanged', () => {
    const { stack, h1 } = fleet();
    const h3 = stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.13', hostKey: TEST_HOST_KEY }), daemon: { defaultNetworkOpts: { macvlan: { macvlan_mode: 'private' } } } });
    h3.addBridgeNetwork('b3', { subnet: Subnet.cidr('10.61.2.0/24') });
    h1.addBridgeNetwork('b1', { subnet: Subnet.cidr('10.61.3.0/24') });
    const json = synthJson(stack);
    expect(resourceNamed(json, 'docker_network', 'b3').options).toBeUndefined();
    expect(resourceNamed(json, 'docker_network', 'b1').options).toBeUndefined();
  });
});
