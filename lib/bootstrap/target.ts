import { error } from '../core/validation/problem';
import { Code } from '../core/validation/codes';
import { DocknetError } from '../core/errors';

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
    /** Connect timeout of every ssh hop, e.g. "10s". @default "30s" */
    readonly timeout?: string;
    /**
     * The host's sshd public key(s), "type base64" as in known_hosts or ssh-keyscan output
     * (e.g. "ssh-ed25519 AAAA..."). Every ssh hop checks the host against them
     * (StrictHostKeyChecking=yes with a known_hosts file made of these keys only). Required.
     */
    readonly hostKeys: string[];
    /**
     * How remote commands get root: "sudo" runs them with `sudo -n` (passwordless sudo for the
     * ssh user), "none" runs them as the ssh user.
     * @default "sudo" when user is not "root", else "none"
     */
    readonly become?: 'sudo' | 'none';
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
  /** Seconds to wait for dockerd to answer after a restart (and for each health gate). @default 60 */
  readonly waitSeconds?: number;
  /** dockerd's pidfile: tells whether dockerd started after daemon.json changed. @default "/var/run/docker.pid" */
  readonly pidFile?: string;
  /**
   * Keys of the host's current daemon.json that the code does not declare and that may be dropped.
   * Any other undeclared key stops the rollout (adopt it with DaemonSettings `extra`).
   * @default []
   */
  readonly dropUndeclaredKeys?: string[];
}

export const DEFAULT_DAEMON_CONFIG_PATH = '/etc/docker/daemon.json';
export const DEFAULT_RESTART_COMMAND = 'systemctl restart docker';
export const DEFAULT_DOCKER_COMMAND = 'docker';
export const DEFAULT_CONNECT_TIMEOUT = '30s';

/** Privilege escalation of a target's remote commands. */
export function becomeOf(t: BootstrapTarget): 'sudo' | 'none' {
  return t.ssh.become ?? (t.ssh.user === 'root' ? 'none' : 'sudo');
}

/** known_hosts lines for a target ("[host]:port" when the port is not 22, as ssh looks it up). */
export function knownHostsLines(t: BootstrapTarget): string[] {
  const port = t.ssh.port ?? 22;
  const pattern = port === 22 ? t.ssh.host : `[${t.ssh.host}]:${port}`;
  return (t.ssh.hostKeys ?? []).map((k) => `${pattern} ${k.trim()}`);
}

/**
 * The environment an ssh hop to `t` needs, under a role prefix (TARGET, MANAGER, MEMBER): read by
 * ssh-lib.sh's dn_ssh. Nothing secret: the key is a path, host keys are public.
 */
export function sshEnv(role: string, t: BootstrapTarget): Record<string, string> {
  return {
    [`DOCKNET_${role}_DEST`]: `${t.ssh.user}@${t.ssh.host}`,
    [`DOCKNET_${role}_NAME`]: t.name,
    [`DOCKNET_${role}_PORT`]: String(t.ssh.port ?? 22),
    [`DOCKNET_${role}_KEY`]: t.ssh.privateKeyPath ?? '',
    [`DOCKNET_${role}_TIMEOUT`]: String(connectTimeoutSeconds(t.ssh.timeout)),
    [`DOCKNET_${role}_BECOME`]: becomeOf(t),
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

export function connectTimeoutSeconds(timeout: string | undefined): number {
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

/** An ssh destination host: an address or DNS name, never an option ("-...") or shell syntax. */
const SSH_HOST = /^[A-Za-z0-9][A-Za-z0-9.:%-]*$/;

const SAFE_PATH_EXPECTED = 'an absolute, normalized path ("/" then names of letters, digits and ._+@=,-; no "." or ".." part, no "//", no trailing "/")';

/**
 * A path that reaches scripts and remote shells (daemon.json, pid file, the files beside them): absolute,
 * normalized, and made only of characters no shell treats specially, so it means the same quoted or not.
 */
export function isSafeAbsolutePath(p: unknown): p is string {
  if (typeof p !== 'string' || !/^(\/[A-Za-z0-9._+@=,-]+)+$/.test(p)) return false;
  return p.split('/').slice(1).every((part) => part !== '.' && part !== '..');
}

/** What is wrong with a target, as "given / expected / fix" sentences. */
export function checkTarget(t: BootstrapTarget): string[] {
  const out: string[] = [];
  if (!t || typeof t !== 'object' || !t.ssh) return [`target is ${JSON.stringify(t)}, expected { name, ssh: { host, user } }.`];
  if (typeof t.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(t.name)) {
    out.push(`target.name is ${JSON.stringify(t.name)}, expected a host name of letters, digits, "_", "." or "-".`);
  }
  if (typeof t.ssh.host !== 'string' || !SSH_HOST.test(t.ssh.host)) {
    out.push(`target.ssh.host is ${JSON.stringify(t.ssh.host)}, expected the address or DNS name of the host's sshd (letters, digits, ".", "-", ":" and "%", beginning with a letter or digit): it reaches ssh's command line and remote shells.`);
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
  const keys = t.ssh.hostKeys;
  if (!Array.isArray(keys) || keys.length === 0) {
    out.push(`no host key is declared for ${t.ssh.host}, expected its sshd public key so every ssh hop can check it. Get it with \`ssh-keyscan -t ed25519 ${t.ssh.host}\`, compare its fingerprint (\`ssh-keygen -lf <file>\`) with the one the host shows on its console (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`), then set hostKey: 'ssh-ed25519 AAAA...'.`);
  } else {
    for (const k of keys) {
      if (typeof k !== 'string' || !/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+=*$/.test(k.trim())) {
        out.push(`host key ${JSON.stringify(k)} for ${t.ssh.host} is not a public key line, expected "type base64" such as "ssh-ed25519 AAAAC3Nz..." (the key part of an ssh-keyscan line, without the host name).`);
      }
    }
  }
  if (t.ssh.become !== undefined && t.ssh.become !== 'sudo' && t.ssh.become !== 'none') {
    out.push(`target.ssh.become is ${JSON.stringify(t.ssh.become)}, expected "sudo" or "none".`);
  }
  if (t.ssh.privateKeyPath !== undefined && (typeof t.ssh.privateKeyPath !== 'string' || !/^[A-Za-z0-9._/+@=,~][A-Za-z0-9._/+@=,~-]*$/.test(t.ssh.privateKeyPath))) {
    out.push(`target.ssh.privateKeyPath is ${JSON.stringify(t.ssh.privateKeyPath)}, expected a path of letters, digits and ._/+@=,~- (no spaces, quotes or shell metacharacters, not beginning with "-").`);
  }
  if (t.daemonConfigPath !== undefined && !isSafeAbsolutePath(t.daemonConfigPath)) {
    out.push(`target.daemonConfigPath is ${JSON.stringify(t.daemonConfigPath)}, expected ${SAFE_PATH_EXPECTED}, such as "/etc/docker/daemon.json".`);
  }
  for (const k of t.dropUndeclaredKeys ?? []) {
    if (typeof k !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(k)) {
      out.push(`dropUndeclaredKeys entry ${JSON.stringify(k)} is not a daemon.json key, expected a name such as "log-driver".`);
    }
  }
  if (t.dockerCommand !== undefined && (typeof t.dockerCommand !== 'string' || !/^[A-Za-z0-9._/+@=,:-]+( [A-Za-z0-9._/+@=,:-]+)*$/.test(t.dockerCommand) || t.dockerCommand.startsWith('-'))) {
    out.push(`target.dockerCommand is ${JSON.stringify(t.dockerCommand)}, expected the docker CLI as words of letters, digits and ._/+@=,:- one space apart, such as "docker -H unix:///run/docker.sock" (it is put inside quoted remote commands, so quotes, "$", ";" and the like are refused; for more, use a wrapper script on the host).`);
  }
  if (t.pidFile !== undefined && !isSafeAbsolutePath(t.pidFile)) {
    out.push(`target.pidFile is ${JSON.stringify(t.pidFile)}, expected ${SAFE_PATH_EXPECTED}, such as "/run/docker.pid".`);
  }
  if (t.waitSeconds !== undefined && (!Number.isInteger(t.waitSeconds) || t.waitSeconds < 1)) {
    out.push(`target.waitSeconds is ${JSON.stringify(t.waitSeconds)}, expected a whole number of seconds >= 1.`);
  }
  return out;
}
