import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DocknetStack } from './docknet-stack';
import { DockerHost, SwarmRole } from '../host/docker-host';
import { SshConnection } from '../host/connection';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap } from '../bootstrap';
import { DocknetError } from '../errors';

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

  constructor(scope: Construct, id: string, props: HostsStackProps) {
    super(scope, id);
    this.network = props.network;
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

  public build(): void {
    if (this.built) return;
    this.built = true;
    const boots = new Map<DockerHost, HostBootstrap>();
    for (const host of this.network.allHosts) {
      const needs = host.daemon || host.swarmRole !== SwarmRole.NONE || host.shims.length > 0;
      if (!needs) continue;
      boots.set(
        host,
        new HostBootstrap(this, host.hostName, {
          target: HostsStack.targetOf(host),
          daemon: host.daemon
            ? { ...host.daemon.config(), swarmMember: host.swarmRole !== SwarmRole.NONE, unitPassesHosts: host.daemonLocation.unitPassesHosts ?? true }
            : undefined,
          shims: host.shims.map((s) => ({ name: s.name, parent: s.network.parentName, address: s.address, routes: [s.network.ipv4()!.ipRange ?? s.network.ipv4()!.subnet!] })),
        }),
      );
    }
    const members = (role: SwarmRole) =>
      this.network.allHosts.filter((h) => h.swarmRole === role).map((h) => ({ host: boots.get(h)!, advertiseAddr: h.advertiseAddress }));
    const managers = members(SwarmRole.MANAGER);
    if (managers.length > 0) {
      new SwarmBootstrap(this, 'Swarm', {
        managers,
        workers: members(SwarmRole.WORKER),
        defaultAddrPools: this.network.swarmPools().map((b) => b.cidr),
        defaultAddrPoolMaskLength: this.network.swarm?.defaultAddrPoolMaskLength,
      });
    }
  }
}
