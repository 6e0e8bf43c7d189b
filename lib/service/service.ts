import { Construct, ServiceResource } from '../cdk';
import { DocknetError, describeGiven, listProp, propsObject } from '../core/errors';
import { ServiceModel, ServicePortModel } from '../core/model';
import type { IHost } from '../interfaces';
import { OverlayNetwork } from '../network/overlay';
import { Port, checkPort } from '../container/port';
import { checkPropTypes, type PropSpec } from '../validation/prop-types';

export interface ServiceNetworkAttachment {
  /** An overlay of the swarm; services cannot join bridge, macvlan or ipvlan networks. */
  readonly network: OverlayNetwork;
  /** Extra DNS names of the service on this network (they resolve to its VIP, like its name). @default none */
  readonly aliases?: string[];
}

export interface SwarmServiceProps {
  /**
   * Image reference, e.g. "nginx:1.27". A docker_image for it is made on the manager; every node
   * that runs a task pulls (or already has) the image itself.
   */
  readonly image: string;
  /** Service name (a DNS label: it resolves to the service's VIP on its networks). @default the construct id */
  readonly name?: string;
  /** Command to run. @default the image's */
  readonly command?: string[];
  /** Environment, KEY=value. @default none */
  readonly env?: Record<string, string>;
  /** Number of tasks (replicated mode). 0 keeps the service without tasks. @default 1 */
  readonly replicas?: number;
  /** Overlay networks to join, at least one. */
  readonly networks: ServiceNetworkAttachment[];
  /**
   * Ports published through the swarm routing mesh (publish mode "ingress"): every swarm member
   * listens on the published port. `hostPort` is the published port; `hostIp` cannot be used.
   * @default none
   */
  readonly ports?: Port[];
}

// swarmkit controlapi validateAnnotations: a DNS name component of at most 63 characters.
const NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/**
 * A replicated swarm service, created through a swarm manager (checked at synth, DN111). Its
 * docker_service child is named "Resource".
 */
export class SwarmService extends Construct {
  public readonly host: IHost;
  public readonly serviceName: string;
  public readonly replicas: number;
  public readonly resource: ServiceResource;
  private readonly props: SwarmServiceProps;
  private readonly ports: ServicePortModel[];

  constructor(manager: IHost, id: string, props: SwarmServiceProps) {
    super(manager, id);
    this.host = manager;
    this.props = propsObject(this, 'props', props, '{ image: "nginx:1.27", replicas: 2, networks: [{ network }] }');
    checkPropTypes(this, props, SERVICE_PROP_TYPES, 'a swarm service');
    this.serviceName = props.name ?? id;
    if (!NAME.test(this.serviceName) || this.serviceName.length > 63) {
      throw new DocknetError(this, `service name "${this.serviceName}" is not a valid swarm service name. Expected a DNS name component: letters and digits, "-" or "_" between them, at most 63 characters.`);
    }
    this.replicas = props.replicas ?? 1;
    if (!Number.isInteger(this.replicas) || this.replicas < 0) {
      throw new DocknetError(this, `replicas ${props.replicas} is not a task count. Expected an integer of 0 or more.`);
    }
    this.checkNetworks(props.networks);
    this.ports = listProp(this, 'ports', props.ports, 'a list of ports: ports: [Port.tcp(80, { hostPort: 8080 })]').map((p, i) => {
      checkPort(this, `ports[${i}]`, p);
      return this.servicePort(p);
    });
    const seen = new Set<string>();
    for (const p of this.ports) {
      if (p.published === undefined) continue;
      const key = `${p.published}/${p.protocol}`;
      if (seen.has(key)) {
        throw new DocknetError(this, `publishes ${key} twice; swarm refuses duplicate published ports ("EndpointSpec: duplicate published ports provided"). Publish each port once.`);
      }
      seen.add(key);
    }

    this.resource = new ServiceResource(this, 'Resource', {
      provider: manager.provider,
      name: this.serviceName,
      taskSpec: {
        containerSpec: {
          image: manager.image(props.image, this).name,
          command: props.command,
          env: props.env ? Object.fromEntries(Object.keys(props.env).sort().map((k) => [k, props.env![k]])) : undefined,
        },
        // By id: with the name, every plan replaces the service (provider issue #648).
        networksAdvanced: props.networks.map((a) => ({
          name: a.network.idRef,
          aliases: a.aliases && a.aliases.length ? a.aliases : undefined,
        })),
      },
      // Explicit, so the task count is in the plan and the reviewed diff, not a provider default.
      mode: { replicated: { replicas: this.replicas } },
      endpointSpec: this.ports.length
        ? {
            ports: this.ports.map((p) => ({ targetPort: p.target, publishedPort: p.published, protocol: p.protocol, publishMode: 'ingress' })),
          }
        : undefined,
    });
  }

  /** Terraform reference to the service id. */
  public get idRef(): string {
    return this.resource.id;
  }

  public toModel(): ServiceModel {
    return {
      path: this.node.path,
      name: this.serviceName,
      host: this.host.hostName,
      image: this.props.image,
      replicas: this.replicas,
      attachments: this.props.networks.map((a) => ({ network: a.network.node.path, aliases: [...(a.aliases ?? [])] })),
      ports: this.ports.map((p) => ({ ...p })),
    };
  }

  private checkNetworks(networks: ServiceNetworkAttachment[] | undefined): void {
    listProp(this, 'networks', networks, 'a list of overlay attachments: networks: [{ network: manager.addOverlayNetwork(...) }]');
    if (!networks || networks.length === 0) {
      throw new DocknetError(this, 'has no network. A service needs at least one overlay: networks: [{ network: manager.addOverlayNetwork(...) }].');
    }
    const seen = new Set<OverlayNetwork>();
    for (const a of networks) {
      propsObject(this, 'a networks entry', a, '{ network: manager.addOverlayNetwork(...), aliases: ["api"] }');
      checkPropTypes(this, { ...a, network: undefined }, { network: 'object', aliases: 'string list' }, 'a service network attachment');
      const n = a?.network as unknown;
      if (!(n instanceof OverlayNetwork)) {
        const given = n && typeof n === 'object' && 'driver' in n && 'networkName' in n
          ? `${(n as { driver: string }).driver} network "${(n as { networkName: string }).networkName}"${n instanceof Construct ? ` (${n.node.path})` : ''}`
          : describeGiven(n);
        throw new DocknetError(this, `is attached to ${given}, but swarm services join overlay networks only (tasks run on any swarm member). Attach it to an overlay: manager.addOverlayNetwork(...).`);
      }
      if (seen.has(n)) {
        throw new DocknetError(this, `is attached twice to overlay "${n.networkName}". Attach once, with every alias in one entry.`);
      }
      seen.add(n);
    }
  }

  private servicePort(p: Port): ServicePortModel {
    const m = p.toModel();
    if (m.hostIp !== '0.0.0.0') {
      throw new DocknetError(this, `port ${m.internal}/${m.protocol} binds host address ${m.hostIp}, but the swarm routing mesh publishes on every address of every member. Drop hostIp.`);
    }
    return { target: m.internal, published: m.external, protocol: m.protocol };
  }
}

/** The kinds of a swarm service's props (lib/validation/prop-types.ts). */
export const SERVICE_PROP_TYPES: PropSpec = {
  image: 'string',
  name: 'string',
  command: 'string list',
  env: 'string map',
  replicas: 'own',
  networks: 'own',
  ports: 'own',
};
