import { createHash } from 'crypto';
import { Construct, DataResource, type ITerraformDependable, type LocalExecProvisioner } from '../cdk';
import { readbackChecks, renderReadback } from '../core/daemon/daemon-readback';
import { loadScript } from './scripts';
import { remoteExec, RUN_DIR } from './remote';
import {
  BootstrapTarget,
  checkTarget,
  DEFAULT_DAEMON_CONFIG_PATH,
  DEFAULT_DOCKER_COMMAND,
  DEFAULT_RESTART_COMMAND,
  knownHostsLines,
  sshEnv,
  tfLiteral,
  throwIfInvalid,
} from './target';

export interface DaemonRolloutProps {
  readonly target: BootstrapTarget;
  /**
   * daemon.json text installed as is. HostBootstrap passes DaemonSettings.render(); giving text
   * directly skips docknet's validation (the host's dockerd still guards the swap).
   */
  readonly content: string;
  /** What must finish first, e.g. the previous wave of a rolling change. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * A swarm manager that can see this host's node: after the restart the rollout also waits until
   * the manager lists the node as Ready and Active (a worker cannot see its own node object).
   * @default - no manager-side check
   */
  readonly swarmManager?: BootstrapTarget;
}

/**
 * Installs daemon.json on one host with a terraform_data: replaced when the file's sha256 changes
 * (so a daemon change shows in the plan). The file and safe-apply.sh travel over ssh's stdin into a
 * private directory on the host; safe-apply.sh runs detached from the session and validates, backs
 * up, swaps, restarts, gates on health and rolls back on failure.
 */
export class DaemonRollout extends Construct {
  /** The terraform_data resource. */
  public readonly resource: DataResource;
  /** sha256 (hex) of the content. */
  public readonly sha256: string;
  /**
   * The settings gate: keys dockerd reports back after the restart (compared with the file) and
   * keys only the start-time check covers. Undefined when the content is not a JSON object.
   */
  public readonly readback?: ReturnType<typeof readbackChecks>;

  constructor(scope: Construct, id: string, props: DaemonRolloutProps) {
    super(scope, id);
    const problems = checkTarget(props.target);
    if (typeof props.content !== 'string' || props.content.length === 0) {
      problems.push(`content is ${JSON.stringify(props.content)}, expected the daemon.json text (DaemonSettings.render()).`);
    }
    throwIfInvalid(this.node.path, problems);

    const t = props.target;
    const path = t.daemonConfigPath ?? DEFAULT_DAEMON_CONFIG_PATH;
    this.sha256 = createHash('sha256').update(props.content).digest('hex');
    this.readback = readbackOf(props.content);

    this.resource = new DataResource(this, 'Resource', {
      triggersReplace: { host: t.ssh.host, path, sha256: this.sha256 },
      input: { host: t.name, path, sha256: this.sha256 },
      dependsOn: props.dependsOn && props.dependsOn.length > 0 ? props.dependsOn : undefined,
      provisioners: [
        remoteExec(t, {
          step: 'daemon.json rollout',
          script: 'safe-apply.sh',
          args: [RUN_DIR, `${RUN_DIR}/daemon.json`, path],
          // safe-apply.sh reads the settings gate's list from $RUN_DIR/daemon.readback when present.
          files: { 'daemon.json': props.content, ...(this.readback ? { 'daemon.readback': renderReadback(this.readback.checks) } : {}) },
          env: {
            DOCKNET_RESTART: t.restartCommand ?? DEFAULT_RESTART_COMMAND,
            DOCKNET_DOCKER: t.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
            DOCKNET_VALIDATE: t.validateCommand,
            DOCKNET_LOGS: t.logCommand,
            DOCKNET_WAIT_SECONDS: t.waitSeconds === undefined ? undefined : String(t.waitSeconds),
            DOCKNET_PIDFILE: t.pidFile,
            DOCKNET_DROP_KEYS: t.dropUndeclaredKeys?.length ? t.dropUndeclaredKeys.join(' ') : undefined,
          },
        }),
        ...(props.swarmManager && props.swarmManager.name !== t.name ? [nodeGate(t, props.swarmManager)] : []),
      ],
    });
  }
}

function readbackOf(content: string): ReturnType<typeof readbackChecks> | undefined {
  try {
    const file: unknown = JSON.parse(content);
    return file && typeof file === 'object' && !Array.isArray(file) ? readbackChecks(file as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not JSON: dockerd refuses it at the restart and the rollout rolls back
  }
}

/** The manager-side health gate: ssh-lib.sh + node-gate.sh on the machine running terraform. */
function nodeGate(member: BootstrapTarget, manager: BootstrapTarget): LocalExecProvisioner {
  const env: Record<string, string> = {
    ...sshEnv('MEMBER', member),
    ...sshEnv('MANAGER', manager),
    DOCKNET_KNOWN_HOSTS: [...knownHostsLines(member), ...knownHostsLines(manager)].join('\n'),
    DOCKNET_MEMBER_DOCKER: member.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
    DOCKNET_MANAGER_DOCKER: manager.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
    DOCKNET_WAIT_SECONDS: String(member.waitSeconds ?? 60),
  };
  return {
    type: 'local-exec',
    command: 'sh -c "$DOCKNET_SCRIPT" docknet-node-gate',
    interpreter: ['/bin/sh', '-c'],
    environment: {
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, tfLiteral(v)])),
      DOCKNET_SCRIPT: tfLiteral(loadScript('ssh-lib.sh') + loadScript('node-gate.sh')),
    },
  } as LocalExecProvisioner;
}
