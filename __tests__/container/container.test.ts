import { NetworkMode, ParentInterface, Port, Subnet } from '../../lib';
import { failureOf, fleet, resourceNamed, synthJson } from '../fixtures';

const IMAGE = 'busybox:1.36';

describe('Container', () => {
  test('static address through networks_advanced with network_mode left "bridge" (provider #521)', () => {
    const { stack, h1 } = fleet();
    const net = h1.addBridgeNetwork('my_net', { subnet: Subnet.cidr('172.77.0.0/24'), gateway: '172.77.0.1' });
    h1.addContainer('web', {
      image: IMAGE,
      networks: [{ network: net, ipv4Address: '172.77.0.10', aliases: ['www'] }],
      ports: [Port.tcp(80, { hostPort: 8080, hostIp: '127.0.0.1' }), Port.udp(53)],
      dns: ['10.9.0.2'],
      dnsOptions: ['ndots:2'],
      dnsSearch: ['corp.example'],
    });
    const c = resourceNamed(synthJson(stack), 'docker_container', 'web');
    expect(c.network_mode).toBe('bridge');
    expect(c.networks_advanced).toEqual([{ name: expect.stringMatching(/^\$\{docker_network\.h1_my_net_.*\.name\}$/), aliases: ['www'], ipv4_address: '172.77.0.10' }]);
    expect(c.ports).toEqual([
      { internal: 80, external: 8080, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 53, ip: '0.0.0.0', protocol: 'udp' },
    ]);
    expect(c).toMatchObject({ dns: ['10.9.0.2'], dns_opts: ['ndots:2'], dns_search: ['corp.example'], must_run: true });
  });

  test.each([
    ['host', NetworkMode.host(), 'host'],
    ['none', NetworkMode.none(), 'none'],
  ])('%s mode is written explicitly, without networks_advanced', (_n, mode, expected) => {
    const { stack, h1 } = fleet();
    h1.addContainer('probe', { image: IMAGE, networkMode: mode });
    const c = resourceNamed(synthJson(stack), 'docker_container', 'probe');
    expect(c.network_mode).toBe(expected);
    expect(c.networks_advanced).toBeUndefined();
  });

  test('default mode is written as "bridge" (provider #603/#723)', () => {
    const { stack, h1 } = fleet();
    h1.addContainer('probe', { image: IMAGE });
    expect(resourceNamed(synthJson(stack), 'docker_container', 'probe').network_mode).toBe('bridge');
  });

  test('container:<other> references the other container id', () => {
    const { stack, h1 } = fleet();
    const web = h1.addContainer('web', { image: IMAGE });
    h1.addContainer('sidecar', { image: IMAGE, networkMode: NetworkMode.container(web) });
    const c = resourceNamed(synthJson(stack), 'docker_container', 'sidecar');
    expect(c.network_mode).toMatch(/^container:\$\{docker_container\.h1_web_.*\.id\}$/);
  });

  test('adopt(): an import block with the Docker id, the kept arguments as lifecycle ignore_changes, in the model too; the binding swap keeps both', () => {
    const { stack, h1 } = fleet();
    const net = h1.addBridgeNetwork('n', { subnet: Subnet.cidr('10.62.0.0/24') });
    const id = 'ab'.repeat(32);
    const web = h1.addContainer('web', { image: IMAGE, networks: [{ network: net, ipv4Address: '10.62.0.5' }] })
      .adopt(id, { keep: ['networks_advanced', 'image', 'network_mode', 'image'] });
    const json = synthJson(stack);
    const address = Object.entries(json.resource.docker_container).find(([, r]: [string, any]) => r.name === 'web')![0];
    expect(json.import).toEqual([expect.objectContaining({ to: `docker_container.${address}`, id })]);
    expect(resourceNamed(json, 'docker_container', 'web').lifecycle).toEqual({ ignore_changes: ['image', 'network_mode', 'networks_advanced'] });
    expect(web.toModel().adopted).toEqual({ keep: ['image', 'network_mode', 'networks_advanced'] });
    // The escape hatch replaces the rendered resource by the binding: the adoption moves with it.
    web.resource.shmSize = 64;
    const again = synthJson(stack);
    expect(again.import).toEqual([expect.objectContaining({ to: `docker_container.${address}`, id })]);
    expect(resourceNamed(again, 'docker_container', 'web')).toMatchObject({ shm_size: 64, lifecycle: { ignore_changes: ['image', 'network_mode', 'networks_advanced'] } });
    // Not adopted: no import block, no lifecycle, nothing in the model.
    const other = h1.addContainer('other', { image: IMAGE });
    expect(resourceNamed(synthJson(stack), 'docker_container', 'other').lifecycle).toBeUndefined();
    expect(other.toModel().adopted).toBeUndefined();
  });

  test('adopt() refuses what is not a Docker id and arguments it cannot keep, naming both', () => {
    const { h1 } = fleet();
    const c = h1.addContainer('web', { image: IMAGE });
    expect(() => c.adopt('web')).toThrow(/\[test-network\/h1\/web\] adopt\(\) got "web" as the Docker id of container "web"\. Expected the container's id \(12 to 64 hex digits/);
    expect(() => c.adopt('ab'.repeat(6), { keep: ['env' as never] })).toThrow(/cannot keep "env"\. Expected docker_container arguments among image, network_mode, networks_advanced/);
  });

  test('attachments added after construction still land (lazy rendering)', () => {
    const { stack, h1 } = fleet();
    const c = h1.addContainer('late', { image: IMAGE });
    const net = h1.addBridgeNetwork('n', { subnet: Subnet.cidr('10.61.0.0/24') });
    c.attach(net, { ipv4Address: '10.61.0.5' }).publish(Port.tcp(443));
    const r = resourceNamed(synthJson(stack), 'docker_container', 'late');
    expect(r.networks_advanced[0].ipv4_address).toBe('10.61.0.5');
    expect(r.ports[0].internal).toBe(443);
  });

  test('host/none/container modes refuse ports and attachments at compile time', () => {
    const { h1 } = fleet();
    const net = h1.addBridgeNetwork('n', {});
    // These lines are checked by `npm run build` (tsc): if the types stopped refusing them, the
    // expect-error directives themselves would fail the build.
    // @ts-expect-error ports are impossible in host mode
    const bad1 = () => h1.addContainer('x1', { image: IMAGE, networkMode: NetworkMode.host(), ports: [Port.tcp(80)] });
    // @ts-expect-error attachments are impossible in none mode
    const bad2 = () => h1.addContainer('x2', { image: IMAGE, networkMode: NetworkMode.none(), networks: [{ network: net }] });
    expect(typeof bad1).toBe('function');
    expect(typeof bad2).toBe('function');
  });

  test('bad single props throw with the construct path', () => {
    const { h1 } = fleet();
    const net = h1.addBridgeNetwork('n', { subnet: Subnet.cidr('10.61.0.0/24') });
    expect(() => h1.addContainer('aa', { image: IMAGE, dns: ['8.8.8'] })).toThrow(/\[test-network\/h1\/aa\] dns: /);
    expect(() => h1.addContainer('b', { image: IMAGE, name: '-x' })).toThrow(/container name "-x" is not a valid Docker name/);
    expect(() => Port.tcp(0)).toThrow(/container port 0 is not a port/);
    const c = h1.addContainer('cc', { image: IMAGE, networks: [{ network: net }] });
    // Attaching twice needs two values: not thrown here, reported at synth as DN110 (one check, not two).
    expect(() => c.attach(net)).not.toThrow();
    const f = fleet();
    const n2 = f.h1.addBridgeNetwork('n', { subnet: Subnet.cidr('10.61.0.0/24') });
    f.h1.addContainer('cc', { image: IMAGE, networks: [{ network: n2 }, { network: n2 }] });
    expect(f.stack.problems().map((p) => p.code)).toContain('DN110');
    expect(() => c.attach(h1.addBridgeNetwork('m', {}), { ipv4Address: '10.61.0.999' })).toThrow(/ipv4Address: /);
  });
});

describe('refused combinations that need the whole tree (synth errors, all reported together)', () => {
  test('every refused combination is reported in one synth, naming the constructs', () => {
    const { stack, h1, h2 } = fleet();
    const noSubnet = h1.addBridgeNetwork('nosubnet', {});
    const other = h2.addBridgeNetwork('h2net', { subnet: Subnet.cidr('10.62.0.0/24') });
    const web = h1.addContainer('web', { image: IMAGE });
    const hostMode = h1.addContainer('hostmode', { image: IMAGE, networkMode: NetworkMode.host() });
    hostMode.publish(Port.tcp(80)); // addable at runtime, refused at synth
    const shared = h1.addContainer('shared', { image: IMAGE, networkMode: NetworkMode.container(web) });
    shared.attach(noSubnet);
    h1.addContainer('static', { image: IMAGE, networks: [{ network: noSubnet, ipv4Address: '10.1.1.1' }] });
    h1.addContainer('cross', { image: IMAGE, networks: [{ network: other }] });
    h2.addOverlayNetwork('fromworker', { subnet: Subnet.cidr('10.78.0.0/24') });
    h2.addContainer('remote-share', { image: IMAGE, networkMode: NetworkMode.container(web) });
    h1.addMacvlanNetwork('mv', { parent: ParentInterface.of('eth1') });

    const message = failureOf(() => synthJson(stack));
    for (const expected of [
      /test-network\/h1\/hostmode.*port/i,
      /test-network\/h1\/shared.*attach/i,
      /test-network\/h1\/static.*10\.1\.1\.1.*subnet/i,
      /test-network\/h1\/cross.*h2/i,
      /test-network\/h2\/fromworker.*manager/i,
      /test-network\/h2\/remote-share.*h1/i,
      /test-network\/h1\/mv.*eth1/i,
    ]) {
      expect(message).toMatch(expected);
    }
  });

  test('a clean topology synthesizes without problems', () => {
    const { stack, h1, h2 } = fleet();
    const ov = h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.78.0.0/24') });
    h2.addContainer('api-1', { image: IMAGE, networks: [{ network: ov, aliases: ['api'] }] });
    expect(() => synthJson(stack)).not.toThrow();
    expect(stack.problems()).toEqual([]);
  });
});

// Values TypeScript does not stop: JavaScript callers, `as any`, an index past the end of a list
// (`[backend][1]` type-checks). Each one a DocknetError naming the container, what was given and
// what to pass; before, a TypeError named nothing ("Cannot read properties of undefined (reading 'node')").
describe('Container props of the wrong kind: a DocknetError, never a TypeError', () => {
  const refusal = (props: Record<string, unknown>) => {
    const { stack, h1 } = fleet();
    let thrown: unknown;
    try {
      h1.addContainer('web', { image: IMAGE, ...props } as never);
      synthJson(stack);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('DocknetError');
    expect((thrown as Error).stack).not.toMatch(/\n\s+at /);
    return (thrown as Error).message;
  };

  test('a network past the end of a list, a network given by name, a plain object', () => {
    const { h1 } = fleet();
    const backend = h1.addBridgeNetwork('backend');
    expect(refusal({ networks: [{ network: [backend][1] }] })).toBe(
      '[test-network/h1/web] networks[0].network is undefined, but a docknet network was expected: what host.addBridgeNetwork, addMacvlanNetwork, addIpvlanNetwork or addOverlayNetwork returned.',
    );
    expect(refusal({ networks: [{ network: 'backend' }] })).toMatch(/^\[test-network\/h1\/web\] networks\[0\]\.network is "backend", but a docknet network was expected: .* Pass the network object, not its name\.$/);
    expect(refusal({ networks: [{ network: { name: 'backend' } }] })).toMatch(/networks\[0\]\.network is the object \{"name":"backend"\}, but a docknet network was expected/);
    expect(refusal({ networks: [undefined] })).toMatch(/networks\[0\]\.network is undefined/);
  });

  test('networks or ports that are not lists; a port that is not a Port', () => {
    expect(refusal({ networks: {} })).toBe('[test-network/h1/web] networks is the object {}. Expected a list of attachments: networks: [{ network: host.addBridgeNetwork(...) }].');
    expect(refusal({ ports: Port.tcp(80) })).toMatch(/^\[test-network\/h1\/web\] ports is the object .*\. Expected a list of ports: ports: \[Port\.tcp\(80, \{ hostPort: 8080 \}\)\]\.$/);
    expect(refusal({ ports: [Port.tcp(80), { container: 80, host: 8080 }] })).toBe(
      '[test-network/h1/web] ports[1] is the object {"container":80,"host":8080}, but a Port was expected. Publish with Port.tcp(80, { hostPort: 8080 }) or Port.udp(53).',
    );
    expect(refusal({ ports: [8080] })).toMatch(/ports\[0\] is number 8080, but a Port was expected/);
  });

  test('attach() with something that is not a network', () => {
    const { h1 } = fleet();
    const c = h1.addContainer('web', { image: IMAGE });
    expect(failureOf(() => c.attach(undefined as never))).toMatch(/^\[test-network\/h1\/web\] attach\(\) is undefined, but a docknet network was expected/);
  });
});
