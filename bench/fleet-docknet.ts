/** The synth benchmark's fleet with docknet's constructs (the raw cdktf twin is in fleet.ts; kept apart so the raw child never loads docknet). */
import { DocknetApp, DocknetEnvironment, HostConnection, PlanStore, Port, Subnet } from '../lib';
import { containerAddress, FleetSize, hostAddress, hostName, IMAGE, POOL } from './fleet';

/** The fleet with docknet's constructs. */
export function docknetFleet(size: FleetSize, outdir: string): DocknetApp {
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  const env = new DocknetEnvironment(app, 'bench');
  env.addPool('bridges', { cidr: POOL, purpose: 'bench bridges' });
  for (let h = 0; h < size.hosts; h++) {
    const host = env.addHost(hostName(h), { connection: HostConnection.ssh({ user: 'ops', host: hostAddress(h), hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) });
    const bridges = [];
    for (let b = 0; b < size.bridgesPerHost; b++) bridges.push(host.addBridgeNetwork(`br${b}`, { subnet: Subnet.fromPool('bridges', 24) }));
    for (let j = 0; j < size.containersPerHost; j++) {
      host.addContainer(`c${j}`, {
        image: IMAGE,
        command: ['nginx', '-g', 'daemon off;'],
        networks: [{ network: bridges[j % size.bridgesPerHost], ipv4Address: containerAddress(size, h, j), aliases: [`c${j}`] }],
        ports: [Port.tcp(80, { hostPort: 8000 + j })],
      });
    }
  }
  return app;
}

