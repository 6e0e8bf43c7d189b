// Topologies that Docker itself refuses, as cdk.tf.json-shaped stacks with the engine's error.
// The e2e scenarios replay them on the lab to prove Docker says no; docknet's own validation should
// catch the same mistakes before Terraform runs (wire those checks against DOCKER_REJECTIONS).
import { LAB_IMAGE } from './lab';
import { TfJson } from './replay';

export interface DockerRejection {
  readonly id: string;
  readonly description: string;
  /** Host aliases the stack uses (h1 is the swarm manager when swarm is needed). */
  readonly hosts: string[];
  readonly needsSwarm: boolean;
  readonly stack: TfJson;
  /** What Docker 20.10 answers; `null` when Docker accepts it and only docknet can catch it. */
  readonly dockerError: RegExp | null;
}

const providers = (aliases: string[]) => ({ docker: aliases.map((a) => ({ alias: a, host: `unix:///lab/${a}/docker.sock` })) });

export const DOCKER_REJECTIONS: DockerRejection[] = [
  {
    id: 'overlapping-subnets',
    description: 'two networks on one host with overlapping subnets',
    hosts: ['h1'],
    needsSwarm: false,
    stack: {
      provider: providers(['h1']),
      resource: {
        docker_network: {
          a: { provider: 'docker.h1', name: 'rej-a', driver: 'bridge', ipam_config: [{ subnet: '10.62.0.0/24' }] },
          b: { provider: 'docker.h1', name: 'rej-b', driver: 'bridge', ipam_config: [{ subnet: '10.62.0.0/25' }], depends_on: ['docker_network.a'] },
        },
      },
    },
    dockerError: /docker_network\.b: Unable to create network: .*overlaps/i,
  },
  {
    id: 'macvlan-missing-parent',
    description: 'macvlan whose parent interface does not exist on the host',
    hosts: ['h1'],
    needsSwarm: false,
    stack: {
      provider: providers(['h1']),
      resource: {
        docker_network: {
          mv: { provider: 'docker.h1', name: 'rej-mv', driver: 'macvlan', options: { parent: 'eth9' }, ipam_config: [{ subnet: '198.18.0.0/24' }] },
        },
      },
    },
    // Docker 20.10 reads an unknown parent as a VLAN sub-interface name and fails on its format;
    // "eth9.10" would instead say "-o parent interface was not found on the host: eth9".
    dockerError: /Unable to create network: .*(invalid subinterface vlan name eth9|parent interface was not found on the host: eth9)/,
  },
  {
    id: 'overlay-on-worker',
    description: 'overlay network created on a swarm worker',
    hosts: ['h2'],
    needsSwarm: true,
    stack: {
      provider: providers(['h2']),
      resource: { docker_network: { ov: { provider: 'docker.h2', name: 'rej-ov', driver: 'overlay', attachable: true } } },
    },
    dockerError: /Unable to create network: .*from a worker node/,
  },
  {
    id: 'static-ip-outside-subnet',
    description: 'static container address outside the network subnet',
    hosts: ['h1'],
    needsSwarm: false,
    stack: {
      provider: providers(['h1']),
      resource: {
        docker_network: { n: { provider: 'docker.h1', name: 'rej-n', ipam_config: [{ subnet: '10.63.0.0/24', ip_range: '10.63.0.128/25' }] } },
        docker_container: {
          c: {
            provider: 'docker.h1', name: 'rej-c', image: LAB_IMAGE, command: ['sleep', '600'], network_mode: 'bridge',
            networks_advanced: [{ name: '${docker_network.n.name}', ipv4_address: '10.64.0.5' }],
          },
        },
      },
    },
    dockerError: /docker_container\.c: .*(does not belong to any of this network's subnets|no configured subnet or ip-range contain)/,
  },
  {
    id: 'static-ip-outside-ip-range',
    description: 'static container address inside the subnet but outside ip_range',
    hosts: ['h1'],
    needsSwarm: false,
    stack: {
      provider: providers(['h1']),
      resource: {
        docker_network: { n: { provider: 'docker.h1', name: 'rej-r', ipam_config: [{ subnet: '10.65.0.0/24', ip_range: '10.65.0.128/25' }] } },
        docker_container: {
          c: {
            provider: 'docker.h1', name: 'rej-r-c', image: LAB_IMAGE, command: ['sleep', '600'], network_mode: 'bridge',
            networks_advanced: [{ name: '${docker_network.n.name}', ipv4_address: '10.65.0.5' }],
          },
        },
      },
    },
    // Measured on the lab: Docker 20.10 checks the subnet only, so this is accepted; docknet must catch it.
    dockerError: null,
  },
];
