import { Construct, NetworkResource, TerraformResource, networkBinding } from '../cdk';
import type { NetworkConfig } from '../cdk';
import { DocknetError, describeGiven, propsObject } from '../core/errors';
import { IpConfigModel, NetworkDriver, NetworkModel } from '../core/model';
import type { IHost, INetwork } from '../interfaces';
import { ExplicitSubnet, Subnet } from './subnet';
import { unlessPlanFailed, type PlannedBlock } from '../environment/environment-plan';
import { Cidr, IpAddress } from '../core/address/cidr';
import { compareKeys } from '../core/address/record';
import { Adoption, checkAdoption } from '../render/adoption';
import { definedOnly, RenderedResource, toTerraformAttributes, writesHcl } from '../render/rendered-resource';
import { NETWORK_NAME, NETWORK_NAME_TEXT } from '../core/facts/docker';
import type { PropSpec } from '../validation/prop-types';

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
  /**
   * IPv6 addressing; setting it enables IPv6 on the network. Needs `subnet` too (Docker would pick an
   * IPv4 subnet itself, and provider 3.6.2 would replace the network on every plan). @default IPv4 only
   */
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
 * docker_network arguments provider 3.6.2 reads back after `terraform import` with a value docknet
 * does not write for a network made by hand: labels (docknet writes managed-by=docknet) and the
 * driver options (docknet writes some of Docker's defaults explicitly; Docker adds its own, e.g. an
 * overlay's VXLAN id). Both are ForceNew, and a network has no update.
 */
export const ADOPTABLE_NETWORK_ARGUMENTS = ['ipam_config', 'labels', 'options'] as const;
export type AdoptableNetworkArgument = typeof ADOPTABLE_NETWORK_ARGUMENTS[number];


/**
 * Base of the typed network constructs. Its docker_network child is named "Resource" and is rendered
 * at synth, after the plan resolved (subnets from pools, LAN ranges), straight from the network's
 * props: no generated binding, no Lazy per field (see RenderedResource). `resource` swaps the
 * generated binding in when code needs it.
 */
export abstract class Network extends Construct implements INetwork {
  public readonly networkName: string;
  public readonly host: IHost;
  public abstract readonly driver: NetworkDriver;
  protected readonly props: NetworkProps;
  private readonly v4?: PlannedBlock;
  private readonly v6?: PlannedBlock;
  private readonly extra: { internal?: boolean; attachable?: boolean; provider?: IHost };
  private rendered: TerraformResource;
  private binding?: NetworkResource;
  private refs?: { name: string; id: string };
  private adoption?: Adoption;

  protected constructor(host: IHost, id: string, props: NetworkProps, extra: { internal?: boolean; attachable?: boolean; provider?: IHost } = {}) {
    super(host, id);
    this.host = host;
    this.props = propsObject(this, 'props', props, '{ subnet: Subnet.cidr("172.30.0.0/24") }');
    this.extra = extra;
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
    if (props.ipv6 !== undefined && props.subnet === undefined) {
      // Found by the lab's second plan (lab/replay/refresh.ts): Docker then picks an IPv4 subnet itself and
      // reports it in IPAM.Config, provider 3.6.2 reads it into ipam_config (ForceNew), and the plan after
      // every apply would replace the network.
      throw new DocknetError(this, `ipv6 was given without an IPv4 subnet. Docker would add an IPv4 subnet of its own choosing, which provider 3.6.2 reads back into ipam_config, so every plan would replace network "${this.networkName}". Add subnet: Subnet.cidr(...) or Subnet.fromPool(...) beside ipv6.`);
    }
    if (props.gateway !== undefined && props.subnet === undefined) {
      throw new DocknetError(this, `gateway ${props.gateway} was given without a subnet. Add subnet: Subnet.cidr(...) or Subnet.fromPool(...).`);
    }
    for (const [field, value] of [['gateway', props.gateway], ['ipv6.gateway', props.ipv6?.gateway], ...Object.entries(props.auxAddresses ?? {}).map(([k, v]) => [`auxAddresses.${k}`, v])] as [string, string | undefined][]) {
      if (value !== undefined) checkIp(this, field, value);
    }

    this.v4 = props.subnet ? host.stack.plannedSubnet(this, props.subnet, 'ipv4') : undefined;
    this.v6 = props.ipv6 ? host.stack.plannedSubnet(this, props.ipv6.subnet, 'ipv6') : undefined;

    const provider = (extra.provider ?? host).provider;
    this.rendered = new RenderedResource(this, 'Resource', 'docker_network', provider, () => this.renderAttributes());
    this.applyLifecycle();
    // cdktf's HCL output needs the binding's typed HCL rendering.
    if (writesHcl(this)) void this.resource;
  }

  /**
   * The docker_network as the generated binding (the L1 escape hatch), for its typed setters:
   * `network.resource.checkDuplicate = true`. Fields set on it win over docknet's. The first use
   * replaces the rendered resource by the binding (same logical ID, same JSON); it costs what a
   * binding costs, so prefer `node.defaultChild` + addOverride, nameRef and idRef when they do.
   */
  public get resource(): NetworkResource {
    if (!this.binding) {
      const render = () => this.renderAttributes();
      this.node.tryRemoveChild('Resource');
      this.binding = new (class extends NetworkResource {
        protected synthesizeAttributes(): { [name: string]: unknown } {
          return { ...render(), ...definedOnly(super.synthesizeAttributes()) };
        }
      })(this, 'Resource', { provider: this.rendered.provider, name: this.networkName });
      this.rendered = this.binding;
      this.applyLifecycle();
    }
    return this.binding;
  }

  /**
   * Adopts a network that already exists on the host (what `docknet import` writes): a Terraform
   * import block with its Docker id, and the arguments in `keep` left as the host has them
   * (lifecycle ignore_changes), so the first apply neither fails on the name nor replaces the
   * network and disconnects its containers. docknet verify still compares the options.
   */
  public adopt(dockerId: string, options: { readonly keep?: AdoptableNetworkArgument[] } = {}): this {
    this.adoption = checkAdoption(this, {
      kind: 'network', name: this.networkName, idPattern: /^[0-9a-z]{12,64}$/, adoptable: ADOPTABLE_NETWORK_ARGUMENTS,
      idHint: `\`docker network inspect -f '{{.Id}}' ${this.networkName}\``,
    }, dockerId, options.keep);
    this.applyLifecycle();
    return this;
  }

  /**
   * The import block of adopt() and lifecycle.ignore_changes: the driver's own entries (readBackChanges)
   * plus what adopt() keeps. A kept argument covers the driver's entries inside it (options covers
   * options["..."]). Called again when the binding replaces the rendered resource.
   */
  private applyLifecycle(): void {
    const keep: string[] = this.adoption?.keep ?? [];
    const own = this.readBackChanges().filter((e) => !keep.some((k) => e === k || e.startsWith(`${k}[`)));
    const ignore = [...keep, ...own];
    if (this.adoption) this.rendered.importFrom(this.adoption.id);
    if (ignore.length) this.rendered.lifecycle = { ...this.rendered.lifecycle, ignoreChanges: ignore };
  }

  /**
   * What Docker adds to this network that provider 3.6.2 reads back (resourceDockerNetworkReadRefreshFunc
   * sets every attribute from NetworkInspect) and docknet cannot write itself: without these
   * ignore_changes entries the second plan would replace the network. None for most drivers.
   */
  protected readBackChanges(): string[] {
    return [];
  }

  /** Terraform reference to the network's name (one per network): attaching through it orders creation. */
  public get nameRef(): string {
    return this.references().name;
  }

  /** Terraform reference to the network's id (services must attach by id, provider issue #648). */
  public get idRef(): string {
    return this.references().id;
  }

  /** @internal The docker_network resource as it is in the tree now (rendered, or the binding). */
  public get terraformResource(): TerraformResource {
    return this.rendered;
  }

  private references(): { name: string; id: string } {
    if (!this.refs) this.refs = { name: this.rendered.getStringAttribute('name'), id: this.rendered.getStringAttribute('id') };
    return this.refs;
  }

  /** The docker_network's attributes, in the provider's JSON shape (what the binding would write). */
  private renderAttributes(): Record<string, unknown> {
    const config: Omit<NetworkConfig, 'provider'> = {
      name: this.networkName,
      driver: this.driver,
      options: sortedOrUndefined(this.renderedOptions()),
      internal: this.extra.internal || undefined,
      attachable: this.extra.attachable || undefined,
      ipv6: this.props.ipv6 ? true : undefined,
      ipamDriver: 'default',
      ipamConfig: this.ipamConfig(),
      // Code-unit order, not localeCompare: the synthesized JSON must be byte-identical on every machine.
      labels: Object.entries({ 'managed-by': 'docknet', ...(this.props.labels ?? {}) })
        .sort(([a], [b]) => compareKeys(a, b))
        .map(([label, value]) => ({ label, value })),
    };
    return toTerraformAttributes(networkBinding, 'network', config as Record<string, unknown>);
  }

  /** Driver options (the docker_network `options` map), typed by each driver. */
  protected abstract driverOptions(): Record<string, string>;

  /**
   * The options written: the driver's, over the host's daemon.json `default-network-opts` for this
   * driver (Docker 24+). dockerd adds those to every local network it creates without them, and
   * provider 3.6.2 reads `options` back (ForceNew): a network that writes options of its own but
   * not these would be replaced on every plan. Swarm overlays are created by the cluster, which
   * does not apply them.
   */
  private renderedOptions(): Record<string, string> {
    const own = this.driverOptions();
    const defaults = this.driver === 'overlay' ? undefined : this.host.daemonNetworkDefaults(this.driver);
    return defaults ? { ...defaults, ...own } : own;
  }

  /**
   * @internal The subnets written out (Subnet.cidr, or a LAN segment's), without reading the plan:
   * pooled blocks of other networks stay clear of them (DocknetStack's occupancy).
   */
  public staticSubnets(): string[] {
    const out: string[] = [];
    if (this.props.subnet instanceof ExplicitSubnet) out.push(this.props.subnet.cidr);
    if (this.props.ipv6?.subnet instanceof ExplicitSubnet) out.push(this.props.ipv6.subnet.cidr);
    return out;
  }

  /** @internal The parent interface and LAN segment of a macvlan/ipvlan network (none for the others). */
  public layer2(): { readonly parent?: string; readonly lan?: string } {
    const x = this.modelExtras();
    return { parent: x.parent, lan: x.lan };
  }

  /** @internal The subnets drawn from a pool: pool name and key (an allocation of the plan). */
  public pooledSubnets(): { readonly pool: string; readonly key: string; readonly block: PlannedBlock }[] {
    const out: { pool: string; key: string; block: PlannedBlock }[] = [];
    for (const b of [this.v4, this.v6]) {
      const a = b as (PlannedBlock & { pool?: unknown; key?: unknown }) | undefined;
      if (a && typeof a.pool === 'string' && typeof a.key === 'string') out.push({ pool: a.pool, key: a.key, block: a });
    }
    return out;
  }

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
      ...(this.adoption ? { adopted: { keep: [...this.adoption.keep] } } : {}),
      ...this.modelExtras(),
    };
  }

  protected modelExtras(): Partial<NetworkModel> {
    return {};
  }

  private ipamConfig(): NetworkConfig['ipamConfig'] {
    const configs = [this.ipv4(), this.ipv6()].filter((c): c is IpConfigModel => c !== undefined);
    if (configs.length === 0) return undefined;
    return configs.map((c) => ({
      subnet: c.subnet,
      gateway: c.gateway,
      ipRange: c.ipRange,
      auxAddress: Object.keys(c.auxAddresses).length ? sortedOrUndefined(c.auxAddresses) : undefined,
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

/**
 * A network construct where one is expected. A name, `undefined` (an index past the end of a list)
 * or a plain object would otherwise fail later as a TypeError that names nothing.
 */
export function checkNetwork(scope: Construct, what: string, network: unknown): INetwork {
  const n = network as Partial<INetwork> | undefined;
  if (n && typeof n === 'object' && typeof n.networkName === 'string' && typeof n.driver === 'string' && typeof n.node?.path === 'string') return network as INetwork;
  const hint = typeof network === 'string' ? ' Pass the network object, not its name.' : '';
  throw new DocknetError(scope, `${what} is ${describeGiven(network)}, but a docknet network was expected: what host.addBridgeNetwork, addMacvlanNetwork, addIpvlanNetwork or addOverlayNetwork returned.${hint}`);
}

/** The kinds of the props every network takes (lib/validation/prop-types.ts). */
export const NETWORK_PROP_TYPES: PropSpec = {
  name: 'string',
  subnet: { instance: Subnet, example: 'Subnet.cidr("172.30.0.0/24") or Subnet.fromPool("bridges", 24)' },
  gateway: 'string',
  ipRange: 'string',
  auxAddresses: 'string map',
  ipv6: 'object',
  labels: 'string map',
};
