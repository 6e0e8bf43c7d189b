import { TerraformBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DocknetApp } from './docknet-app';
import { DocknetStack, SwarmProps } from './docknet-stack';
import { DockerHost, DockerHostProps } from '../host/docker-host';
import { LanSegmentProps, PoolProps, EnvironmentPlan, PlanStore } from './environment-plan';
import { HostsStack } from './hosts-stack';

export interface DocknetEnvironmentProps {
  /** Remote state for each of the environment's stacks, given the stack and its name. @default local state */
  readonly backend?: (stack: TerraformStack, stackName: string) => TerraformBackend;
  /** Swarm address pools. @default none */
  readonly swarm?: SwarmProps;
}

/**
 * One environment (dev, staging, prod): the `<env>-network` stack with hosts, networks and
 * containers, and the `<env>-hosts` stack that delivers daemon.json and the swarm with Terraform
 * built-ins. Deploy hosts first, then network. Works under any cdktf App; a DocknetApp adds the
 * all-stacks problem report and the topology reports.
 */
export class DocknetEnvironment {
  public readonly name: string;
  public readonly network: DocknetStack;
  public readonly hosts: HostsStack;

  constructor(app: Construct, name: string, props: DocknetEnvironmentProps = {}) {
    this.name = name;
    const plan = new EnvironmentPlan(name, PlanStore.of(app));
    this.network = new DocknetStack(app, `${name}-network`, {
      environment: name,
      plan,
      swarm: props.swarm,
      backend: props.backend ? (s) => props.backend!(s, `${name}-network`) : undefined,
    });
    this.hosts = new HostsStack(app, `${name}-hosts`, { network: this.network });
    if (props.backend) props.backend(this.hosts, `${name}-hosts`);
    this.network.addDependency(this.hosts);
    this.network.shareModelWith(this.hosts);
    if (app instanceof DocknetApp) app.registerEnvironment(this);
  }

  public addPool(name: string, props: PoolProps): void {
    this.network.addPool(name, props);
  }

  public addLanSegment(name: string, props: LanSegmentProps): void {
    this.network.addLanSegment(name, props);
  }

  public addHost(id: string, props: DockerHostProps): DockerHost {
    return this.network.addHost(id, props);
  }
}
