// A fake fleet for the script tests: `ssh` that records each hop and runs its command in a local sh
// (as sshd runs it in the login shell), `sudo` that drops -n, and a `docker` CLI that answers from a
// JSON state per host and, when the daemon is down, behaves like one of three real CLIs:
//   20.10 (bookworm's): exit 1, stdout the template up to its first field, stderr a template error
//         ("reflect: indirection through nil pointer to embedded struct field Info");
//   26.1 (26.1.5, trixie's; 28.0.x the same, docker/cli#5900): exit 0, the template rendered over an
//         empty Info on stdout, "Cannot connect to the Docker daemon ..." on stderr;
//   28.2 (28.2+): the same output as 26.1, but exit 1.
// (docker/cli cli/command/system/info.go at v20.10.24, v26.1.5 and v28.2.2; 20.10 and 28.2 checked
// against the real binaries on this machine.) `docker version` exits 1 on all three when down.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type CliStyle = '20.10' | '26.1' | '28.2';
export const CLI_STYLES: CliStyle[] = ['20.10', '26.1', '28.2'];

export interface FakeNode { ID: string; Role: 'manager' | 'worker'; State: string; Availability: string; Addr: string; ManagerAddr?: string }
export interface FakeHostState {
  up: boolean;
  version?: string;
  swarm?: { LocalNodeState: string; NodeID: string; ControlAvailable: boolean; NodeAddr?: string };
  /** The manager's node list. */
  nodes?: FakeNode[];
  /** `swarm leave` fails this many times (moby/moby#34140), leaving LocalNodeState at afterFailedLeave. */
  leaveFails?: number;
  afterFailedLeave?: string;
  token?: string;
}

export interface FakeFleet {
  dir: string;
  /** PATH (and FAKE_* variables) for the scripts. */
  env: Record<string, string>;
  setHost(addr: string, state: FakeHostState): void;
  host(addr: string): FakeHostState;
  /** ssh hops: argv, stdin, known_hosts text, destination. */
  calls(): { argv: string[]; stdin: string; kh: string; dest: string; cmd: string }[];
  /** docker invocations: host and argv. */
  docker(): { host: string; argv: string[] }[];
}

const FAKE_DOCKER = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_FLEET;
const host = process.env.FAKE_HOST || 'local';
const style = process.env.FAKE_CLI || '20.10';
const file = path.join(dir, 'hosts', host + '.json');
let argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'docker.log'), JSON.stringify({ host, argv }) + '\n');
while (argv[0] === '-H' || argv[0] === '--host' || argv[0] === '--context') argv = argv.slice(2);
const st = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { up: false };
const save = () => fs.writeFileSync(file, JSON.stringify(st));
const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);
const CONNECT = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n';
// A Go-template subset: {{.A.B}}, {{if .X}}...{{end}}; a missing field fails like Go's.
function render(tpl, data) {
  let o = '';
  let skip = 0;
  const re = /{{\s*(if\s+)?(\.[A-Za-z.]*|end)\s*}}/g;
  let last = 0;
  let m;
  while ((m = re.exec(tpl))) {
    if (!skip) o += tpl.slice(last, m.index);
    last = re.lastIndex;
    if (m[2] === 'end') { if (skip) skip--; continue; }
    let v = data;
    for (const k of m[2].split('.').filter(Boolean)) {
      if (v === null) throw Object.assign(new Error('nil pointer evaluating ' + m[2]), { partial: o });
      if (typeof v !== 'object' || !(k in v)) throw Object.assign(new Error("can't evaluate field " + k), { partial: o });
      v = v[k];
    }
    if (m[1]) { if (skip || !v) skip++; continue; }
    if (!skip) o += v === null || v === undefined ? '<no value>' : String(v);
  }
  return o + (skip ? '' : tpl.slice(last));
}
const fmt = () => { const i = argv.indexOf('--format'); return i >= 0 ? argv[i + 1] : undefined; };
const swarmOf = (s) => ({ NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', Nodes: 0, Managers: 0, ...(s || {}) });
const info = (up) => up
  ? { ServerVersion: st.version || '20.10.24', Swarm: swarmOf(st.swarm), Debug: false, LiveRestoreEnabled: false }
  : { ServerVersion: '', Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: '', ControlAvailable: false, Error: '', Nodes: 0, Managers: 0 }, Debug: false, LiveRestoreEnabled: false };
function templateError(e) { err('template: :1:2: executing "" at <>: ' + e.message + '\n'); process.exit(1); }
const [cmd, sub] = argv;
if (cmd === 'info') {
  const t = fmt() || '{{.ServerVersion}}';
  if (!st.up) {
    if (style === '20.10') {
      const first = t.indexOf('{{');
      out((first < 0 ? t : t.slice(0, first)) + '\n');
      err('template: :1:' + (first + 2) + ': executing "" at <' + (t.slice(first + 2).match(/^[^}]*/) || [''])[0] + '>: reflect: indirection through nil pointer to embedded struct field Info\n');
      process.exit(1);
    }
    err(CONNECT);
    try { out(render(t, info(false)) + '\n'); } catch (e) { out(e.partial + '\n'); templateError(e); }
    process.exit(style === '26.1' ? 0 : 1);
  }
  try { out(render(t, info(true)) + '\n'); } catch (e) { out(e.partial + '\n'); templateError(e); }
  process.exit(0);
}
if (!st.up) { err(CONNECT); process.exit(1); }
if (cmd === 'version') { out(render(fmt() || '{{.Server.Version}}', { Server: { Version: st.version || '20.10.24' } }) + '\n'); process.exit(0); }
const sw = swarmOf(st.swarm);
if (cmd === 'swarm' && sub === 'join-token') { out((st.token || 'SWMTKN-1-secrettoken') + '\n'); process.exit(0); }
if (cmd === 'swarm' && sub === 'init') { st.swarm = { ...sw, LocalNodeState: 'active', NodeID: 'nodeinit1', ControlAvailable: true }; save(); process.exit(0); }
if (cmd === 'swarm' && sub === 'join') {
  const t = argv[argv.indexOf('--token') + 1];
  if (!/^SWMTKN-/.test(t || '')) { err('invalid join token\n'); process.exit(1); }
  st.swarm = { ...sw, LocalNodeState: 'active', NodeID: st.joinId || 'nodeid123' }; save();
  out('This node joined a swarm as a worker.\n'); process.exit(0);
}
if (cmd === 'swarm' && sub === 'leave') {
  st.leaves = (st.leaves || 0) + 1;
  if (st.leaves <= (st.leaveFails || 0)) {
    if (st.afterFailedLeave) st.swarm = { ...sw, LocalNodeState: st.afterFailedLeave };
    save(); err('Error response from daemon: context deadline exceeded\n'); process.exit(1);
  }
  st.swarm = { ...sw, LocalNodeState: 'inactive', NodeID: '', ControlAvailable: false }; save();
  out('Node left the swarm.\n'); process.exit(0);
}
const nodes = st.nodes || [];
const nodeData = (n) => ({ ID: n.ID, Spec: { Role: n.Role, Availability: n.Availability }, Status: { State: n.State, Addr: n.Addr }, ManagerStatus: n.Role === 'manager' ? { Addr: n.ManagerAddr || n.Addr + ':2377' } : null });
if (cmd === 'node' && sub === 'ls') { out(nodes.map((n) => n.ID + '\n').join('')); process.exit(0); }
if (cmd === 'node' && sub === 'inspect') {
  const ids = argv.slice(2).filter((a, i, all) => a !== '--format' && all[i - 1] !== '--format');
  for (const id of ids) {
    const n = id === 'self' ? nodes.find((x) => x.ID === sw.NodeID) : nodes.find((x) => x.ID === id);
    if (!n) { err('Error: No such node: ' + id + '\n'); process.exit(1); }
    try { out(render(fmt() || '{{.ID}}', nodeData(n)) + '\n'); } catch (e) { templateError(e); }
  }
  process.exit(0);
}
if (cmd === 'node' && (sub === 'rm' || sub === 'demote')) {
  const id = argv[argv.length - 1];
  if (!nodes.some((n) => n.ID === id)) { err('Error: No such node: ' + id + '\n'); process.exit(1); }
  st.nodes = sub === 'rm' ? nodes.filter((n) => n.ID !== id) : nodes.map((n) => (n.ID === id ? { ...n, Role: 'worker' } : n));
  save(); process.exit(0);
}
if (cmd === 'ps' || cmd === 'network') process.exit(0);
err('fake docker: unsupported: ' + argv.join(' ') + '\n');
process.exit(64);
`;

// Records the hop, then runs its command in sh with this host's fake docker (FAKE_HOST), stdin passed on.
// A hop whose program is a daemon.json rollout is only recorded unless FAKE_RUN_PROGRAMS=1: it would
// install daemon.json at the target's path on this machine.
const FAKE_SSH = [
  '#!/bin/sh',
  'dir=$FAKE_FLEET',
  'stdin=$(cat)',
  "kh=''",
  "prev='' last=''",
  'for a; do',
  '  case "$a" in UserKnownHostsFile=*) kh=$(cat "${a#UserKnownHostsFile=}");; esac',
  '  prev=$last last=$a',
  'done',
  'dest=$prev cmd=$last',
  `node -e 'const [a, s, k, d, c, f] = process.argv.slice(1); require("fs").appendFileSync(f, JSON.stringify({ argv: JSON.parse(a), stdin: s, kh: k, dest: d, cmd: c }) + "\\n")' "$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@")" "$stdin" "$kh" "$dest" "$cmd" "$dir/calls.log"`,
  'case " ${FAKE_UNREACHABLE:-} " in *" $dest "*) echo "ssh: connect to host ${dest#*@} port 22: Connection refused" >&2; exit 255;; esac',
  'case "$stdin" in *safe-apply*) [ "${FAKE_RUN_PROGRAMS:-}" = 1 ] || exit 0;; esac',
  'export FAKE_HOST="${dest#*@}"',
  `printf '%s\\n' "$stdin" | sh -c "$cmd"`,
  '',
].join('\n');

const FAKE_SUDO = '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n';

const made: string[] = [];
/** Removes every fleet made so far (call in afterAll). */
export function removeFleets(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function fakeFleet(style: CliStyle, opts: { unreachable?: string[] } = {}): FakeFleet {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-fleet-'));
  made.push(dir);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, 'hosts'));
  fs.writeFileSync(path.join(bin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'ssh'), FAKE_SSH, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'sudo'), FAKE_SUDO, { mode: 0o755 });
  const file = (addr: string) => path.join(dir, 'hosts', `${addr}.json`);
  const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  return {
    dir,
    env: { PATH: `${bin}:${process.env.PATH}`, FAKE_FLEET: dir, FAKE_CLI: style, FAKE_UNREACHABLE: (opts.unreachable ?? []).join(' ') },
    setHost: (addr, state) => fs.writeFileSync(file(addr), JSON.stringify(state)),
    host: (addr) => JSON.parse(fs.readFileSync(file(addr), 'utf8')),
    calls: () => lines(path.join(dir, 'calls.log')),
    docker: () => lines(path.join(dir, 'docker.log')),
  };
}
