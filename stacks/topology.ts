import { PgBackend } from 'cdktf';
import {
  Container, DocknetApp, DocknetEnvironment, HostConnection, MacvlanMode, NetworkMode, ParentInterface, Port, Subnet, SwarmRole,
} from '../lib';
import { EnvironmentValues } from './values';

export const IMAGE = 'busybox:1.36';

/**
 * The topology, written once: the operator notes' scenarios on a 3-host fleet. Values come from
 * dev.ts / staging.ts / prod.ts, so promotion moves exactly this structure from one to the next.
 */
export function buildEnvironment(scope: DocknetApp, v: EnvironmentValues): DocknetEnvironment {
  const env = new DocknetEnvironment(scope, v.environment, {
    backend: v.stateConnStr ? (stack, name) => new PgBackend(stack, { connStr: v.stateConnStr!, schemaName: `docknet_${name.replace(/-/g, '_')}` }) : undefined,
    swarm: { defaultAddrPools: [Subnet.fromPool('overlays', 20, 'swarm/default-addr-pool')], defaultAddrPoolMaskLength: 24 },
  });
  env.addPool('bridges', { cidr: v.pools.bridges, purpose: 'user bridges' });
  env.addPool('overlays', { cidr: v.pools.overlays, purpose: 'swarm default-addr-pool and overlays' });
  env.addPool('daemon', { cidr: v.pools.daemon, purpose: 'docker0 (bip) and default-address-pools' });
  env.addLanSegment('lan', {
    subnet: v.lan.subnet,
    gateway: v.lan.gateway,
    reserved: [
      ...v.hosts.map((h) => ({ label: `${h.name} eth0`, cidr: `${h.address}/32` })),
      { label: 'DHCP pool', cidr: v.lan.dhcpPool },
      { label: 'macvlan shim', cidr: `${v.macvlanShim}/32` },
    ],
  });

  const hosts = v.hosts.map((h, i) =>
    env.addHost(h.name, {
      // The topology places things by a host's index (web on the first, api replicas round-robin),
      // so the index is the host's identity across environments: promotion matches hosts by it.
      slot: `host ${i + 1}`,
      connection: HostConnection.ssh({ user: v.sshUser, host: h.address, hostKey: h.hostKey }),
      interfaces: { eth0: { address: `${h.address}/${v.lan.prefixLength}`, mtu: v.underlayMtu, lan: 'lan' } },
      swarmRole: h.swarmRole,
      renamedFrom: h.renamedFrom,
      daemon: {
        // The notes' first fix: move docker0 off 172.17.0.0/16, which collided with the office VPN.
        bip: Subnet.fromPool('daemon', 24, `${h.name}/bip`),
        defaultAddressPools: [{ base: Subnet.fromPool('daemon', 20, `${h.name}/default-address-pools`), size: 24 }],
        mtu: v.underlayMtu,
        dns: v.dns,
        icc: true,
        iptables: true,
        liveRestore: false,
      },
    }),
  );
  const manager = hosts.find((h) => h.swarmRole === SwarmRole.MANAGER)!;
  const [first] = hosts;

  // Scenario: user bridge with a fixed subnet and gateway, a container with a static address.
  const appNet = first.addBridgeNetwork('app-net', { subnet: Subnet.cidr(v.appSubnet), gateway: v.appGateway });
  const web = first.addContainer('web', {
    image: IMAGE,
    command: ['httpd', '-f', '-p', '80'],
    networks: [{ network: appNet, ipv4Address: v.webAddress, aliases: ['www'] }],
    ports: [Port.tcp(80, { hostPort: 8080 })],
  });
  // Scenario: container:<other> shares web's network namespace (same IP, same ports).
  first.addContainer('web-sidecar', { image: IMAGE, command: ['sleep', '1d'], networkMode: NetworkMode.container(web) });
  // Scenario: host and none modes.
  first.addContainer('node-probe', { image: IMAGE, command: ['sleep', '1d'], networkMode: NetworkMode.host() });
  first.addContainer('offline-job', { image: IMAGE, command: ['sleep', '1d'], networkMode: NetworkMode.none() });
  // Scenario: the default bridge (docker0, bip from the plan) with a pooled user bridge next to it.
  const backend = first.addBridgeNetwork('backend', { subnet: Subnet.fromPool('bridges', 24), icc: false });
  first.addContainer('db', { image: IMAGE, command: ['sleep', '1d'], networks: [{ network: backend, aliases: ['database'] }] });

  // Scenario: macvlan on the LAN, each host with its own disjoint range of the segment.
  for (const h of hosts) {
    const lan = h.addMacvlanNetwork('lan', { parent: ParentInterface.of('eth0'), lan: 'lan', mode: MacvlanMode.BRIDGE });
    h.addContainer('edge', { image: IMAGE, command: ['sleep', '1d'], networks: [{ network: lan }] });
    // Scenario: the host itself reaches its macvlan containers only through a shim interface.
    if (h === first) h.addMacvlanShim(lan, { address: v.macvlanShim });
  }

  // Scenario: an attachable overlay spanning all hosts, created through the swarm manager.
  const multihost = manager.addOverlayNetwork('multihost', { subnet: Subnet.fromPool('overlays', 24), attachable: true });
  const apis: Container[] = [];
  for (let i = 0; i < v.apiReplicas; i++) {
    const h = hosts[i % hosts.length];
    apis.push(h.addContainer(`api-${i + 1}`, { image: IMAGE, command: ['sleep', '1d'], networks: [{ network: multihost, aliases: ['api'] }] }));
  }
  return env;
}
