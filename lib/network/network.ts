import { Construct, Lazy, NetworkResource } from '../cdk';
import { DocknetError } from '../core/errors';
import { IpConfigModel, NetworkDriver, NetworkModel } from '../core/model';
import type { IHost, INetwork } from '../interfaces';
import { ExplicitSubnet, Subnet } from './subnet';
import { unlessPlanFailed, type PlannedBlock } from '../environment/environment-plan';
import { Cidr, IpAddress } from '../core/address/cidr';
import { compareKeys } from '../core/address/record';
import { NETWORK_NAME, NETWORK_NAME_TEXT } from '../core/facts/docker';

/** What every network driver shares: name, IPv4/IPv6 addressing, labels. */
export interface NetworkProps {
  /** Docker network name. @default the construct id */
  readonly name?: string;
  /** IPv4 subnet, explicit or from a pool. @default none: Docker's IPAM picks one from default-address-pools (no static addresses possible) */
  readonly subnet?: Subnet;
  /** IPv4 gateway. @default the first address of the subnet, written out so plans do not drift */
  readonly gateway?: string;
  /** Sub-range of the subnet Docker hands out dynamically (CIDR). @default the whole subnet */
  readonly ipRange?: string;
  /** Addresses Docker must not hand out, by name: { router: "172.77.0.254" }. @default none */
  readonly auxAddresses?: Record<string, string>;
  /** IPv6 addressing; setting it enables IPv6 on the network. @default IPv4 only */
  readonly ipv6?: Ipv6Props;
  /** Labels on the network. @default { "managed-by": "docknet" } only */
  readonly labels?: Record<string, string>;
}

export interface Ipv6Props {
  readonly subnet: Subnet;
  /** @default the first address of the subnet */
  readonly gateway?: string;
  /** @default the whole subnet */
  readonly ipRange?: string;
}

export type { INetwork } from '../interfaces';


/**
 * Base of the typed network constructs. Its docker_network child is named "Resource"; every
 * plan-dependent field (subnets from pools, LAN ranges) renders lazily so the plan resolves once,
 * after the whole tree is built.
 */
export abstract class Network extends Construct implements INetwork {
  public readonly networkName: string;
  public readonly host: IHost;
  public abstract readonly driver: NetworkDriver;
  public readonly resource: NetworkResource;
  protected readonly props: NetworkProps;
  private readonly v4?: PlannedBlock;
  private readonly v6?: PlannedBlock;

  protected constructor(host: IHost, id: string, props: NetworkProps, extra: { internal?: boolean; attachable?: boolean; provider?: IHost } = {}) {
    super(host, id);
    this.host = host;
    this.props = props;
    this.networkName = props.name ?? id;
    if (!NETWORK_NAME.test(this.networkName)) {
      throw new DocknetError(this, `network name "${this.networkName}" is not a valid Docker name. Expected ${NETWORK_NAME_TEXT}.`);
    }
    for (const [field, value] of [['subnet', props.subnet], ['ipv6.subnet', props.ipv6?.subnet]] as const) {
      if (value instanceof ExplicitSubnet) checkCidr(this, field, value.cidr);
    }
    if (props.ipRange !== undefined) checkCidr(this, 'ipRange', props.ipRange);
    if (props.ipRange !== undefined && props.subnet === undefined) {
      throw new DocknetError(this, `ipRange ${props.ipRange} was given without a subnet. Docker needs the subnet the range belongs to: add subnet: Subnet.cidr(...) or Subnet.fromPool(...).`);
    }
    if (props.gateway !== undefined && props.subnet === undefined) {
      throw new DocknetError(this, `gateway ${props.gateway} was given without a subnet. Add subnet: Subnet.cidr(...) or Subnet.fromPool(...).`);
    }
    for (const [field, value] of [['gateway', props.gateway], ['ipv6.gateway', props.ipv6?.gateway], ...Object.entries(props.auxAddresses ?? {}).map(([k, v]) => [`auxAddresses.${k}`, v])] as [string, string | undefined][]) {
      if (value !== undefined) checkIp(this, field, value);
    }

    this.v4 = props.subnet ? host.stack.plannedSubnet(this, props.subnet, 'ipv4') : undefined;
    this.v6 = props.ipv6 ? host.stack.plannedSubnet(this, props.ipv6.subnet, 'ipv6') : undefined;

    this.resource = new NetworkResource(this, 'Resource', {
      provider: (extra.provider ?? host).provider,
      name: this.networkName,
      driver: Lazy.stringValue({ produce: () => this.driver }),
      options: Lazy.anyValue({ produce: () => sortedOrUndefined(this.driverOptions()) }) as any,
      internal: extra.internal || undefined,
      attachable: extra.attachable || undefined,
      ipv6: props.ipv6 ? true : undefined,
      ipamDriver: 'default',
      ipamConfig: Lazy.anyValue({ produce: () => this.renderIpam() }) as any,
      // Code-unit order, not localeCompare: the synthesized JSON must be byte-identical on every machine.
      labels: Object.entries({ 'managed-by': 'docknet', ...(props.labels ?? {}) })
        .sort(([a], [b]) => compareKeys(a, b))
        .map(([label, value]) => ({ label, value })),
    });
  }

  public get nameRef(): string {
    return this.resource.name;
  }

  public get idRef(): string {
    return this.resource.id;
  }

  /** Driver options (the docker_network `options` map), typed by each driver. */
  protected abstract driverOptions(): Record<string, string>;

  /** The IPv4 addressing after the plan resolved it. */
  public ipv4(): IpConfigModel | undefined {
    if (!this.v4) return undefined;
    const subnet = this.v4.cidr;
    return {
      subnet,
      gateway: this.props.gateway ?? firstAddress(subnet),
      ipRange: this.props.ipRange,
      auxAddresses: { ...(this.props.auxAddresses ?? {}) },
    };
  }

  public ipv6(): IpConfigModel | undefined {
    const v6 = this.props.ipv6;
    if (!v6 || !this.v6) return undefined;
    const subnet = this.v6.cidr;
    return { subnet, gateway: v6.gateway ?? firstAddress(subnet), ipRange: v6.ipRange, auxAddresses: {} };
  }

  /** This network as plain data for validation and the report. */
  public toModel(): NetworkModel {
    const opts = this.driverOptions();
    const mtu = opts['com.docker.network.driver.mtu'];
    return {
      path: this.node.path,
      name: this.networkName,
      host: this.host.hostName,
      driver: this.driver,
      ipv4: unlessPlanFailed(() => this.ipv4()),
      ipv6: unlessPlanFailed(() => this.ipv6()),
      enableIpv6: this.props.ipv6 !== undefined,
      internal: false,
      attachable: false,
      encrypted: false,
      mtu: mtu === undefined ? undefined : Number(mtu),
      ...this.modelExtras(),
    };
  }

  protected modelExtras(): Partial<NetworkModel> {
    return {};
  }

  private renderIpam(): unknown[] | undefined {
    // Rendered in the provider's own (snake_case) shape: a Lazy value bypasses the binding's mapper.
    const configs = [this.ipv4(), this.ipv6()].filter((c): c is IpConfigModel => c !== undefined);
    if (configs.length === 0) return undefined;
    return configs.map((c) => ({
      subnet: c.subnet,
      gateway: c.gateway,
      ip_range: c.ipRange,
      aux_address: Object.keys(c.auxAddresses).length ? sortedOrUndefined(c.auxAddresses) : undefined,
    }));
  }
}

function sortedOrUndefined(m: Record<string, string>): Record<string, string> | undefined {
  const keys = Object.keys(m).sort(compareKeys);
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, m[k]]));
}

function checkCidr(scope: Construct, field: string, value: string): void {
  try {
    Cidr.parse(value);
  } catch (e) {
    throw new DocknetError(scope, `${field}: ${(e as Error).message}`);
  }
}

export function checkIp(scope: Construct | string, field: string, value: string): void {
  try {
    IpAddress.parse(value);
  } catch (e) {
    throw new DocknetError(scope, `${field}: ${(e as Error).message}`);
  }
}

function firstAddress(subnet: string): string {
  return Cidr.parse(subnet).firstUsable.toString();
}
