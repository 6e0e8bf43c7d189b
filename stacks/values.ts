import { SwarmRole } from '../lib';

/** What differs between environments: hosts, addresses, counts. Everything else is topology.ts. */
export interface HostValues {
  /** Host name: provider alias, report and plan-record key. */
  readonly name: string;
  /** The host's address on the LAN (eth0), reached over ssh. */
  readonly address: string;
  /** The host's sshd public key (`ssh-keyscan -t ed25519 <address>`, fingerprint checked on the console). */
  readonly hostKey: string;
  readonly swarmRole: SwarmRole;
  /** The host's former name, to keep its addresses through a rename (docs/addressing.md). @default not renamed */
  readonly renamedFrom?: string;
}

export interface EnvironmentValues {
  readonly environment: 'dev' | 'staging' | 'prod';
  /** ssh user for the provider and the bootstrap provisioners. */
  readonly sshUser: string;
  readonly hosts: HostValues[];
  /** The hosts' LAN (eth0), shared by the macvlan network. */
  /** The hosts' LAN (eth0): subnet, router, DHCP pool, and the prefix length of the hosts' eth0 addresses. */
  readonly lan: { readonly subnet: string; readonly gateway: string; readonly dhcpPool: string; readonly prefixLength: number };
  /** Spare LAN address of the first host's macvlan shim (reserved on the LAN, so no container gets it). */
  readonly macvlanShim: string;
  /** Address pools of the plan. */
  readonly pools: {
    /** user bridges of every host */
    readonly bridges: string;
    /** swarm default-addr-pool and overlays */
    readonly overlays: string;
    /** the hosts' default bridge (daemon bip) and default-address-pools */
    readonly daemon: string;
  };
  /** The seed's fixed-subnet user bridge (docker network create --subnet ... --gateway ...). */
  readonly appSubnet: string;
  readonly appGateway: string;
  /** Static address of the web container on it. */
  readonly webAddress: string;
  /** How many api replicas sit on the overlay, spread over the hosts. */
  readonly apiReplicas: number;
  readonly dns: string[];
  /** Underlay MTU of the hosts' eth0. */
  readonly underlayMtu: number;
  /** Remote state: a PostgreSQL connection string, or undefined for local state. */
  readonly stateConnStr?: string;
}
