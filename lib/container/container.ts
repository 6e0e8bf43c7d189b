import { Construct, ContainerResource, TerraformResource, TerraformStack, containerBinding } from '../cdk';
import type { ContainerConfig, Image } from '../cdk';
import { DocknetError, listProp, propsObject } from '../core/errors';
import { ContainerModel } from '../core/model';
import type { IHost } from '../interfaces';
import { INetwork, Network, checkIp, checkNetwork } from '../network/network';
import { BridgeMode, NetworkMode, SharedMode } from '../network/network-mode';
import { Port, checkPort } from './port';
import { Adoption, checkAdoption } from '../render/adoption';
import { definedOnly, RenderedResource, sameStackRef, toTerraformAttributes, writesHcl } from '../render/rendered-resource';
import { ContainerRuntimeProps, Volume, checkRuntimeProps, renderRuntimeProps, runtimeModel } from './runtime-options';
import { CONTAINER_NAME, CONTAINER_NAME_TEXT, NETWORK_ALIAS } from '../core/facts/docker';
import { checkPropTypes, type PropSpec } from '../validation/prop-types';

export interface AttachmentOptions {
  /** Static IPv4 address on the network (needs a subnet on it). @default assigned by Docker's IPAM */
  readonly ipv4Address?: string;
  /** Static IPv6 address (needs IPv6 on the network). @default assigned by Docker's IPAM */
  readonly ipv6Address?: string;
  /** Extra DNS names of the container on this network. @default none (the container name always resolves) */
  readonly aliases?: string[];
}

export interface NetworkAttachment extends AttachmentOptions {
  readonly network: INetwork;
}

interface ContainerCommonProps extends ContainerRuntimeProps {
  /** Image reference available on the host, e.g. "nginx:1.27". One docker_image per host and reference is made for it. */
  readonly image: string;
  /** Container name. @default the construct id */
  readonly name?: string;
  /** Command to run. @default the image's */
  readonly command?: string[];
  /** Environment, KEY=value. @default none */
  readonly env?: Record<string, string>;
  /** Hostname inside the container. @default Docker's (the container id) */
  readonly hostname?: string;
  /** DNS servers for the container. @default the daemon's */
  readonly dns?: string[];
  /** resolv.conf options, e.g. ["ndots:2"]. @default none */
  readonly dnsOptions?: string[];
  /** DNS search domains. @default none */
  readonly dnsSearch?: string[];
}

/** Bridge mode: docker0 when no attachment is given, else the attached user networks. */
export interface BridgeModeContainerProps extends ContainerCommonProps {
  /** @default NetworkMode.bridge() */
  readonly networkMode?: BridgeMode;
  /** Networks to attach to, with static addresses and aliases. @default none: docker0 */
  readonly networks?: NetworkAttachment[];
  /** Published ports. @default none */
  readonly ports?: Port[];
}

/** host, none and container:<other> modes: there is no interface of the container's own to attach or publish. */
export interface SharedModeContainerProps extends ContainerCommonProps {
  readonly networkMode: SharedMode;
  readonly networks?: never;
  readonly ports?: never;
}

export type ContainerProps = BridgeModeContainerProps | SharedModeContainerProps;

/**
 * docker_container arguments that provider 3.6.2 reads back after `terraform import` with a value
 * docknet does not write (or does not read back at all); each is ForceNew, so without being kept
 * the first apply would replace the adopted container. `docknet import` lists exactly those that
 * differ for each container.
 */
export const ADOPTABLE_ARGUMENTS = [
  'image', 'network_mode', 'networks_advanced', 'ports', 'mounts', 'privileged', 'capabilities', 'tty', 'stdin_open',
  'host', 'read_only', 'sysctls', 'log_opts', 'dns_opts', 'dns_search', 'domainname', 'pid_mode', 'userns_mode', 'group_add', 'devices', 'ulimit',
] as const;
export type AdoptableArgument = typeof ADOPTABLE_ARGUMENTS[number];

export interface AdoptOptions {
  /**
   * Arguments kept as the host has them (Terraform `lifecycle.ignore_changes`): the first apply
   * then adopts the container instead of replacing it. Terraform stops comparing them, so a later
   * change of them in the code needs `terraform apply -replace=` (docknet verify names it).
   * @default none
   */
  readonly keep?: AdoptableArgument[];
}


/**
 * A container on one host. Its docker_container child is named "Resource", rendered at synth from
 * the container's props (no generated binding, no Lazy per field: see RenderedResource). It is the
 * escape hatch for any argument docknet does not type: `container.node.defaultChild` +
 * `addOverride('shm_size', 256)`, or `container.resource`, which swaps the generated binding in.
 */
export class Container extends Construct {
  public readonly host: IHost;
  public readonly containerName: string;
  public readonly networkMode: NetworkMode;
  private readonly attachments: NetworkAttachment[] = [];
  private readonly ports: Port[] = [];
  private readonly props: ContainerProps;
  private readonly image: Image;
  private rendered: TerraformResource;
  private binding?: ContainerResource;
  private idReference?: string;
  private adoption?: Adoption;

  constructor(host: IHost, id: string, props: ContainerProps) {
    super(host, id);
    this.host = host;
    this.props = propsObject(this, 'props', props, '{ image: "nginx:1.27", networks: [{ network }] }');
    checkPropTypes(this, props, CONTAINER_PROP_TYPES, 'a container');
    this.containerName = props.name ?? id;
    if (!CONTAINER_NAME.test(this.containerName)) {
      throw new DocknetError(this, `container name "${this.containerName}" is not a valid Docker name. Expected ${CONTAINER_NAME_TEXT}.`, 'DN403');
    }
    this.networkMode = props.networkMode ?? NetworkMode.bridge();
    for (const d of props.dns ?? []) checkIp(this, 'dns', d);
    checkRuntimeProps(this, props, this.networkMode.kind);

    this.image = host.image(props.image, this);
    this.rendered = new RenderedResource(this, 'Resource', 'docker_container', host.provider, () => this.renderAttributes());
    // cdktf's HCL output needs the binding's typed HCL rendering.
    if (writesHcl(this)) void this.resource;

    const networks = listProp(this, 'networks', props.networks, 'a list of attachments: networks: [{ network: host.addBridgeNetwork(...) }]');
    networks.forEach((a, i) => this.attach(checkNetwork(this, `networks[${i}].network`, a?.network), a));
    for (const p of listProp(this, 'ports', props.ports, 'a list of ports: ports: [Port.tcp(80, { hostPort: 8080 })]')) this.publish(p);
  }

  /**
   * The docker_container as the generated binding (the L1 escape hatch), for its typed setters:
   * `container.resource.shmSize = 256`. Fields set on it win over docknet's. The first use replaces
   * the rendered resource by the binding (same logical ID, same JSON); it costs what a binding costs,
   * so prefer `node.defaultChild` + addOverride and idRef when they do.
   */
  public get resource(): ContainerResource {
    if (!this.binding) {
      const render = () => this.renderAttributes();
      this.node.tryRemoveChild('Resource');
      this.binding = new (class extends ContainerResource {
        protected synthesizeAttributes(): { [name: string]: unknown } {
          return { ...render(), ...definedOnly(super.synthesizeAttributes()) };
        }
      })(this, 'Resource', { provider: this.rendered.provider, name: this.containerName, image: this.image.imageId });
      this.rendered = this.binding;
      this.applyAdoption();
    }
    return this.binding;
  }

  /** @internal The docker_container resource as it is in the tree now (rendered, or the binding). */
  public get terraformResource(): TerraformResource {
    return this.rendered;
  }

  /**
   * Attaches the container to a network. Checked at synth (the whole tree is needed): only in
   * bridge mode, on a network of the same host or an attachable overlay the host can reach.
   */
  public attach(network: INetwork, options: AttachmentOptions = {}): this {
    checkNetwork(this, 'attach()', network);
    checkPropTypes(this, propsObject(this, `the attachment to ${network.networkName}`, options, '{ ipv4Address: "172.30.0.10", aliases: ["www"] }'), ATTACHMENT_PROP_TYPES, 'a network attachment');
    if (options.ipv4Address !== undefined) checkIp(this, 'ipv4Address', options.ipv4Address);
    if (options.ipv6Address !== undefined) checkIp(this, 'ipv6Address', options.ipv6Address);
    for (const alias of options.aliases ?? []) {
      if (typeof alias !== 'string' || !NETWORK_ALIAS.test(alias)) {
        throw new DocknetError(this, `alias ${JSON.stringify(alias)} on network "${network.networkName}" is not a name Docker's DNS can resolve. Expected letters, digits, "_", "." or "-", no spaces, not empty.`, 'DN405');
      }
    }
    // Attaching twice to one network (DN110) needs two values: reported at synth with everything else.
    this.attachments.push({ network, ...options });
    return this;
  }

  /** Publishes a port on the host (bridge mode only; checked at synth). */
  public publish(port: Port): this {
    checkPort(this, `ports[${this.ports.length}]`, port);
    this.ports.push(port);
    return this;
  }

  /**
   * Adopts a container that already runs on the host (what `docknet import` writes): a Terraform
   * import block with its Docker id (provider 3.6.2's import id), and the arguments in `keep` left
   * as the host has them, so the first apply neither creates a second container nor replaces this one.
   */
  public adopt(dockerId: string, options: AdoptOptions = {}): this {
    this.adoption = checkAdoption(this, {
      kind: 'container', name: this.containerName, idPattern: /^[0-9a-f]{12,64}$/, adoptable: ADOPTABLE_ARGUMENTS,
      idHint: `12 to 64 hex digits, \`docker inspect -f '{{.Id}}' ${this.containerName}\``,
    }, dockerId, options.keep);
    this.applyAdoption();
    return this;
  }

  private applyAdoption(): void {
    if (!this.adoption) return;
    this.rendered.importFrom(this.adoption.id);
    if (this.adoption.keep.length) this.rendered.lifecycle = { ...this.rendered.lifecycle, ignoreChanges: [...this.adoption.keep] };
  }

  /** Terraform reference to the container id (for container:<id> modes). */
  public get idRef(): string {
    if (!this.idReference) this.idReference = this.rendered.getStringAttribute('id');
    return this.idReference;
  }

  public toModel(): ContainerModel {
    const mode = this.networkMode;
    return {
      path: this.node.path,
      name: this.containerName,
      host: this.host.hostName,
      image: this.props.image,
      mode: mode.kind,
      sharesWith: mode instanceof SharedMode && mode.other ? mode.other.node.path : undefined,
      attachments: this.attachments.map((a) => ({
        network: (a.network as unknown as Construct).node.path,
        ipv4Address: a.ipv4Address,
        ipv6Address: a.ipv6Address,
        aliases: [...(a.aliases ?? [])],
      })),
      ports: this.ports.map((p) => p.toModel()),
      dns: [...(this.props.dns ?? [])],
      ...runtimeModel(this.props),
      ...(this.adoption ? { adopted: { keep: [...this.adoption.keep] } } : {}),
    };
  }

  /** The docker_container's attributes, in the provider's JSON shape (what the binding would write). */
  private renderAttributes(): Record<string, unknown> {
    const props = this.props;
    const config: Omit<ContainerConfig, 'provider'> = {
      name: this.containerName,
      image: sameStackRef(this.image, 'image_id'),
      // Always explicit: containers read back as "default" were replaced on every plan (#603, #723).
      networkMode: this.renderNetworkMode(),
      networksAdvanced: this.renderAttachments(),
      ports: this.renderPorts(),
      command: props.command,
      env: props.env ? Object.keys(props.env).sort().map((k) => `${k}=${props.env![k]}`) : undefined,
      hostname: props.hostname,
      dns: props.dns,
      dnsOpts: props.dnsOptions,
      dnsSearch: props.dnsSearch,
      mustRun: true,
      ...renderRuntimeProps(props),
      ...this.renderDaemonLogDefaults(),
    };
    return toTerraformAttributes(containerBinding, 'container', config as Record<string, unknown>);
  }

  /**
   * dockerd merges daemon.json's `log-opts` into every new container that uses its default log
   * driver, and provider 3.6.2 reads them back into `log_opts` (ForceNew, not Computed): a container
   * whose code leaves them out would be replaced on every plan. So on a host whose code declares
   * `log-opts`, such a container writes the merged result (its own options win, as in dockerd), and a
   * change of the daemon's options shows in the diff as what it means for a container: a new one.
   */
  private renderDaemonLogDefaults(): Partial<ContainerConfig> {
    const defaults = this.host.daemonLogDefaults();
    if (!defaults) return {};
    const own = this.props.logDriver;
    if (own && own.driver !== defaults.driver) return {};
    const merged: Record<string, string> = { ...defaults.options, ...(own?.options ?? {}) };
    return { logDriver: defaults.driver, logOpts: Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]])) };
  }

  private renderNetworkMode(): string {
    const mode = this.networkMode;
    if (mode instanceof SharedMode && mode.kind === 'container') {
      const other = mode.other!;
      return `container:${other instanceof Container && other.host.stack === this.host.stack ? sameStackRef(other.terraformResource, 'id') : other.idRef}`;
    }
    return mode.kind;
  }

  private renderAttachments(): ContainerConfig['networksAdvanced'] {
    if (this.attachments.length === 0) return undefined;
    return this.attachments.map((a) => ({
      // A network of another stack (an overlay of a sharded environment's manager shard) by its name:
      // a reference would tie this state to that one. Docker resolves an attachable overlay by name.
      // In this stack, a docknet network by the plain reference string (no token per attachment).
      name: TerraformStack.of(a.network as unknown as Construct) !== TerraformStack.of(this)
        ? a.network.networkName
        : a.network instanceof Network ? sameStackRef(a.network.terraformResource, 'name') : a.network.nameRef,
      aliases: a.aliases && a.aliases.length ? a.aliases : undefined,
      ipv4Address: a.ipv4Address,
      ipv6Address: a.ipv6Address,
    }));
  }

  private renderPorts(): ContainerConfig['ports'] {
    if (this.ports.length === 0) return undefined;
    return this.ports.map((p) => {
      const m = p.toModel();
      return { internal: m.internal, external: m.external, ip: m.hostIp, protocol: m.protocol };
    });
  }
}

/** The kinds of an attachment's fields (besides the network itself). */
const ATTACHMENT_PROP_TYPES: PropSpec = { network: 'object', ipv4Address: 'string', ipv6Address: 'string', aliases: 'string list' };

/** The kinds of a container's props (lib/validation/prop-types.ts). */
export const CONTAINER_PROP_TYPES: PropSpec = {
  image: 'string',
  name: 'string',
  command: 'string list',
  env: 'string map',
  hostname: 'string',
  dns: 'string list',
  dnsOptions: 'string list',
  dnsSearch: 'string list',
  networkMode: { instance: NetworkMode, example: 'NetworkMode.bridge(), .host(), .none() or .container(other)' },
  networks: 'own',
  ports: 'own',
  restartPolicy: 'own',
  healthCheck: 'own',
  volumes: { list: Volume, example: 'Volume.named("data", "/data") or Volume.bind("/srv/data", "/data")' },
  labels: 'string map',
  capabilities: 'object',
  sysctls: 'string or number map',
  extraHosts: 'string map',
  logDriver: 'own',
};
