import { readPgConnStr } from './pg-conn';
import { Construct, TerraformBackend, TerraformStack } from '../cdk';
import { DocknetApp } from './docknet-app';
import { DocknetStack, ShardGroup, SwarmProps } from './docknet-stack';
import { DockerHost, DockerHostProps, SwarmRole } from '../host/docker-host';
import { LanSegmentProps, PoolProps, EnvironmentPlan, PlanStore } from './environment-plan';
import { HostsStack } from './hosts-stack';
import { DocknetError, propsObject } from '../core/errors';
import { Problem, error } from '../core/validation/problem';

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
  /**
   * Split the environment into shards (host groups: a rack, a site), each rendered into its own pair
   * of stacks, `<env>-<shard>-hosts` and `<env>-<shard>-network`, so each has its own state and lock.
   * Hosts are then added with `addHost(id, { shard, ... })` or `shard(name).addHost(...)`.
   * See docs/sharding.md.
   * @default one pair of stacks, `<env>-hosts` and `<env>-network`
   */
  readonly shards?: string[];
}

/**
 * A state backend's connection string with a password would be written into cdk.tf.json (and every
 * copy of it): refused, with the fix.
 */
function refuseInlinePassword(backend: TerraformBackend, stack: string): TerraformBackend {
  const conn = (backend.toTerraform() as any)?.terraform?.backend?.pg?.conn_str;
  const info = typeof conn === 'string' ? readPgConnStr(conn) : undefined;
  if (info && !info.ok) {
    // Not repeated: it may hold a password.
    throw new DocknetError(stack, `the pg backend's connStr is not a libpq connection string (${info.error}). Expected a URI such as "postgres://db.example:5432/terraform?sslmode=require" or keyword/value pairs such as "host=db.example dbname=terraform", without a password.`);
  }
  if (info?.hasPassword) {
    throw new DocknetError(stack, `the pg backend's connStr holds a password, which would be written in plain text into cdk.tf.json. Remove it from the string and give it to terraform through the environment (PGPASSWORD, or a ~/.pgpass file) instead.`);
  }
  return backend;
}

export interface EnvironmentHostProps extends DockerHostProps {
  /** The shard that renders the host; required in a sharded environment, refused otherwise. @default unsharded */
  readonly shard?: string;
}

/** One shard of a sharded environment: its two stacks. */
export class EnvironmentShard {
  constructor(
    public readonly name: string,
    /** `<env>-<shard>-network`: the shard's hosts, their networks and containers. */
    public readonly network: DocknetStack,
    /** `<env>-<shard>-hosts`: the shard's daemon.json rollouts, shims and swarm joins. */
    public readonly hosts: HostsStack,
  ) {}

  public addHost(id: string, props: DockerHostProps): DockerHost {
    return this.network.addHost(id, props);
  }
}

const SHARD_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * One environment (dev, staging, prod): the `<env>-network` stack with hosts, networks and
 * containers, and the `<env>-hosts` stack that delivers daemon.json and the swarm with Terraform
 * built-ins. Deploy hosts first, then network. Works under any cdktf App; a DocknetApp adds the
 * all-stacks problem report and the topology reports.
 *
 * A sharded environment (`shards`) has such a pair per shard; it is still one environment: one
 * address plan, one model, one validation, one promotion.
 */
export class DocknetEnvironment {
  public readonly name: string;
  /** The network stack; in a sharded environment, the first shard's (see `shards`). */
  public readonly network: DocknetStack;
  /** The hosts stack; in a sharded environment, the first shard's (see `shards`). */
  public readonly hosts: HostsStack;
  /** The shards, in the order given; empty for an unsharded environment. */
  public readonly shards: EnvironmentShard[] = [];
  private readonly plan: EnvironmentPlan;

  constructor(app: Construct, name: string, props: DocknetEnvironmentProps = {}) {
    props = propsObject(`environment ${JSON.stringify(name)}`, 'props', props, '{ swarm: { defaultAddrPools: [...] } }', true);
    this.name = name;
    this.plan = new EnvironmentPlan(name, PlanStore.of(app));
    const pair = (prefix: string, shard?: { name: string; group: ShardGroup }) => {
      const network = new DocknetStack(app, `${prefix}-network`, {
        environment: name,
        plan: this.plan,
        swarm: props.swarm,
        shard,
        rolloutWaveSize: props.rolloutWaveSize,
        backend: props.backend ? (s) => refuseInlinePassword(props.backend!(s, `${prefix}-network`), `${prefix}-network`) : undefined,
      });
      const hosts = new HostsStack(app, `${prefix}-hosts`, { network });
      if (props.backend) refuseInlinePassword(props.backend(hosts, `${prefix}-hosts`), `${prefix}-hosts`);
      network.addDependency(hosts);
      network.shareModelWith(hosts);
      if (app instanceof DocknetApp) app.registerEnvironment({ hosts });
      return { network, hosts };
    };
    if (props.shards === undefined) {
      ({ network: this.network, hosts: this.hosts } = pair(name));
      return;
    }
    const bad = props.shards.filter((s) => !SHARD_NAME.test(s));
    const twice = props.shards.filter((s, i) => props.shards!.indexOf(s) !== i);
    if (props.shards.length === 0 || bad.length || twice.length) {
      throw new DocknetError(
        app,
        `environment "${name}": shards ${JSON.stringify(props.shards)} ` +
          (props.shards.length === 0 ? 'is empty' : bad.length ? `has invalid names ${JSON.stringify(bad)}` : `names ${JSON.stringify([...new Set(twice)])} twice`) +
          '. Expected one or more distinct names of lower-case letters, digits and "-", starting with a letter (e.g. ["rack-a", "rack-b"]), or no shards option.',
      );
    }
    const group = new ShardGroup();
    for (const s of props.shards) {
      const p = pair(`${name}-${s}`, { name: s, group });
      this.shards.push(new EnvironmentShard(s, p.network, p.hosts));
    }
    this.network = this.shards[0].network;
    this.hosts = this.shards[0].hosts;
    // Wired at validation, when every host is known: the first shard's validation runs the group's
    // check, once per synth under DocknetApp (which only calls registered sources, not cdktf hooks)
    // and before any stack is written under a plain App.
    group.check = () => this.wireShards();
  }

  /** The shard of that name. */
  public shard(name: string): EnvironmentShard {
    const s = this.shards.find((x) => x.name === name);
    if (!s) {
      throw new DocknetError(
        this.network,
        this.shards.length
          ? `environment "${this.name}" has no shard "${name}"; its shards are ${this.shards.map((x) => `"${x.name}"`).join(', ')}. Use one of them, or add it to the shards option.`
          : `environment "${this.name}" is not sharded, so it has no shard "${name}". Give the shards option to split it (docs/sharding.md).`,
      );
    }
    return s;
  }

  /** The shard holding the swarm managers (the overlays and services live in its network stack). */
  public get managerShard(): EnvironmentShard | undefined {
    return this.shards.find((s) => s.network.allHosts.some((h) => h.swarmRole === SwarmRole.MANAGER));
  }

  public addPool(name: string, props: PoolProps): void {
    this.plan.addPool(name, props);
  }

  public addLanSegment(name: string, props: LanSegmentProps): void {
    this.plan.addLanSegment(name, props);
  }

  public addHost(id: string, props: EnvironmentHostProps): DockerHost {
    const { shard, ...hostProps } = propsObject(this.network, `addHost("${id}", props)`, props, '{ connection: HostConnection.ssh({ user: "ops", host: "10.0.0.11", hostKey }) }');
    if (shard === undefined) {
      if (this.shards.length) {
        throw new DocknetError(
          this.network,
          `host "${id}" has no shard, but environment "${this.name}" is sharded (${this.shards.map((x) => `"${x.name}"`).join(', ')}). Give addHost a shard: addHost("${id}", { shard: "${this.shards[0].name}", ... }).`,
        );
      }
      return this.network.addHost(id, hostProps);
    }
    return this.shard(shard).addHost(id, hostProps);
  }

  private wired = false;

  /**
   * Runs at validation (every host is known): all managers must share a shard (DN114), and the other
   * shards deploy after it, since their joins need its swarm and their containers its overlays.
   */
  private wireShards(): Problem[] {
    const managerShards = this.shards.filter((s) => s.network.allHosts.some((h) => h.swarmRole === SwarmRole.MANAGER));
    if (managerShards.length > 1) {
      return [
        error('DN114', managerShards.map((s) => s.network.node.path),
          `environment "${this.name}" has swarm managers in shards ${managerShards.map((s) => `"${s.name}"`).join(' and ')}. ` +
            'Expected every manager in one shard (the manager shard: it runs swarm init and holds the overlays). Move the managers into one shard.'),
      ];
    }
    if (!this.wired && managerShards.length === 1) {
      this.wired = true;
      const m = managerShards[0];
      for (const s of this.shards) {
        if (s === m) continue;
        s.hosts.addDependency(m.hosts);
        s.network.addDependency(m.network);
      }
    }
    return [];
  }
}
