import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PgBackend } from 'cdktf';
import { DocknetApp, DocknetEnvironment, HostConnection, ParentInterface, PlanStore, Subnet, SwarmRole } from '../../lib';
import { failureOf } from '../fixtures';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbwUrTHt+FixjdWnPEIMGeVSUeY/EV9tinbx8jJ+tw8';

/** Five hosts h1..h5 with daemon settings; managers at the given indexes. */
function fleet(waveSize: number | undefined, managers: number[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-waves-'));
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  const env = new DocknetEnvironment(app, 'dev', { rolloutWaveSize: waveSize });
  for (let i = 1; i <= 5; i++) {
    env.addHost(`h${i}`, {
      connection: HostConnection.ssh({ host: `10.9.0.${10 + i}`, user: 'ops', hostKey: KEY }),
      // Swarm members advertise an interface address (DN112).
      interfaces: { eth0: { address: `10.9.0.${10 + i}/24` } },
      swarmRole: managers.includes(i) ? SwarmRole.MANAGER : SwarmRole.WORKER,
      daemon: { mtu: 1450 },
    });
  }
  app.synth();
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'dev-hosts', 'cdk.tf.json'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  const data = tf.resource.terraform_data as Record<string, any>;
  const rollout = (h: string) => Object.entries(data).find(([k]) => k.startsWith(`${h}_DaemonRollout`))!;
  const after = (h: string) => ((rollout(h)[1].depends_on ?? []) as string[]).map((d) => d.replace(/^terraform_data\.(h\d)_DaemonRollout.*$/, '$1')).sort();
  return { env, data, after, join: (h: string) => Object.entries(data).find(([k]) => k.startsWith(`Swarm_Join-${h}`))![1] };
}

describe('rolling daemon changes', () => {
  test('default: one host at a time in declaration order, each rollout after the previous one', () => {
    const { env, after } = fleet(undefined, [1]);
    expect(env.network.toModel().rollout).toEqual({ waveSize: 1, waves: [['h1'], ['h2'], ['h3'], ['h4'], ['h5']] });
    expect(after('h1')).toEqual([]);
    expect(after('h2')).toEqual(['h1']);
    expect(after('h5')).toEqual(['h4']);
  });

  test('wave size 2 never puts two managers in one wave; each wave waits for the whole previous one', () => {
    const { env, after } = fleet(2, [1, 2, 3]);
    expect(env.network.toModel().rollout!.waves).toEqual([['h1'], ['h2'], ['h3', 'h4'], ['h5']]);
    expect(after('h3')).toEqual(['h2']);
    expect(after('h4')).toEqual(['h2']);
    expect(after('h5')).toEqual(['h3', 'h4']);
  });

  test('a join waits for the init and its own host only (one dead worker does not stop the others)', () => {
    const { join } = fleet(undefined, [1]);
    const deps = join('h4').depends_on as string[];
    expect(deps).toHaveLength(2);
    expect(deps[0]).toMatch(/Swarm_Init/);
    expect(deps[1]).toMatch(/h4_DaemonRollout/);
  });

  test('a state-backend password inline is refused with the fix; without it the backend is kept', () => {
    const app = new DocknetApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dn-pg-')), planStore: PlanStore.inMemory() });
    const pg = (connStr: string) => (s: any) => new PgBackend(s, { connStr });
    expect(() => new DocknetEnvironment(app, 'dev', { backend: pg('postgres://docknet:s3cret@db/docknet') })).toThrow(/connStr holds a password.*PGPASSWORD/);
    expect(() => new DocknetEnvironment(app, 'stg', { backend: pg('host=db user=docknet password=s3cret') })).toThrow(/connStr holds a password/);
    expect(() => new DocknetEnvironment(app, 'qa', { backend: pg('host=db user=docknet password = s3cret') })).toThrow(/connStr holds a password/);
    expect(() => new DocknetEnvironment(app, 'qa2', { backend: pg("host=db password='s3 cret'") })).toThrow(/connStr holds a password/);
    expect(() => new DocknetEnvironment(app, 'prod', { backend: pg('postgres://docknet@db/docknet?sslmode=require') })).not.toThrow();
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });

  test('a bad wave size is refused with the fix', () => {
    const app = new DocknetApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dn-waves-')), planStore: PlanStore.inMemory() });
    expect(() => new DocknetEnvironment(app, 'dev', { rolloutWaveSize: 0 })).toThrow(/rolloutWaveSize 0 is not a wave size.*>= 1/);
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });
});

function environment() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-hosts-'));
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  const env = new DocknetEnvironment(app, 'dev');
  env.addLanSegment('lan', { subnet: '10.9.0.0/24', gateway: '10.9.0.1', reserved: [{ label: 'hosts', cidr: '10.9.0.0/27' }, { label: 'shim', cidr: '10.9.0.250/32' }] });
  const h1 = env.addHost('h1', {
    connection: HostConnection.ssh({ host: '10.9.0.11', user: 'ops', hostKey: KEY }),
    interfaces: { eth0: { address: '10.9.0.11/24', lan: 'lan' } },
    swarmRole: SwarmRole.MANAGER,
    daemon: { mtu: 1450 },
  });
  const mv = h1.addMacvlanNetwork('mv', { parent: ParentInterface.of('eth0'), lan: 'lan' });
  return { app, env, h1, mv, cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}

describe('the <env>-hosts stack', () => {
  test('a shim on a reserved LAN address: /32 on the parent, routed to the host\'s own range', () => {
    const { app, h1, mv, cleanup } = environment();
    try {
      h1.addMacvlanShim(mv, { address: '10.9.0.250' });
      app.synth();
      const tf = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'dev-hosts', 'cdk.tf.json'), 'utf8'));
      const shim = Object.entries(tf.resource.terraform_data as Record<string, any>).find(([k]) => k.includes('Shim'))![1];
      expect(shim.triggers_replace).toMatchObject({ address: '10.9.0.250/32', parent: 'eth0', routes: mv.ipv4()!.ipRange });
    } finally {
      cleanup();
    }
  });

  test('every problem of the synth together: a shim inside a container range, a host without ssh, and a network-stack error', () => {
    const { app, env, h1, mv, cleanup } = environment();
    try {
      const range = mv.ipv4()!.ipRange!;
      const inRange = range.replace(/\d+\/\d+$/, (m) => String(Number(m.split('/')[0]) + 5));
      h1.addMacvlanShim(mv, { address: inRange });
      env.addHost('h2', { connection: HostConnection.unix('/run/docker.sock'), daemon: { mtu: 1450 } });
      const br = h1.addBridgeNetwork('br', { subnet: Subnet.cidr('10.61.0.0/24') });
      h1.addContainer('app', { image: 'busybox:1.36', networks: [{ network: br, ipv4Address: '10.99.0.5' }] });
      const message = failureOf(() => app.synth());
      expect(message).toMatch(/nothing was written/);
      expect(message).toContain(`macvlan shim "dn-${mv.networkName}"`);
      expect(message).toContain(`its address ${inRange} lies in the container range ${range}`);
      expect(message).toMatch(/\[dev-network\/h2\] manages daemon\.json.*reached over unix:\/\/\/run\/docker\.sock/);
      expect(message).toMatch(/10\.99\.0\.5/);
    } finally {
      cleanup();
    }
  });

  // A new user's review: each of these synthesized and rendered the shim with that /32.
  test("shims on the LAN's gateway, on a host's own address and on another host's shim address: all refused in one synth, with the fix", () => {
    const { app, env, h1, mv, cleanup } = environment();
    try {
      const h2 = env.addHost('h2', {
        connection: HostConnection.ssh({ host: '10.9.0.12', user: 'ops', hostKey: KEY }),
        interfaces: { eth0: { address: '10.9.0.12/24', lan: 'lan' } },
        swarmRole: SwarmRole.WORKER,
      });
      const mv2 = h2.addMacvlanNetwork('mv', { parent: ParentInterface.of('eth0'), lan: 'lan' });
      h1.addMacvlanShim(mv, { address: '10.9.0.1', name: 'dn-gw' });
      h1.addMacvlanShim(mv, { address: '10.9.0.12', name: 'dn-h2' });
      h1.addMacvlanShim(mv, { address: '10.9.0.250', name: 'dn-shim' });
      h2.addMacvlanShim(mv2, { address: '10.9.0.250', name: 'dn-shim' });
      const message = failureOf(() => app.synth());
      expect(message).toMatch(/nothing was written/);
      expect(message).toMatch(/DN523.*macvlan shim "dn-gw" for "mv" on h1: its address 10\.9\.0\.1 is the gateway of "mv" \(the LAN's router\) on LAN "lan";.*Give the shim a spare address of 10\.9\.0\.0\/24 that nothing else uses/);
      expect(message).toMatch(/DN523.*macvlan shim "dn-h2" for "mv" on h1: its address 10\.9\.0\.12 is the address of host h2 \(eth0, 10\.9\.0\.12\/24\)/);
      expect(message).toMatch(/DN523.*macvlan shim "dn-shim" for "mv" on h2: its address 10\.9\.0\.250 is the address of macvlan shim "dn-shim" of host h1/);
      expect(message).not.toMatch(/^\s+at /m);
      expect(fs.existsSync(path.join(app.outdir, 'stacks', 'dev-hosts', 'cdk.tf.json'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
