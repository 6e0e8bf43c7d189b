import { Construct, DockerProvider, Image, type IConstruct } from '../cdk';
import { DocknetError, propsObject } from '../core/errors';
import { HostModel, SwarmRoleName } from '../core/model';
import { SwarmRole, type HostInterface, type IHost, type IStack } from '../interfaces';
import { HostConnection } from './connection';
import { BridgeNetwork, BridgeNetworkProps } from '../network/bridge';
import { MacvlanNetwork, MacvlanNetworkProps } from '../network/macvlan';
import { IpvlanNetwork, IpvlanNetworkProps } from '../network/ipvlan';
import { OverlayNetwork, OverlayNetworkProps } from '../network/overlay';
import { Container, ContainerProps } from '../container/container';
import { SwarmService, SwarmServiceProps } from '../service/service';
import { checkIp } from '../network/network';
import { Cidr } from '../core/address/cidr';
import { DaemonSpec, PlannedDaemon } from './daemon-spec';
import { toDaemonJsonObject } from '../core/daemon/daemon-config';
import { unlessPlanFailed } from '../environment/environment-plan';
import { SshConnection } from './connection';
import { DEFAULT_UNDERLAY_MTU, UNDERLAY_MTU_MIN, MTU_MAX, imageReferenceProblem, underlayMtuOf } from '../core/facts/docker';
import { createHash } from 'crypto';
import { checkPropTypes, type PropSpec } from '../validation/prop-types';
import { BRIDGE_PROP_TYPES } from '../network/bridge';
import { MACVLAN_PROP_TYPES } from '../network/macvlan';
import { IPVLAN_PROP_TYPES } from '../network/ipvlan';
import { OVERLAY_PROP_TYPES } from '../network/overlay';

export { SwarmRole } from '../interfaces';
export type { HostInterface } from '../interfaces';

/** Where the daemon lives on the host, for the bootstrap stack's safe rollout. */
export interface DaemonLocation {
  /** @default "/etc/docker/daemon.json" */
  readonly configPath?: string;
  /** Behaves like `systemctl restart docker`: non-zero when the daemon does not come back. @default "systemctl restart docker" */
  readonly restartCommand?: string;
  /** Whether the service unit already passes -H (then `hosts` in daemon.json stops the daemon). @default true */
  readonly unitPassesHosts?: boolean;
  /** Prints dockerd's recent log, shown when a rollout fails. @default "journalctl -u docker ..." */
  readonly logCommand?: string;
  /** Docker CLI on the host (add -H when the default socket is not the daemon's). @default "docker" */
  readonly dockerCommand?: string;
  /** Validates a daemon.json (its path is appended); "none" skips it. @default `dockerd --validate` when available */
  readonly validateCommand?: string;
  /** Seconds to wait for dockerd to answer after a restart before rolling back. @default 60 */
  readonly waitSeconds?: number;
  /** Unused since steps run from a private mktemp directory; kept so existing code compiles. @deprecated */
  readonly uploadDir?: string;
  /** dockerd's pidfile: tells a rollout whether dockerd started after daemon.json changed. @default "/var/run/docker.pid" */
  readonly pidFile?: string;
}

export interface DockerHostProps {
  /** How the provider reaches the daemon. */
  readonly connection: HostConnection;
  /** Host name used in resources, reports and the plan record. @default the construct id */
  readonly name?: string;
  /** Physical interfaces by name ("eth0"), for macvlan/ipvlan parents and the LAN checks. @default none */
  readonly interfaces?: Record<string, HostInterface>;
  /** @default SwarmRole.NONE */
  readonly swarmRole?: SwarmRole;
  /**
   * The host's place in the topology, the same in every environment ("manager", "edge 1"):
   * promotion matches hosts by it, because host names are values of each environment.
   * @default its swarm role and its index among the hosts of that role: "manager" (or "manager 1",
   * "manager 2"... when there are several), "worker 1", "worker 2", "host 1" for hosts without a role
   */
  readonly slot?: string;
  /** Address this host advertises to the swarm. @default the address of its first declared interface */
  readonly swarmAdvertiseAddress?: string;
  /** daemon.json network settings, delivered by the <env>-hosts stack. @default the host's daemon.json is not managed */
  readonly daemon?: DaemonSpec;
  /** @default systemd defaults */
  readonly daemonLocation?: DaemonLocation;
  /**
   * The host's former name, when it is renamed and should keep its addresses: its recorded blocks
   * (LAN ranges, and every pool key under "<env>/<renamedFrom>/") move to the new name in the plan
   * record. Without it a renamed host is a new host and gets new blocks. Harmless once the record
   * holds the new name; remove it at leisure. See docs/addressing.md, "Renaming a host".
   * @default not renamed
   */
  readonly renamedFrom?: string;
}

/**
 * A Docker host: one docker provider (aliased by the host's name) that every resource of the host
 * uses, its interfaces and its swarm role.
 */
export class DockerHost extends Construct implements IHost {
  public readonly hostName: string;
  public readonly provider: DockerProvider;
  public readonly connection: HostConnection;
  public readonly swarmRole: SwarmRole;
  /** The host's former name, whose recorded blocks it takes over. */
  public readonly renamedFrom?: string;
  public readonly interfaces: Readonly<Record<string, HostInterface>>;
  public readonly daemon?: PlannedDaemon;
  public readonly daemonLocation: DaemonLocation;
  /** The slot declared by the topology; DocknetStack.slotOf() gives the default when absent. */
  public readonly declaredSlot?: string;
  public readonly stack: IStack;
  private readonly props: DockerHostProps;
  private readonly images = new Map<string, Image>();
  public readonly shims: { network: MacvlanNetwork; address: string; name: string }[] = [];

  constructor(stack: IStack, id: string, props: DockerHostProps) {
    super(stack, id);
    this.stack = stack;
    this.props = propsObject(this, 'props', props, '{ connection: HostConnection.ssh({ user: "ops", host: "10.0.0.11", hostKey }) }');
    checkPropTypes(this, props, HOST_PROP_TYPES, 'a host');
    this.hostName = props.name ?? id;
    if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/.test(this.hostName)) {
      throw new DocknetError(this, `host name "${this.hostName}" cannot be a provider alias. Expected a letter followed by letters, digits, "_" or "-".`);
    }
    if (!(props.connection instanceof HostConnection)) {
      throw new DocknetError(this, `connection is missing. Expected HostConnection.ssh({ user, host }), HostConnection.tls({ host, certPath }) or HostConnection.unix().`);
    }
    this.connection = props.connection;
    this.swarmRole = props.swarmRole ?? SwarmRole.NONE;
    if (props.slot !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/.test(props.slot)) {
      throw new DocknetError(this, `slot ${JSON.stringify(props.slot)} is not a slot name. Expected letters, digits, spaces, "_", "." or "-", e.g. "manager" or "worker 2".`);
    }
    this.declaredSlot = props.slot;
    this.renamedFrom = props.renamedFrom;
    this.interfaces = propsObject<Record<string, HostInterface>>(this, 'interfaces', props.interfaces ?? {}, '{ eth0: { address: "10.0.0.11/24" } }', true);
    for (const [name, itf] of Object.entries(this.interfaces)) propsObject(this, `interfaces.${name}`, itf, '{ address: "10.0.0.11/24", mtu: 1500 }');
    this.daemon = props.daemon ? new PlannedDaemon(stack, this.hostName, props.daemon) : undefined;
    this.daemonLocation = props.daemonLocation ?? {};
    for (const [name, itf] of Object.entries(this.interfaces)) {
      if (itf.address !== undefined) {
        try {
          Cidr.containing(itf.address);
        } catch (e) {
          throw new DocknetError(this, `interfaces.${name}.address: ${(e as Error).message}`);
        }
      }
      if (itf.mtu !== undefined && (!Number.isInteger(itf.mtu) || itf.mtu < UNDERLAY_MTU_MIN || itf.mtu > MTU_MAX)) {
        throw new DocknetError(this, `interfaces.${name}.mtu ${itf.mtu} is not a usable underlay MTU. Expected an integer from ${UNDERLAY_MTU_MIN} to ${MTU_MAX}.`);
      }
    }
    if (props.swarmAdvertiseAddress !== undefined) checkIp(this, 'swarmAdvertiseAddress', props.swarmAdvertiseAddress);
    // An empty user renders as ssh://@host, which ssh reads as the local login name.
    if (this.connection instanceof SshConnection && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(this.connection.user)) {
      throw new DocknetError(this, `ssh user ${JSON.stringify(this.connection.user)} is not a login name. Expected e.g. "root" or "ops": HostConnection.ssh({ user: "ops", host }).`);
    }

    this.provider = new DockerProvider(this, 'Provider', {
      alias: this.hostName,
      host: this.connection.url,
      ...this.connection.providerArgs(this.node.path),
    });
  }

  /** MTU of the underlay (lib/core/facts: the interfaces that carry traffic), 1500 assumed when none is declared. */
  public get underlayMtu(): number {
    return underlayMtuOf(Object.values(this.interfaces)) ?? DEFAULT_UNDERLAY_MTU;
  }

  /** The address the swarm sees, when known. */
  public get advertiseAddress(): string | undefined {
    if (this.props.swarmAdvertiseAddress) return this.props.swarmAdvertiseAddress;
    const first = Object.keys(this.interfaces).sort()[0];
    const addr = first === undefined ? undefined : this.interfaces[first].address;
    return addr?.split('/')[0];
  }

  public daemonLogDefaults(): { readonly driver: string; readonly options: Readonly<Record<string, string>> } | undefined {
    return this.daemon?.logDefaults();
  }

  public daemonNetworkDefaults(driver: string): Readonly<Record<string, string>> | undefined {
    return this.daemon?.networkDefaults(driver);
  }

  /** The docker_image of a reference on this host (made once per host and reference, kept on destroy). */
  public image(ref: string, user?: IConstruct): Image {
    const why = imageReferenceProblem(ref);
    if (why) {
      // In the name of the container or service that asked for it: the host has many.
      throw new DocknetError(user ?? this, `image "${ref}" is not an image reference Docker accepts: ${why}. Expected e.g. "nginx:1.27" or "registry.example.net/team/app@sha256:...".`, 'DN405');
    }
    let image = this.images.get(ref);
    if (!image) {
      // "/", ":" and "@" become "_" (ids cannot hold "/"), so "nginx:1.27" and "nginx_1.27" would
      // share an id: a reference whose id is taken gets a hash of itself appended. The first keeps
      // the plain id, so existing logical IDs do not move.
      let id = `Image-${ref.replace(/[\/:@]/g, '_')}`;
      if (this.node.tryFindChild(id)) id = `${id}-${createHash('sha256').update(ref).digest('hex').slice(0, 8)}`;
      image = new Image(this, id, { provider: this.provider, name: ref, keepLocally: true });
      this.images.set(ref, image);
    }
    return image;
  }

  /** constructs would throw "There is already a Construct with name" with a stack trace. */
  private freeId(id: string): string {
    if (this.node.tryFindChild(id)) {
      throw new DocknetError(`${this.node.path}/${id}`, `the construct id "${id}" is already used on host ${this.hostName}. Give each network, container and service of a host its own id.`);
    }
    return id;
  }

  public addBridgeNetwork(id: string, props: BridgeNetworkProps = {}): BridgeNetwork {
    const p = propsObject(this, `addBridgeNetwork("${id}", props)`, props, '{ subnet: Subnet.cidr("172.30.0.0/24") }', true);
    checkPropTypes(`${this.node.path}/${id}`, p, BRIDGE_PROP_TYPES, 'a bridge network');
    return new BridgeNetwork(this, this.freeId(id), p);
  }

  public addMacvlanNetwork(id: string, props: MacvlanNetworkProps): MacvlanNetwork {
    const p = propsObject(this, `addMacvlanNetwork("${id}", props)`, props, '{ parent: ParentInterface.of("eth0"), subnet: Subnet.cidr("192.168.1.0/24"), gateway: "192.168.1.1" }');
    checkPropTypes(`${this.node.path}/${id}`, p, MACVLAN_PROP_TYPES, 'a macvlan network');
    return new MacvlanNetwork(this, this.freeId(id), p);
  }

  public addIpvlanNetwork(id: string, props: IpvlanNetworkProps): IpvlanNetwork {
    const p = propsObject(this, `addIpvlanNetwork("${id}", props)`, props, '{ parent: ParentInterface.of("eth0"), subnet: Subnet.cidr("192.168.1.0/24") }');
    checkPropTypes(`${this.node.path}/${id}`, p, IPVLAN_PROP_TYPES, 'an ipvlan network');
    return new IpvlanNetwork(this, this.freeId(id), p);
  }

  /** An overlay created through this host, which must be a swarm manager (checked at synth). */
  public addOverlayNetwork(id: string, props: OverlayNetworkProps = {}): OverlayNetwork {
    const p = propsObject(this, `addOverlayNetwork("${id}", props)`, props, '{ subnet: Subnet.fromPool("overlays", 24), attachable: true }', true);
    checkPropTypes(`${this.node.path}/${id}`, p, OVERLAY_PROP_TYPES, 'an overlay network');
    return new OverlayNetwork(this, this.freeId(id), p);
  }

  /**
   * A host-side macvlan interface ("shim") on the network's parent with a spare LAN address and a
   * route to the network's range, so this host can reach its own macvlan containers (the kernel
   * drops parent-to-child traffic otherwise). Delivered by the <env>-hosts stack. The address is
   * checked at synth: on the subnet, in no container range (DN522), nobody else's on the LAN (DN523).
   */
  public addMacvlanShim(network: MacvlanNetwork, options: { address: string; name?: string }): void {
    checkIp(this, 'macvlan shim address', options.address);
    if (network.host !== this) throw new DocknetError(this, `a macvlan shim must be on the network's own host, but "${network.networkName}" is on ${network.host.hostName}.`);
    this.shims.push({ network, address: options.address, name: options.name ?? `dn-${network.networkName}`.slice(0, 15) });
  }

  public addContainer(id: string, props: ContainerProps): Container {
    const p = propsObject(this, `addContainer("${id}", props)`, props, '{ image: "nginx:1.27", networks: [{ network }] }');
    return new Container(this, this.freeId(id), p);
  }

  /** A replicated swarm service created through this host, which must be a swarm manager (checked at synth). */
  public addService(id: string, props: SwarmServiceProps): SwarmService {
    const p = propsObject(this, `addService("${id}", props)`, props, '{ image: "nginx:1.27", replicas: 2, networks: [{ network }] }');
    return new SwarmService(this, this.freeId(id), p);
  }

  public toModel(): HostModel {
    return {
      path: this.node.path,
      name: this.hostName,
      endpoint: this.connection.url,
      swarmRole: this.swarmRole as SwarmRoleName,
      interfaces: Object.keys(this.interfaces).sort().map((name) => ({
        name,
        address: this.interfaces[name].address,
        mtu: this.interfaces[name].mtu ?? 1500,
        lan: this.interfaces[name].lan,
      })),
      daemonRanges: this.daemon ? this.daemon.ranges() : [],
      // A key the plan could not serve (a pool exhausted) leaves the daemon keys out of the model,
      // as daemonRanges leaves the block out: the plan reports its own failure, once, and every
      // other rule still runs instead of the synth stopping at this read.
      ...(this.daemon ? unlessPlanFailed(() => ({ daemon: toDaemonJsonObject(this.daemon!.config()) })) ?? {} : {}),
      advertiseAddress: this.advertiseAddress,
      shims: this.shims.length ? this.shims.map((s) => ({ name: s.name, network: s.network.node.path, address: s.address })) : undefined,
    };
  }
}

/** The kinds of a host's props (lib/validation/prop-types.ts). */
export const HOST_PROP_TYPES: PropSpec = {
  connection: { instance: HostConnection, example: 'HostConnection.ssh({ user, host, hostKey }) or HostConnection.tls({ host, certPath })' },
  name: 'string',
  interfaces: 'object',
  swarmRole: { oneOf: Object.values(SwarmRole) },
  slot: 'string',
  swarmAdvertiseAddress: 'string',
  daemon: 'object',
  daemonLocation: 'object',
  renamedFrom: 'string',
};
