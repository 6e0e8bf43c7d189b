/**
 * Reads a Docker host through the Engine API, reached the way the docker provider reaches it:
 * ssh:// runs the local OpenSSH binary with `docker system dial-stdio` on the remote (the provider's
 * docker/cli connhelper does exactly that, so known_hosts, the agent and ~/.ssh/config apply and host
 * keys are checked by ssh itself), tcp:// speaks mutual TLS, unix:// a local socket. Only GET
 * requests are made, except the probe's exec (lib/live/probe.ts).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { Duplex } from 'stream';
import Docker from 'dockerode';
import { fileFromTar } from './daemon-evidence';
import type { EngineProber, EngineReader } from './types';
import { PINNED_HOST_KEY_OPTIONS, renderedSshOptsProblems } from '../core/ssh/options';

export type { EngineReader } from './types';


/** TLS material for a tcp:// endpoint, as the provider takes it. */
export interface TlsMaterial {
  readonly certPath?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface ConnectOptions {
  /** Extra arguments for ssh (the provider's ssh_opts). */
  readonly sshOpts?: readonly string[];
  readonly tls?: TlsMaterial;
  /** Per-request timeout. @default 15000 */
  readonly timeoutMs?: number;
  /** The ssh binary. @default "ssh" */
  readonly sshCommand?: string;
}

/** An endpoint that cannot be used: the message says which, what was expected and the fix. */
export class EndpointError extends Error {}

/**
 * An http.Agent whose connections are `ssh [opts] [-p port] [-l user] -- host docker system dial-stdio`:
 * one ssh process per HTTP connection, kept alive, so a host is read over one ssh session.
 */
/** ssh's arguments for one remote command, with the provider's ssh_opts (host keys checked as they say). */
function sshArgs(target: URL, opts: { sshOpts?: readonly string[] }, remote: string[]): string[] {
  return [
    // First, so no later option or config file can weaken them (ssh keeps the first value it reads):
    // an unknown or changed host key fails the read.
    ...PINNED_HOST_KEY_OPTIONS,
    ...(opts.sshOpts ?? []),
    // BatchMode: never prompt (a password or an unknown host key fails instead of hanging a CI job).
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    '-T',
    ...(target.port ? ['-p', target.port] : []),
    ...(target.username ? ['-l', decodeURIComponent(target.username)] : []),
    '--', target.hostname.replace(/^\[|\]$/g, ''),
    ...remote,
  ];
}

/**
 * The ssh options of a synthesized docker provider (its ssh_opts), checked when its host is ssh://:
 * docknet's host-key block first and nothing after it that changes which key is trusted (a
 * hand-edited or foreign cdk.tf.json is refused, not obeyed).
 */
export function providerSshOpts(alias: string, config: { readonly host?: unknown; readonly ssh_opts?: unknown }): string[] {
  const value = config.ssh_opts;
  const opts = Array.isArray(value) ? (value as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  if (typeof config.host !== 'string' || !config.host.startsWith('ssh://')) return opts;
  if (value !== undefined && (!Array.isArray(value) || opts.length !== value.length)) {
    throw new EndpointError(`provider ${alias}: ssh_opts is not a list of strings (${JSON.stringify(value)}). Synthesize again with this docknet; never edit cdk.tf.json by hand.`);
  }
  const problems = renderedSshOptsProblems(opts);
  if (problems.length) throw new EndpointError(`provider ${alias}: ${problems.join(' ')}`);
  return opts;
}

/** Runs a fixed command on an ssh host (no value of ours reaches its shell), bounded in time. */
export function sshCommand(target: URL, opts: { sshOpts?: readonly string[]; sshCommand?: string }, remote: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(opts.sshCommand ?? 'ssh', sshArgs(target, opts, [remote]), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-200_000); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: null, stdout, stderr: e.message }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

export function sshAgent(target: URL, opts: { sshOpts?: readonly string[]; sshCommand?: string } = {}): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const args = sshArgs(target, opts, ['docker', 'system', 'dial-stdio']);
  (agent as any).createConnection = (_o: unknown, cb?: (err: Error | null, s?: Duplex) => void) => {
    const child = spawn(opts.sshCommand ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const stream = new Duplex({
      write(chunk, enc, done) { child.stdin.write(chunk, enc, done); },
      final(done) { child.stdin.end(); done(); },
      read() { child.stdout.resume(); },
      destroy(err, done) { child.kill(); done(err); },
    });
    child.stdout.on('data', (d: Buffer) => { if (!stream.push(d)) child.stdout.pause(); });
    child.on('error', (e) => stream.destroy(new Error(`cannot run ssh for ${target.host}: ${e.message}`)));
    // 'close' comes after stdout and stderr ended: an ssh failure surfaces with ssh's own message
    // instead of a bare "socket hang up".
    child.on('close', (code) => {
      if (code) stream.destroy(new Error(`ssh to ${target.host} exited with ${code}: ${stderr.trim() || 'no message'}`));
      else stream.push(null);
    });
    // Plain http.Agent semantics expect a socket; these are what http touches on one.
    Object.assign(stream, { setKeepAlive: () => stream, setNoDelay: () => stream, setTimeout: () => stream, ref: () => stream, unref: () => stream });
    cb?.(null, stream);
    return stream;
  };
  return agent;
}

function readTls(endpoint: string, tls: TlsMaterial | undefined): { ca: string; cert: string; key: string } {
  if (tls?.certPath) {
    const f = (n: string, what: string) => {
      const p = path.join(tls.certPath!, n);
      if (!fs.existsSync(p)) throw new EndpointError(`${endpoint}: ${p} does not exist (${what}). Expected ca.pem, cert.pem and key.pem in the provider's cert_path (or --cert-path); nothing was sent to the host without it.`);
      return fs.readFileSync(p, 'utf8');
    };
    return { ca: f('ca.pem', 'the CA that signed the daemon\'s certificate'), cert: f('cert.pem', 'the client certificate'), key: f('key.pem', 'the client certificate\'s key') };
  }
  if (tls?.ca && tls.cert && tls.key) return { ca: tls.ca, cert: tls.cert, key: tls.key };
  // An empty CA would turn verification off (the provider's trap): refuse rather than guess.
  throw new EndpointError(`${endpoint} is a TLS endpoint but no TLS material is known for it. Give the provider a literal cert_path, or pass --cert-path <host>=<dir> (ca.pem, cert.pem, key.pem).`);
}

/** Node's codes for a daemon certificate the client does not trust. */
const UNTRUSTED = new Set(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED']);

/**
 * A TLS failure in the operator's words: which side refused what, and the fix. OpenSSL's own text
 * names neither the file nor the host; these errors are common (a rotated CA, a wrong folder).
 */
export function explainTls(e: unknown, endpoint: string, source: string): unknown {
  const err = e as { code?: string; message?: string; reason?: string };
  const code = String(err?.code ?? '');
  const detail = err?.message ?? String(e);
  if (UNTRUSTED.has(code)) {
    return new EndpointError(`${endpoint}: the daemon's certificate is not signed by the CA in ${source} (${detail}): the host is untrusted and nothing was read. Give the CA that issued the daemon's certificate.`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new EndpointError(`${endpoint}: the daemon's certificate does not name this address (${detail}): untrusted, nothing was read. Reissue it with the address in subjectAltName, or connect by a name it carries.`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new EndpointError(`${endpoint}: the daemon's certificate is not valid now (${detail}): untrusted, nothing was read. Renew it.`);
  }
  if (/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED)$/.test(code)) {
    return new EndpointError(`${endpoint}: the daemon refused the client certificate in ${source} (${detail}). Give a client certificate signed by the CA the daemon's --tlscacert names.`);
  }
  if (code.startsWith('ERR_OSSL') || /PEM|key values mismatch/i.test(detail)) {
    return new EndpointError(`${endpoint}: the TLS material in ${source} cannot be used (${detail}). Expected PEM files: ca.pem, cert.pem and the key.pem that belongs to cert.pem.`);
  }
  // Anything else (refused, timed out) says so itself: passed on unchanged.
  return e;
}

/** A reader (and, for --probe, a prober) for one endpoint URL (unix://, ssh://, tcp:// with TLS). */
export function connectEngine(endpoint: string, opts: ConnectOptions = {}): EngineReader & EngineProber {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointError(`"${endpoint}" is not an endpoint URL. Expected ssh://user@host[:port], tcp://host:port (TLS) or unix:///path.`);
  }
  const timeout = opts.timeoutMs ?? 15_000;
  let docker: Docker;
  let agent: http.Agent | undefined;
  /** Turns a transport failure into the operator's words (TLS only, so far). */
  let explain = (e: unknown): unknown => e;
  // docker-modem fills in whatever is not given from DOCKER_HOST, DOCKER_CERT_PATH and
  // DOCKER_TLS_VERIFY (and reads the files DOCKER_CERT_PATH names): an operator's shell would
  // silently send the read to another daemon. Every connection field is given, undefined when
  // unused, and the client is built without those variables.
  const unset = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, agent: undefined };
  switch (url.protocol) {
    case 'unix:':
      docker = newDocker({ ...unset, socketPath: url.pathname, timeout } as Docker.DockerOptions);
      break;
    case 'ssh:':
      agent = sshAgent(url, opts);
      docker = newDocker({ ...unset, protocol: 'http', host: 'docker', port: 80, timeout, agent } as Docker.DockerOptions);
      break;
    case 'tcp:':
    case 'https:': {
      const material = readTls(endpoint, opts.tls);
      const source = opts.tls?.certPath ? path.join(opts.tls.certPath, 'ca.pem') : 'the provider\'s ca_material';
      // One agent per host, kept alive: the whole read is one TLS session (like one ssh session).
      agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...material });
      docker = newDocker({ ...unset, protocol: 'https', host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2376), timeout, agent, ...material } as Docker.DockerOptions);
      explain = (e) => explainTls(e, endpoint, source);
      break;
    }
    default:
      throw new EndpointError(`"${endpoint}" has the unsupported scheme "${url.protocol.replace(':', '')}". Expected ssh://, tcp:// (TLS) or unix://.`);
  }
  const w = <T>(call: () => Promise<T>): Promise<T> => call().catch((e) => { throw explain(e); });
  return {
    version: () => w(() => docker.version() as Promise<any>),
    info: () => w(() => docker.info()),
    networks: () => w(() => docker.listNetworks() as Promise<any>),
    containers: () => w(() => docker.listContainers({ all: true }) as Promise<any>),
    container: (id) => w(() => docker.getContainer(id).inspect() as Promise<any>),
    images: () => w(() => docker.listImages() as Promise<any>),
    nodes: () => w(() => docker.listNodes() as Promise<any>),
    services: () => w(() => docker.listServices() as Promise<any>),
    ...(url.protocol === 'ssh:' ? { natTable: (ms: number) => natTable(url, opts, ms) } : {}),
    file: (id, p) => w(async () => fileFromTar(await streamToBuffer(await docker.getContainer(id).getArchive({ path: p }), 1 << 20))),
    close: () => agent?.destroy(),
    exec: async (container, cmd, timeoutMs) => {
      const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const output = await collect(stream, timeoutMs);
      const info = await exec.inspect();
      return { exitCode: info.Running ? null : info.ExitCode ?? null, output };
    },
    resolvConfOnBridge: async (image, timeoutMs) => {
      // Docker writes resolv.conf while starting a container, before its program runs: a program
      // that does not exist makes the start fail right after, so nothing of the image ever runs on
      // the host (seen on the lab: the file is there, the start fails with "exec ... no such file").
      const c = await docker.createContainer({
        name: `docknet-probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        Image: image, Entrypoint: ['/docknet-probe/not-a-program'], Cmd: [], Labels: { 'docknet.probe': 'true' }, HostConfig: { NetworkMode: 'bridge' },
      });
      try {
        await withDeadline(c.start(), timeoutMs, 'starting the probe container').catch((e: unknown) => {
          if (!/not-a-program/.test(String((e as Error)?.message))) throw e;
        });
        return fileFromTar(await streamToBuffer(await c.getArchive({ path: '/etc/resolv.conf' }), 1 << 20));
      } finally {
        await c.remove({ force: true }).catch(() => undefined);
      }
    },
    poolSubnet: async (timeoutMs, whileThere) => {
      const name = `docknet-probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const n = await withDeadline(docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { 'docknet.probe': 'true' } }), timeoutMs, 'creating the probe network');
      try {
        const info = await n.inspect();
        const cfg = (info.IPAM?.Config ?? []).find((x: any) => typeof x.Subnet === 'string' && !x.Subnet.includes(':'));
        if (!cfg) throw new Error(`network ${name} got no IPv4 subnet`);
        return { network: name, subnet: String(cfg.Subnet), ...(whileThere ? { during: await whileThere() } : {}) };
      } finally {
        await n.remove().catch(() => undefined);
      }
    },
    runOnHost: async (image, cmd, timeoutMs) => {
      const c = await docker.createContainer({
        name: `docknet-probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        Image: image, Entrypoint: [cmd[0]], Cmd: cmd.slice(1),
        Labels: { 'docknet.probe': 'true' },
        HostConfig: { NetworkMode: 'host' },
      });
      try {
        await c.start();
        let timer: NodeJS.Timeout | undefined;
        const r = await Promise.race([
          c.wait() as Promise<{ StatusCode: number }>,
          new Promise<undefined>((res) => { timer = setTimeout(() => res(undefined), timeoutMs); }),
        ]).finally(() => clearTimeout(timer));
        const logs = String(await c.logs({ stdout: true, stderr: true }));
        return { exitCode: r ? r.StatusCode : null, output: logs };
      } finally {
        // Never left behind, whatever happened.
        await c.remove({ force: true }).catch(() => undefined);
      }
    },
  };
}

/** A constant script: sbin is not on a non-login PATH; sudo -n fails instead of asking for a password. */
const NAT_SCRIPT = 'PATH="$PATH:/usr/sbin:/sbin" iptables -w 5 -t nat -S';

async function natTable(url: URL, opts: ConnectOptions, timeoutMs: number): Promise<{ nat?: string; error?: string }> {
  const root = decodeURIComponent(url.username || 'root') === 'root';
  const r = await sshCommand(url, opts, root ? NAT_SCRIPT : `sudo -n /bin/sh -c '${NAT_SCRIPT}'`, timeoutMs);
  if (r.code === 0) return { nat: r.stdout };
  const why = r.stderr.trim().split('\n').pop() || `exit ${r.code ?? 'timeout'}`;
  return { error: `reading the nat table needs root on the host (${root ? 'as root' : 'sudo -n'} failed: ${why})` };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} took over ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

/** A stream's bytes, at most `max` (a file bigger than that is not what was asked for). */
function streamToBuffer(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    stream.on('data', (d: Buffer) => {
      n += d.length;
      if (n > max) {
        (stream as any).destroy?.();
        reject(new Error(`more than ${max} bytes`));
      } else parts.push(d);
    });
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

const DOCKER_ENV = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CLIENT_TIMEOUT', 'DOCKER_PATH_PREFIX'];

/** A dockerode client that takes only `opts` (its constructor is synchronous: nothing else sees the environment meanwhile). */
function newDocker(opts: Docker.DockerOptions): Docker {
  const saved = DOCKER_ENV.map((k) => [k, process.env[k]] as const);
  for (const k of DOCKER_ENV) delete process.env[k];
  try {
    return new Docker(opts);
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

function collect(stream: NodeJS.ReadableStream, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => { (stream as any).destroy?.(); resolve(out); }, timeoutMs);
    stream.on('data', (d: Buffer) => { out = (out + d.toString('utf8')).slice(-4000); });
    const done = () => { clearTimeout(timer); resolve(out); };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
