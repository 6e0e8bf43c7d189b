/**
 * The topology as plain data: what the constructs describe, after the address plan has resolved
 * every subnet. Validation, the report and the benchmark work on this model so they stay pure,
 * fast and testable without constructs. Constructs produce it (DocknetStack.toModel()); nothing
 * produces constructs from it.
 */

export type SwarmRoleName = 'manager' | 'worker' | 'none';
export type NetworkDriver = 'bridge' | 'macvlan' | 'ipvlan' | 'overlay';
export type ModeKind = 'bridge' | 'host' | 'none' | 'container';

export interface InterfaceModel {
  /** Interface name on the host, e.g. "eth0". */
  readonly name: string;
  /** The host's own address on it, CIDR notation ("10.0.0.11/24"), when declared. */
  readonly address?: string;
  /** Underlay MTU of the interface. */
  readonly mtu: number;
  /** Name of the LAN segment this interface sits on, when declared. */
  readonly lan?: string;
}

/** An address range the host's daemon or swarm uses outside any docker_network resource. */
export interface ReservedRangeModel {
  /** What it is: "bip", "fixed-cidr", "default-address-pools[0]", "swarm default-addr-pool". */
  readonly label: string;
  readonly cidr: string;
}

export interface HostModel {
  readonly path: string;
  readonly name: string;
  /**
   * The host's place in the topology ("manager", "worker 2", or what the topology declared): the
   * identity promotion matches hosts by, since their names are values of each environment.
   * Optional so that hand-built models without it still read; synth always writes it.
   */
  readonly slot?: string;
  /** Provider endpoint, e.g. ssh://ops@10.0.0.11. */
  readonly endpoint: string;
  readonly interfaces: InterfaceModel[];
  readonly swarmRole: SwarmRoleName;
  /** Ranges the daemon itself uses (bip, fixed-cidr, default-address-pools). */
  readonly daemonRanges: ReservedRangeModel[];
  /** The daemon.json keys docknet declares for the host, with their values; absent: not managed. */
  readonly daemon?: Record<string, unknown>;
  /** Address a swarm member advertises (declared, or its first interface's); absent when unknown. */
  readonly advertiseAddress?: string;
  /** Host-side macvlan interfaces ("shims") the hosts stack creates. Optional: older models have none. */
  readonly shims?: { readonly name: string; /** Construct path of the macvlan network. */ readonly network: string; readonly address: string }[];
  /** The shard whose stacks render the host, in a sharded environment (model version 2). */
  readonly shard?: string;
}

export interface IpConfigModel {
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  readonly auxAddresses: Record<string, string>;
}

export interface NetworkModel {
  readonly path: string;
  /** Docker network name. */
  readonly name: string;
  /** Name of the host whose provider creates it (the swarm manager for overlays). */
  readonly host: string;
  readonly driver: NetworkDriver;
  readonly ipv4?: IpConfigModel;
  readonly ipv6?: IpConfigModel;
  readonly enableIpv6: boolean;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly encrypted: boolean;
  /** macvlan/ipvlan parent interface, e.g. "eth0" or "eth0.50". */
  readonly parent?: string;
  /** macvlan_mode / ipvlan_mode. */
  readonly mode?: string;
  /** Declared MTU (com.docker.network.driver.mtu), when any. */
  readonly mtu?: number;
  /** Name of the LAN segment a macvlan/ipvlan network was carved from. */
  readonly lan?: string;
  /**
   * Set when the network is adopted (Network.adopt, written by docknet import): the docker_network
   * arguments Terraform leaves as the host has them (lifecycle ignore_changes).
   */
  readonly adopted?: { readonly keep: string[] };
}

export interface AttachmentModel {
  /** Construct path of the network. */
  readonly network: string;
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  readonly aliases: string[];
}

export interface PortModel {
  readonly internal: number;
  readonly external?: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
}

export interface ContainerModel {
  readonly path: string;
  readonly name: string;
  readonly host: string;
  readonly image: string;
  readonly mode: ModeKind;
  /** For container:<other> mode, the construct path of the other container. */
  readonly sharesWith?: string;
  readonly attachments: AttachmentModel[];
  readonly ports: PortModel[];
  readonly dns: string[];
  /** Restart policy name ("unless-stopped", "always", "on-failure", "no"). Optional: older models lack it. */
  readonly restartPolicy?: string;
  /** on-failure only: the retry limit (0: none). */
  readonly restartMaxRetries?: number;
  /** Health check test as Docker takes it (["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]). */
  readonly healthCheck?: string[];
  /** Mounts: "bind" host paths and named "volume"s. */
  readonly volumes?: { kind: 'bind' | 'volume'; source: string; containerPath: string; readOnly: boolean }[];
  readonly labels?: Record<string, string>;
  readonly capAdd?: string[];
  readonly capDrop?: string[];
  readonly sysctls?: Record<string, string>;
  /** Extra /etc/hosts entries: host name -> address. */
  readonly extraHosts?: Record<string, string>;
  /** Log driver, when not the daemon's. */
  readonly logDriver?: string;
  /**
   * Set when the container is adopted (Container.adopt, written by docknet import): the
   * docker_container arguments Terraform leaves as the host has them (lifecycle ignore_changes).
   */
  readonly adopted?: { readonly keep: string[] };
}

/** A published port of a swarm service: the routing mesh listens on every swarm member. */
export interface ServicePortModel {
  /** Port inside the tasks. */
  readonly target: number;
  /** Port published on every swarm member; absent: swarm picks one (30000-32767). */
  readonly published?: number;
  readonly protocol: 'tcp' | 'udp';
}

export interface ServiceAttachmentModel {
  /** Construct path of the (overlay) network. */
  readonly network: string;
  readonly aliases: string[];
}

/** A replicated swarm service. Its tasks run anywhere in the swarm; it is created through a manager. */
export interface ServiceModel {
  readonly path: string;
  readonly name: string;
  /** Name of the host whose provider creates it (must be a swarm manager). */
  readonly host: string;
  readonly image: string;
  readonly replicas: number;
  readonly attachments: ServiceAttachmentModel[];
  readonly ports: ServicePortModel[];
}

export interface PoolModel {
  readonly name: string;
  readonly cidr: string;
  /** What the pool's blocks are used for (networks, overlays, daemon bips...). */
  readonly purpose?: string;
}

export interface LanSegmentModel {
  readonly name: string;
  readonly subnet: string;
  readonly gateway: string;
  /** Ranges no container may get: host addresses, DHCP pool, appliances. */
  readonly reserved: { label: string; cidr: string }[];
  /** ip_range carved for each host. */
  readonly hostRanges: { host: string; ipRange: string }[];
}

export interface SwarmModel {
  readonly managers: string[];
  readonly workers: string[];
  /** Swarm default-addr-pool(s) from which overlays without a subnet draw. */
  readonly defaultAddrPools: string[];
  readonly defaultAddrPoolMaskLength: number;
}

export interface TopologyModel {
  readonly environment: string;
  readonly hosts: HostModel[];
  readonly networks: NetworkModel[];
  readonly containers: ContainerModel[];
  /** Swarm services. Optional so that models written before services existed still read. */
  readonly services?: ServiceModel[];
  readonly pools: PoolModel[];
  readonly lanSegments: LanSegmentModel[];
  readonly swarm?: SwarmModel;
  /** Rolling daemon changes: present when some host manages daemon.json. */
  readonly rollout?: RolloutModel;
}

export interface RolloutModel {
  /** Hosts per wave (environment setting rolloutWaveSize). */
  readonly waveSize: number;
  /** Host names per wave, in the order a daemon change restarts them. */
  readonly waves: string[][];
}

/** Name of the model file synth writes into every stack's folder (cdktf.out/stacks/<stack>/). */
export const MODEL_FILE = 'docknet-model.json';

/** Schema version of docknet-model.json; see docs/model.md for the compatibility rule. */
export const MODEL_VERSION = 1;

/**
 * Version of the model of a sharded environment: `stacks` then names one shard's pair (not the
 * environment's), so a reader that knows only version 1 must refuse it rather than misread it.
 */
export const MODEL_VERSION_SHARDED = 2;

/** The model versions this docknet reads. */
export const MODEL_VERSIONS_READ: readonly number[] = [MODEL_VERSION, MODEL_VERSION_SHARDED];

/** One shard of a sharded environment: its name and its pair of stacks. */
export interface ShardStacksModel {
  readonly name: string;
  readonly network: string;
  readonly hosts?: string;
}

/** What a Terraform resource renders of the topology. */
export type ModelObjectKind =
  /** The host's docker provider and its images. */
  | 'host'
  | 'network'
  | 'container'
  | 'service'
  /** The daemon.json rollout of a host (<env>-hosts). */
  | 'daemon'
  /** A host's macvlan shim interface (<env>-hosts). */
  | 'shim'
  /** A host's swarm membership: `swarm init` on the first manager, a join on every other member. */
  | 'swarm'
  /**
   * The swarm's record of its members (kept through the first manager): replaced when the declared
   * members change, its destroy step makes members removed from the code leave.
   */
  | 'swarm-members';

/** One Terraform address and the docknet object it renders, so readers never guess. */
export interface ResourceAddressModel {
  /** Stack whose cdk.tf.json holds it, e.g. "dev-network". */
  readonly stack: string;
  /** Terraform resource type ("docker_network", "terraform_data"), or "provider" for a provider block. */
  readonly type: string;
  /** Logical ID: the key under resource.<type>, or "docker.<alias>" for a provider. */
  readonly logicalId: string;
  readonly kind: ModelObjectKind;
  /** Name of the object: network, container, service or shim name; the host name otherwise. */
  readonly name: string;
  /** Name of the host it acts on (for overlays and services: the manager that creates them). */
  readonly host: string;
  /** Construct path of the docknet object. */
  readonly path: string;
}

/** docknet-model.json: the environment's topology as synthesized, plus where each object went. */
export interface DocknetModel extends TopologyModel {
  readonly kind: 'docknet-model';
  readonly version: number;
  /** The stack whose folder this file is in. */
  readonly stack: string;
  /** The shard whose stacks hold this file (version 2: a sharded environment). */
  readonly shard?: string;
  /**
   * The stack pair this file belongs to; the model is the same in both folders but for `stack`. In a
   * sharded environment (version 2) the pair is this shard's, and `shards` lists every shard's pair.
   */
  readonly stacks: { readonly network: string; readonly hosts?: string; readonly shards?: ShardStacksModel[] };
  readonly rollout: RolloutModel;
  /** Every Terraform resource and provider of the environment's stacks, in (stack, type, logicalId) order. */
  readonly resources: ResourceAddressModel[];
}
