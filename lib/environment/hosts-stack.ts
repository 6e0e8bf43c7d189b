import { Construct, type ITerraformDependable, TerraformStack } from '../cdk';
import { DocknetStack } from './docknet-stack';
import { DockerHost, SwarmRole } from '../host/docker-host';
import { SshConnection } from '../host/connection';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap, SwarmMemberOptions } from '../bootstrap';
import { DocknetError } from '../core/errors';
import { Problem } from '../core/validation/problem';
import { registerProblems } from '../validation/validated';

export interface HostsStackProps {
  /** The network stack whose hosts this stack prepares. */
  readonly network: DocknetStack;
}

/**
 * `<env>-hosts`: daemon.json rollout, macvlan shims and swarm membership for every host of an
 * environment, with Terraform built-ins only (terraform_data + ssh provisioners; the docker
 * provider has no resource for either). Built after the topology is complete (build()), because it
 * reads resolved addresses from the plan.
 */
export class HostsStack extends TerraformStack {
  private readonly network: DocknetStack;
  private built = false;
  private readonly buildProblems: Problem[] = [];

  constructor(scope: Construct, id: string, props: HostsStackProps) {
    super(scope, id);
    this.network = props.network;
    registerProblems(this, () => [...this.buildProblems]);
  }

  /** The bootstrap target of a host: its ssh connection and daemon location. */
  public static targetOf(host: DockerHost): BootstrapTarget {
    const c = host.connection;
    if (!(c instanceof SshConnection)) {
      throw new DocknetError(host, `manages daemon.json, a swarm role or a macvlan shim, which docknet delivers over ssh, but the host is reached over ${c.url}. Use HostConnection.ssh(...) for this host, or manage its daemon outside docknet.`, 'DN521');
    }
    const d = host.daemonLocation;
    return {
      name: host.hostName,
      ssh: {
        host: c.host, user: c.user, port: c.port, privateKeyPath: c.privateKeyPath,
        hostKeys: c.hostKeys, timeout: c.connectTimeout, become: c.become,
      },
      daemonConfigPath: d.configPath,
      restartCommand: d.restartCommand,
      logCommand: d.logCommand,
      dockerCommand: d.dockerCommand,
      validateCommand: d.validateCommand,
      waitSeconds: d.waitSeconds,
      pidFile: d.pidFile,
      dropUndeclaredKeys: host.daemon?.dropUndeclaredKeys,
    };
  }

  /** A shim's options. Its address is checked with every other rule (DN522, DN523, lib/core/validation/rules/drivers.ts). */
  private shimOptions(s: DockerHost['shims'][number]) {
    const own = s.network.ipv4()!;
    const route = own.ipRange ?? own.subnet!;
    return { name: s.name, parent: s.network.parentName, address: `${s.address}/32`, routes: [route] };
  }

  /** Under a plain App nobody calls build() (DocknetApp does it in synth): cdktf prepares every stack before it synthesizes any. */
  public prepareStack(): void {
    this.build();
    super.prepareStack();
  }

  public build(): void {
    if (this.built) return;
    this.built = true;
    const boots = new Map<DockerHost, HostBootstrap>();
    let incomplete = false;
    // Rolling daemon changes: each wave's rollouts wait for every rollout of the previous wave
    // (each of which passed its own health gate), so a failed host stops the rest untouched.
    const waveOf = new Map<string, number>();
    this.network.rolloutWaves().forEach((w, i) => w.forEach((n) => waveOf.set(n, i)));
    const waves: ITerraformDependable[][] = [];
    // The first manager sees every node: members' rollouts wait until it lists them Ready + Active.
    const firstManager = this.network.allHosts.find((h) => h.swarmRole === SwarmRole.MANAGER);
    let managerTarget: BootstrapTarget | undefined;
    try {
      managerTarget = firstManager ? HostsStack.targetOf(firstManager) : undefined;
    } catch {
      managerTarget = undefined; // reported with that host below
    }
    for (const host of this.network.allHosts) {
      const needs = host.daemon || host.swarmRole !== SwarmRole.NONE || host.shims.length > 0;
      if (!needs) continue;
      try {
        boots.set(
          host,
          new HostBootstrap(this, host.hostName, {
            target: HostsStack.targetOf(host),
            daemon: host.daemon
              ? { ...host.daemon.config(), swarmMember: host.swarmRole !== SwarmRole.NONE, unitPassesHosts: host.daemonLocation.unitPassesHosts ?? true }
              : undefined,
            shims: host.shims.map((s) => this.shimOptions(s)),
            rolloutAfter: host.daemon ? waves[(waveOf.get(host.hostName) ?? 0) - 1] : undefined,
            swarmManager: host.swarmRole !== SwarmRole.NONE && host !== firstManager ? managerTarget : undefined,
            renamedFrom: host.renamedFrom,
          }),
        );
        const w = waveOf.get(host.hostName);
        if (w !== undefined) (waves[w] ??= []).push(...boots.get(host)!.dependables);
      } catch (e) {
        // Reported with every other problem of the synth instead of stopping at the first one. A plan
        // failure is the plan's own problem (the network stack reports the same one; the synth's
        // list shows it once), never an unrelated error about a missing target further down.
        if (!(e instanceof DocknetError)) throw e;
        this.buildProblems.push(...e.problems);
        incomplete = true;
      }
    }
    if (incomplete) return;
    const members = (role: SwarmRole) =>
      this.network.allHosts.filter((h) => h.swarmRole === role).map((h) => ({ host: boots.get(h)!, advertiseAddr: h.advertiseAddress, renamedFrom: h.renamedFrom }));
    const managers = members(SwarmRole.MANAGER);
    const workers = members(SwarmRole.WORKER);
    // A shard without the managers joins its workers through the first manager of the environment
    // (the manager shard's state runs swarm init): its address is in the model, the token comes over ssh.
    const envManagers = this.network.environmentHosts.filter((h) => h.swarmRole === SwarmRole.MANAGER);
    // Managers split over shards: the environment reports it (DocknetEnvironment), no swarm is built.
    if (managers.length > 0 && managers.length !== envManagers.length) return;
    const envManager = envManagers[0];
    let joinVia: SwarmMemberOptions | undefined;
    if (managers.length === 0 && workers.length > 0 && envManager) {
      try {
        joinVia = { host: HostsStack.targetOf(envManager), advertiseAddr: envManager.advertiseAddress };
      } catch {
        return; // A manager docknet cannot reach over ssh: the manager shard's hosts stack reports it.
      }
    }
    if (managers.length > 0 || joinVia) {
      new SwarmBootstrap(this, 'Swarm', {
        managers,
        workers,
        joinVia,
        defaultAddrPools: this.network.swarmPools().map((b) => b.cidr),
        defaultAddrPoolMaskLength: this.network.swarm?.defaultAddrPoolMaskLength,
      });
    }
  }
}
