import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocknetApp, DocknetEnvironment, HostConnection, ParentInterface, PlanStore, Subnet, SwarmRole } from '../../lib';

function environment() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-hosts-'));
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  const env = new DocknetEnvironment(app, 'dev');
  env.addLanSegment('lan', { subnet: '10.9.0.0/24', gateway: '10.9.0.1', reserved: [{ label: 'hosts', cidr: '10.9.0.0/27' }, { label: 'shim', cidr: '10.9.0.250/32' }] });
  const h1 = env.addHost('h1', {
    connection: HostConnection.ssh({ host: '10.9.0.11', user: 'ops' }),
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
      let message = '';
      try {
        app.synth();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/nothing was written/);
      expect(message).toContain(`macvlan shim "dn-${mv.networkName}"`);
      expect(message).toContain(`its address ${inRange} lies in the container range ${range}`);
      expect(message).toMatch(/\[dev-network\/h2\] manages daemon\.json.*reached over unix:\/\/\/run\/docker\.sock/);
      expect(message).toMatch(/10\.99\.0\.5/);
    } finally {
      cleanup();
    }
  });
});
