import { Construct } from 'constructs';
import { Annotations, TerraformBackend, TerraformStack } from 'cdktf';
import { DocknetError } from '../errors';
import { TopologyModel } from '../model';
import { DockerHost, DockerHostProps, SwarmRole } from '../host/docker-host';
import { Network } from '../network/network';
import { Container } from '../container/container';
import { SwarmService } from '../service/service';
import { ExplicitSubnet, PooledSubnet, Subnet } from '../network/subnet';
import { formatProblem, Problem, Severity } from '../validation/problem';
import { validateTopology } from '../validation/engine';
import { renderReport } from '../report/report';
import { toDaemonJsonObject } from '../daemon/daemon-config';
import { ModelArtifactSource, writeModelAtSynth } from './model-artifact';
import { EnvironmentPlan, LanSegmentProps, PlanError, PlannedBlock, PlanStore, PoolProps } from './environment-plan';

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
  /** The address plan shared by every stack of the environment. @default the environment's view of the app's plan record (PlanStore.of) */
  readonly plan?: EnvironmentPlan;
  /** Swarm settings, when some host has a swarm role. @default no swarm address pools */
  readonly swarm?: SwarmProps;
  /** Remote state. @default local state */
  readonly backend?: (stack: TerraformStack) => TerraformBackend;
  /** Hosts whose daemon restarts at a time during a daemon.json rollout, in host declaration order. @default 1 */
  readonly rolloutWaveSize?: number;
  /** @internal The shard this stack renders, and every shard of its environment (DocknetEnvironment sets it). @default unsharded */
  readonly shard?: { readonly name: string; readonly group: ShardGroup };
}

/**
 * The network stacks of one sharded environment. Each shard renders its own hosts into its own state;
 * the model, the slots, the validation and the address plan stay the environment's.
 */
export class ShardGroup {
  public readonly stacks: DocknetStack[] = [];
  /** The hosts stack of each network stack (the model lists both of every shard). */
  public readonly companions = new Map<DocknetStack, TerraformStack>();
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
  public readonly rolloutWaveSize: number;
  /** The shard this stack renders; undefined for an unsharded environment. */
  public readonly shard?: string;
  private readonly group?: ShardGroup;
  private readonly hosts: DockerHost[] = [];
  private modelCompanion?: TerraformStack;
  private swarmBlocks?: PlannedBlock[];

  constructor(scope: Construct, id: string, props: DocknetStackProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(props.environment)) {
      throw new DocknetError(this, `environment "${props.environment}" is not a valid environment name. Expected lower-case letters, digits and "-", starting with a letter (e.g. "dev", "prod").`);
    }
    this.environment = props.environment;
    this.plan = props.plan ?? new EnvironmentPlan(props.environment, PlanStore.of(this));
    this.swarm = props.swarm;
    this.rolloutWaveSize = props.rolloutWaveSize ?? 1;
    this.shard = props.shard?.name;
    this.group = props.shard?.group;
    this.group?.stacks.push(this);
    if (!Number.isInteger(this.rolloutWaveSize) || this.rolloutWaveSize < 1) {
      throw new DocknetError(this, `rolloutWaveSize ${props.rolloutWaveSize} is not a wave size. Expected a whole number of hosts, 1 or more.`);
    }
    props.backend?.(this);
    writeModelAtSynth(this, () => this.modelSource());
    this.addOverride('terraform.required_providers.docker.version', DOCKER_PROVIDER_VERSION);
    this.node.addValidation({ validate: () => [...this.plan.store.locationProblems(this.node.path), ...this.reportProblems()] });
    // Under any App (not only DocknetApp) the record is written when the stack is synthesized.
    // (After the stack's own synthesis, which ran its validations: a stack with errors writes nothing.)
    const synthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session) => {
        synthesizer.synthesize(session);
        this.plan.store.save();
      },
    };
  }

  public addHost(id: string, props: DockerHostProps): DockerHost {
    const host = new DockerHost(this, id, props);
    if (this.environmentHosts.some((h) => h.hostName === host.hostName)) {
      throw new DocknetError(host, `host name "${host.hostName}" is already used in environment ${this.environment}. Host names are provider aliases: give each host its own.`);
    }
    const slotted = this.environmentHosts.find((h) => host.declaredSlot !== undefined && h.declaredSlot === host.declaredSlot);
    if (slotted) {
      throw new DocknetError(host, `slot "${host.declaredSlot}" is already host ${slotted.hostName}'s in environment ${this.environment}. Give each host its own slot.`);
    }
    this.hosts.push(host);
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

  /** This stack's hosts (in a sharded environment: its shard's). */
  public get allHosts(): readonly DockerHost[] {
    return this.hosts;
  }

  /** Every network stack of the environment: this one, or every shard's. */
  public get environmentStacks(): readonly DocknetStack[] {
    return this.group?.stacks ?? [this];
  }

  /** Every host of the environment, across its shards, in declaration order within each shard. */
  public get environmentHosts(): readonly DockerHost[] {
    return this.environmentStacks.flatMap((s) => s.hosts);
  }

  /** Every network of the environment, across its shards. */
  public get environmentNetworks(): Network[] {
    return this.environmentStacks.flatMap((s) => s.networks);
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

  /**
   * A host's slot: the one it declares, or its swarm role and index among the hosts of that role
   * ("manager" when it is the only one, "worker 1", "host 2"), which stays put when hosts of another
   * role are added.
   */
  public slotOf(host: DockerHost): string {
    if (host.declaredSlot !== undefined) return host.declaredSlot;
    const all = this.environmentHosts;
    const same = all.filter((h) => h.swarmRole === host.swarmRole && h.declaredSlot === undefined);
    const word = host.swarmRole === SwarmRole.NONE ? 'host' : host.swarmRole;
    if (host.swarmRole === SwarmRole.MANAGER && same.length === 1) return word;
    const slot = `${word} ${same.indexOf(host) + 1}`;
    // A declared slot may already have taken the default name; fall back to the host's own name.
    return all.some((h) => h.declaredSlot === slot) ? `${slot} (${host.hostName})` : slot;
  }

  /** @internal Writes this stack's model into `stack`'s synth folder as well (the environment's hosts stack). */
  public shareModelWith(stack: TerraformStack): void {
    this.modelCompanion = stack;
    this.group?.companions.set(this, stack);
    writeModelAtSynth(stack, () => this.modelSource());
  }

  private modelSource(): ModelArtifactSource {
    return {
      environment: this.environment,
      networkStack: this,
      hostsStack: this.modelCompanion,
      shard: this.shard,
      shards: this.group?.stacks.map((s) => ({ name: s.shard!, network: s, hosts: this.group!.companions.get(s) })),
      hosts: this.environmentHosts,
      waveSize: this.rolloutWaveSize,
      model: () => this.toModel(),
    };
  }

  /** The topology as plain data, with every address resolved. */
  public toModel(): TopologyModel {
    // A sharded environment is one topology: every shard's stack gives the whole environment's model.
    const stacks = this.environmentStacks;
    const hosts = this.environmentHosts;
    const managers = hosts.filter((h) => h.swarmRole === SwarmRole.MANAGER).map((h) => h.hostName);
    const workers = hosts.filter((h) => h.swarmRole === SwarmRole.WORKER).map((h) => h.hostName);
    const hasSwarm = managers.length + workers.length > 0;
    return {
      environment: this.environment,
      hosts: stacks.flatMap((s) => s.hosts.map((h) => ({ ...h.toModel(), slot: this.slotOf(h), ...(s.shard !== undefined ? { shard: s.shard } : {}) }))),
      networks: stacks.flatMap((s) => s.networks.map((n) => n.toModel())),
      containers: stacks.flatMap((s) => s.containers.map((c) => c.toModel())),
      services: stacks.flatMap((s) => s.services.map((v) => v.toModel())),
      pools: this.plan.poolModels(),
      lanSegments: this.plan.lanSegmentModels(),
      swarm: hasSwarm
        ? {
            managers,
            workers,
            defaultAddrPools: this.swarmPools().map((b) => b.cidr),
            defaultAddrPoolMaskLength: this.swarm?.defaultAddrPoolMaskLength ?? 24,
          }
        : undefined,
    };
  }

  /** Every problem of the topology and its plan, errors and warnings. */
  public problems(): Problem[] {
    // One environment, one validation: the first shard reports for all of them (once, not per shard).
    if (this.group && this.group.stacks[0] !== this) return [];
    let model: TopologyModel;
    try {
      model = this.toModel();
    } catch (e) {
      // The plan could not resolve (a pool exhausted, a record out of date): report it with the rest.
      // The plan's own problems (in plan.problems()) say why; the error adds the request that failed.
      if (e instanceof PlanError) return [...this.plan.problems(), { code: 'DN270', severity: Severity.ERROR, constructs: [this.node.path], message: e.message }];
      throw e;
    }
    return [...this.plan.problems(), ...validateTopology(model)];
  }

  /** The topology report (Markdown with a Mermaid diagram) written next to cdk.tf.json. */
  public report(warnings: string[] = []): string {
    const daemonSettings: Record<string, Record<string, unknown>> = {};
    for (const h of this.environmentHosts) if (h.daemon) daemonSettings[h.hostName] = toDaemonJsonObject(h.daemon.config());
    const title = this.group ? `Topology \`${this.environment}\` (shards ${this.group.stacks.map((x) => `\`${x.shard}\``).join(', ')})` : `Topology \`${this.node.id}\``;
    return renderReport(this.toModel(), { title, daemonSettings, warnings });
  }

  private reportProblems(): string[] {
    const problems = this.problems();
    for (const w of problems.filter((p) => p.severity === Severity.WARNING)) Annotations.of(this).addWarning(formatProblem(w));
    return problems.filter((p) => p.severity === Severity.ERROR).map(formatProblem);
  }
}
