import { Construct, TerraformBackend, TerraformStack } from '../cdk';
import { DocknetError } from '../core/errors';
import { TopologyModel } from '../core/model';
import { DEFAULT_ROLLOUT_WAVE_SIZE, rolloutWaves } from '../bootstrap/waves';
import { moveFromOldName } from '../bootstrap/moved';
import { DockerHost, DockerHostProps, SwarmRole } from '../host/docker-host';
import type { IStack } from '../interfaces';
import { Network } from '../network/network';
import { Container } from '../container/container';
import { SwarmService } from '../service/service';
import { ExplicitSubnet, PooledSubnet, Subnet } from '../network/subnet';
import { Problem } from '../core/validation/problem';
import { registerProblems } from '../validation/validated';
import { validateTopology } from '../core/validation/engine';
import { renderReport } from '../report/report';
import { toDaemonJsonObject } from '../core/daemon/daemon-config';
import { ModelArtifactSource, writeModelAtSynth } from './model-artifact';
import { EnvironmentPlan, LanSegmentProps, PlannedBlock, PlanStore, PoolProps, unlessPlanFailed } from './environment-plan';
import * as path from 'path';
import { Cidr } from '../core/address/cidr';
import { DOCKER_DEFAULT_BIP_NETWORK } from '../core/facts/docker';
import type { Occupancy, OccupiedRange } from '../core/address/pool';
import { splitParent } from '../core/validation/context';

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
  /** The environment's own checks across shards, run with the first shard's validation (once per synth). */
  public check?: () => Problem[];
}

/**
 * The network stack of one environment: its hosts, their networks and containers. Validates the
 * whole topology at synth (all problems at once) and pins the provider version.
 */
export class DocknetStack extends TerraformStack implements IStack {
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
  /** Networks with a subnet (written out or pooled): what the occupancy reads, without walking the tree. */
  private readonly addressed = new Set<Network>();
  private synthCache?: { model?: TopologyModel; problems?: Problem[] };

  constructor(scope: Construct, id: string, props: DocknetStackProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(props.environment)) {
      throw new DocknetError(this, `environment "${props.environment}" is not a valid environment name. Expected lower-case letters, digits and "-", starting with a letter (e.g. "dev", "prod").`);
    }
    this.environment = props.environment;
    this.plan = props.plan ?? new EnvironmentPlan(props.environment, PlanStore.of(this));
    this.swarm = props.swarm;
    this.rolloutWaveSize = props.rolloutWaveSize ?? DEFAULT_ROLLOUT_WAVE_SIZE;
    this.shard = props.shard?.name;
    this.group = props.shard?.group;
    this.group?.stacks.push(this);
    if (!Number.isInteger(this.rolloutWaveSize) || this.rolloutWaveSize < 1) {
      throw new DocknetError(this, `rolloutWaveSize ${JSON.stringify(props.rolloutWaveSize)} is not a wave size. Expected a whole number of hosts >= 1 (1, the default, restarts one host at a time).`);
    }
    props.backend?.(this);
    writeModelAtSynth(this, () => this.modelSource());
    this.addOverride('terraform.required_providers.docker.version', DOCKER_PROVIDER_VERSION);
    registerProblems(this, () => [...this.plan.store.locationProblems(this.node.path), ...this.problems()]);
    // Pooled subnets stay clear of the static ones (in a sharded environment every shard's stack
    // sets the same environment-wide lookup).
    this.plan.setOccupancy(() => this.occupancy());
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

  /**
   * A host renamed with renamedFrom keeps its docker resources: every one gets a `moved` block from
   * the address it had under the old name (the construct id is the name), so Terraform updates them
   * in place under the new provider alias. Without the moves the old addresses would be orphans of a
   * provider alias that no longer exists, which Terraform refuses to plan ("Provider configuration
   * not present"), and re-creating them would stop every container of the host.
   * Runs before cdktf's own preparation, once the host's resources all exist.
   */
  public prepareStack(): void {
    if (!this.renamesMoved) {
      this.renamesMoved = true;
      for (const h of this.hosts) if (h.renamedFrom !== undefined && h.node.id === h.hostName) moveFromOldName(h, h.renamedFrom);
    }
    super.prepareStack();
  }

  private renamesMoved = false;

  public addHost(id: string, props: DockerHostProps): DockerHost {
    // constructs would throw its own "There is already a Construct with name" with a stack trace.
    if (this.node.tryFindChild(id)) {
      throw new DocknetError(`${this.node.path}/${id}`, `a second host was added with the construct id "${id}" in environment ${this.environment}. Give each host its own id (and name).`, 'DN404');
    }
    const host = new DockerHost(this, id, props);
    const slotted = this.environmentHosts.find((h) => host.declaredSlot !== undefined && h.declaredSlot === host.declaredSlot);
    if (slotted) {
      throw new DocknetError(host, `slot "${host.declaredSlot}" is already host ${slotted.hostName}'s in environment ${this.environment}. Give each host its own slot.`);
    }
    const from = props.renamedFrom;
    if (from !== undefined) {
      if (typeof from !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/.test(from)) {
        throw new DocknetError(host, `renamedFrom ${JSON.stringify(from)} is not a host name. Expected the host's former name (a letter followed by letters, digits, "_" or "-").`);
      }
      if (from === host.hostName) throw new DocknetError(host, `renamedFrom "${from}" is the host's own name. Remove renamedFrom, or give the name the host had before.`);
    }
    const clash = this.hosts.find((h) => (from !== undefined && h.hostName === from) || h.renamedFrom === host.hostName);
    if (clash) {
      const [renamed, old] = clash.hostName === from ? [host, clash] : [clash, host];
      throw new DocknetError(host, `host "${renamed.hostName}" is renamedFrom "${old.hostName}", but a host "${old.hostName}" is declared too. Remove renamedFrom, or remove the old host.`);
    }
    this.hosts.push(host); // two hosts with one name: DN404, reported at synth with everything else
    this.plan.occupancyChanged();
    if (from !== undefined) this.plan.renameHost(from, host.hostName);
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
    this.addressed.add(network);
    if (subnet instanceof ExplicitSubnet) {
      this.plan.occupancyChanged();
      return { cidr: subnet.cidr };
    }
    // The network's path is its scope: the occupancy finds its host and driver there when the plan resolves.
    return this.plannedKey(subnet, `${network.host.hostName}/${network.networkName}${family === 'ipv6' ? '#v6' : ''}`, network.node.path);
  }

  /** @internal A pooled subnet under its own key (or the default key given); `scope` see EnvironmentPlan.request. */
  public plannedKey(subnet: Subnet, defaultKey: string, scope?: string): PlannedBlock {
    if (subnet instanceof ExplicitSubnet) return { cidr: subnet.cidr };
    if (subnet instanceof PooledSubnet) return this.plan.request(subnet.pool, `${this.environment}/${subnet.key ?? defaultKey}`, subnet.prefixLength, scope);
    throw new DocknetError(this, 'a subnet must be Subnet.cidr(...) or Subnet.fromPool(...).');
  }

  /**
   * What a pooled network's new block must stay clear of, by the scopes of the overlap rules
   * (DN201-DN204): a local network meets the subnets written out by the other networks of its host
   * (and the overlays', when the host is a swarm member), the host's interface and LAN subnets (not
   * its own LAN, for macvlan/ipvlan) and docker0 (bip and fixed-cidr written out, else Docker's
   * default); an overlay meets the other overlays and every swarm member's, docker0 as declared. Built once per resolve of the plan; a scope is the requesting network's path.
   */
  private occupancy(): Occupancy | undefined {
    type Used = OccupiedRange & { readonly net?: Network; readonly iface?: string; readonly lan?: string };
    const networks = this.environmentStacks.flatMap((s) => [...s.addressed]);
    const hosts = this.environmentHosts;
    const byPath = new Map(networks.map((n) => [n.node.path, n]));
    const members = hosts.filter((h) => h.swarmRole !== SwarmRole.NONE).map((h) => h.hostName);
    const local = new Map<string, Used[]>();
    const overlays: Used[] = [];
    for (const n of networks) {
      for (const c of n.staticSubnets()) {
        if (n.driver === 'overlay') {
          overlays.push({ cidr: c, label: `overlay "${n.networkName}" (${c})`, net: n });
          continue;
        }
        const h = n.host.hostName;
        const u: Used = { cidr: c, label: `network "${n.networkName}" (${c}) on host ${h}`, net: n };
        const list = local.get(h);
        if (list) list.push(u);
        else local.set(h, [u]);
      }
    }
    const own = new Map<string, Used[]>();
    const dockerDefault = new Map<string, Used[]>();
    for (const h of hosts) {
      const list: Used[] = [];
      for (const name of Object.keys(h.interfaces).sort()) {
        const itf = h.interfaces[name];
        if (itf.address !== undefined) {
          let c: Cidr | undefined;
          try {
            c = Cidr.containing(itf.address);
          } catch {
            // refused when the host was added
          }
          if (c) list.push({ cidr: c.toString(), label: `the subnet ${c} of interface ${name} of host ${h.hostName}`, iface: name, lan: itf.lan });
        }
        const seg = itf.lan === undefined ? undefined : this.plan.lanSegment(itf.lan);
        if (seg) list.push({ cidr: seg.subnet, label: `LAN segment "${itf.lan}" (${seg.subnet})`, iface: name, lan: itf.lan });
      }
      // docker0 (DN204): bip and fixed-cidr when written out, or Docker's default when the host
      // declares no bip. Overlays meet the declared ones only, as DN204 has it.
      const daemon = h.daemon?.staticRanges() ?? { ranges: [], declaresBip: false };
      for (const r of daemon.ranges) list.push({ cidr: r.cidr, label: `daemon ${r.label} (${r.cidr}) of host ${h.hostName}` });
      own.set(h.hostName, list);
      if (!daemon.declaresBip) {
        dockerDefault.set(h.hostName, [{ cidr: DOCKER_DEFAULT_BIP_NETWORK, label: `Docker's default docker0 (${DOCKER_DEFAULT_BIP_NETWORK}) of host ${h.hostName}, which declares no bip` }]);
      }
    }
    if (local.size === 0 && overlays.length === 0 && dockerDefault.size === 0 && [...own.values()].every((l) => l.length === 0)) return undefined;
    // One list for every overlay and one per host for its bridges, unless the network writes out a
    // subnet itself (then its own is left out): the plan reads a shared list once.
    let swarmWide: Used[] | undefined;
    const hostWide = new Map<string, Used[]>();
    const isMember = new Set(members);
    return (scope) => {
      const n = byPath.get(scope);
      if (!n) return [];
      const shared = n.staticSubnets().length === 0;
      if (n.driver === 'overlay') {
        if (shared && swarmWide) return swarmWide;
        const out: Used[] = overlays.filter((u) => u.net !== n);
        for (const m of members) out.push(...(local.get(m) ?? []), ...(own.get(m) ?? []));
        if (shared) swarmWide = out;
        return out;
      }
      const h = n.host.hostName;
      const onLan = n.driver === 'macvlan' || n.driver === 'ipvlan';
      if (shared && !onLan && hostWide.has(h)) return hostWide.get(h)!;
      const out: Used[] = (local.get(h) ?? []).filter((u) => u.net !== n);
      if (isMember.has(h)) out.push(...overlays);
      out.push(...(dockerDefault.get(h) ?? []));
      if (shared && !onLan) {
        out.push(...(own.get(h) ?? []));
        hostWide.set(h, out);
        return out;
      }
      const { parent, lan } = n.layer2();
      const base = parent === undefined ? undefined : splitParent(parent);
      for (const u of own.get(h) ?? []) {
        // A macvlan/ipvlan network is meant to sit on its parent's LAN (as DN203 exempts it).
        if (onLan && u.iface !== undefined && ((base !== undefined && base.vlan === undefined && u.iface === base.base) || (lan !== undefined && u.lan === lan) || parent === u.iface)) continue;
        out.push(u);
      }
      return out;
    };
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

  /**
   * @internal While a synth runs the tree no longer changes, so the model and its problems are built
   * once for the validation, the model files and the report (DocknetApp.synth holds this).
   */
  public holdModel<T>(fn: () => T): T {
    this.synthCache = {};
    try {
      return fn();
    } finally {
      this.synthCache = undefined;
    }
  }

  /** The topology as plain data, with every address resolved. */
  public toModel(): TopologyModel {
    if (this.synthCache) return (this.synthCache.model ??= this.buildModel());
    return this.buildModel();
  }

  private buildModel(): TopologyModel {
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
            defaultAddrPools: this.swarmPools().flatMap((b) => unlessPlanFailed(() => b.cidr) ?? []),
            defaultAddrPoolMaskLength: this.swarm?.defaultAddrPoolMaskLength ?? 24,
          }
        : undefined,
      ...(this.hosts.some((h) => h.daemon) ? { rollout: { waveSize: this.rolloutWaveSize, waves: this.rolloutWaves() } } : {}),
    };
  }

  /** The order a daemon change restarts hosts in: waves of host names (hosts that manage daemon.json). */
  public rolloutWaves(): string[][] {
    return rolloutWaves(
      this.hosts.filter((h) => h.daemon).map((h) => ({ name: h.hostName, manager: h.swarmRole === SwarmRole.MANAGER })),
      this.rolloutWaveSize,
    );
  }

  /**
   * Every problem of the topology and its plan, errors and warnings. A block the plan could not
   * serve (a pool exhausted) is left out of the model, so the rest is still validated, and the plan
   * reports it once.
   */
  public problems(): Problem[] {
    if (this.synthCache) return (this.synthCache.problems ??= this.findProblems());
    return this.findProblems();
  }

  private findProblems(): Problem[] {
    // One environment, one validation: the first shard reports for all of them (once, not per shard).
    if (this.group && this.group.stacks[0] !== this) return [];
    return [...this.plan.problems(), ...(this.group?.check?.() ?? []), ...this.explainRecorded(validateTopology(this.toModel()))];
  }

  /**
   * A block recorded in the plan record is kept even when a subnet written out later overlaps it:
   * moving it would re-address a deployed network. The overlap rules (DN201-DN204) then report it;
   * their message says that the block is recorded, and the two ways out.
   */
  private explainRecorded(problems: Problem[]): Problem[] {
    const codes = new Set(['DN201', 'DN202', 'DN203', 'DN204']);
    if (!problems.some((p) => codes.has(p.code))) return problems;
    const byPath = new Map(this.environmentNetworks.map((n) => [n.node.path, n]));
    const file = path.basename(this.plan.store.file ?? PlanStore.DEFAULT_FILE);
    return problems.map((p) => {
      if (!codes.has(p.code)) return p;
      const notes: string[] = [];
      for (const c of p.constructs) {
        const n = byPath.get(c);
        if (!n) continue;
        for (const { pool, key, block } of n.pooledSubnets()) {
          const cidr = unlessPlanFailed(() => block.cidr);
          if (cidr === undefined || this.plan.recordedBlock(pool, key) !== cidr || !p.message.includes(`(${cidr})`)) continue;
          const other = p.constructs.map((x) => byPath.get(x)).find((x) => x !== undefined && x !== n);
          const first = other ? `give "${other.networkName}" another subnet, or, ` : '';
          notes.push(
            ` ${cidr} of "${n.networkName}" is recorded in ${file} (pool "${pool}", key "${key}"), and a recorded block is never moved on its own: that would re-address a deployed network. ` +
              `Fix: ${first}to re-address "${n.networkName}" (apply replaces it), delete the line "${key}" from ${file} and synth again; the pool then picks a free block.`,
          );
        }
      }
      return notes.length ? { ...p, message: p.message + notes.join('') } : p;
    });
  }

  /** The topology report (Markdown with a Mermaid diagram) written next to cdk.tf.json. */
  public report(warnings: string[] = []): string {
    const daemonSettings: Record<string, Record<string, unknown>> = {};
    for (const h of this.environmentHosts) if (h.daemon) daemonSettings[h.hostName] = toDaemonJsonObject(h.daemon.config());
    const title = this.group ? `Topology \`${this.environment}\` (shards ${this.group.stacks.map((x) => `\`${x.shard}\``).join(', ')})` : `Topology \`${this.node.id}\``;
    return renderReport(this.toModel(), { title, daemonSettings, warnings });
  }

}
