import type { IHost } from '../interfaces';
import { DocknetError, propsObject } from '../core/errors';
import { NetworkModel } from '../core/model';
import { NETWORK_PROP_TYPES, Network, NetworkProps } from './network';
import type { PropSpec } from '../validation/prop-types';
import { ParentInterface } from './parent';
import { Subnet } from './subnet';
import type { PlannedBlock } from '../environment/environment-plan';

export enum MacvlanMode {
  BRIDGE = 'bridge',
  VEPA = 'vepa',
  PRIVATE = 'private',
  PASSTHRU = 'passthru',
}

/** Props shared by macvlan and ipvlan: a parent, and either explicit addressing or a LAN segment. */
export interface LanNetworkProps extends NetworkProps {
  /** The host interface the network sits on; must be one the host declares. */
  readonly parent: ParentInterface;
  /**
   * Name of a LAN segment of the environment (DocknetStack.addLanSegment). Its subnet and gateway
   * are used, and docknet carves this host a disjoint ip range of it.
   * Give either lan, or subnet (+ gateway, ipRange) yourself. @default none
   */
  readonly lan?: string;
}

export interface MacvlanNetworkProps extends LanNetworkProps {
  /** @default MacvlanMode.BRIDGE */
  readonly mode?: MacvlanMode;
}

/** Base of macvlan and ipvlan: containers get addresses on the host's LAN (or a VLAN of it). */
export abstract class LanNetwork extends Network {
  protected readonly lanProps: LanNetworkProps;
  private readonly range?: PlannedBlock;

  protected constructor(host: IHost, id: string, props: LanNetworkProps) {
    super(host, id, LanNetwork.addressing(host, id, props));
    this.lanProps = props;
    this.range = props.lan === undefined ? undefined : host.stack.plan.lanRange(props.lan, host.hostName);
    if (!(props.parent instanceof ParentInterface)) {
      throw new DocknetError(this, `parent is missing. A ${this.constructor.name} needs the host interface it sits on: parent: ParentInterface.of("eth0") or ParentInterface.vlan("eth0", 50).`);
    }
    if (props.lan !== undefined && (props.subnet !== undefined || props.ipRange !== undefined || props.gateway !== undefined)) {
      throw new DocknetError(this, `both lan "${props.lan}" and subnet/gateway/ipRange were given. Expected one: the LAN segment supplies subnet, gateway and a per-host range.`);
    }
  }

  private static addressing(host: IHost, id: string, props: LanNetworkProps): NetworkProps {
    propsObject(`${host.node.path}/${id}`, 'props', props, '{ parent: ParentInterface.of("eth0"), subnet: Subnet.cidr("192.168.1.0/24") }');
    if (props.lan === undefined) return props;
    const segment = host.stack.plan.lanSegment(props.lan);
    if (!segment) {
      throw new DocknetError(`${host.node.path}/${id}`, `LAN segment "${props.lan}" is not declared in environment ${host.stack.environment}. Declare it first with addLanSegment("${props.lan}", { subnet, gateway, reserved }).`);
    }
    return { ...props, subnet: Subnet.cidr(segment.subnet), gateway: segment.gateway };
  }

  public ipv4() {
    const base = super.ipv4();
    if (base && this.range) return { ...base, ipRange: this.range.cidr };
    return base;
  }

  protected modelExtras(): Partial<NetworkModel> {
    return { parent: this.lanProps.parent.name, lan: this.lanProps.lan, mode: this.modeName() };
  }

  protected abstract modeName(): string;

  /** The parent interface name, e.g. "eth0.50". */
  public get parentName(): string {
    return this.lanProps.parent.name;
  }
}

/** macvlan: every container gets its own MAC on the parent; the host needs a shim to reach them. */
export class MacvlanNetwork extends LanNetwork {
  public readonly driver = 'macvlan' as const;
  public readonly mode: MacvlanMode;

  constructor(host: IHost, id: string, props: MacvlanNetworkProps) {
    super(host, id, props);
    this.mode = props.mode ?? MacvlanMode.BRIDGE;
  }

  protected driverOptions(): Record<string, string> {
    return { parent: this.lanProps.parent.name, macvlan_mode: this.mode };
  }

  protected modeName(): string {
    return this.mode;
  }
}

export const MACVLAN_PROP_TYPES: PropSpec = {
  ...NETWORK_PROP_TYPES,
  parent: { instance: ParentInterface, example: 'ParentInterface.of("eth0") or ParentInterface.vlan("eth0", 20)' },
  lan: 'string',
  mode: { oneOf: Object.values(MacvlanMode) },
};
