/**
 * What the parts of a topology need of each other. Networks, containers and services are built on
 * a host and a host lives in a stack, but they need only these few members, not the classes: so
 * network/, container/ and service/ import this file, and docker-host.ts and docknet-stack.ts,
 * which build them, import those. No import circle runs through host/, network/, container/,
 * service/ and environment/.
 */
import type { Construct, DockerProvider, IConstruct, Image } from './cdk';
import type { NetworkDriver } from './core/model';
import type { EnvironmentPlan, PlannedBlock } from './environment/environment-plan';
import type { Subnet } from './network/subnet';

export enum SwarmRole {
  MANAGER = 'manager',
  WORKER = 'worker',
  NONE = 'none',
}

export interface HostInterface {
  /** The host's own address on this interface, CIDR notation, e.g. "10.20.0.11/24". @default undeclared */
  readonly address?: string;
  /** @default 1500 */
  readonly mtu?: number;
  /** Name of the environment's LAN segment this interface is on. @default none */
  readonly lan?: string;
}

/** What a stack gives the hosts and networks in it: its environment, address plan and hosts. */
export interface IStack extends Construct {
  readonly environment: string;
  readonly plan: EnvironmentPlan;
  readonly allHosts: readonly IHost[];
  /** @internal Registers a network's subnet with the plan (pooled) or passes it through (explicit). */
  plannedSubnet(network: INetwork, subnet: Subnet, family: 'ipv4' | 'ipv6'): PlannedBlock;
  /** @internal A pooled subnet under its own key (or the default key given). */
  plannedKey(subnet: Subnet, defaultKey: string): PlannedBlock;
}

/** What networks, containers and services need of the Docker host they are built on. */
export interface IHost extends Construct {
  readonly hostName: string;
  readonly provider: DockerProvider;
  readonly swarmRole: SwarmRole;
  readonly interfaces: Readonly<Record<string, HostInterface>>;
  readonly stack: IStack;
  /** The host's docker_image for `ref` (one per reference and host); a bad reference is refused in the name of `user`. */
  image(ref: string, user?: IConstruct): Image;
  /**
   * The log driver and options daemon.json gives containers that set none (`log-driver`,
   * `log-opts` through the daemon's `extra`); undefined when the code does not declare `log-opts`.
   */
  daemonLogDefaults(): { readonly driver: string; readonly options: Readonly<Record<string, string>> } | undefined;
  /** daemon.json `default-network-opts` for a driver, as the code declares them (Docker 24+). */
  daemonNetworkDefaults(driver: string): Readonly<Record<string, string>> | undefined;
}

export interface INetwork extends IConstruct {
  readonly networkName: string;
  readonly host: IHost;
  readonly driver: NetworkDriver;
  /** Terraform reference to the network's name: attaching through it orders creation. */
  readonly nameRef: string;
  /** Terraform reference to the network's id (services must attach by id, provider issue #648). */
  readonly idRef: string;
}

/** What another container's network mode needs of the container whose namespace it shares. */
export interface IContainer extends IConstruct {
  /** Terraform reference to the container's id. */
  readonly idRef: string;
}
