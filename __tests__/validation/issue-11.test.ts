/**
 * Issue 11, through the constructs: every case a new user hit, each with a passing and a failing
 * input. The pure-model rules have their cases in engine.test.ts; these need constructs (a crash,
 * a constructor check, the plan, the synth pass).
 */
import { Testing } from 'cdktf';
import { DocknetApp, DocknetEnvironment, DocknetError, DocknetStack, DockerHost, HostConnection, ParentInterface, PlanStore, Port, Subnet, SwarmRole, formatProblem } from '../../lib';
import { fleet } from '../fixtures';

const IMAGE = 'busybox:1.36';
type Attempt = (f: ReturnType<typeof fleet>) => unknown;

/** The DocknetError an attempt throws, or undefined; anything else (a crash) fails the test. */
function thrown(attempt: Attempt): DocknetError | undefined {
  try {
    attempt(fleet());
    return undefined;
  } catch (e) {
    if (e instanceof DocknetError) return e;
    throw e;
  }
}

describe('constructor checks: one value, thrown at once with the construct path and a code', () => {
  test.each<[string, Attempt, Attempt, string, RegExp]>([
    ['two hosts with one construct id', ({ stack }) => stack.addHost('h3', { connection: HostConnection.unix() }),
      ({ stack }) => stack.addHost('h1', { connection: HostConnection.unix() }),
      'DN404', /^\[test-network\/h1\] a second host was added with the construct id "h1"/],
    ['empty ssh user', ({ stack }) => stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) }),
      ({ stack }) => stack.addHost('h3', { connection: HostConnection.ssh({ user: '', host: '10.9.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) }),
      'DN100', /^\[test-network\/h3\] ssh user "" is not a login name/],
    ['upper-case image repository', ({ h1 }) => h1.addContainer('cc', { image: 'registry.Example.net/team/app:1' }),
      ({ h1 }) => h1.addContainer('cc', { image: 'Nginx:1.27' }),
      'DN405', /^\[test-network\/h1\/cc\] image "Nginx:1\.27" is not an image reference Docker accepts: the repository name has upper-case letters/],
    ['image reference with a space', ({ h1 }) => h1.addContainer('cc', { image: 'nginx:1.27' }), ({ h1 }) => h1.addContainer('cc', { image: 'nginx 1.27' }),
      'DN405', /image "nginx 1\.27" is not an image reference/],
    ['empty alias', ({ h1 }) => h1.addContainer('cc', { image: IMAGE, networks: [{ network: h1.addBridgeNetwork('n'), aliases: ['db'] }] }),
      ({ h1 }) => h1.addContainer('cc', { image: IMAGE, networks: [{ network: h1.addBridgeNetwork('n'), aliases: [''] }] }),
      'DN405', /^\[test-network\/h1\/cc\] alias "" on network "n" is not a name/],
    ['alias with a space', ({ h1 }) => h1.addContainer('cc', { image: IMAGE, networks: [{ network: h1.addBridgeNetwork('n'), aliases: ['my-db'] }] }),
      ({ h1 }) => h1.addContainer('cc', { image: IMAGE, networks: [{ network: h1.addBridgeNetwork('n'), aliases: ['my db'] }] }),
      'DN405', /alias "my db"/],
    ['subnet with surrounding whitespace', ({ h1 }) => h1.addBridgeNetwork('n', { subnet: Subnet.cidr('10.0.0.0/24') }),
      ({ h1 }) => h1.addBridgeNetwork('n', { subnet: Subnet.cidr(' 10.0.0.0/24') }),
      'DN100', /^\[test-network\/h1\/n\] subnet: " 10\.0\.0\.0\/24" has surrounding whitespace\. Write "10\.0\.0\.0\/24"\./],
    ['a second network with one construct id', ({ h1 }) => { h1.addBridgeNetwork('n'); h1.addBridgeNetwork('n2'); }, ({ h1 }) => { h1.addBridgeNetwork('n'); h1.addBridgeNetwork('n'); },
      'DN100', /^\[test-network\/h1\/n\] the construct id "n" is already used on host h1/],
    ['invalid container name (one pattern, lib/core/facts)', ({ h1 }) => h1.addContainer('a.b_c-1', { image: IMAGE }), ({ h1 }) => h1.addContainer('-web', { image: IMAGE }),
      'DN403', /container name "-web" is not a valid Docker name/],
  ])('%s', (_name, pass, fail, code, message) => {
    expect(thrown(pass)).toBeUndefined();
    const e = thrown(fail);
    expect(e?.problems.map((p) => p.code)).toEqual([code]);
    expect(e?.message).toMatch(message);
    expect(e?.stack).not.toMatch(/\n\s+at /); // no trace
  });
});

describe('images whose construct ids would collide', () => {
  test.each([
    [['nginx:1.27', 'nginx_1.27']],
    [['a/b:1', 'a:b/1'.replace(':b/1', '_b_1')]],
  ])('%p become two docker_image resources', (refs) => {
    const { stack, h1 } = fleet();
    refs.forEach((image, i) => h1.addContainer(`c-${i}`, { image }));
    const json = JSON.parse(Testing.synth(stack, true));
    expect(Object.values(json.resource.docker_image).map((r: any) => r.name).sort()).toEqual([...refs].sort());
  });

  test('the first reference keeps its plain construct id (logical IDs do not move)', () => {
    const { h1 } = fleet();
    expect(h1.image('nginx:1.27').node.id).toBe('Image-nginx_1.27');
    expect(h1.image('nginx_1.27').node.id).toMatch(/^Image-nginx_1\.27-[0-9a-f]{8}$/);
  });
});

describe('synth-time rules through the constructs', () => {
  test.each<[string, Attempt, Attempt, string]>([
    ['a host port published by two containers', ({ h1 }) => { h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 })] }); h1.addContainer('cb', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8081 })] }); },
      ({ h1 }) => { h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 })] }); h1.addContainer('cb', { image: IMAGE, ports: [Port.tcp(81, { hostPort: 8080 })] }); }, 'DN113'],
    ['one container publishing a host port twice', ({ h1 }) => h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 }), Port.udp(80, { hostPort: 8080 })] }),
      ({ h1 }) => h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 }), Port.tcp(81, { hostPort: 8080 })] }), 'DN113'],
    ['published ports on a container only on an internal bridge or macvlan (the lab\'s second plan: Docker binds nothing, the provider replaces it every plan)',
      ({ h1 }) => h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 })], networks: [{ network: h1.addBridgeNetwork('int', { internal: true }) }, { network: h1.addBridgeNetwork('pub') }] }),
      ({ h1 }) => h1.addContainer('ca', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 8080 })], networks: [{ network: h1.addBridgeNetwork('int', { internal: true }) }, { network: h1.addMacvlanNetwork('mv', { parent: ParentInterface.of('eth0'), lan: 'lan' }) }] }), 'DN116'],
    ['an overlay mtu 9000 with no declared underlay', ({ h1 }) => h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.70.0.0/24'), mtu: 1400 }),
      ({ h1 }) => h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.70.0.0/24'), mtu: 9000 }), 'DN305'],
    ['a user bridge in 172.17.0.0/16 on a host without bip', ({ h1 }) => h1.addBridgeNetwork('b', { subnet: Subnet.cidr('10.71.0.0/24') }),
      ({ h1 }) => h1.addBridgeNetwork('b', { subnet: Subnet.cidr('172.17.3.0/24') }), 'DN204'],
    ['two macvlan networks on one parent', ({ h1 }) => { h1.addMacvlanNetwork('m1', { parent: ParentInterface.of('eth0'), lan: 'lan' }); },
      ({ h1 }) => { h1.addMacvlanNetwork('m1', { parent: ParentInterface.of('eth0'), lan: 'lan' }); h1.addMacvlanNetwork('m2', { parent: ParentInterface.of('eth0'), subnet: Subnet.cidr('10.72.0.0/24') }); }, 'DN304'],
    ['an IPv6 bridge with MTU below 1280', ({ h1 }) => h1.addBridgeNetwork('b', { subnet: Subnet.cidr('10.73.0.0/24'), ipv6: { subnet: Subnet.cidr('fd10:73::/64') }, mtu: 1280 }),
      ({ h1 }) => h1.addBridgeNetwork('b', { subnet: Subnet.cidr('10.73.0.0/24'), ipv6: { subnet: Subnet.cidr('fd10:73::/64') }, mtu: 1200 }), 'DN308'],
    ['an interface on an undeclared LAN segment', ({ stack }) => stack.addHost('h3', { connection: HostConnection.unix(), interfaces: { eth0: { lan: 'lan' } } }),
      ({ stack }) => stack.addHost('h3', { connection: HostConnection.unix(), interfaces: { eth0: { lan: 'lan2' } } }), 'DN109'],
    ["a host's address inside an explicit macvlan ip_range", ({ h1 }) => h1.addMacvlanNetwork('m', { parent: ParentInterface.of('eth0'), subnet: Subnet.cidr('10.9.0.0/24'), gateway: '10.9.0.1', ipRange: '10.9.0.64/27' }),
      ({ h1 }) => h1.addMacvlanNetwork('m', { parent: ParentInterface.of('eth0'), subnet: Subnet.cidr('10.9.0.0/24'), gateway: '10.9.0.1', ipRange: '10.9.0.0/27' }), 'DN217'],
    ['a swarm member with no interface address', ({ stack }) => stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: 'h3.example.net', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.WORKER, swarmAdvertiseAddress: '10.9.0.13' }),
      ({ stack }) => stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: 'h3.example.net', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), swarmRole: SwarmRole.WORKER }), 'DN112'],
  ])('%s', (_name, pass, fail, code) => {
    const ok = fleet();
    pass(ok);
    expect(ok.stack.problems().filter((p) => p.code === code)).toEqual([]);
    const bad = fleet();
    fail(bad);
    expect(bad.stack.problems().filter((p) => p.code === code).length).toBeGreaterThan(0);
  });

  test('an overlay with no mtu on a swarm whose worker has MTU 1400 gets 1350, and no DN305 about an MTU never set', () => {
    const { stack, h2 } = fleet();
    (h2.interfaces as any).eth0.mtu = 1400;
    const ov = stack.allHosts[0].addOverlayNetwork('ov', { subnet: Subnet.cidr('10.74.0.0/24') });
    expect(ov.mtu).toBe(1350);
    expect(ov.driverMtuOption).toBe(1400);
    expect(stack.problems().map((p) => p.code)).not.toContain('DN305');
  });
});


describe('the synth pass', () => {
  function app(build: (env: DocknetEnvironment) => void) {
    const a = new DocknetApp({ outdir: Testing.app().outdir, planStore: PlanStore.inMemory() });
    const env = new DocknetEnvironment(a, 'dev');
    build(env);
    return a;
  }
  // Every ssh host declares its sshd key (DN520); a placeholder, these hosts are never reached.
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ1Uy3D91jCBVrov6McCCYMKF03qUa0YAfqwh3pj4P+6';
  const host = (env: DocknetEnvironment, id: string, extra: object = {}): DockerHost =>
    env.addHost(id, { connection: HostConnection.ssh({ user: 'ops', host: `10.9.0.${id.length + 10}`, hostKey: KEY }), interfaces: { eth0: { address: `10.9.0.${id.length + 10}/24` } }, ...extra });

  test('every problem once, sorted, in one DocknetError without a trace', () => {
    const a = app((env) => {
      const h = host(env, 'h1');
      h.addBridgeNetwork('a', { subnet: Subnet.cidr('10.80.0.0/24') });
      h.addBridgeNetwork('b', { subnet: Subnet.cidr('10.80.0.0/25') });
      h.addContainer('c1', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 80 })] });
      h.addContainer('c2', { image: IMAGE, ports: [Port.tcp(80, { hostPort: 80 })] });
    });
    let e: unknown;
    try {
      a.synth();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(DocknetError);
    const err = e as DocknetError;
    expect(err.problems.map((p) => p.code)).toEqual(['DN113', 'DN201']);
    expect(err.message.split('\n').filter((l) => /DN\d{3}/.test(l))).toHaveLength(2);
    expect(err.stack).not.toMatch(/\n\s+at /);
    expect(err.message).toContain(formatProblem(err.problems[0]));
  });

  test('pool exhaustion is reported once and does not hide other problems', () => {
    const a = app((env) => {
      env.addPool('tiny', { cidr: '10.90.0.0/24' });
      const h = host(env, 'h1');
      h.addBridgeNetwork('a', { subnet: Subnet.fromPool('tiny', 24) });
      h.addBridgeNetwork('b', { subnet: Subnet.fromPool('tiny', 24) });
      h.addBridgeNetwork('c', { subnet: Subnet.cidr('172.17.1.0/24') });
    });
    const codes = a.validate().filter((p) => p.severity === 'error').map((p) => p.code);
    expect(codes.filter((c) => c === 'DN270')).toHaveLength(1);
    expect(codes).toContain('DN204');
  });

  test('a plan failure while building the hosts stack surfaces as itself, not as DN520 "target is undefined"', () => {
    const a = app((env) => {
      env.addPool('tiny', { cidr: '10.90.0.0/24' });
      host(env, 'h1', { swarmRole: SwarmRole.MANAGER, daemon: { bip: Subnet.fromPool('tiny', 24) } });
      host(env, 'h2', { swarmRole: SwarmRole.WORKER, daemon: { bip: Subnet.fromPool('tiny', 24) } });
    });
    a.finalize();
    const codes = a.validate().filter((p) => p.severity === 'error').map((p) => p.code);
    expect(codes).toEqual(['DN270']);
  });

  test('a warning is annotated once however often validation runs', () => {
    const a = app((env) => {
      const h = host(env, 'h1');
      h.addBridgeNetwork('b', { subnet: Subnet.cidr('192.168.5.0/24') }); // in Docker's default pools: DN205
    });
    a.validate();
    a.validate();
    const stack = a.node.findAll().find((c) => c instanceof DocknetStack)!;
    const warnings = stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning' || /warn/i.test(m.type));
    expect(warnings.map((w) => String(w.data)).filter((d) => d.includes('DN205'))).toHaveLength(1);
  });

  test('bip as an address with prefix: docker0 gets that address; the network is used for overlaps', () => {
    const ok = app((env) => {
      const h = host(env, 'h1', { daemon: { bip: Subnet.cidr('192.168.1.5/24') } });
      h.addBridgeNetwork('b', { subnet: Subnet.cidr('10.95.0.0/24') });
    });
    ok.finalize();
    expect(ok.validate().filter((p) => p.severity === 'error')).toEqual([]);
    const bad = app((env) => {
      const h = host(env, 'h1', { daemon: { bip: Subnet.cidr('192.168.1.5/24') } });
      h.addBridgeNetwork('b', { subnet: Subnet.cidr('192.168.1.128/25') });
    });
    bad.finalize();
    expect(bad.validate().filter((p) => p.severity === 'error').map((p) => p.code)).toEqual(['DN204']);
    const invalid = app((env) => host(env, 'h1', { daemon: { bip: Subnet.cidr('192.168.1.500/24') } }));
    invalid.finalize();
    const p = invalid.validate().filter((x) => x.severity === 'error');
    expect(p.map((x) => x.code)).toContain('DN500');
    expect(p.find((x) => x.code === 'DN500')!.message).toMatch(/daemon\.json "bip" is "192\.168\.1\.500\/24"/);
  });
});
