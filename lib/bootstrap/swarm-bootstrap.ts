import { Construct, DataResource, type ITerraformDependable, type LocalExecProvisioner, TerraformOutput } from '../cdk';
import { posix } from 'path';
import { parsePrefix as parseCidr } from '../core/address/cidr';
import type { HostBootstrap } from './host-bootstrap';
import { loadScript } from './scripts';
import { connectionEnv, remoteExec } from './remote';
import { moveFromOldName } from './moved';
import { BootstrapTarget, checkTarget, DEFAULT_DAEMON_CONFIG_PATH, DEFAULT_DOCKER_COMMAND, knownHostsLines, sshEnv, tfLiteral, throwIfInvalid } from './target';

/** A swarm member: a HostBootstrap (ordered after its daemon rollout) or a bare target. */
export interface SwarmMemberOptions {
  readonly host: HostBootstrap | BootstrapTarget;
  /**
   * Address other nodes reach this one at (swarm --advertise-addr).
   * @default - target.ssh.host
   */
  readonly advertiseAddr?: string;
  /**
   * The member's former name (its target.name before a rename): its join keeps its state (a
   * Terraform `moved` block) instead of a leave and a new join of the same host.
   * @default - not renamed
   */
  readonly renamedFrom?: string;
}

export interface SwarmBootstrapProps {
  /** Managers; the first one initializes the swarm (unless joinVia is given). Use an odd number (1, 3, 5). */
  readonly managers: SwarmMemberOptions[];
  /**
   * A manager of a swarm initialized in another state (a sharded environment's manager shard): no
   * swarm init here, every member joins through it. The join token is read on that manager over ssh
   * with host keys checked, as for any join, so it never enters this state.
   * @default - the first of managers runs swarm init
   */
  readonly joinVia?: SwarmMemberOptions;
  /** @default [] */
  readonly workers?: SwarmMemberOptions[];
  /**
   * Global pools overlay networks get their subnets from (swarm init --default-addr-pool). Set only
   * at init: changing them later needs a new swarm.
   * @default - Docker's 10.0.0.0/8
   */
  readonly defaultAddrPools?: string[];
  /**
   * Prefix length of each overlay subnet cut from the pools.
   * @default 24
   */
  readonly defaultAddrPoolMaskLength?: number;
  /**
   * UDP port of the VXLAN data path (set only at init).
   * @default 4789
   */
  readonly dataPathPort?: number;
  /** Extra things to finish before the swarm is formed. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Destroying a member's join (or replacing it, e.g. on a role change) makes the node leave: a
   * manager is demoted first and the manager forgets the node. Destroying the init makes the
   * first manager leave with --force, which ends the swarm. false keeps nodes in the swarm.
   * @default true
   */
  readonly leaveOnDestroy?: boolean;
}

/** One firewall opening a swarm needs between its hosts. */
export interface SwarmFirewallRule {
  readonly protocol: 'tcp' | 'udp' | 'esp';
  /** Port; absent for ESP (IP protocol 50, no ports). */
  readonly port?: number;
  /** Which hosts must accept it. */
  readonly to: 'managers' | 'all';
  readonly purpose: string;
}

/**
 * Forms a swarm over ssh with Terraform built-ins: `swarm init` on the first manager, then joins.
 * Every step first asks the node for `.Swarm.LocalNodeState`, so re-applying is a no-op.
 */
export class SwarmBootstrap extends Construct {
  /** terraform_data running swarm init on the first manager; absent with joinVia. */
  public readonly init?: DataResource;
  /** terraform_data per joining member, managers first. */
  public readonly joins: DataResource[] = [];
  /** terraform_data that makes members removed from the code leave (absent with leaveOnDestroy false). */
  public readonly members?: DataResource;
  /** Ports and protocols to open between the hosts. */
  public readonly firewall: SwarmFirewallRule[];

  constructor(scope: Construct, id: string, props: SwarmBootstrapProps) {
    super(scope, id);
    const members = [
      ...(props.managers ?? []).map((m) => ({ ...resolveMember(m), role: 'manager' as const })),
      ...(props.workers ?? []).map((m) => ({ ...resolveMember(m), role: 'worker' as const })),
    ];
    throwIfInvalid(this.node.path, checkSwarmProps(props, members));

    // live-restore is illegal on swarm members: let their daemon settings know (checked at synth).
    for (const m of members) m.bootstrap?.daemon?.markSwarmMember();
    // Each step waits only for what it needs: the init for the first manager's rollout, a join for
    // the init (managers: the previous manager) and its own host's rollout. One unreachable worker
    // then fails its own join and nothing else.
    const own = (m: ResolvedMember) => [...(m.bootstrap?.dependables ?? []), ...(props.dependsOn ?? [])];

    const via = props.joinVia ? resolveMember(props.joinVia) : undefined;
    const first = via ?? members[0];
    const pools = props.defaultAddrPools ?? [];
    const initStep = (mode: 'init' | 'leave') => ({
      step: mode === 'init' ? 'swarm init' : 'swarm leave (first manager)',
      script: 'swarm-init.sh' as const,
      args: [mode],
      env: {
        DOCKNET_DOCKER: first.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
        DOCKNET_ADVERTISE: first.advertiseAddr,
        DOCKNET_POOLS: pools.join(' '),
        DOCKNET_POOL_MASK: props.defaultAddrPoolMaskLength === undefined ? '' : String(props.defaultAddrPoolMaskLength),
        DOCKNET_DATA_PATH_PORT: props.dataPathPort === undefined ? '' : String(props.dataPathPort),
      },
    });
    const leave = props.leaveOnDestroy ?? true;
    // Replaced only when the first manager itself changes: pools and the data path port are fixed at
    // swarm init, so a change to them is an in-place change of `input` (visible in the plan) and
    // re-creating the swarm stays a deliberate act (destroy, then apply).
    if (!via) this.init = new DataResource(this, 'Init', {
      triggersReplace: { manager: first.target.ssh.host },
      input: {
        manager: first.target.name,
        advertise_addr: first.advertiseAddr,
        pools,
        mask_length: props.defaultAddrPoolMaskLength ?? 24,
        data_path_port: props.dataPathPort ?? 4789,
        // Everything the leave needs, in the state: destroy-time provisioners may only read self.
        ...(leave ? { leave: connectionEnv(first.target) } : {}),
      },
      dependsOn: own(first).length > 0 ? own(first) : undefined,
      provisioners: [
        // DOCKNET_TARGET_DOCKER is for `docknet swarm-replace`, which reads how to ask the manager
        // from here (provisioners are not part of the plan: adding it changes nothing on a deployed stack).
        withEnv(remoteExec(first.target, initStep('init')), { DOCKNET_TARGET_DOCKER: tfLiteral(first.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND) }),
        ...(leave ? [remoteExec(first.target, initStep('leave'), { when: 'destroy', envFromSelf: 'input.leave' })] : []),
      ],
    });

    // Managers join one after another (raft adds one voter at a time); workers in parallel.
    const init: ITerraformDependable[] = this.init ? [this.init] : [];
    let previousManager: ITerraformDependable[] = init;
    for (const m of via ? members : members.slice(1)) {
      const env: Record<string, string> = {
        DOCKNET_ROLE: m.role,
        ...sshEnv('MANAGER', first.target),
        ...sshEnv('MEMBER', m.target),
        DOCKNET_KNOWN_HOSTS: [...knownHostsLines(first.target), ...knownHostsLines(m.target)].join('\n'),
        DOCKNET_MANAGER_DOCKER: first.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
        DOCKNET_MEMBER_DOCKER: m.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
        DOCKNET_MANAGER_ADDR: first.advertiseAddr,
        DOCKNET_ADVERTISE: m.advertiseAddr,
        // Next to daemon.json: per host even where hosts share a filesystem (the lab).
        DOCKNET_MEMBER_ID_FILE: `${posix.dirname(m.target.daemonConfigPath ?? DEFAULT_DAEMON_CONFIG_PATH)}/docknet-swarm-node-id`,
      };
      const join = new DataResource(this, `Join-${m.target.name}`, {
        triggersReplace: { member: m.target.ssh.host, role: m.role, swarm: this.init ? this.init.id : `via ${first.target.ssh.host}` },
        // Everything the leave needs, in the state: destroy-time provisioners may only read self.
        // Nothing secret: the token is read from the manager at run time, never stored.
        input: { member: m.target.name, role: m.role, advertise_addr: m.advertiseAddr, ...(leave ? { leave: mapValues(env, tfLiteral) } : {}) },
        dependsOn: [...(m.role === 'manager' ? previousManager : init), ...own(m)].length ? [...(m.role === 'manager' ? previousManager : init), ...own(m)] : undefined,
        provisioners: [
          {
            type: 'local-exec',
            // The script travels in the environment: Terraform echoes a local-exec command, not its env.
            command: 'sh -c "$DOCKNET_SCRIPT" docknet-swarm-join',
            interpreter: ['/bin/sh', '-c'],
            environment: { ...mapValues(env, tfLiteral), DOCKNET_SCRIPT: tfLiteral(loadScript('ssh-lib.sh') + loadScript('swarm-join.sh')) },
          },
          ...(leave
            ? [{
                type: 'local-exec',
                when: 'destroy',
                command: 'sh -c "$DOCKNET_SCRIPT" docknet-swarm-leave',
                interpreter: ['/bin/sh', '-c'],
                environment: {
                  ...Object.fromEntries(Object.keys(env).map((k) => [k, `\${self.input.leave.${k}}`])),
                  DOCKNET_SCRIPT: tfLiteral(loadScript('ssh-lib.sh') + loadScript('swarm-leave.sh')),
                },
              } as LocalExecProvisioner]
            : []),
        ],
      });
      if (m.renamedFrom) moveFromOldName(join, `Join-${m.renamedFrom}`);
      if (m.role === 'manager') previousManager = [join];
      this.joins.push(join);
    }

    // Hosts removed from the code: their joins leave the configuration, and Terraform runs no
    // destroy-time provisioner of a resource that is gone. This resource keeps every member's way
    // out in its own state and is replaced when the declared members change; its destroy-time step
    // runs with the old state and this configuration's literal list of addresses, and makes each
    // member the new list lacks leave (swarm-prune.sh). (create_before_destroy would skip that step:
    // Terraform runs no destroy provisioner of a deposed object.) It depends on every join, so its
    // destroy runs before any join is replaced: manager removals and demotions never overlap.
    if (leave) {
      const leaving = via ? members : members.slice(1);
      const idFile = (t: BootstrapTarget) => `${posix.dirname(t.daemonConfigPath ?? DEFAULT_DAEMON_CONFIG_PATH)}/docknet-swarm-node-id`;
      const line = (m: ResolvedMember & { role: string }) => {
        const e = sshEnv('MEMBER', m.target);
        return [m.target.name, m.role, e.DOCKNET_MEMBER_DEST, e.DOCKNET_MEMBER_PORT, e.DOCKNET_MEMBER_KEY || '-', e.DOCKNET_MEMBER_TIMEOUT,
          e.DOCKNET_MEMBER_BECOME, m.advertiseAddr, idFile(m.target), (m.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND).replace(/\s+/g, ' ')].join(' ');
      };
      const env: Record<string, string> = {
        ...sshEnv('MANAGER', first.target),
        DOCKNET_MANAGER_DOCKER: first.target.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
        DOCKNET_KNOWN_HOSTS: [...new Set([first, ...leaving].flatMap((m) => knownHostsLines(m.target)))].join('\n'),
        DOCKNET_MEMBERS: leaving.map(line).join('\n'),
      };
      const declared = leaving.map((m) => m.advertiseAddr);
      this.members = new DataResource(this, 'Members', {
        triggersReplace: { members: [...declared].sort().join(' ') },
        input: { manager: first.target.name, members: leaving.map((m) => m.target.name), leave: mapValues(env, tfLiteral) },
        dependsOn: this.joins.length ? [...this.joins] : undefined,
        provisioners: [
          {
            type: 'local-exec',
            when: 'destroy',
            command: 'sh -c "$DOCKNET_SCRIPT" docknet-swarm-prune',
            interpreter: ['/bin/sh', '-c'],
            environment: {
              ...Object.fromEntries(Object.keys(env).map((k) => [k, `\${self.input.leave.${k}}`])),
              // A literal of this configuration: the members declared now (the state holds the old ones).
              DOCKNET_DECLARED: tfLiteral(declared.join('\n')),
              // The leave of swarm-leave.sh as a function whose body is a subshell: its `exit` ends one member's leave.
              DOCKNET_SCRIPT: tfLiteral(`${loadScript('ssh-lib.sh')}\ndn_leave() (\n${loadScript('swarm-leave.sh')}\n)\n${loadScript('swarm-prune.sh')}`),
            },
          } as LocalExecProvisioner,
        ],
      });
    }

    const dataPort = props.dataPathPort ?? 4789;
    this.firewall = [
      { protocol: 'tcp', port: 2377, to: 'managers', purpose: 'cluster management (join, raft)' },
      { protocol: 'tcp', port: 7946, to: 'all', purpose: 'node gossip' },
      { protocol: 'udp', port: 7946, to: 'all', purpose: 'node gossip' },
      { protocol: 'udp', port: dataPort, to: 'all', purpose: 'overlay data path (VXLAN)' },
      { protocol: 'esp', to: 'all', purpose: 'encrypted overlays (-o encrypted, IPsec ESP, IP protocol 50)' },
    ];
    new TerraformOutput(this, 'FirewallRequirements', {
      description: 'Openings the swarm needs between its hosts',
      value: this.firewall.map((r) => ({
        ...r,
        hosts: r.to === 'managers'
          ? members.filter((m) => m.role === 'manager').map((m) => m.advertiseAddr)
          : members.map((m) => m.advertiseAddr),
      })),
    });
  }
}

interface ResolvedMember {
  target: BootstrapTarget;
  advertiseAddr: string;
  bootstrap?: HostBootstrap;
  renamedFrom?: string;
}

function resolveMember(m: SwarmMemberOptions): ResolvedMember {
  const host = m?.host as HostBootstrap | BootstrapTarget | undefined;
  const bootstrap = host && 'dependables' in host ? (host as HostBootstrap) : undefined;
  const target = bootstrap ? bootstrap.target : (host as BootstrapTarget);
  return { target, bootstrap, advertiseAddr: m?.advertiseAddr ?? target?.ssh?.host, renamedFrom: m?.renamedFrom };
}

function checkSwarmProps(props: SwarmBootstrapProps, members: (ResolvedMember & { role: string })[]): string[] {
  const out: string[] = [];
  if (props.joinVia) {
    if (!resolveMember(props.joinVia).target) out.push('joinVia has no host, expected the manager (a HostBootstrap or a target) members join through.');
    if ((props.managers ?? []).length + (props.workers ?? []).length === 0) out.push('joinVia is given but there are no managers or workers to join. Remove the SwarmBootstrap or add members.');
  } else if (!props.managers || props.managers.length === 0) {
    out.push('managers is empty, expected at least one manager (the first one runs swarm init).');
    return out;
  }
  if (!props.joinVia && props.managers.length % 2 === 0) {
    out.push(`managers has ${props.managers.length} entries, expected an odd number (1, 3, 5): raft loses quorum with half the managers down. Add or remove one manager.`);
  }
  const names = new Set<string>();
  for (const m of members) {
    out.push(...checkTarget(m.target).map((s) => `member ${m.target?.name ?? '?'}: ${s}`));
    if (m.target && names.has(m.target.name)) out.push(`host "${m.target.name}" is listed twice, expected each host once as manager or worker.`);
    if (m.target) names.add(m.target.name);
    if (m.renamedFrom !== undefined && (typeof m.renamedFrom !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(m.renamedFrom))) {
      out.push(`renamedFrom of ${m.target?.name} is ${JSON.stringify(m.renamedFrom)}, expected the member's former name (letters, digits, "_", "." or "-").`);
    }
    // It reaches remote shells: only address, host or interface name characters pass.
    if (typeof m.advertiseAddr !== 'string' || !/^(\[?[0-9A-Za-z.:%_-]+\]?)(:\d{1,5})?$/.test(m.advertiseAddr)) {
      out.push(`advertiseAddr of ${m.target?.name} is ${JSON.stringify(m.advertiseAddr)}, expected an IP address, host name or interface name (letters, digits, ".", ":", "-", "_", optionally ":port").`);
    }
  }
  for (const pool of props.defaultAddrPools ?? []) {
    const c = parseCidr(pool);
    if (typeof c === 'string') out.push(`defaultAddrPools entry ${JSON.stringify(pool)} is not a CIDR (${c}), expected e.g. "10.77.0.0/16".`);
  }
  const mask = props.defaultAddrPoolMaskLength;
  if (mask !== undefined && (!Number.isInteger(mask) || mask < 1 || mask > 32)) {
    out.push(`defaultAddrPoolMaskLength is ${JSON.stringify(mask)}, expected a prefix length from 1 to 32 (24 recommended).`);
  } else if (mask !== undefined) {
    for (const pool of props.defaultAddrPools ?? []) {
      const c = parseCidr(pool);
      if (typeof c !== 'string' && c.prefix > mask) {
        out.push(`defaultAddrPools entry ${pool} is smaller than one /${mask} network, expected a pool prefix <= ${mask}. Widen the pool or raise defaultAddrPoolMaskLength.`);
      }
    }
  }
  const port = props.dataPathPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 49151)) {
    out.push(`dataPathPort is ${JSON.stringify(port)}, expected a UDP port from 1024 to 49151 (dockerd's accepted range; default 4789).`);
  }
  return out;
}

function withEnv(p: LocalExecProvisioner, env: Record<string, string>): LocalExecProvisioner {
  return { ...p, environment: { ...p.environment, ...env } } as LocalExecProvisioner;
}

function mapValues(o: Record<string, string>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
