// The multi-host Docker lab: a switch netns with a Linux bridge, a controller netns and one netns per
// host, each host running its own dockerd, containerd and sshd. Nothing is ever added to the root
// network namespace (the testbed notes, shared/notes/testbed.md in the developers' workspace, explain the traps behind each rule below).
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ipaddr from 'ipaddr.js';
import { WELL_FORMED_VERSION } from '../lib/bootstrap/swarm-check';
import { EngineInstall, LabEngineVersion, engineInstall, enginePath, ensureEngine, labEngineFromEnv, parseLabEngine } from './engines';
import { assertIsolated, createMountNamespace, writeLauncher } from './isolation';

export const LAB_LAN = '198.18.0.0/24';
const LAN_PREFIX = '198.18.0.';
const CONTROLLER_ADDRESS = '198.18.0.254';
const DEFAULT_HOSTS = 3;
const APT_PACKAGES = ['docker.io', 'containerd', 'runc', 'busybox-static', 'iptables', 'openssh-server', 'sudo'];
/** The lab's non-root ssh user with passwordless sudo (hosts share the machine's /etc/passwd). */
export const LAB_SUDO_USER = 'dnops';
const USER_MARKS = '/run/docknet-lab-users';
export const LAB_IMAGE = 'docknet/busybox:lab';
const BUSYBOX_APPLETS = ['sh', 'ping', 'ip', 'ifconfig', 'sleep', 'cat', 'wget', 'nc', 'hostname', 'nslookup', 'route', 'arp'];

export interface LabHost {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
  readonly lanInterface: 'eth0';
  readonly socket: string;
  /** unix://<socket>, usable as DOCKER_HOST or as a provider host. */
  readonly dockerHost: string;
  readonly configFile: string;
  /** Behaves like `systemctl restart docker` for this host. */
  readonly restartCommand: string;
  readonly pidfile: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly logFile: string;
  /** The host's sshd public key file (known_hosts material: see hostKey()). */
  readonly hostKeyFile: string;
}

export interface LabInfo {
  readonly name: string;
  readonly dir: string;
  readonly lan: typeof LAB_LAN;
  readonly sshKey: string;
  readonly sshUser: 'root';
  /** Non-root user with passwordless sudo, created by labUp (see LAB_SUDO_USER). */
  readonly sudoUser: string;
  readonly controller: { readonly netns: string; readonly address: string };
  readonly hosts: LabHost[];
  /** The Docker engine every host runs, and the CLI pinned for it (lab/engines.ts). */
  readonly engine: EngineInstall;
}

export interface LabUpOptions {
  /** @default 3 (or the count of the lab already up) */
  readonly hosts?: number;
  /** @default DOCKNET_ENGINE, else the machine's own dockerd's release */
  readonly engine?: LabEngineVersion;
}

export interface HostStatus {
  readonly name: string;
  readonly address: string;
  readonly netns: boolean;
  readonly daemon: 'up' | 'down';
  readonly sshd: 'up' | 'down';
  /** LocalNodeState from `docker info`: inactive, active, pending, ... or '-' when the daemon is down. */
  readonly swarm: string;
}

export interface LabStatus {
  readonly name: string;
  readonly dir: string;
  readonly up: boolean;
  readonly hosts: HostStatus[];
}

export function labName(): string {
  const name = process.env.DOCKNET_LAB_NAME ?? 'dn';
  // Netns and interface names derive from it; keep it short and shell-safe.
  if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) {
    throw new Error(`DOCKNET_LAB_NAME "${name}" must be 1-8 lowercase letters/digits starting with a letter, e.g. "dn"`);
  }
  return name;
}

function labDir(name: string): string {
  return process.env.DOCKNET_LAB_DIR ?? `/tmp/docknet-lab-${name}`;
}

function stateFile(dir: string): string {
  return path.join(dir, 'lab.json');
}

/**
 * Where everything of the lab lives; pure (reads only the state file for the host count and the
 * engine of a lab that is up; else DOCKNET_ENGINE or the machine's own).
 */
export function labInfo(hosts?: number, engine?: LabEngineVersion): LabInfo {
  const name = labName();
  const dir = labDir(name);
  let state: { hosts?: unknown[]; engine?: { version?: string } } = {};
  try {
    state = JSON.parse(fs.readFileSync(stateFile(dir), 'utf8'));
  } catch { /* no lab up */ }
  const count = hosts ?? state.hosts?.length ?? DEFAULT_HOSTS;
  const version = engine ?? (state.engine?.version !== undefined ? parseLabEngine(state.engine.version, stateFile(dir)) : labEngineFromEnv());
  if (!Number.isInteger(count) || count < 1 || count > 200) {
    throw new Error(`lab host count must be an integer between 1 and 200, got ${count}`);
  }
  const hostList: LabHost[] = [];
  for (let i = 1; i <= count; i++) {
    const h = `h${i}`;
    const hd = path.join(dir, h);
    const socket = path.join(hd, 'docker.sock');
    hostList.push({
      name: h,
      netns: `${name}-${h}`,
      address: `${LAN_PREFIX}${i}`,
      lanInterface: 'eth0',
      socket,
      dockerHost: `unix://${socket}`,
      // In a directory of its own: a test can mount a tiny tmpfs over it to fill "the disk".
      configFile: path.join(hd, 'etc', 'daemon.json'),
      restartCommand: path.join(hd, 'restart-dockerd.sh'),
      pidfile: path.join(hd, 'dockerd.pid'),
      dataRoot: path.join(hd, 'data'),
      execRoot: path.join(hd, 'exec'),
      logFile: path.join(hd, 'dockerd.log'),
      hostKeyFile: path.join(hd, 'ssh_host_ed25519_key.pub'),
    });
  }
  return {
    name,
    dir,
    lan: LAB_LAN,
    sshKey: path.join(dir, 'id_ed25519'),
    sshUser: 'root',
    sudoUser: LAB_SUDO_USER,
    controller: { netns: `${name}-ctl`, address: CONTROLLER_ADDRESS },
    hosts: hostList,
    engine: engineInstall(version),
  };
}

// ---------------------------------------------------------------- process helpers

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface RunOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
  readonly input?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
  /** Resolve with the exit code instead of rejecting on failure. @default false */
  readonly allowFail?: boolean;
}

// Root's tools (sysctl, runc, iptables for dockerd) live in sbin, which a non-login PATH may lack.
function withSbin(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const parts = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':');
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!parts.includes(d)) parts.push(d);
  return { ...env, PATH: parts.join(':') };
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, {
      timeout: opts.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
      env: withSbin(opts.env ?? process.env),
      encoding: 'utf8',
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      if (err && !opts.allowFail) {
        const killed = (err as any).killed ? ' (timed out)' : '';
        reject(new Error(`${cmd} ${args.join(' ')} failed${killed} [${code}]: ${String(stderr).trim() || String(stdout).trim() || err.message}`));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command inside a network namespace only (nsenter --net; `ip netns exec` would remount /sys). */
export function inNetns(netns: string, cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('nsenter', [`--net=/run/netns/${netns}`, '--', ...cmd], opts);
}

/** Runs a command in a lab host's network namespace with DOCKER_HOST pointing at its daemon. */
export function inHost(host: LabHost | string, cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  const h = typeof host === 'string' ? findHost(host) : host;
  return inNetns(h.netns, cmd, { ...opts, env: { ...process.env, ...dockerEnv(h), ...opts.env } });
}

/** Runs the docker CLI against a lab host's daemon (from the root netns: it only talks to the socket). */
export function docker(host: LabHost | string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const h = typeof host === 'string' ? findHost(host) : host;
  return dockerCli(labInfo().engine.docker, h, args, opts);
}

/** The docker CLI at `cli` (the lab engine's, by path: /usr/local/bin/docker comes first on PATH). */
function dockerCli(cli: string, h: LabHost, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(cli, ['-H', h.dockerHost, ...args], { ...opts, env: { ...process.env, ...dockerEnv(h), ...opts.env } });
}

/**
 * The version the host's dockerd reports, or undefined when it does not answer. Never the CLI's exit
 * code alone: CLI 26.1.5 exits 0 from `docker info --format` with the daemon down (empty fields).
 * With `fields`, their values follow (one space between, empty ones kept in place).
 */
export async function daemonAnswer(host: LabHost | string, fields: string[] = [], opts: RunOptions = {}): Promise<{ version: string; fields: string[] } | undefined> {
  const r = await docker(host, ['info', '--format', ['{{.ServerVersion}}', ...fields].join(' ')], { allowFail: true, timeoutMs: 10_000, ...opts });
  const [version, ...rest] = r.stdout.replace(/\s+$/, '').split(' ');
  return WELL_FORMED_VERSION.test(version ?? '') ? { version, fields: fields.map((_, i) => rest[i] ?? '') } : undefined;
}

function dockerEnv(h: LabHost): NodeJS.ProcessEnv {
  // Own DOCKER_CONFIG so the CLI never reads or writes the user's ~/.docker.
  return { DOCKER_HOST: h.dockerHost, DOCKER_CONFIG: path.join(path.dirname(h.socket), '..', 'docker-cli') };
}

/** A lab host's sshd public key as "type base64" (what HostConnection.ssh({ hostKey }) takes). */
export function hostKey(h: LabHost): string {
  return fs.readFileSync(h.hostKeyFile, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function findHost(name: string): LabHost {
  const h = labInfo().hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host named "${name}" (lab ${labName()})`);
  return h;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function log(msg: string): void {
  if (process.env.DOCKNET_LAB_QUIET !== '1') process.stderr.write(`[lab] ${msg}\n`);
}

// ---------------------------------------------------------------- safety checks

/** Reads (never changes) the root namespace's routes and refuses a lab range already in use there. */
export async function checkRootRoutes(): Promise<void> {
  const lan = ipaddr.parseCIDR(LAB_LAN);
  for (const family of ['-4', '-6']) {
    const { stdout } = await run('ip', [family, '-j', 'route', 'show', 'table', 'all'], { allowFail: true });
    let routes: Array<{ dst?: string }> = [];
    try {
      routes = JSON.parse(stdout || '[]');
    } catch {
      routes = [];
    }
    for (const r of routes) {
      if (!r.dst || r.dst === 'default') continue;
      const dst = r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`;
      let cidr: [ipaddr.IPv4 | ipaddr.IPv6, number];
      try {
        cidr = ipaddr.parseCIDR(dst);
      } catch {
        continue;
      }
      if (cidr[0].kind() !== 'ipv4') continue;
      // Two prefixes overlap iff one contains the other's network address.
      if (cidr[0].match(lan) || lan[0].match(cidr as [ipaddr.IPv4, number])) {
        throw new Error(`refusing to start the lab: ${LAB_LAN} collides with root namespace route "${r.dst}"`);
      }
    }
  }
}

async function ensurePackages(): Promise<void> {
  const needed = ['/usr/sbin/dockerd', '/usr/sbin/sshd', 'busybox', 'containerd', 'runc', 'iptables', 'ssh-keygen', 'docker', 'sudo'];
  const missing: string[] = [];
  for (const bin of needed) {
    const { code } = await run('sh', ['-c', `command -v ${bin}`], { allowFail: true });
    if (code !== 0) missing.push(bin);
  }
  if (missing.length === 0) return;
  log(`missing ${missing.join(', ')}: installing ${APT_PACKAGES.join(' ')}`);
  await run('apt-get', ['update'], { timeoutMs: 600_000 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], {
    timeoutMs: 900_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

// ---------------------------------------------------------------- up

/** Brings the lab up; a healthy lab of the same size is reused, anything else is cleaned first. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabInfo> {
  const t0 = Date.now();
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new Error('the lab needs root on Linux');
  const version = opts.engine ?? labEngineFromEnv();
  const info = labInfo(opts.hosts ?? existingHostCount() ?? DEFAULT_HOSTS, version);
  const status = await labStatus(info);
  if (status.up && existingEngine() === version) {
    log(`lab ${info.name} already up (${info.hosts.length} hosts, Docker ${version}), reused in ${Date.now() - t0} ms`);
    return info;
  }
  await checkRootRoutes();
  await ensurePackages();
  const fetched = await ensureEngine(version);
  if (fetched.dockerd !== info.engine.dockerd) throw new Error(`docknet bug: Docker ${version} fetched to ${fetched.dockerd}, the lab expected ${info.engine.dockerd}`);
  // A crashed or partial run leaves processes, mounts and namespaces behind: clear them first.
  await teardown(info, { graceful: false });

  fs.mkdirSync(info.dir, { recursive: true, mode: 0o755 });
  await createNetwork(info);
  await createSshKey(info);
  const rootfsTar = await buildRootfsTar(info);
  await ensureSudoUser(info);
  await Promise.all(info.hosts.map((h) => setupHost(info, h, rootfsTar)));
  fs.writeFileSync(stateFile(info.dir), JSON.stringify(info, null, 2));
  log(`lab ${info.name} up: ${info.hosts.length} hosts on Docker ${version} (${info.engine.dockerd}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return info;
}

function existingEngine(): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(labDir(labName())), 'utf8')).engine?.version;
  } catch {
    return undefined;
  }
}

function existingHostCount(): number | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(labDir(labName())), 'utf8')).hosts.length;
  } catch {
    return undefined;
  }
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

async function createNetwork(info: LabInfo): Promise<void> {
  const sw = `${info.name}-sw`;
  await ip(['netns', 'add', sw]);
  await ip(['-n', sw, 'link', 'set', 'lo', 'up']);
  await ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
  await ip(['-n', sw, 'link', 'set', 'br0', 'up']);
  const peers: Array<{ netns: string; address: string; port: string }> = [
    ...info.hosts.map((h) => ({ netns: h.netns, address: h.address, port: h.name })),
    { netns: info.controller.netns, address: info.controller.address, port: 'ctl' },
  ];
  for (const p of peers) {
    await ip(['netns', 'add', p.netns]);
    await ip(['-n', p.netns, 'link', 'set', 'lo', 'up']);
    // The veth is created inside the peer's namespace and its far end lands straight in the switch,
    // so no interface ever exists in the root namespace, not even for a moment.
    await ip(['-n', p.netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', p.port, 'netns', sw]);
    await ip(['-n', sw, 'link', 'set', p.port, 'master', 'br0']);
    await ip(['-n', sw, 'link', 'set', p.port, 'up']);
    await ip(['-n', p.netns, 'addr', 'add', `${p.address}/24`, 'dev', 'eth0']);
    await ip(['-n', p.netns, 'link', 'set', 'eth0', 'up']);
  }
  // Routing between docker bridges and eth0 happens inside each host namespace; dockerd would set it
  // too, but set it explicitly so host-mode tests do not depend on dockerd's timing.
  for (const h of info.hosts) {
    await inNetns(h.netns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  }
}

async function createSshKey(info: LabInfo): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `docknet-lab-${info.name}`, '-f', info.sshKey]);
  fs.copyFileSync(`${info.sshKey}.pub`, path.join(info.dir, 'authorized_keys'));
}

async function buildRootfsTar(info: LabInfo): Promise<string> {
  const rootfs = path.join(info.dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  const { stdout } = await run('sh', ['-c', 'command -v busybox']);
  fs.copyFileSync(stdout.trim(), path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of BUSYBOX_APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  const tar = path.join(info.dir, 'rootfs.tar');
  await run('tar', ['-C', rootfs, '-cf', tar, '.']);
  return tar;
}

function restartScript(info: LabInfo, h: LabHost, launcher: string, mountNs: string): string {
  const dockerdArgs = [
    '--config-file', h.configFile, '-H', h.dockerHost,
    '--data-root', h.dataRoot, '--exec-root', h.execRoot, '--pidfile', h.pidfile,
  ].join(' ');
  return `#!/bin/bash
# Like \`systemctl restart docker\` for lab host ${h.name} (lab ${info.name}): stop by pidfile, start, wait.
set -u
# Docker ${info.engine.version}: its folders first (dockerd finds containerd, the shim, runc, docker-proxy, docker-init there).
export PATH=${enginePath(info.engine, '/usr/bin:/bin')}
PIDFILE=${h.pidfile}
LOG=${h.logFile}
alive() { [ -d /proc/$1 ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status 2>/dev/null; }
if [ -s "$PIDFILE" ]; then
  pid=$(cat "$PIDFILE")
  if alive "$pid"; then
    kill -TERM "$pid"
    for i in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid"; fi
  fi
  # A killed dockerd leaves its pidfile, and dockerd refuses to start while /proc/<that pid> exists,
  # which a zombie not yet reaped still does: drop the stale pidfile once the process is not running,
  # as a fresh start under systemd would find none.
  if ! alive "$pid"; then rm -f "$PIDFILE"; fi
fi
# setsid -f: dockerd leaves this shell's session, so it survives the ssh session that ran us.
# The launcher writes its pid (dockerd execs in its place) so an early crash is noticed at once.
STARTPID=${path.join(path.dirname(h.socket), 'dockerd.startpid')}
rm -f "$STARTPID"
# dockerd and its containerd write temporary files (containerd.<pid>.stacks.log when stopped slowly)
# under TMPDIR: keep them in the host's own folder, which lab down removes, not the caller's TMPDIR.
export TMPDIR=${path.join(path.dirname(h.socket), 'tmp')}
mkdir -p "$TMPDIR"
# Extra dockerd arguments, one per line (lab/tls.ts writes the TLS listener there): on the command line,
# not in daemon.json, because the hosts stack owns that file.
EXTRA=()
if [ -s ${path.join(path.dirname(h.socket), 'dockerd.args')} ]; then mapfile -t EXTRA < ${path.join(path.dirname(h.socket), 'dockerd.args')}; fi
# The host's own mount namespace and sysfs (lab/isolation.ts): the launcher refuses to exec dockerd if it would see the root namespace's links.
nsenter --net=/run/netns/${h.netns} --mount=${mountNs} setsid -f /bin/bash ${launcher} start "$STARTPID" ${info.engine.dockerd} ${dockerdArgs} "\${EXTRA[@]}" </dev/null >>"$LOG" 2>&1
for i in $(seq 1 120); do
  if curl -sf --max-time 2 --unix-socket ${h.socket} http://localhost/_ping >/dev/null 2>&1; then exit 0; fi
  if [ -s "$STARTPID" ] && ! alive "$(cat "$STARTPID")"; then break; fi
  sleep 0.25
done
echo "dockerd on ${h.name} did not answer on ${h.socket}; tail of $LOG:" >&2
tail -n 30 "$LOG" >&2
exit 1
`;
}

function sshdConfig(info: LabInfo, h: LabHost): string {
  const hd = path.dirname(h.socket);
  return [
    `# sshd of lab host ${h.name} (lab ${info.name})`,
    `ListenAddress ${h.address}`,
    'Port 22',
    `HostKey ${path.join(hd, 'ssh_host_ed25519_key')}`,
    `PidFile ${path.join(hd, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(info.dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The key lives under /tmp: StrictModes would silently reject it.
    'StrictModes no',
    `SetEnv DOCKER_HOST=${h.dockerHost} DOCKER_CONFIG=${path.join(info.dir, 'docker-cli')} PATH=${enginePath(info.engine, '/usr/bin:/bin')}`,
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

async function setupHost(info: LabInfo, h: LabHost, rootfsTar: string): Promise<void> {
  const hd = path.dirname(h.socket);
  for (const d of [hd, path.dirname(h.configFile), h.dataRoot, h.execRoot]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(h.configFile, '{}\n');
  const launcher = writeLauncher(hd);
  const mountNs = createMountNamespace(path.join(hd, 'ns'), h.netns, launcher);
  fs.writeFileSync(h.restartCommand, restartScript(info, h, launcher, mountNs), { mode: 0o755 });
  const r = await run(h.restartCommand, [], { timeoutMs: 90_000, allowFail: true });
  if (r.code !== 0) throw new Error(`dockerd on ${h.name} failed to start:\n${r.stderr}`);
  const pid = readPid(h.pidfile);
  if (pid === undefined) throw new Error(`dockerd on ${h.name} answers but wrote no pid to ${h.pidfile}`);
  assertIsolated(pid, h.netns, h.name);

  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(hd, 'ssh_host_ed25519_key')]);
  const cfg = path.join(hd, 'sshd_config');
  fs.writeFileSync(cfg, sshdConfig(info, h));
  await inNetns(h.netns, ['/usr/sbin/sshd', '-f', cfg, '-E', path.join(hd, 'sshd.log')]);

  await dockerCli(info.engine.docker, h, ['import', '-c', 'CMD ["sh"]', '-', LAB_IMAGE], { input: fs.readFileSync(rootfsTar), timeoutMs: 60_000 });
}

// ---------------------------------------------------------------- sudo user

/**
 * The non-root user every lab host's sshd accepts (same authorized key as root) with passwordless
 * sudo. Hosts share the machine's /etc/passwd, so it is created once; each lab that is up holds a
 * mark, and the last lab down removes the user only if a lab created it.
 */
async function ensureSudoUser(info: LabInfo): Promise<void> {
  const u = info.sudoUser;
  fs.mkdirSync(USER_MARKS, { recursive: true, mode: 0o700 });
  const exists = (await run('id', ['-u', u], { allowFail: true })).code === 0;
  if (!exists) {
    await run('useradd', ['-m', '-s', '/bin/sh', '-c', 'docknet lab (created by lab up)', u]);
    fs.writeFileSync(path.join(USER_MARKS, '.created'), `${u}\n`);
  }
  // sshd without PAM refuses a locked account ("!" password): "*" means no password, not locked.
  await run('usermod', ['-p', '*', u]);
  const sudoers = `/etc/sudoers.d/docknet-lab-${u}`;
  if (!fs.existsSync(sudoers)) {
    fs.writeFileSync(sudoers, `# docknet lab: ${u} runs the hosts stack through sudo -n\n${u} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 });
    await run('visudo', ['-c', '-q', '-f', sudoers]);
  }
  fs.writeFileSync(path.join(USER_MARKS, info.name), '');
}

async function releaseSudoUser(info: LabInfo): Promise<void> {
  const mark = path.join(USER_MARKS, info.name);
  if (!fs.existsSync(mark)) return;
  fs.rmSync(mark, { force: true });
  const others = fs.readdirSync(USER_MARKS).filter((e) => !e.startsWith('.'));
  const created = path.join(USER_MARKS, '.created');
  if (others.length > 0) return;
  if (!fs.existsSync(created)) {
    fs.rmSync(USER_MARKS, { recursive: true, force: true });
    return;
  }
  // Only what the lab made: the user's processes are the lab's (killed with the lab already).
  await run('userdel', ['-r', '-f', info.sudoUser], { allowFail: true });
  fs.rmSync(`/etc/sudoers.d/docknet-lab-${info.sudoUser}`, { force: true });
  fs.rmSync(USER_MARKS, { recursive: true, force: true });
}

// ---------------------------------------------------------------- impostor sshd

/**
 * Replaces a host's sshd by an impostor: another sshd on the same address, same authorized keys,
 * but a host key of its own, logging at VERBOSE to `log`. restore() brings the real one back.
 */
export async function startImpostor(h: LabHost): Promise<{ log: string; restore: () => Promise<void> }> {
  const hd = path.dirname(h.socket);
  const realPid = readPid(path.join(hd, 'sshd.pid'));
  if (realPid) await killAndWait([realPid], 2000);
  const key = path.join(hd, 'impostor_host_key');
  fs.rmSync(key, { force: true });
  fs.rmSync(`${key}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const cfg = path.join(hd, 'impostor_sshd_config');
  const real = fs.readFileSync(path.join(hd, 'sshd_config'), 'utf8');
  fs.writeFileSync(cfg, real
    .replace(/^HostKey .*$/m, `HostKey ${key}`)
    .replace(/^PidFile .*$/m, `PidFile ${path.join(hd, 'impostor.pid')}`) + 'LogLevel VERBOSE\n');
  const log = path.join(hd, 'impostor.log');
  fs.writeFileSync(log, '');
  await inNetns(h.netns, ['/usr/sbin/sshd', '-f', cfg, '-E', log]);
  return {
    log,
    restore: async () => {
      const p = readPid(path.join(hd, 'impostor.pid'));
      if (p) await killAndWait([p], 2000);
      await inNetns(h.netns, ['/usr/sbin/sshd', '-f', path.join(hd, 'sshd_config'), '-E', path.join(hd, 'sshd.log')]);
    },
  };
}

// ---------------------------------------------------------------- status

async function netnsExists(netns: string): Promise<boolean> {
  return fs.existsSync(`/run/netns/${netns}`);
}

function pidAlive(pidfile: string): boolean {
  try {
    const pid = Number(fs.readFileSync(pidfile, 'utf8').trim());
    if (!pid) return false;
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s*Z/m.test(st);
  } catch {
    return false;
  }
}

export async function labStatus(info: LabInfo = labInfo()): Promise<LabStatus> {
  const hosts = await Promise.all(info.hosts.map(async (h): Promise<HostStatus> => {
    const ns = await netnsExists(h.netns);
    const ping = fs.existsSync(h.socket)
      ? await run('curl', ['-sf', '--max-time', '3', '--unix-socket', h.socket, 'http://localhost/_ping'], { allowFail: true, timeoutMs: 5000 })
      : { code: 1, stdout: '', stderr: '' };
    const daemon = ping.code === 0 ? 'up' : 'down';
    let swarm = '-';
    if (daemon === 'up') {
      const a = await daemonAnswer(h, ['{{.Swarm.LocalNodeState}}']);
      swarm = a?.fields[0] || 'unknown';
    }
    const sshd = pidAlive(path.join(path.dirname(h.socket), 'sshd.pid')) ? 'up' : 'down';
    return { name: h.name, address: h.address, netns: ns, daemon, sshd, swarm };
  }));
  const up = hosts.length > 0 && hosts.every((h) => h.netns && h.daemon === 'up' && h.sshd === 'up')
    && fs.existsSync(stateFile(info.dir)) && (await netnsExists(`${info.name}-sw`)) && (await netnsExists(info.controller.netns));
  return { name: info.name, dir: info.dir, up, hosts };
}

// ---------------------------------------------------------------- down

export async function labDown(): Promise<void> {
  const t0 = Date.now();
  const info = labInfo();
  await teardown(info, { graceful: true });
  log(`lab ${info.name} down in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Namespace names of this lab that exist now (any host count, so a crashed bigger lab is found too). */
function labNamespaces(name: string): string[] {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/run/netns');
  } catch {
    return [];
  }
  const re = new RegExp(`^${name}-(sw|ctl|h[0-9]+)$`);
  return entries.filter((e) => re.test(e));
}

function hostDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((e) => /^h[0-9]+$/.test(e)).map((e) => path.join(dir, e));
  } catch {
    return [];
  }
}

async function teardown(info: LabInfo, opts: { graceful: boolean }): Promise<void> {
  const dirs = hostDirs(info.dir);
  if (opts.graceful) {
    // Busybox ignores SIGTERM as PID 1, so a dockerd stopping with containers waits 10 s per container:
    // remove them first, and leave the swarm so no task gets rescheduled meanwhile.
    await Promise.all(dirs.map(async (hd) => {
      const sock = path.join(hd, 'docker.sock');
      if (!fs.existsSync(sock)) return;
      const env = { ...process.env, DOCKER_CONFIG: path.join(info.dir, 'docker-cli') };
      const cli = fs.existsSync(info.engine.docker) ? info.engine.docker : 'docker';
      const ps = await run(cli, ['-H', `unix://${sock}`, 'ps', '-aq'], { allowFail: true, timeoutMs: 10_000, env });
      const ids = ps.stdout.split(/\s+/).filter(Boolean);
      if (ps.code === 0 && ids.length) await run(cli, ['-H', `unix://${sock}`, 'rm', '-f', ...ids], { allowFail: true, timeoutMs: 60_000, env });
      if (ps.code === 0) await run(cli, ['-H', `unix://${sock}`, 'swarm', 'leave', '--force'], { allowFail: true, timeoutMs: 30_000, env });
    }));
  }
  // Stop dockerd by its pidfile (it stops its own containerd), then wait for it to be gone.
  const dockerdPids = dirs.map((hd) => readPid(path.join(hd, 'dockerd.pid'))).filter((p): p is number => p !== undefined);
  await killAndWait(dockerdPids, opts.graceful ? 15_000 : 0);
  // Whatever is left: containerd, shims, container processes, sshd. Found by pid: either running inside
  // one of this lab's namespaces, or naming this lab's directory on its command line, plus descendants.
  await killAndWait(labProcesses(info), 0);
  unmountUnder(info.dir);
  for (const ns of labNamespaces(info.name)) await run('ip', ['netns', 'del', ns], { allowFail: true });
  fs.rmSync(info.dir, { recursive: true, force: true });
  if (opts.graceful) await releaseSudoUser(info);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function killAndWait(pids: number[], graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => pids.forEach((p) => { try { process.kill(p, sig); } catch { /* already gone */ } });
  if (pids.length === 0) return;
  if (graceMs > 0) {
    signal('SIGTERM');
    const until = Date.now() + graceMs;
    while (Date.now() < until && pids.some(isAlive)) await sleep(100);
  }
  signal('SIGKILL');
  const until = Date.now() + 10_000;
  while (Date.now() < until && pids.some(isAlive)) await sleep(50);
}

function labProcesses(info: LabInfo): number[] {
  const nsInodes = new Set<number>();
  for (const ns of labNamespaces(info.name)) {
    try {
      nsInodes.add(fs.statSync(`/run/netns/${ns}`).ino);
    } catch { /* raced away */ }
  }
  const marker = info.dir + '/';
  const parent = new Map<number, number>();
  const seeds = new Set<number>();
  for (const e of fs.readdirSync('/proc')) {
    const pid = Number(e);
    if (!pid || pid === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker)) seeds.add(pid);
      else if (nsInodes.size && nsInodes.has(fs.statSync(`/proc/${pid}/ns/net`).ino)) seeds.add(pid);
    } catch { /* process exited meanwhile */ }
  }
  // Container processes live in their own netns: catch them as descendants of the lab's shims.
  const result = new Set(seeds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!result.has(pid) && result.has(ppid)) {
        result.add(pid);
        grew = true;
      }
    }
  }
  result.delete(process.pid);
  return [...result];
}

function unmountUnder(dir: string): void {
  const marker = dir + '/';
  let lines: string[] = [];
  try {
    lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  } catch {
    return;
  }
  // Later mounts may sit on top of earlier ones: unmount in reverse order of appearance.
  const points = lines.map((l) => l.split(' ')[4]).filter((p) => p && (p + '/').startsWith(marker))
    .map((p) => p.replace(/\\040/g, ' '));
  for (const p of points.reverse()) {
    spawnSync('umount', ['-l', p], { stdio: 'ignore' });
  }
}
