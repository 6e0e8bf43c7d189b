import { SwarmRole } from 'docknet';

/**
 * REPLACE before the first deploy: the example hosts' host keys are this all-zero placeholder, which no
 * sshd has. It lets the scaffold synthesize and pass its tests, but every ssh hop to a host with it is
 * refused (StrictHostKeyChecking=yes), so nothing is ever trusted by accident.
 */
export const PLACEHOLDER_HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Everything that differs between environments; the topology itself is written once (topology.ts). */
export interface EnvironmentValues {
  readonly environment: string;
  /** The ssh user docknet and Terraform log in as (key in the ssh agent). */
  readonly sshUser: string;
  /**
   * hostKey: the host's sshd public key (`ssh-keyscan -t ed25519 <address>`, its fingerprint from
   * `ssh-keygen -lf` compared with the one the host's console shows). Every ssh hop checks it.
   */
  readonly hosts: { name: string; address: string; hostKey: string; swarmRole: SwarmRole }[];
  /** The hosts' LAN: macvlan containers get a disjoint range of it per host. */
  readonly lan: { subnet: string; gateway: string; prefixLength: number; dhcpPool: string };
  /** Blocks the address plan hands out from (recorded in docknet.plan.json). */
  readonly pools: { bridges: string; overlays: string; daemon: string };
  readonly dns: string[];
  readonly apiReplicas: number;
  /**
   * PostgreSQL URL of the environment's remote state (the pg backend), without user or password:
   * terraform takes them from PGUSER and PGPASSWORD. @default local state (a local synth)
   */
  readonly stateConnStr?: string;
}

/**
 * The state's PostgreSQL URL from the job's environment: the workflow sets DOCKNET_STATE_CONN_STR
 * from the GitHub environment's variable of the same name (one database per environment, the same
 * value in <env>-plan and <env>). A local `npm run synth` has none and keeps local state; CI refuses
 * local state (`npm run gitops -- check-backend`), so a deploy never starts from an empty state. The
 * URL is not a secret (it lands in cdk.tf.json); a user or password in it is refused.
 */
export function stateConnStrFromCi(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DOCKNET_STATE_CONN_STR?.trim() || undefined;
}
