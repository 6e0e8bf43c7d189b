import { Construct, TerraformBackend, TerraformStack } from '../cdk';
import { DocknetApp } from './docknet-app';
import { DocknetStack, SwarmProps } from './docknet-stack';
import { DockerHost, DockerHostProps } from '../host/docker-host';
import { LanSegmentProps, PoolProps, EnvironmentPlan, PlanStore } from './environment-plan';
import { HostsStack } from './hosts-stack';
import { DocknetError } from '../core/errors';

export interface DocknetEnvironmentProps {
  /** Remote state for each of the environment's stacks, given the stack and its name. @default local state */
  readonly backend?: (stack: TerraformStack, stackName: string) => TerraformBackend;
  /** Swarm address pools. @default none */
  readonly swarm?: SwarmProps;
  /**
   * Hosts restarted together by a daemon.json change. Waves follow the hosts' declaration order,
   * never hold two swarm managers, and each waits for the previous one to pass its health gate.
   * @default 1 (one host at a time)
   */
  readonly rolloutWaveSize?: number;
}

/**
 * A state backend's connection string with a password would be written into cdk.tf.json (and every
 * copy of it): refused, with the fix.
 */
function refuseInlinePassword(backend: TerraformBackend, stack: string): TerraformBackend {
  const conn = (backend.toTerraform() as any)?.terraform?.backend?.pg?.conn_str;
  if (typeof conn === 'string' && (/^[a-z]+:\/\/[^/@:]+:[^/@]+@/i.test(conn) || /(^|[\s?&])password=/i.test(conn))) {
    throw new DocknetError(stack, `the pg backend's connStr holds a password, which would be written in plain text into cdk.tf.json. Remove it from the string and give it to terraform through the environment (PGPASSWORD, or a ~/.pgpass file) instead.`);
  }
  return backend;
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
      rolloutWaveSize: props.rolloutWaveSize,
      backend: props.backend ? (s) => refuseInlinePassword(props.backend!(s, `${name}-network`), `${name}-network`) : undefined,
    });
    this.hosts = new HostsStack(app, `${name}-hosts`, { network: this.network });
    if (props.backend) refuseInlinePassword(props.backend(this.hosts, `${name}-hosts`), `${name}-hosts`);
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
