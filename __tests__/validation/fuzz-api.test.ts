// Property-based: the public API called the way JavaScript callers (or `as any`) can call it, with
// null, missing, wrong-typed and oversized values in place of a props object or of one of its props.
// Every failure must be a DocknetError that names a construct; no TypeError (or any other error) may
// escape, whether at the call or at synth. A valid base topology is built first, so a value that is
// accepted goes on through synth and rendering.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { DocknetApp, DocknetEnvironment, DockerHost, HostConnection, NetworkMode, ParentInterface, PlanStore, Port, Subnet, SwarmRole } from '../../lib';
import { DocknetError } from '../../lib/core/errors';
import { TEST_HOST_KEY } from '../fixtures';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Values TypeScript would refuse: null, the wrong primitive, lists, odd objects, huge strings and numbers. */
const wrong = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.constantFrom(NaN, Infinity, -0, 1e300),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('x'.repeat(5000), '', ' ', '$(id)', '-oProxyCommand=id', '10.0.0.0/33', '::/0'),
  fc.array(fc.oneof(fc.constant(null), fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.constant(null), fc.string({ maxLength: 5 }), fc.integer()), { maxKeys: 3, noNullPrototype: true }),
);

function withApp(build: (env: DocknetEnvironment, h1: DockerHost) => void): unknown {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-fuzz-'));
  dirs.push(outdir);
  try {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    const env = new DocknetEnvironment(app, 'dev', {});
    env.addPool('bridges', { cidr: '10.120.0.0/16' });
    const h1 = env.addHost('h1', { connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.11', hostKey: TEST_HOST_KEY }), interfaces: { eth0: { address: '10.0.0.11/24' } }, swarmRole: SwarmRole.MANAGER });
    build(env, h1);
    app.synth();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A failure, if any, is a DocknetError whose problems each name a construct (or API call) and say what was expected. */
function acceptable(e: unknown): boolean {
  if (e === undefined) return true;
  if (!(e instanceof DocknetError)) return false;
  return e.problems.length > 0 && e.problems.every((p) => p.constructs.length > 0 && p.constructs.every((c) => typeof c === 'string' && c.length > 0) && p.message.length > 0);
}

const explain = (e: unknown) => (e instanceof Error ? `${e.constructor.name}: ${e.message.split('\n')[0]}` : String(e));

interface EntryPoint {
  readonly name: string;
  readonly base: (env: DocknetEnvironment, h1: DockerHost) => Record<string, unknown>;
  readonly keys: readonly string[];
  readonly call: (env: DocknetEnvironment, h1: DockerHost, props: unknown) => void;
}

const ENTRY_POINTS: EntryPoint[] = [
  {
    name: 'DocknetEnvironment.addHost',
    base: () => ({ connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.12', hostKey: TEST_HOST_KEY }), interfaces: { eth0: { address: '10.0.0.12/24' } } }),
    keys: ['connection', 'daemon', 'daemonLocation', 'interfaces', 'name', 'renamedFrom', 'slot', 'swarmAdvertiseAddress', 'swarmRole'],
    call: (env, _h, p) => env.addHost('h2', p as never),
  },
  {
    name: 'DockerHost.addContainer',
    base: () => ({ image: 'busybox:local', ports: [Port.tcp(80, { hostPort: 8080 })], env: { A: 'b' } }),
    keys: ['image', 'name', 'command', 'env', 'hostname', 'dns', 'dnsOptions', 'dnsSearch', 'networkMode', 'networks', 'ports', 'capabilities', 'extraHosts', 'healthCheck', 'labels', 'logDriver', 'restartPolicy', 'sysctls', 'volumes'],
    call: (_e, h1, p) => { h1.addContainer('web', p as never); },
  },
  {
    name: 'DockerHost.addService',
    base: (_e, h1) => ({ image: 'busybox:local', replicas: 2, networks: [{ network: h1.addOverlayNetwork('mesh', { subnet: Subnet.cidr('10.77.1.0/24') }) }] }),
    keys: ['command', 'env', 'image', 'name', 'networks', 'ports', 'replicas'],
    call: (_e, h1, p) => { h1.addService('queue', p as never); },
  },
  {
    name: 'DockerHost.addBridgeNetwork',
    base: () => ({ subnet: Subnet.cidr('172.30.0.0/24'), gateway: '172.30.0.1' }),
    keys: ['auxAddresses', 'gateway', 'ipRange', 'ipv6', 'labels', 'name', 'subnet', 'bridgeName', 'hostBindingIpv4', 'icc', 'internal', 'ipMasquerade', 'mtu'],
    call: (_e, h1, p) => { h1.addBridgeNetwork('app', p as never); },
  },
  {
    name: 'DockerHost.addMacvlanNetwork',
    base: () => ({ parent: ParentInterface.of('eth0'), subnet: Subnet.cidr('10.0.0.0/24'), gateway: '10.0.0.1', ipRange: '10.0.0.128/27' }),
    keys: ['auxAddresses', 'gateway', 'ipRange', 'ipv6', 'labels', 'name', 'subnet', 'lan', 'mode', 'parent'],
    call: (_e, h1, p) => { h1.addMacvlanNetwork('lan', p as never); },
  },
  {
    name: 'DockerHost.addOverlayNetwork',
    base: () => ({ subnet: Subnet.cidr('10.77.1.0/24'), attachable: true }),
    keys: ['auxAddresses', 'gateway', 'ipRange', 'labels', 'name', 'subnet', 'attachable', 'encrypted', 'mtu'],
    call: (_e, h1, p) => { h1.addOverlayNetwork('mesh', p as never); },
  },
];

describe.each(ENTRY_POINTS)('$name never lets a TypeError escape', (ep) => {
  test('the valid base synthesizes (so the properties below start from a working call)', () => {
    const e = withApp((env, h1) => ep.call(env, h1, ep.base(env, h1)));
    expect(explain(e)).toBe('undefined');
  });

  test('the whole props argument replaced by a wrong value', () => {
    fc.assert(
      fc.property(wrong, (v) => {
        const e = withApp((env, h1) => ep.call(env, h1, v));
        if (!acceptable(e)) throw new Error(`props ${String(JSON.stringify(v))?.slice(0, 60)}: ${explain(e)}`);
      }),
      { numRuns: 25, seed: 20261207 },
    );
  });

  test('one prop replaced by a wrong value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ep.keys), wrong, (key, v) => {
        const e = withApp((env, h1) => ep.call(env, h1, { ...ep.base(env, h1), [key]: v }));
        if (!acceptable(e)) throw new Error(`${key}: ${String(JSON.stringify(v))?.slice(0, 60)}: ${explain(e)}`);
      }),
      { numRuns: 120, seed: 20261207 },
    );
  });
});

/** An entry of a list or map prop, or one field of it, replaced by a wrong value (field 'entry': the whole entry). */
function entryProperty(fields: string[], build: (env: DocknetEnvironment, h1: DockerHost, entry: (valid: Record<string, unknown>) => unknown) => void, numRuns: number): void {
  fc.assert(
    fc.property(fc.constantFrom(...fields), wrong, (field, v) => {
      const e = withApp((env, h1) => build(env, h1, (valid) => (field === 'entry' ? v : { ...valid, [field]: v })));
      if (!acceptable(e)) throw new Error(`${field}: ${String(JSON.stringify(v))?.slice(0, 60)}: ${explain(e)}`);
    }),
    { numRuns, seed: 20261207 },
  );
}

describe('entries with wrong values', () => {
  test('a container\'s networks entry, or one of its fields', () => {
    entryProperty(['entry', 'network', 'ipv4Address', 'ipv6Address', 'aliases'], (_env, h1, entry) => {
      const app = h1.addBridgeNetwork('app', { subnet: Subnet.cidr('172.30.0.0/24') });
      h1.addContainer('web', { image: 'busybox:local', networks: [entry({ network: app })] as never });
    }, 100);
  });

  test('a service\'s networks entry, or one of its fields', () => {
    entryProperty(['entry', 'network', 'aliases'], (_env, h1, entry) => {
      const mesh = h1.addOverlayNetwork('mesh', { subnet: Subnet.cidr('10.77.1.0/24') });
      h1.addService('queue', { image: 'busybox:local', networks: [entry({ network: mesh })] as never });
    }, 60);
  });

  test('a host\'s interface, or one of its fields', () => {
    entryProperty(['entry', 'address', 'mtu'], (env, _h1, entry) => {
      env.addHost('h2', { connection: HostConnection.ssh({ user: 'ops', host: '10.0.0.12', hostKey: TEST_HOST_KEY }), interfaces: { eth0: entry({ address: '10.0.0.12/24' }) as never } });
    }, 60);
  });
});

describe('static helpers', () => {
  test.each([
    ['Subnet.cidr', () => Subnet.cidr(null as never)],
    ['Subnet.fromPool', () => Subnet.fromPool(null as never, '24' as never)],
    ['NetworkMode.container', () => withApp((_e, h1) => { h1.addContainer('side', { image: 'busybox:local', networkMode: NetworkMode.container({ containerName: 'x' } as never) }); })],
  ])('%s with wrong values: a DocknetError', (_name, f) => {
    let e: unknown;
    try { e = f(); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(DocknetError);
  });
});
