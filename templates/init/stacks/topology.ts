import { PgBackend } from 'cdktf';
import { Construct } from 'constructs';
import { DocknetEnvironment, HostConnection, ParentInterface, Port, Subnet, SwarmRole } from 'docknet';
import { EnvironmentValues } from './values';

/**
 * The topology, written once; dev.ts, staging.ts and prod.ts give the values, so promoting moves
 * exactly this structure from one environment to the next.
 */
export function buildEnvironment(scope: Construct, v: EnvironmentValues): DocknetEnvironment {
  const env = new DocknetEnvironment(scope, v.environment, {
    backend: v.stateConnStr ? (stack, name) => new PgBackend(stack, { connStr: v.stateConnStr!, schemaName: `docknet_${name.replace(/-/g, '_')}` }) : undefined,
    swarm: { defaultAddrPools: [Subnet.fromPool('overlays', 20, 'swarm/default-addr-pool')] },
  });
  env.addPool('bridges', { cidr: v.pools.bridges, purpose: 'user bridges' });
  env.addPool('overlays', { cidr: v.pools.overlays, purpose: 'swarm default-addr-pool and overlays' });
  env.addPool('daemon', { cidr: v.pools.daemon, purpose: 'docker0 (bip)' });
  env.addLanSegment('lan', {
    subnet: v.lan.subnet,
    gateway: v.lan.gateway,
    reserved: [...v.hosts.map((h) => ({ label: h.name, cidr: `${h.address}/32` })), { label: 'DHCP pool', cidr: v.lan.dhcpPool }],
  });

  const hosts = v.hosts.map((h) =>
    env.addHost(h.name, {
      connection: HostConnection.ssh({ user: v.sshUser, host: h.address, hostKey: h.hostKey }),
      interfaces: { eth0: { address: `${h.address}/${v.lan.prefixLength}`, lan: 'lan' } },
      swarmRole: h.swarmRole,
      daemon: { bip: Subnet.fromPool('daemon', 24, `${h.name}/bip`), dns: v.dns },
    }),
  );
  const manager = hosts.find((h) => h.swarmRole === SwarmRole.MANAGER)!;

  // A user bridge on the first host, its subnet from the plan, and a web server published on 8080.
  const [first] = hosts;
  const frontend = first.addBridgeNetwork('frontend', { subnet: Subnet.fromPool('bridges', 24) });
  first.addContainer('web', { image: 'nginx:1.27', networks: [{ network: frontend, aliases: ['www'] }], ports: [Port.tcp(80, { hostPort: 8080 })] });

  // macvlan on the LAN: each host gets its own disjoint range of the segment.
  for (const h of hosts) h.addMacvlanNetwork('lan', { parent: ParentInterface.of('eth0'), lan: 'lan' });

  // An attachable overlay across the swarm, created through the manager, with api containers on it.
  const services = manager.addOverlayNetwork('services', { subnet: Subnet.fromPool('overlays', 24), attachable: true });
  for (let i = 0; i < v.apiReplicas; i++) {
    hosts[i % hosts.length].addContainer(`api-${i + 1}`, { image: 'busybox:1.36', command: ['sleep', '1d'], networks: [{ network: services }] });
  }
  return env;
}
