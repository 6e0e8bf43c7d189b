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
import * as path from 'path';
import { Duplex } from 'stream';
import Docker from 'dockerode';
import type { EngineProber, EngineReader } from './types';

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
export function sshAgent(target: URL, opts: { sshOpts?: readonly string[]; sshCommand?: string } = {}): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const args = [
    ...(opts.sshOpts ?? []),
    // BatchMode: never prompt (a password or an unknown host key fails instead of hanging a CI job).
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    '-T',
    ...(target.port ? ['-p', target.port] : []),
    ...(target.username ? ['-l', decodeURIComponent(target.username)] : []),
    '--', target.hostname.replace(/^\[|\]$/g, ''),
    'docker', 'system', 'dial-stdio',
  ];
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
    const f = (n: string) => {
      const p = path.join(tls.certPath!, n);
      if (!fs.existsSync(p)) throw new EndpointError(`${endpoint}: ${p} does not exist. Expected ca.pem, cert.pem and key.pem in the provider's cert_path.`);
      return fs.readFileSync(p, 'utf8');
    };
    return { ca: f('ca.pem'), cert: f('cert.pem'), key: f('key.pem') };
  }
  if (tls?.ca && tls.cert && tls.key) return { ca: tls.ca, cert: tls.cert, key: tls.key };
  // An empty CA would turn verification off (the provider's trap): refuse rather than guess.
  throw new EndpointError(`${endpoint} is a TLS endpoint but no TLS material is known for it. Give the provider a literal cert_path, or pass --cert-path <host>=<dir> (ca.pem, cert.pem, key.pem).`);
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
  switch (url.protocol) {
    case 'unix:':
      docker = new Docker({ socketPath: url.pathname, timeout });
      break;
    case 'ssh:':
      agent = sshAgent(url, opts);
      docker = new Docker({ protocol: 'http', host: 'docker', port: 80, timeout, agent } as Docker.DockerOptions);
      break;
    case 'tcp:':
    case 'https:':
      docker = new Docker({ protocol: 'https', host: url.hostname, port: Number(url.port || 2376), timeout, ...readTls(endpoint, opts.tls) });
      break;
    default:
      throw new EndpointError(`"${endpoint}" has the unsupported scheme "${url.protocol.replace(':', '')}". Expected ssh://, tcp:// (TLS) or unix://.`);
  }
  return {
    version: () => docker.version() as Promise<any>,
    info: () => docker.info(),
    networks: () => docker.listNetworks() as Promise<any>,
    containers: () => docker.listContainers({ all: true }) as Promise<any>,
    container: (id) => docker.getContainer(id).inspect() as Promise<any>,
    images: () => docker.listImages() as Promise<any>,
    nodes: () => docker.listNodes() as Promise<any>,
    services: () => docker.listServices() as Promise<any>,
    close: () => agent?.destroy(),
    exec: async (container, cmd, timeoutMs) => {
      const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const output = await collect(stream, timeoutMs);
      const info = await exec.inspect();
      return { exitCode: info.Running ? null : info.ExitCode ?? null, output };
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
