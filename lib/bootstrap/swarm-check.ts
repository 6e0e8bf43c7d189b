/**
 * `docknet swarm-replace`: what Terraform cannot see in a hosts stack's swarm. A `terraform_data`
 * re-runs only when it is replaced, and the hosts stack has no provider that could read a host at
 * plan time, so a member that left the swarm by hand (or the first manager whose swarm is gone)
 * would stay "No changes" for ever. This check runs before the plan: it asks the first manager for
 * its node list and every member for its own state, over the same checked ssh hops the stack's steps
 * use (ssh-lib.sh with the environment the synthesized provisioners carry), and names the swarm
 * resources to replace, with the reason. The plan then shows the rejoin as a replacement, for review.
 * Read-only: it runs `docker info` and `docker node inspect`, nothing else.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadScript } from './scripts';
import { shq } from './target';

/** One ssh destination as the stack's provisioners reach it (DOCKNET_<ROLE>_* without the prefix). */
export interface SwarmCheckHost {
  readonly name: string;
  readonly dest: string;
  readonly port: string;
  readonly key: string;
  readonly timeout: string;
  readonly become: string;
  readonly knownHosts: string;
  readonly docker: string;
}

/** A swarm resource of the stack: the init (first manager) or a member's join. */
export interface SwarmCheckResource {
  /** Terraform address, e.g. terraform_data.Swarm_Join-h3_4B57BACC */
  readonly address: string;
  readonly kind: 'init' | 'join';
  readonly role: 'manager' | 'worker';
  /** The host the resource makes a member. */
  readonly host: SwarmCheckHost;
  /** Address the member advertises (how the manager lists it). */
  readonly advertise: string;
  /** The manager the member joins through (the init's own host for the init). */
  readonly manager: SwarmCheckHost;
}

/** What a host answered: its own swarm state and, for the manager, every node it lists. */
export interface HostAnswer {
  readonly state: string;
  readonly nodeId: string;
  readonly controlAvailable: boolean;
  readonly nodes?: readonly SwarmNode[];
}

export interface SwarmNode {
  readonly id: string;
  readonly role: string;
  /** ready, down, unknown, disconnected */
  readonly status: string;
  /** active, pause, drain */
  readonly availability: string;
  readonly addr: string;
}

export interface SwarmCheckFinding {
  readonly host: string;
  readonly resource?: string;
  /** replace: the resource is replaced in the plan; unreachable: the host could not be asked; note: for the operator. */
  readonly kind: 'replace' | 'unreachable' | 'note';
  readonly text: string;
}

export interface SwarmCheckResult {
  readonly resources: readonly SwarmCheckResource[];
  readonly findings: readonly SwarmCheckFinding[];
  /** -replace=<address> flags, in the stack's resource order. */
  readonly replace: readonly string[];
  /** Seconds the whole check took. */
  readonly seconds: number;
}

/** Undoes target.ts tfLiteral: the value as the provisioner's shell sees it. */
const untf = (v: unknown): string => (typeof v === 'string' ? v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') : '');

function hostFrom(env: Record<string, unknown>, role: string, docker: string): SwarmCheckHost {
  const g = (k: string) => untf(env[`DOCKNET_${role}_${k}`]);
  return {
    name: g('NAME'), dest: g('DEST'), port: g('PORT') || '22', key: g('KEY'), timeout: g('TIMEOUT') || '30', become: g('BECOME') || 'none',
    knownHosts: untf(env.DOCKNET_KNOWN_HOSTS), docker,
  };
}

/** Reads the swarm resources of a synthesized hosts stack (cdk.tf.json or main.tf.json). */
export function swarmResources(tf: { resource?: Record<string, Record<string, any>> }): SwarmCheckResource[] {
  const data = tf.resource?.terraform_data ?? {};
  const out: SwarmCheckResource[] = [];
  let init: SwarmCheckResource | undefined;
  const joins: { id: string; env: Record<string, unknown> }[] = [];
  for (const [id, r] of Object.entries(data)) {
    for (const p of (r?.provisioner ?? []) as Record<string, any>[]) {
      const le = p['local-exec'];
      if (!le || le.when === 'destroy') continue;
      const env = (le.environment ?? {}) as Record<string, unknown>;
      if (String(le.command).includes('docknet-swarm-join')) joins.push({ id, env });
      else if (String(le.command).includes('docknet-swarm-init') && untf(env.DOCKNET_STEP) === 'swarm init') {
        const host = hostFrom(env, 'TARGET', untf(env.DOCKNET_TARGET_DOCKER) || 'docker');
        init = { address: `terraform_data.${id}`, kind: 'init', role: 'manager', host, advertise: String(r.input?.advertise_addr ?? ''), manager: host };
      }
    }
  }
  if (init) out.push(init);
  for (const { id, env } of joins) {
    const manager = hostFrom(env, 'MANAGER', untf(env.DOCKNET_MANAGER_DOCKER) || 'docker');
    out.push({
      address: `terraform_data.${id}`,
      kind: 'join',
      role: untf(env.DOCKNET_ROLE) === 'manager' ? 'manager' : 'worker',
      host: hostFrom(env, 'MEMBER', untf(env.DOCKNET_MEMBER_DOCKER) || 'docker'),
      advertise: untf(env.DOCKNET_ADVERTISE),
      // The init's known_hosts holds only its own key; a join's holds the manager's and the member's.
      manager: init && init.host.dest === manager.dest && init.host.port === manager.port ? init.host : manager,
    });
  }
  return out;
}

/** The program each host runs (under sudo when the stack's steps use it): its state, then the manager's node list. */
function probeProgram(docker: string, withNodes: boolean): string {
  return [
    `d=${shq(docker)}`,
    // The server version marks an answer of dockerd: CLI 26.1 exits 0 with empty fields when it is down.
    `$d info --format 'state {{.ServerVersion}} {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}' || exit 3`,
    ...(withNodes
      ? [
          // Managers' Status.Addr can read 0.0.0.0; ManagerStatus.Addr (ip:2377) is the advertised one.
          `ids=$($d node ls -q 2>/dev/null) && [ -n "$ids" ] && $d node inspect --format 'node {{.ID}} {{.Spec.Role}} {{.Status.State}} {{.Spec.Availability}} {{.Status.Addr}} {{if .ManagerStatus}}{{.ManagerStatus.Addr}}{{end}}' $ids`,
        ]
      : []),
    'exit 0',
    '',
  ].join('\n');
}

/**
 * What dockerd reports as its version, when it answered: Docker CLI 26.1.5 (and 28.0, docker/cli#5900)
 * exits 0 from `docker info --format` with dockerd unreachable and renders the template over an empty
 * Info (cli/command/system/info.go), so an answer counts only with a well-formed version in it.
 */
export const WELL_FORMED_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+~_-]*$/;

export function parseAnswer(text: string): HostAnswer | undefined {
  let answer: { state: string; nodeId: string; controlAvailable: boolean } | undefined;
  const nodes: SwarmNode[] = [];
  for (const line of text.split('\n')) {
    // The state line keeps empty fields in place (one space between them): "state 28.5.2 inactive  false".
    const s = line.replace(/\s+$/, '').split(' ');
    if (s[0] === 'state' && s.length >= 3 && WELL_FORMED_VERSION.test(s[1]) && s[2] !== '') {
      answer = { state: s[2], nodeId: s[3] ?? '', controlAvailable: s[4] === 'true' };
    }
    const f = line.trim().split(/\s+/);
    if (f[0] === 'node' && f.length >= 6) {
      const managerAddr = f[6]?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      nodes.push({ id: f[1], role: f[2], status: f[3], availability: f[4], addr: managerAddr || f[5] });
    }
  }
  return answer ? { ...answer, ...(nodes.length ? { nodes } : {}) } : undefined;
}

export type Prober = (host: SwarmCheckHost, withNodes: boolean, timeoutMs: number) => Promise<HostAnswer>;

/**
 * Asks one host over ssh exactly as the stack's steps do (ssh-lib.sh's dn_ssh: declared host keys
 * only, BatchMode, ConnectTimeout, sudo -n). The whole exchange is bounded by timeoutMs: the shell
 * and its ssh run in their own process group, killed together when the time is up.
 */
export const sshProber: Prober = (host, withNodes, timeoutMs) =>
  new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DOCKNET_KNOWN_HOSTS: host.knownHosts,
      DOCKNET_TARGET_DEST: host.dest, DOCKNET_TARGET_NAME: host.name, DOCKNET_TARGET_PORT: host.port,
      DOCKNET_TARGET_KEY: host.key, DOCKNET_TARGET_TIMEOUT: host.timeout, DOCKNET_TARGET_BECOME: host.become,
    };
    const script = `${loadScript('ssh-lib.sh')}\ndn_ssh TARGET 'sh -s'\n`;
    const child = spawn('/bin/sh', ['-c', script, 'docknet-swarm-check'], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      const a = parseAnswer(out);
      if (code === 0 && a) return resolve(a);
      const msg = err.trim().split('\n').filter(Boolean).slice(-2).join(' ') || out.trim().slice(-300) || `exit ${code}`;
      reject(new Error(code === 255 ? `ssh failed (host down or unreachable, or its host key does not match): ${msg}` : `dockerd did not answer: ${msg}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(probeProgram(host.docker, withNodes));
  });

export interface SwarmCheckOptions {
  /** Per-host bound of the whole exchange. @default the host's connect timeout + 20 s */
  readonly timeoutMs?: number;
  readonly prober?: Prober;
}

const key = (h: SwarmCheckHost) => `${h.dest}:${h.port}`;

/** Asks every host of the stack's swarm once, in parallel, and decides what to replace. */
export async function checkSwarm(resources: readonly SwarmCheckResource[], opts: SwarmCheckOptions = {}): Promise<SwarmCheckResult> {
  const t0 = Date.now();
  const prober = opts.prober ?? sshProber;
  const hosts = new Map<string, { host: SwarmCheckHost; withNodes: boolean }>();
  for (const r of resources) {
    for (const [h, nodes] of [[r.manager, true], [r.host, false]] as const) {
      const e = hosts.get(key(h));
      if (!e) hosts.set(key(h), { host: h, withNodes: nodes });
      else if (nodes) e.withNodes = true;
    }
  }
  const answers = new Map<string, HostAnswer | Error>();
  await Promise.all([...hosts.entries()].map(async ([k, { host, withNodes }]) => {
    const ms = opts.timeoutMs ?? (Number(host.timeout) + 20) * 1000;
    try {
      answers.set(k, await prober(host, withNodes, ms));
    } catch (e) {
      answers.set(k, e instanceof Error ? e : new Error(String(e)));
    }
  }));

  const findings: SwarmCheckFinding[] = [];
  const replace: string[] = [];
  const unreachable = new Set<string>();
  const reportUnreachable = (h: SwarmCheckHost, e: Error) => {
    if (unreachable.has(key(h))) return;
    unreachable.add(key(h));
    findings.push({ host: h.name, kind: 'unreachable', text: `${h.name} (${h.dest}) could not be asked: ${e.message}. Its swarm membership is unchecked; nothing of it is replaced.` });
  };
  const initReplaced = resources.some((r) => r.kind === 'init' && (answers.get(key(r.host)) as HostAnswer | undefined)?.state === 'inactive');
  for (const r of resources) {
    const a = answers.get(key(r.host));
    const m = answers.get(key(r.manager));
    const add = (text: string) => {
      findings.push({ host: r.host.name, resource: r.address, kind: 'replace', text });
      replace.push(`-replace=${r.address}`);
    };
    if (a instanceof Error || a === undefined) {
      reportUnreachable(r.host, a ?? new Error('no answer'));
      continue;
    }
    if (r.kind === 'init') {
      if (a.state === 'inactive') add(`${r.host.name} is in no swarm: the swarm it initialized is gone (left by hand?). Replacing the init creates a new swarm, and every join with it.`);
      else if (a.state !== 'active') findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.host.name} swarm state is '${a.state}', expected 'active'; fix the node by hand (docker swarm leave --force), then plan again.` });
      else if (!a.controlAvailable) findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.host.name} is the first manager but is not a manager of its swarm (demoted by hand?): promote it from another manager (docker node promote ${a.nodeId}).` });
      continue;
    }
    // A new swarm replaces every join anyway (their trigger is the init's id).
    if (initReplaced) continue;
    if (a.state === 'inactive') {
      add(`${r.host.name} is not in the swarm (left by hand?): its join runs again and removes its stale node entry from the manager.`);
      continue;
    }
    if (a.state !== 'active') {
      findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.host.name} swarm state is '${a.state}', expected 'active'; fix the node by hand (docker swarm leave --force), then plan again.` });
      continue;
    }
    if (m instanceof Error || m === undefined) {
      reportUnreachable(r.manager, m ?? new Error('no answer'));
      findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.host.name} says it is in a swarm; without the manager ${r.manager.name} its node and role are unchecked.` });
      continue;
    }
    const node = m.nodes?.find((n) => n.id === a.nodeId);
    if (!node) {
      add(`${r.host.name} is in a swarm, but not in the one of ${r.manager.name} (node ${a.nodeId} unknown there): it leaves that swarm and joins again.`);
      continue;
    }
    if (node.role !== r.role) {
      add(`${r.host.name} is a ${node.role} of the swarm, declared ${r.role}: it leaves (demoted first when a manager) and joins again as ${r.role}.`);
      continue;
    }
    if (node.status !== 'ready') findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.manager.name} lists ${r.host.name} as ${node.status}, although the node says it is active (network between them? ports 2377/tcp, 7946/tcp+udp).` });
    if (node.availability !== 'active') findings.push({ host: r.host.name, resource: r.address, kind: 'note', text: `${r.host.name} is ${node.availability} (set by hand: docker node update --availability active ${node.id} to undo).` });
  }
  // Down entries left behind (the join removes those of its own address when it runs).
  const managers = [...new Set(resources.map((r) => key(r.manager)))];
  const live = new Set([...answers.values()].filter((a): a is HostAnswer => !(a instanceof Error)).map((a) => a.nodeId));
  for (const mk of managers) {
    const m = answers.get(mk);
    if (!(m && !(m instanceof Error) && m.nodes)) continue;
    for (const n of m.nodes) {
      if (n.status !== 'down' && !resources.some((x) => x.advertise === n.addr) && !live.has(n.id)) {
        findings.push({ host: n.addr, kind: 'note', text: `node ${n.id} (${n.addr}, ${n.role}, ${n.status}) is in the swarm but no member of this stack has its address: if its host was removed from the code, run docker swarm leave on it, then docker node rm ${n.id} on the manager.` });
        continue;
      }
      if (n.status !== 'down' || live.has(n.id)) continue;
      const r = resources.find((x) => x.advertise === n.addr);
      if (r && replace.includes(`-replace=${r.address}`)) continue;
      findings.push({ host: r?.host.name ?? n.addr, kind: 'note', text: `stale Down node entry ${n.id} (${n.addr}${r ? `, ${r.host.name}'s address` : ', no declared member'}): remove it on the manager with docker node rm --force ${n.id}.` });
    }
  }
  return { resources, findings, replace, seconds: (Date.now() - t0) / 1000 };
}

/** The report, one line per finding, for the plan log and the pull request. */
export function renderSwarmCheck(stack: string, r: SwarmCheckResult, via?: string): string {
  if (r.resources.length === 0) return '';
  const n = new Set(r.resources.flatMap((x) => [x.host.dest, x.manager.dest])).size;
  const head = `docknet swarm check of ${stack}: ${n} host${n === 1 ? '' : 's'} asked${via ? ` ${via}` : ''} in ${r.seconds.toFixed(1)} s`;
  if (r.findings.length === 0) return `${head}; every member is in the swarm in its declared role.\n`;
  const word = { replace: 'REPLACE', unreachable: 'UNREACHABLE', note: 'note' } as const;
  return [head + ':', ...r.findings.map((f) => `  ${word[f.kind]} ${f.resource ? `${f.resource}: ` : ''}${f.text}`), ''].join('\n');
}

/** The stack file: a stack name under <dir>/stacks, a folder with cdk.tf.json, or a .tf.json file. */
export function findStackFile(stack: string, dir = 'cdktf.out'): string {
  const candidates = [
    stack,
    path.join(stack, 'cdk.tf.json'),
    path.join(stack, 'main.tf.json'),
    path.join(dir, 'stacks', stack, 'cdk.tf.json'),
  ];
  const f = candidates.find((c) => c.endsWith('.json') && fs.existsSync(c) && fs.statSync(c).isFile());
  if (!f) throw new Error(`No synthesized stack "${stack}": looked for ${candidates.filter((c) => c.endsWith('.json')).join(', ')}. Run "npm run synth" first, or pass --dir.`);
  return f;
}

/** Exit code: 0 nothing to replace, 2 replacements, 5 a host could not be asked (the answer is incomplete). */
export function swarmCheckExitCode(r: SwarmCheckResult): number {
  if (r.findings.some((f) => f.kind === 'unreachable')) return 5;
  return r.replace.length > 0 ? 2 : 0;
}
