import { SwarmRole } from 'docknet';

/** Everything that differs between environments; the topology itself is written once (topology.ts). */
export interface EnvironmentValues {
  readonly environment: string;
  /** The ssh user docknet and Terraform log in as (key in the ssh agent). */
  readonly sshUser: string;
  readonly hosts: { name: string; address: string; swarmRole: SwarmRole }[];
  /** The hosts' LAN: macvlan containers get a disjoint range of it per host. */
  readonly lan: { subnet: string; gateway: string; prefixLength: number; dhcpPool: string };
  /** Blocks the address plan hands out from (recorded in docknet.plan.json). */
  readonly pools: { bridges: string; overlays: string; daemon: string };
  readonly dns: string[];
  readonly apiReplicas: number;
  /** PostgreSQL URL (without password: PGPASSWORD) for remote state. @default local state */
  readonly stateConnStr?: string;
}
