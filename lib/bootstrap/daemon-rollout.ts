import { createHash } from 'crypto';
import { DataResource, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { loadScript } from './scripts';
import {
  BootstrapTarget,
  checkTarget,
  DEFAULT_DAEMON_CONFIG_PATH,
  DEFAULT_DOCKER_COMMAND,
  DEFAULT_RESTART_COMMAND,
  shq,
  sshConnection,
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
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Installs daemon.json on one host with a terraform_data: replaced when the file's sha256 changes
 * (so a daemon change shows in the plan), uploaded to a temporary path, then swapped in by
 * safe-apply.sh, which validates, backs up, restarts, waits and rolls back on failure.
 */
export class DaemonRollout extends Construct {
  /** The terraform_data resource. */
  public readonly resource: DataResource;
  /** sha256 (hex) of the content. */
  public readonly sha256: string;

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
    // Host name in the paths: hosts sharing a filesystem (the lab) must not share upload files.
    const stem = `${t.uploadDir ?? '/tmp'}/docknet-${t.name}-${this.sha256.slice(0, 12)}`;
    const upload = `${stem}-daemon.json`;
    const script = `${stem}-safe-apply.sh`;

    const env: Record<string, string | undefined> = {
      DOCKNET_RESTART: t.restartCommand ?? DEFAULT_RESTART_COMMAND,
      DOCKNET_DOCKER: t.dockerCommand ?? DEFAULT_DOCKER_COMMAND,
      DOCKNET_VALIDATE: t.validateCommand,
      DOCKNET_LOGS: t.logCommand,
      DOCKNET_WAIT_SECONDS: t.waitSeconds === undefined ? undefined : String(t.waitSeconds),
    };
    const assignments = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${shq(v!)}`)
      .join(' ');

    this.resource = new DataResource(this, 'Resource', {
      triggersReplace: { host: t.ssh.host, path, sha256: this.sha256 },
      input: { host: t.name, path, sha256: this.sha256 },
      dependsOn: props.dependsOn,
      connection: sshConnection(t),
      provisioners: [
        { type: 'file', content: tfLiteral(props.content), destination: upload },
        { type: 'file', content: tfLiteral(loadScript('safe-apply.sh')), destination: script },
        {
          type: 'remote-exec',
          inline: [tfLiteral(`${assignments} sh ${shq(script)} ${shq(upload)} ${shq(path)}; rc=$?; rm -f ${shq(script)}; exit $rc`)],
        },
      ],
    });
  }
}
