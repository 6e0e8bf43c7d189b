import { Construct } from 'constructs';
import { TerraformBackend, TerraformStack } from 'cdktf';
import { DocknetError } from '../errors';
import { TopologyModel } from '../model';
import { DockerHost, DockerHostProps, SwarmRole } from '../host/docker-host';
import { Network } from '../network/network';
import { Container } from '../container/container';
import { SwarmService } from '../service/service';
import { ExplicitSubnet, PooledSubnet, Subnet } from '../network/subnet';
import { Problem } from '../validation/problem';
import { registerProblems } from '../validation/validated';
import { validateTopology } from '../validation/engine';
import { renderReport } from '../report/report';
import { toDaemonJsonObject } from '../daemon/daemon-config';
import { EnvironmentPlan, LanSegmentProps, PlannedBlock, PoolProps, unlessPlanFailed } from './environment-plan';

/** The docker provider version docknet's output is written and tested for (pinned, not "~> 3.0"). */
export const DOCKER_PROVIDER_VERSION = '3.6.2';

export interface SwarmProps {
  /** Swarm default-addr-pool(s), given at `swarm init` only. Explicit CIDRs or a block of a plan pool. */
  readonly defaultAddrPools: Subnet[];
  /** Prefix length of each overlay drawn from them. @default 24 */
  readonly defaultAddrPoolMaskLength?: number;
}

export interface DocknetStackProps {
  /** Environment name (dev, staging, prod): names the stack and keys the plan record. */
  readonly environment: string;
  /** The address plan shared by every stack of the environment. @default a plan of its own */
  readonly plan?: EnvironmentPlan;
  /** Swarm settings, when some host has a swarm role. @default no swarm address pools */
  readonly swarm?: SwarmProps;
  /** Remote state. @default local state */
  readonly backend?: (stack: TerraformStack) => TerraformBackend;
}

/**
 * The network stack of one environment: its hosts, their networks and containers. Validates the
 * whole topology at synth (all problems at once) and pins the provider version.
 */
export class DocknetStack extends TerraformStack {
  /** Finds the DocknetStack a construct belongs to. */
  public static of(c: Construct): DocknetStack {
    const s = c.node.scopes.reverse().find((x) => x instanceof DocknetStack);
    if (!s) throw new DocknetError(c, 'is not inside a DocknetStack. Create hosts with stack.addHost(...).');
    return s as DocknetStack;
  }

  public readonly environment: string;
  public readonly plan: EnvironmentPlan;
  public readonly swarm?: SwarmProps;
  private readonly hosts: DockerHost[] = [];
  private swarmBlocks?: PlannedBlock[];

  constructor(scope: Construct, id: string, props: DocknetStackProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(props.environment)) {
      throw new DocknetError(this, `environment "${props.environment}" is not a valid environment name. Expected lower-case letters, digits and "-", starting with a letter (e.g. "dev", "prod").`);
    }
    this.environment = props.environment;
    this.plan = props.plan ?? new EnvironmentPlan(props.environment);
    this.swarm = props.swarm;
    props.backend?.(this);
    this.addOverride('terraform.required_providers.docker.version', DOCKER_PROVIDER_VERSION);
    registerProblems(this, () => this.problems());
  }

  public addHost(id: string, props: DockerHostProps): DockerHost {
    // constructs would throw its own "There is already a Construct with name" with a stack trace.
    if (this.node.tryFindChild(id)) {
      throw new DocknetError(`${this.node.path}/${id}`, `a second host was added with the construct id "${id}" in environment ${this.environment}. Give each host its own id (and name).`, 'DN404');
    }
    const host = new DockerHost(this, id, props);
    this.hosts.push(host); // two hosts with one name: DN404, reported at synth with everything else
    if (host.swarmRole !== SwarmRole.NONE) this.swarmPools();
    return host;
  }

  /** The swarm default-addr-pools, registered with the plan on first use (after the pools exist). */
  public swarmPools(): PlannedBlock[] {
    if (!this.swarmBlocks) {
      this.swarmBlocks = (this.swarm?.defaultAddrPools ?? []).map((s, i) =>
        this.plannedKey(s, `swarm/default-addr-pool-${i}`),
      );
    }
    return this.swarmBlocks;
  }

  public get allHosts(): readonly DockerHost[] {
    return this.hosts;
  }

  /** A named pool of the environment's address plan. */
  public addPool(name: string, props: PoolProps): void {
    this.plan.addPool(name, props);
  }

  /** A LAN segment shared by every host on one L2 network (for macvlan/ipvlan). */
  public addLanSegment(name: string, props: LanSegmentProps): void {
    this.plan.addLanSegment(name, props);
  }

  /** @internal Registers a network's subnet with the plan (pooled) or passes it through (explicit). */
  public plannedSubnet(network: Network, subnet: Subnet, family: 'ipv4' | 'ipv6'): PlannedBlock {
    if (subnet instanceof ExplicitSubnet) return { cidr: subnet.cidr };
    return this.plannedKey(subnet, `${network.host.hostName}/${network.networkName}${family === 'ipv6' ? '#v6' : ''}`);
  }

  /** @internal A pooled subnet under its own key (or the default key given). */
  public plannedKey(subnet: Subnet, defaultKey: string): PlannedBlock {
    if (subnet instanceof ExplicitSubnet) return { cidr: subnet.cidr };
    if (subnet instanceof PooledSubnet) return this.plan.request(subnet.pool, `${this.environment}/${subnet.key ?? defaultKey}`, subnet.prefixLength);
    throw new DocknetError(this, 'a subnet must be Subnet.cidr(...) or Subnet.fromPool(...).');
  }

  public get networks(): Network[] {
    return this.node.findAll().filter((c): c is Network => c instanceof Network);
  }

  public get containers(): Container[] {
    return this.node.findAll().filter((c): c is Container => c instanceof Container);
  }

  public get services(): SwarmService[] {
    return this.node.findAll().filter((c): c is SwarmService => c instanceof SwarmService);
  }

  /** The topology as plain data, with every address resolved. */
  public toModel(): TopologyModel {
    const managers = this.hosts.filter((h) => h.swarmRole === SwarmRole.MANAGER).map((h) => h.hostName);
    const workers = this.hosts.filter((h) => h.swarmRole === SwarmRole.WORKER).map((h) => h.hostName);
    const hasSwarm = managers.length + workers.length > 0;
    return {
      environment: this.environment,
      hosts: this.hosts.map((h) => h.toModel()),
      networks: this.networks.map((n) => n.toModel()),
      containers: this.containers.map((c) => c.toModel()),
      services: this.services.map((s) => s.toModel()),
      pools: this.plan.poolModels(),
      lanSegments: this.plan.lanSegmentModels(),
      swarm: hasSwarm
        ? {
            managers,
            workers,
            defaultAddrPools: this.swarmPools().flatMap((b) => unlessPlanFailed(() => b.cidr) ?? []),
            defaultAddrPoolMaskLength: this.swarm?.defaultAddrPoolMaskLength ?? 24,
          }
        : undefined,
    };
  }

  /**
   * Every problem of the topology and its plan, errors and warnings. A block the plan could not
   * serve (a pool exhausted) is left out of the model, so the rest is still validated, and the plan
   * reports it once.
   */
  public problems(): Problem[] {
    return [...this.plan.problems(), ...validateTopology(this.toModel())];
  }

  /** The topology report (Markdown with a Mermaid diagram) written next to cdk.tf.json. */
  public report(warnings: string[] = []): string {
    const daemonSettings: Record<string, Record<string, unknown>> = {};
    for (const h of this.hosts) if (h.daemon) daemonSettings[h.hostName] = toDaemonJsonObject(h.daemon.config());
    return renderReport(this.toModel(), { title: `Topology \`${this.node.id}\``, daemonSettings, warnings });
  }

}
