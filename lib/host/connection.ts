import { DocknetError, describeGiven } from '../core/errors';
import { error } from '../core/validation/problem';
import { hostKeyOptions, sshOptsProblems } from '../core/ssh/options';

export interface SshConnectionOptions {
  /** Host name or address the provider (and Terraform's ssh provisioners) connect to. */
  readonly host: string;
  /** @default "root" */
  readonly user?: string;
  /** @default 22 */
  readonly port?: number;
  /**
   * Extra options for the local ssh binary, after docknet's own host-key options, e.g.
   * ["-i", "/home/ops/.ssh/deploy", "-o", "ServerAliveInterval=15"]. An allow-list (docs/security.md):
   * options that change which host key is trusted (StrictHostKeyChecking, UserKnownHostsFile,
   * KnownHostsCommand, ...), that route the hop elsewhere (-J, ProxyCommand, HostName, a control
   * master) or that read a config file (-F) are refused (DN600): declare hostKey instead.
   * @default []
   */
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
  public static fromUrl(url: string, options: { readonly hostKey?: string | string[] } = {}): HostConnection {
    const m = /^([a-z]+):\/\/(.*)$/.exec(url);
    if (!m) throw new DocknetError('HostConnection', `"${url}" is not an endpoint URL. Expected ssh://user@host[:port], unix:///path or a TLS connection from HostConnection.tls().`);
    const [, scheme, rest] = m;
    if (scheme === 'unix') return HostConnection.unix(rest.startsWith('/') ? rest : `/${rest}`);
    if (scheme === 'ssh') {
      const sm = /^(?:([^@/]+)@)?([^:/@]+|\[[0-9a-fA-F:]+\])(?::(\d+))?$/.exec(rest);
      if (!sm) throw new DocknetError('HostConnection', `"${url}" is not a valid ssh endpoint. Expected ssh://user@host[:port].`);
      return HostConnection.ssh({ user: sm[1], host: sm[2], port: sm[3] ? Number(sm[3]) : undefined, hostKey: options.hostKey });
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
    if (o.sshOpts !== undefined && !Array.isArray(o.sshOpts)) {
      throw new DocknetError('HostConnection.ssh', `sshOpts for ${o.host} is ${describeGiven(o.sshOpts)}, expected a list of strings such as ["-i", "/home/ops/.ssh/deploy"].`);
    }
    const optProblems = sshOptsProblems(o.sshOpts ?? []);
    if (optProblems.length) throw new DocknetError(optProblems.map((m) => error('DN600', [`HostConnection.ssh(${o.host})`], m)));
    this.sshOpts = o.sshOpts ?? [];
    this.privateKeyPath = o.privateKeyPath;
  }
  public get url(): string {
    return `ssh://${this.user}@${this.host}${this.port === 22 ? '' : `:${this.port}`}`;
  }
  /**
   * The provider runs the local ssh binary and trusts exactly the declared host keys
   * (KnownHostsCommand prints them; OpenSSH 8.5+), whatever ~/.ssh/known_hosts says. docknet's
   * options come first: ssh keeps the first value it reads for an option. Without a declared key
   * there is nothing to check the host against, so there is no provider (DN520).
   */
  public providerArgs(scopePath: string): Record<string, unknown> {
    if (this.hostKeys.length === 0) {
      const h = this.host;
      throw new DocknetError(scopePath, `no host key is declared for ${h}, expected its sshd public key so every ssh hop (the docker provider's, verify's and the hosts stack's) can check it. Get it with \`ssh-keyscan -t ed25519 ${h}\`, compare its fingerprint (\`ssh-keygen -lf <file>\`) with the one the host shows on its console (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`), then set HostConnection.ssh({ ..., hostKey: 'ssh-ed25519 AAAA...' }).`, 'DN520');
    }
    const opts = hostKeyOptions(this.host, this.port, this.hostKeys);
    if (this.connectTimeout) opts.push('-o', `ConnectTimeout=${parseInt(this.connectTimeout, 10) * (this.connectTimeout.endsWith('m') ? 60 : 1)}`);
    opts.push(...this.sshOpts);
    return { sshOpts: opts };
  }
}

/** A PEM private-key block of any kind (PRIVATE KEY, RSA/EC/OPENSSH/ENCRYPTED PRIVATE KEY), loosely: spacing and case do not save it. */
const PRIVATE_KEY_BLOCK = /-{3,}\s*BEGIN[A-Z0-9 ]*PRIVATE\s+KEY/i;

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
    // Any field: a combined PEM (certificate and key in one) given as certMaterial or caMaterial
    // would land in cdk.tf.json and in `docknet diff` just the same.
    const fields = { caMaterial: o.caMaterial, certMaterial: o.certMaterial, keyMaterial: o.keyMaterial };
    const inline = Object.entries(fields).filter(([, v]) => typeof v === 'string' && PRIVATE_KEY_BLOCK.test(v)).map(([k]) => k);
    if (inline.length) {
      const fix = (k: string) => (k === 'keyMaterial' ? '' : `the certificate(s) only in ${k}, and `);
      throw new DocknetError(inline.map((k) => error('DN601', [`HostConnection.tls(${o.host})`], `${k} for ${o.host} holds an inline private key (a PEM "PRIVATE KEY" block), which would be written in plain text into cdk.tf.json (and every copy of it, and the diff of a pull request). Expected ${fix(k)}the key as a reference read at plan time: keyMaterial: keyFromFile('/path/key.pem'), a sensitive variable, or certPath.`)));
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
