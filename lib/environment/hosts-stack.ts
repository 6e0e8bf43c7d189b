import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DocknetStack } from './docknet-stack';
import { DockerHost, SwarmRole } from '../host/docker-host';
import { SshConnection } from '../host/connection';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap, SwarmMemberOptions } from '../bootstrap';
import { DocknetError } from '../errors';
import { PlanError } from './environment-plan';
import { Cidr } from '../address/cidr';

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
  private readonly buildProblems: string[] = [];

  constructor(scope: Construct, id: string, props: HostsStackProps) {
    super(scope, id);
    this.network = props.network;
    this.node.addValidation({ validate: () => [...this.buildProblems] });
  }

  /** The bootstrap target of a host: its ssh connection and daemon location. */
  public static targetOf(host: DockerHost): BootstrapTarget {
    const c = host.connection;
    if (!(c instanceof SshConnection)) {
      throw new DocknetError(host, `manages daemon.json, a swarm role or a macvlan shim, which docknet delivers over ssh, but the host is reached over ${c.url}. Use HostConnection.ssh(...) for this host, or manage its daemon outside docknet.`);
    }
    const d = host.daemonLocation;
    return {
      name: host.hostName,
      ssh: { host: c.host, user: c.user, port: c.port, privateKeyPath: c.privateKeyPath },
      daemonConfigPath: d.configPath,
      restartCommand: d.restartCommand,
      logCommand: d.logCommand,
      dockerCommand: d.dockerCommand,
      validateCommand: d.validateCommand,
      waitSeconds: d.waitSeconds,
      uploadDir: d.uploadDir,
    };
  }

  /**
   * A shim's options, checked against the environment: its address must be on the network's subnet
   * and in no container range of any host on that LAN (another host's container could get it).
   */
  private shimOptions(host: DockerHost, s: DockerHost['shims'][number]) {
    const own = s.network.ipv4()!;
    const route = own.ipRange ?? own.subnet!;
    const problems: string[] = [];
    if (own.subnet && !Cidr.parse(own.subnet).contains(s.address)) {
      problems.push(`its address ${s.address} is not on the network's subnet ${own.subnet}; expected a spare address of that LAN.`);
    }
    for (const n of this.network.environmentNetworks) {
      if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') continue;
      const c = n.ipv4();
      const range = c?.ipRange ?? c?.subnet;
      if (c?.subnet === own.subnet && range && Cidr.parse(range).contains(s.address)) {
        problems.push(`its address ${s.address} lies in the container range ${range} of "${n.networkName}" on ${n.host.hostName}; Docker may give it to a container. Reserve a spare LAN address (addLanSegment reserved) and use it.`);
      }
    }
    if (problems.length) throw new DocknetError(host, `macvlan shim "${s.name}" for "${s.network.networkName}": ${problems.join(' ')}`);
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
            shims: host.shims.map((s) => this.shimOptions(host, s)),
          }),
        );
      } catch (e) {
        // The network stack reports the plan's own problems; everything else is this host's, and is
        // reported with every other problem of the synth instead of stopping at the first one.
        if (e instanceof PlanError) continue;
        this.buildProblems.push((e as Error).message);
      }
    }
    if (this.buildProblems.length > 0) return;
    const members = (role: SwarmRole) =>
      this.network.allHosts.filter((h) => h.swarmRole === role).map((h) => ({ host: boots.get(h)!, advertiseAddr: h.advertiseAddress }));
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
