import { Fn, SSHProvisionerConnection } from 'cdktf';
import { error } from '../validation/problem';
import { Code } from '../validation/codes';
import { DocknetError } from '../errors';

/**
 * A host as the bootstrap constructs need it: how to ssh in and how its dockerd is run. Plain
 * data, so the bootstrap does not depend on docknet's host construct.
 */
export interface BootstrapTarget {
  /** Stable host name, used in resource ids and messages. */
  readonly name: string;
  readonly ssh: {
    /** Address Terraform (and the machine running it) reaches the host's sshd at. */
    readonly host: string;
    readonly user: string;
    /** @default 22 */
    readonly port?: number;
    /** Private key file on the machine running terraform. @default - the ssh agent */
    readonly privateKeyPath?: string;
    /** How long Terraform retries the connection, e.g. "30s". @default "2m" */
    readonly timeout?: string;
  };
  /** @default "/etc/docker/daemon.json" */
  readonly daemonConfigPath?: string;
  /** Restarts dockerd and returns when it has been (re)started. @default "systemctl restart docker" */
  readonly restartCommand?: string;
  /** Docker CLI on the host (add -H if the default socket is not the one). @default "docker" */
  readonly dockerCommand?: string;
  /**
   * Validates a daemon.json; the file path is appended. "none" skips validation.
   * @default - `dockerd --validate --config-file` when the host's dockerd has it (23.0+)
   */
  readonly validateCommand?: string;
  /** Prints dockerd's recent log, shown when a rollout fails. @default "journalctl -u docker ..." */
  readonly logCommand?: string;
  /** Seconds to wait for dockerd to answer after a restart. @default 60 */
  readonly waitSeconds?: number;
  /** Directory on the host for uploaded files (must exist, same user). @default "/tmp" */
  readonly uploadDir?: string;
}

export const DEFAULT_DAEMON_CONFIG_PATH = '/etc/docker/daemon.json';
export const DEFAULT_RESTART_COMMAND = 'systemctl restart docker';
export const DEFAULT_DOCKER_COMMAND = 'docker';

/** The Terraform ssh connection for a target. */
export function sshConnection(t: BootstrapTarget): SSHProvisionerConnection {
  return {
    type: 'ssh',
    host: t.ssh.host,
    user: t.ssh.user,
    port: t.ssh.port ?? 22,
    timeout: t.ssh.timeout ?? '2m',
    ...(t.ssh.privateKeyPath ? { privateKey: Fn.file(t.ssh.privateKeyPath) } : { agent: 'true' }),
  };
}

/**
 * An ssh connection read from the resource's own state: destroy-time provisioners may only
 * reference self, and should reach the host the resource was created on, not today's config.
 * @param attr where each value sits on self, e.g. { host: 'triggers_replace.ssh_host', ... }
 */
export function selfSshConnection(t: BootstrapTarget, attr: { host: string; user: string; port: string; key: string }): SSHProvisionerConnection {
  return {
    type: 'ssh',
    host: `\${self.${attr.host}}`,
    user: `\${self.${attr.user}}`,
    port: `\${self.${attr.port}}` as unknown as number,
    timeout: t.ssh.timeout ?? '2m',
    ...(t.ssh.privateKeyPath ? { privateKey: `\${file(self.${attr.key})}` } : { agent: 'true' }),
  };
}

/** Single-quotes a value for sh. */
export function shq(value: string | number): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/**
 * Terraform treats every JSON string as a template: "${" and "%{" in shell scripts or files must
 * be doubled or Terraform would interpolate them.
 */
export function tfLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** ssh client options for local-exec commands that reach the target the way Terraform's connection does. */
export function sshOptions(t: BootstrapTarget): string {
  const opts = [
    '-o BatchMode=yes',
    // Terraform's own ssh connection does not verify host keys either; hosts are named by address.
    '-o StrictHostKeyChecking=no',
    '-o UserKnownHostsFile=/dev/null',
    '-o LogLevel=ERROR',
    `-o ConnectTimeout=${connectTimeoutSeconds(t.ssh.timeout)}`,
    `-p ${t.ssh.port ?? 22}`,
  ];
  // No quotes: the options are word-split by the join script; checkTarget refuses spaces.
  if (t.ssh.privateKeyPath) opts.push(`-i ${t.ssh.privateKeyPath}`);
  return opts.join(' ');
}

function connectTimeoutSeconds(timeout: string | undefined): number {
  const m = /^(\d+)(s|m)?$/.exec(timeout ?? '');
  if (!m) return 30;
  return Math.max(1, Number(m[1]) * (m[2] === 'm' ? 60 : 1));
}

/** Rule code for a malformed bootstrap prop (target, swarm or shim); thrown at construction. */
export const BOOTSTRAP_INVALID_VALUE = 'DN520' satisfies Code;

/** Throws one error listing every malformed value, naming the construct path. */
export function throwIfInvalid(path: string, messages: string[]): void {
  if (messages.length > 0) {
    throw new DocknetError(messages.map((m) => error(BOOTSTRAP_INVALID_VALUE, [path], m)));
  }
}

/** What is wrong with a target, as "given / expected / fix" sentences. */
export function checkTarget(t: BootstrapTarget): string[] {
  const out: string[] = [];
  if (!t || typeof t !== 'object' || !t.ssh) return [`target is ${JSON.stringify(t)}, expected { name, ssh: { host, user } }.`];
  if (typeof t.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(t.name)) {
    out.push(`target.name is ${JSON.stringify(t.name)}, expected a host name of letters, digits, "_", "." or "-".`);
  }
  if (typeof t.ssh.host !== 'string' || t.ssh.host.length === 0 || /\s/.test(t.ssh.host)) {
    out.push(`target.ssh.host is ${JSON.stringify(t.ssh.host)}, expected the address or DNS name of the host's sshd.`);
  }
  if (typeof t.ssh.user !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(t.ssh.user)) {
    out.push(`target.ssh.user is ${JSON.stringify(t.ssh.user)}, expected a login name such as "root".`);
  }
  if (t.ssh.port !== undefined && (!Number.isInteger(t.ssh.port) || t.ssh.port < 1 || t.ssh.port > 65535)) {
    out.push(`target.ssh.port is ${JSON.stringify(t.ssh.port)}, expected an integer from 1 to 65535.`);
  }
  if (t.ssh.timeout !== undefined && !/^\d+(s|m)$/.test(t.ssh.timeout)) {
    out.push(`target.ssh.timeout is ${JSON.stringify(t.ssh.timeout)}, expected a duration such as "30s" or "2m".`);
  }
  if (t.ssh.privateKeyPath !== undefined && !/^[^\s'"]+$/.test(t.ssh.privateKeyPath)) {
    out.push(`target.ssh.privateKeyPath is ${JSON.stringify(t.ssh.privateKeyPath)}, expected a path without spaces or quotes.`);
  }
  if (t.daemonConfigPath !== undefined && !/^\/[^\s'"]+$/.test(t.daemonConfigPath)) {
    out.push(`target.daemonConfigPath is ${JSON.stringify(t.daemonConfigPath)}, expected an absolute path without spaces or quotes.`);
  }
  if (t.uploadDir !== undefined && !/^\/[^\s'"]*$/.test(t.uploadDir)) {
    out.push(`target.uploadDir is ${JSON.stringify(t.uploadDir)}, expected an absolute path without spaces or quotes.`);
  }
  if (t.waitSeconds !== undefined && (!Number.isInteger(t.waitSeconds) || t.waitSeconds < 1)) {
    out.push(`target.waitSeconds is ${JSON.stringify(t.waitSeconds)}, expected a whole number of seconds >= 1.`);
  }
  return out;
}
