import { DocknetError } from '../core/errors';

export interface SshConnectionOptions {
  /** Host name or address the provider (and Terraform's ssh provisioners) connect to. */
  readonly host: string;
  /** @default "root" */
  readonly user?: string;
  /** @default 22 */
  readonly port?: number;
  /** Extra options for the local ssh binary, e.g. ["-o", "StrictHostKeyChecking=yes"]. @default [] */
  readonly sshOpts?: string[];
  /** Private key used by the bootstrap provisioners (the docker provider uses the ssh agent/config). @default none: the agent is used */
  readonly privateKeyPath?: string;
  /**
   * The host's sshd public key(s), "type base64" (e.g. "ssh-ed25519 AAAAC3Nz..."; two during a key
   * rotation). Every ssh hop checks it: the hosts stack's steps and the docker provider
   * (StrictHostKeyChecking=yes, nothing else trusted). Get it with `ssh-keyscan -t ed25519 <host>`
   * and compare the fingerprint (`ssh-keygen -lf`) with the host's console before trusting it.
   * Required for hosts the `<env>-hosts` stack manages.
   * @default none
   */
  readonly hostKey?: string | string[];
  /** Connect timeout of every ssh hop (hosts stack and provider), e.g. "10s". @default "30s" */
  readonly connectTimeout?: string;
  /**
   * How the hosts stack's remote commands get root: "sudo" (`sudo -n`, passwordless sudo for
   * user) or "none" (the user is root or in the docker group and owns daemon.json).
   * @default "sudo" when user is not "root", else "none"
   */
  readonly become?: 'sudo' | 'none';
}

export interface TlsConnectionOptions {
  readonly host: string;
  /** @default 2376 */
  readonly port?: number;
  /** Folder with ca.pem, cert.pem, key.pem. Give either this or all three materials. */
  readonly certPath?: string;
  /** PEM contents (e.g. from a variable). An empty CA would silently turn verification off, so all three are required together. */
  readonly caMaterial?: string;
  readonly certMaterial?: string;
  /**
   * The client's private key. Never inline PEM text (it would be written into cdk.tf.json): give a
   * Terraform reference that reads it at plan time from a file or the environment, e.g.
   * keyFromFile('/run/secrets/docker-key.pem') or a variable's `${var.x}` (sensitive).
   */
  readonly keyMaterial?: string;
}

/** A Terraform expression reading a file at plan time: the content never lands in cdk.tf.json. */
export function keyFromFile(path: string): string {
  return `\${file(${JSON.stringify(path)})}`;
}

/** How the docker provider reaches a host's daemon. Plain tcp:// without TLS is not offered on purpose. */
export abstract class HostConnection {
  /** ssh://user@host[:port]: the provider runs `docker system dial-stdio` over the local ssh binary. */
  public static ssh(options: SshConnectionOptions): HostConnection {
    return new SshConnection(options);
  }

  /** tcp://host:port with mutual TLS. */
  public static tls(options: TlsConnectionOptions): HostConnection {
    return new TlsConnection(options);
  }

  /** A local socket, for a host the deploy runs on. @default path /var/run/docker.sock */
  public static unix(path = '/var/run/docker.sock'): HostConnection {
    return new UnixConnection(path);
  }

  /**
   * Parses an endpoint URL. tcp:// is refused: it must be declared with tls() so that the TLS
   * material is there; a plain tcp daemon socket is an unauthenticated root shell on the network.
   */
  public static fromUrl(url: string): HostConnection {
    const m = /^([a-z]+):\/\/(.*)$/.exec(url);
    if (!m) throw new DocknetError('HostConnection', `"${url}" is not an endpoint URL. Expected ssh://user@host[:port], unix:///path or a TLS connection from HostConnection.tls().`);
    const [, scheme, rest] = m;
    if (scheme === 'unix') return HostConnection.unix(rest.startsWith('/') ? rest : `/${rest}`);
    if (scheme === 'ssh') {
      const sm = /^(?:([^@/]+)@)?([^:/@]+|\[[0-9a-fA-F:]+\])(?::(\d+))?$/.exec(rest);
      if (!sm) throw new DocknetError('HostConnection', `"${url}" is not a valid ssh endpoint. Expected ssh://user@host[:port].`);
      return HostConnection.ssh({ user: sm[1], host: sm[2], port: sm[3] ? Number(sm[3]) : undefined });
    }
    if (scheme === 'tcp' || scheme === 'http') {
      throw new DocknetError('HostConnection', `"${url}" is a plain TCP endpoint. A Docker socket without TLS is an unauthenticated root shell for anyone on the network, so docknet refuses it. Use HostConnection.tls({ host, certPath }) (or caMaterial/certMaterial/keyMaterial), or HostConnection.ssh({ user, host }).`);
    }
    throw new DocknetError('HostConnection', `"${url}" has the unsupported scheme "${scheme}". Expected ssh://, unix:// or HostConnection.tls().`);
  }

  /** The provider's `host` argument. */
  public abstract readonly url: string;
  /** Which transport: used by the bootstrap stack (only ssh hosts can be bootstrapped). */
  public abstract readonly kind: 'ssh' | 'tls' | 'unix';
  /** Provider arguments besides host. */
  public abstract providerArgs(scopePath: string): Record<string, unknown>;
}

function checkPort(scope: string, port: number | undefined): void {
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new DocknetError(scope, `port ${port} is not a TCP port. Expected an integer from 1 to 65535.`);
  }
}

function checkHostName(scope: string, host: string): void {
  if (!host || /[\s/@]/.test(host)) {
    throw new DocknetError(scope, `host "${host}" is not a host name or address. Expected e.g. "10.0.0.11" or "docker-1.example.net".`);
  }
}

export class SshConnection extends HostConnection {
  public readonly kind = 'ssh' as const;
  public readonly user: string;
  public readonly host: string;
  public readonly port: number;
  public readonly sshOpts: string[];
  public readonly privateKeyPath?: string;
  public readonly hostKeys: string[];
  public readonly connectTimeout?: string;
  public readonly become?: 'sudo' | 'none';
  constructor(o: SshConnectionOptions) {
    super();
    checkHostName('HostConnection.ssh', o.host);
    checkPort('HostConnection.ssh', o.port);
    this.hostKeys = o.hostKey === undefined ? [] : Array.isArray(o.hostKey) ? o.hostKey.map((k) => k.trim()) : [o.hostKey.trim()];
    for (const k of this.hostKeys) {
      if (!HOST_KEY.test(k)) {
        throw new DocknetError('HostConnection.ssh', `hostKey ${JSON.stringify(k)} for ${o.host} is not a public key. Expected "type base64" such as "ssh-ed25519 AAAAC3Nz..." (an ssh-keyscan line without the host name).`);
      }
    }
    if (o.connectTimeout !== undefined && !/^\d+(s|m)$/.test(o.connectTimeout)) {
      throw new DocknetError('HostConnection.ssh', `connectTimeout ${JSON.stringify(o.connectTimeout)} for ${o.host} is not a duration. Expected e.g. "10s" or "1m".`);
    }
    if (o.become !== undefined && o.become !== 'sudo' && o.become !== 'none') {
      throw new DocknetError('HostConnection.ssh', `become ${JSON.stringify(o.become)} for ${o.host} is not a privilege mode. Expected "sudo" or "none".`);
    }
    this.connectTimeout = o.connectTimeout;
    this.become = o.become;
    this.user = o.user ?? 'root';
    this.host = o.host;
    this.port = o.port ?? 22;
    this.sshOpts = o.sshOpts ?? [];
    this.privateKeyPath = o.privateKeyPath;
  }
  public get url(): string {
    return `ssh://${this.user}@${this.host}${this.port === 22 ? '' : `:${this.port}`}`;
  }
  /**
   * The provider runs the local ssh binary: with host keys declared, it trusts exactly those
   * (KnownHostsCommand prints them; OpenSSH 8.5+), whatever ~/.ssh/known_hosts says.
   */
  public providerArgs(): Record<string, unknown> {
    const opts = [...this.sshOpts];
    if (this.hostKeys.length > 0) {
      const pattern = this.port === 22 ? this.host : `[${this.host}]:${this.port}`;
      // ssh expands % tokens in KnownHostsCommand: %% is a literal %.
      const lines = this.hostKeys.map((k) => `'${pattern} ${k}'`).join(' ');
      opts.push('-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', `KnownHostsCommand=/usr/bin/printf %%s\\n ${lines}`);
    }
    if (this.connectTimeout) opts.push('-o', `ConnectTimeout=${parseInt(this.connectTimeout, 10) * (this.connectTimeout.endsWith('m') ? 60 : 1)}`);
    return opts.length ? { sshOpts: opts } : {};
  }
}

const HOST_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+=*$/;

export class TlsConnection extends HostConnection {
  public readonly kind = 'tls' as const;
  public readonly host: string;
  public readonly port: number;
  constructor(private readonly o: TlsConnectionOptions) {
    super();
    checkHostName('HostConnection.tls', o.host);
    checkPort('HostConnection.tls', o.port);
    const materials = [o.caMaterial, o.certMaterial, o.keyMaterial];
    const given = materials.filter((m) => m !== undefined && m !== '').length;
    if (o.certPath && given > 0) {
      throw new DocknetError('HostConnection.tls', `both certPath and PEM materials were given for ${o.host}. Expected one of them: certPath, or caMaterial + certMaterial + keyMaterial.`);
    }
    if (!o.certPath && given !== 3) {
      throw new DocknetError('HostConnection.tls', `TLS for ${o.host} needs certPath, or all of caMaterial, certMaterial and keyMaterial (got ${given} of 3). An empty CA silently turns certificate verification off in the provider.`);
    }
    if (o.keyMaterial !== undefined && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(o.keyMaterial)) {
      throw new DocknetError('HostConnection.tls', `keyMaterial for ${o.host} is an inline private key, which would be written in plain text into cdk.tf.json (and every copy of it). Expected a reference read at plan time: keyMaterial: keyFromFile('/path/key.pem'), a sensitive variable, or certPath.`);
    }
    this.host = o.host;
    this.port = o.port ?? 2376;
  }
  public get url(): string {
    return `tcp://${this.host}:${this.port}`;
  }
  public providerArgs(): Record<string, unknown> {
    return this.o.certPath
      ? { certPath: this.o.certPath }
      : { caMaterial: this.o.caMaterial, certMaterial: this.o.certMaterial, keyMaterial: this.o.keyMaterial };
  }
}

export class UnixConnection extends HostConnection {
  public readonly kind = 'unix' as const;
  constructor(public readonly path: string) {
    super();
    if (!path.startsWith('/')) throw new DocknetError('HostConnection.unix', `socket path "${path}" is not absolute. Expected e.g. /var/run/docker.sock.`);
  }
  public get url(): string {
    return `unix://${this.path}`;
  }
  public providerArgs(): Record<string, unknown> {
    return {};
  }
}
