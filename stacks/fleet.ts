import { PgBackend } from 'cdktf';
import { DocknetApp, DocknetEnvironment, HostConnection, Subnet, SwarmRole } from '../lib';
import { IMAGE } from './topology';

/** Racks of the fleet: each is a shard, with its own pair of stacks and its own state. */
export const FLEET_SHARDS = ['rack-a', 'rack-b', 'rack-c'];
/** Hosts per rack. */
const PER_RACK = 3;
const STATE = 'postgres://state.internal/docknet?sslmode=require';

/**
 * Each host's sshd public key, checked on every ssh hop. PLACEHOLDERS generated for the example: put
 * your hosts' own (ssh-keyscan, then compare the fingerprint on the console).
 */
const HOST_KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHYdsY91EOp5xQmc5M67w6f6lPHw/89invH+4pyeSiSm',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPS4qJAPVh4w016ZF7c2qjuEeCS12mZNgU++aR1J74ja',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKufYqz2abjAjbij6VNlYQC792EajO05bhsE4Yep7PeU',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIr5lHhahgfE3mWaQgNPvgg1jgxeiJyzj6lT/owqiQsN',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFH7oSWBRuht6zqxIHMho2xsrdAavF/CvRzyup1eUsaG',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKSblDHOpsHWFlLgJ8gqTyHv/xfoqlmARi7Jg+gmVolw',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJo4gqK4cxfpQ8gqHNDeRrzryeUQTpmUAXRBGOGdhAeZ',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP27NcGbAXYTJYxkjXjxBnjXj5VolevOAHfl+uhvwLVM',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvNRQT0Zgof3c0ZKuxPMk9Ne3eKN/U2ZPvVCOu6OUcM',
];

/**
 * A sharded environment (docs/sharding.md): 9 hosts in 3 racks, each rack its own `fleet-<rack>-hosts`
 * and `fleet-<rack>-network` stacks, so a change to one rack plans and locks only that rack's state.
 * One address plan and one model for the whole fleet; the overlay lives in the manager's rack
 * (rack-a) and the other racks attach to it by name.
 */
export function buildFleet(scope: DocknetApp): DocknetEnvironment {
  const env = new DocknetEnvironment(scope, 'fleet', {
    shards: FLEET_SHARDS,
    backend: (stack, name) => new PgBackend(stack, { connStr: STATE, schemaName: `docknet_${name.replace(/-/g, '_')}` }),
    swarm: { defaultAddrPools: [Subnet.fromPool('overlays', 20, 'swarm/default-addr-pool')], defaultAddrPoolMaskLength: 24 },
  });
  env.addPool('bridges', { cidr: '10.140.0.0/16', purpose: 'user bridges' });
  env.addPool('overlays', { cidr: '10.141.0.0/16', purpose: 'swarm default-addr-pool and overlays' });
  env.addPool('daemon', { cidr: '10.142.0.0/16', purpose: 'docker0 (bip)' });

  const hosts = FLEET_SHARDS.flatMap((rack, r) =>
    Array.from({ length: PER_RACK }, (_, i) => {
      const n = r * PER_RACK + i + 1;
      const address = `10.40.0.${10 + n}`;
      return env.addHost(`fleet${n}`, {
        shard: rack,
        slot: `host ${n}`,
        connection: HostConnection.ssh({ user: 'ops', host: address, hostKey: HOST_KEYS[n - 1] }),
        interfaces: { eth0: { address: `${address}/24`, mtu: 1500 } },
        swarmRole: n === 1 ? SwarmRole.MANAGER : SwarmRole.WORKER,
        daemon: { bip: Subnet.fromPool('daemon', 24, `fleet${n}/bip`), mtu: 1500, liveRestore: false },
      });
    }),
  );
  // Created through the manager, in rack-a's network stack; every rack's containers attach by name.
  const multihost = hosts[0].addOverlayNetwork('multihost', { subnet: Subnet.fromPool('overlays', 24), attachable: true });
  for (const h of hosts) {
    const backend = h.addBridgeNetwork('backend', { subnet: Subnet.fromPool('bridges', 24) });
    h.addContainer('db', { image: IMAGE, command: ['sleep', '1d'], networks: [{ network: backend, aliases: ['database'] }] });
    h.addContainer('api', { image: IMAGE, command: ['sleep', '1d'], networks: [{ network: multihost, aliases: ['api'] }] });
  }
  return env;
}
