// Runs the local-side scripts (ssh-lib.sh + run-remote.sh / swarm-join.sh) for real against a fake
// `ssh` that records its arguments and stdin: host-key options on every hop, sudo for non-root
// users, the join token only ever on stdin, the dead-host way out. No network, no root.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap } from '../../lib/bootstrap';

const KEY = (i: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'B'.repeat(40)}${i}`;
const target = (i: number, user = 'root'): BootstrapTarget => ({
  name: `h${i}`, ssh: { host: `198.18.0.${i}`, user, privateKeyPath: '/lab/key', timeout: '7s', hostKeys: [KEY(i)] },
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A PATH with a fake ssh; calls.log gets one JSON line per call: argv, stdin, known_hosts text. */
function fakeSsh(opts: { memberState?: string; unreachable?: string; manager?: boolean; leaveFails?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-fake-ssh-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'ssh'), `#!/bin/sh
stdin=$(cat)
kh=''
prev=''
for a; do case "$a" in UserKnownHostsFile=*) kh=$(cat "\${a#UserKnownHostsFile=}");; esac; done
for last; do :; done
node -e 'const [a, s, k] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3]]; require("fs").appendFileSync(process.argv[4], JSON.stringify({ argv: a, stdin: s, kh: k }) + "\\n")' "$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@")" "$stdin" "$kh" ${dir}/calls.log
case " $* " in *" ${opts.unreachable ?? 'nobody'}"*) echo "ssh: connect to host: Connection refused" >&2; exit 255;; esac
case "$last" in
  *LocalNodeState*NodeID*ControlAvailable*) echo "docknet-answer 20.10.24 active nodeid123 ${opts.manager ? 'true' : 'false'}";;
  *LocalNodeState*NodeID*) echo "docknet-answer 20.10.24 active nodeid123";;
  *LocalNodeState*) echo "docknet-answer 20.10.24 ${opts.memberState ?? 'inactive'}";;
  *Swarm.NodeID*) echo "docknet-answer 20.10.24 nodeid123";;
  *ControlAvailable*) echo "docknet-answer 20.10.24 false";;
  *"join-token -q worker"*) echo "SWMTKN-1-secrettoken";;
  *"swarm join"*) echo "This node joined a swarm as a worker.";;
  *"swarm leave"*)
    n=$(( $(cat ${dir}/leaves 2>/dev/null || echo 0) + 1 )); echo $n > ${dir}/leaves
    if [ $n -le ${opts.leaveFails ?? 0} ]; then echo "Error response from daemon: context deadline exceeded" >&2; exit 1; fi
    echo "Node left the swarm.";;
  *) ;;
esac
exit 0
`, { mode: 0o755 });
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    calls: () => fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; stdin: string; kh: string }),
  };
}

function swarmJoin(extra: Record<string, unknown> = {}) {
  const stack = new TerraformStack(Testing.app(), 'lab-hosts');
  const h1 = new HostBootstrap(stack, 'h1', { target: target(1), daemon: { mtu: 1400 } });
  const h2 = new HostBootstrap(stack, 'h2', { target: target(2, 'ops'), daemon: { mtu: 1400 } });
  new SwarmBootstrap(stack, 'Swarm', { managers: [{ host: h1 }], workers: [{ host: h2 }], ...extra });
  const out = JSON.parse(Testing.synth(stack, true));
  const data = out.resource.terraform_data as Record<string, any>;
  const get = (p: string) => Object.entries(data).find(([k]) => k.startsWith(p))![1];
  return { join: get('Swarm_Join-h2'), rollout: get('h2_DaemonRollout') };
}

/** Terraform would resolve $${ to ${ in the environment: undo tfLiteral for a direct run. */
const untf = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')]));

function runLocalExec(le: { command: string; environment: Record<string, string> }, env: Record<string, string>) {
  const r = spawnSync('/bin/sh', ['-c', le.command], { env: { ...untf(le.environment), ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('ssh-lib.sh on the machine running terraform', () => {
  test('the rollout: strict host key checking against the declared key only, timeout, sudo -n for a non-root user, program on stdin', () => {
    const ssh = fakeSsh();
    const { rollout } = swarmJoin();
    const r = runLocalExec(rollout.provisioner[0]['local-exec'], ssh.env);
    expect(r.code).toBe(0);
    const [call] = ssh.calls();
    expect(call.argv).toEqual(expect.arrayContaining(['-o', 'StrictHostKeyChecking=yes', 'GlobalKnownHostsFile=/dev/null', 'ConnectTimeout=7', '-p', '22', '-i', '/lab/key', 'ops@198.18.0.2']));
    expect(call.argv).not.toContain('StrictHostKeyChecking=no');
    expect(call.argv[call.argv.length - 1]).toBe('sudo -n sh -s');
    expect(call.kh).toBe(`198.18.0.2 ${KEY(2)}`);
    expect(call.stdin).toMatch(/^umask 077\nfail\(\)/);
    expect(call.stdin).toContain('"mtu": 1400');
  });

  test('the join: the token travels only on stdin, never in any argv; both host keys known; output without the token', () => {
    const ssh = fakeSsh();
    const { join } = swarmJoin();
    const r = runLocalExec(join.provisioner[0]['local-exec'], ssh.env);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('SWMTKN');
    const calls = ssh.calls();
    for (const c of calls) expect(c.argv.join(' ')).not.toContain('SWMTKN');
    const joinCall = calls.find((c) => c.argv[c.argv.length - 1].includes('swarm join --token'))!;
    expect(joinCall.stdin).toBe('SWMTKN-1-secrettoken');
    expect(joinCall.argv[joinCall.argv.length - 1]).toMatch(/^sudo -n sh -c 'read -r t && exec docker swarm join --token "\$t" --advertise-addr 198\.18\.0\.2 198\.18\.0\.1:2377'$/);
    expect(calls[0].kh).toBe(`198.18.0.1 ${KEY(1)}\n198.18.0.2 ${KEY(2)}`);
    // The manager is root: no sudo there.
    expect(calls.find((c) => c.argv.includes('root@198.18.0.1'))!.argv.slice(-1)[0]).toMatch(/^docker swarm join-token -q worker$/);
  });

  test('an unreachable member: the join fails with its own message before any token is read', () => {
    const ssh = fakeSsh({ unreachable: 'ops@198.18.0.2' });
    const { join } = swarmJoin();
    const r = runLocalExec(join.provisioner[0]['local-exec'], ssh.env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot reach the dockerd of h2 over ssh/);
    expect(ssh.calls().some((c) => c.argv.join(' ').includes('join-token'))).toBe(false);
  });

  test('destroy with a dead member: DOCKNET_UNREACHABLE skips it and the manager forgets its node', () => {
    const ssh = fakeSsh({ unreachable: 'ops@198.18.0.2' });
    const { join } = swarmJoin();
    const leave = join.provisioner[1]['local-exec'];
    // Destroy-time env comes from self.input.leave: feed it as terraform would.
    const env = { ...leave.environment, ...Object.fromEntries(Object.entries(join.input.leave as Record<string, string>)) };
    const stuck = runLocalExec({ command: leave.command, environment: env }, ssh.env);
    expect(stuck.code).toBe(1);
    expect(stuck.out).toMatch(/DOCKNET_UNREACHABLE='h2' terraform destroy/);
    const ok = runLocalExec({ command: leave.command, environment: env }, { ...ssh.env, DOCKNET_UNREACHABLE: 'h2' });
    expect(ok.out).toMatch(/h2 is listed in DOCKNET_UNREACHABLE: not contacted/);
    expect(ok.code).toBe(0);
  });
});

describe('swarm-leave.sh', () => {
  test('a node declared worker that is a manager (promoted by hand) is demoted on the manager before it leaves, then forgotten', () => {
    const ssh = fakeSsh({ manager: true });
    const { join } = swarmJoin();
    const leave = join.provisioner[1]['local-exec'];
    const env = { ...leave.environment, ...Object.fromEntries(Object.entries(join.input.leave as Record<string, string>)) };
    const r = runLocalExec({ command: leave.command, environment: env }, ssh.env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/h2 demoted/);
    const cmds = ssh.calls().map((c) => `${c.argv.includes('root@198.18.0.1') ? 'manager' : 'member'}: ${c.argv[c.argv.length - 1]}`);
    const demote = cmds.indexOf('manager: docker node demote nodeid123');
    const leaveAt = cmds.indexOf('member: sudo -n docker swarm leave');
    expect(demote).toBeGreaterThan(-1);
    expect(leaveAt).toBeGreaterThan(demote);
    expect(cmds.slice(leaveAt)).toContain('manager: docker node rm --force nodeid123');
  });

  test('a worker that is a worker leaves without a demotion', () => {
    const ssh = fakeSsh({ manager: false });
    const { join } = swarmJoin();
    const leave = join.provisioner[1]['local-exec'];
    const env = { ...leave.environment, ...Object.fromEntries(Object.entries(join.input.leave as Record<string, string>)) };
    const r = runLocalExec({ command: leave.command, environment: env }, ssh.env);
    expect(r.code).toBe(0);
    expect(ssh.calls().some((c) => c.argv.join(' ').includes('node demote'))).toBe(false);
  });
});

describe('swarm-leave.sh: a leave dockerd fails (moby/moby#34140, #35337)', () => {
  function leaveWith(opts: Parameters<typeof fakeSsh>[0]) {
    const ssh = fakeSsh({ manager: false, ...opts });
    const { join } = swarmJoin();
    const leave = join.provisioner[1]['local-exec'];
    const env = { ...leave.environment, ...Object.fromEntries(Object.entries(join.input.leave as Record<string, string>)) };
    const r = runLocalExec({ command: leave.command, environment: env }, ssh.env);
    const cmds = ssh.calls().map((c) => c.argv[c.argv.length - 1]);
    return { ...r, leaves: cmds.filter((c) => c.endsWith('swarm leave')).length, forced: cmds.some((c) => c.includes('leave --force')), removed: cmds.includes('docker node rm --force nodeid123') };
  }

  test('a member that is still one after a failed leave tries again (never with --force) and then is forgotten by the manager', () => {
    const r = leaveWith({ leaveFails: 2, memberState: 'active' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/swarm leave on h2 failed \(try 1 of 3, state 'active'\): Error response from daemon: context deadline exceeded; trying again/);
    expect(r.out).toMatch(/try 2 of 3/);
    expect(r.out).toMatch(/node nodeid123 left the swarm/);
    expect({ leaves: r.leaves, forced: r.forced, removed: r.removed }).toEqual({ leaves: 3, forced: false, removed: true });
  });

  test('a failed leave after which the node is no longer a member counts as left', () => {
    const r = leaveWith({ leaveFails: 1, memberState: 'inactive' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/swarm leave on h2 answered: Error response from daemon: context deadline exceeded; the node is no longer a member all the same/);
    expect({ leaves: r.leaves, removed: r.removed }).toEqual({ leaves: 1, removed: true });
  });

  test('three failed leaves fail the destroy, naming the host, its state and dockerd\'s answer; the manager keeps the node', () => {
    const r = leaveWith({ leaveFails: 9, memberState: 'active' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/swarm leave failed on h2 \(3 tries; its swarm state is now 'active'\): Error response from daemon: context deadline exceeded/);
    expect({ leaves: r.leaves, forced: r.forced, removed: r.removed }).toEqual({ leaves: 3, forced: false, removed: false });
  });
});

describe('swarm-prune.sh: members removed from the code leave', () => {
  function members() {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    const hs = [1, 2, 3].map((i) => new HostBootstrap(stack, `h${i}`, { target: target(i, i === 1 ? 'root' : 'ops'), daemon: { mtu: 1400 } }));
    new SwarmBootstrap(stack, 'Swarm', { managers: [{ host: hs[0] }], workers: [{ host: hs[1] }, { host: hs[2] }] });
    const out = JSON.parse(Testing.synth(stack, true));
    return Object.entries(out.resource.terraform_data as Record<string, any>).find(([k]) => k.startsWith('Swarm_Members'))![1];
  }
  /** The destroy-time step as Terraform runs it on a replacement: self from the old state, literals from the new configuration. */
  function prune(m: any, declaredNow: string, env: Record<string, string>) {
    const le = m.provisioner[0]['local-exec'];
    expect(le.when).toBe('destroy');
    expect(le.environment.DOCKNET_MEMBERS).toBe('${self.input.leave.DOCKNET_MEMBERS}');
    const environment = { ...le.environment, ...(m.input.leave as Record<string, string>), DOCKNET_DECLARED: declaredNow };
    return runLocalExec({ command: le.command, environment }, env);
  }

  test('replaced when the declared addresses change, after every join; nothing runs at create', () => {
    const m = members();
    expect(m.triggers_replace).toEqual({ members: '198.18.0.2 198.18.0.3' });
    expect(m.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Swarm_Join-h2_/), expect.stringMatching(/^terraform_data\.Swarm_Join-h3_/)]);
    expect(m.lifecycle).toBeUndefined();
    expect(m.provisioner).toHaveLength(1);
    expect(m.provisioner[0]['local-exec'].environment.DOCKNET_DECLARED).toBe('198.18.0.2\n198.18.0.3');
  });

  test('the old instance makes the members the new list lacks leave, with the connection from its own state; the others are untouched', () => {
    const ssh = fakeSsh();
    const r = prune(members(), '198.18.0.2', ssh.env);
    expect(r.out).toMatch(/docknet: h3 \(198\.18\.0\.3\) is no longer declared: it leaves the swarm/);
    expect(r.out).toMatch(/node nodeid123 left the swarm/);
    expect(r.code).toBe(0);
    const cmds = ssh.calls().map((c) => `${c.argv[c.argv.length - 2]}: ${c.argv[c.argv.length - 1]}`);
    expect(cmds).toContain('ops@198.18.0.3: sudo -n docker swarm leave');
    expect(cmds).toContain('root@198.18.0.1: docker node rm --force nodeid123');
    expect(cmds.some((c) => c.startsWith('ops@198.18.0.2'))).toBe(false);
    // The removed member's host key is known (from the state), so its hop is checked like any other.
    expect(ssh.calls().find((c) => c.argv.includes('ops@198.18.0.3'))!.kh).toContain(`198.18.0.3 ${KEY(3)}`);
  });

  test('a whole-stack destroy (same list): nothing here; a removed member that is unreachable fails the apply with the way out', () => {
    const m = members();
    const ssh = fakeSsh();
    const same = prune(m, '198.18.0.2\n198.18.0.3', ssh.env);
    expect(same.code).toBe(0);
    // No hop at all: nothing to remove.
    expect(fs.existsSync(path.join(ssh.env.PATH.split(':')[0], 'calls.log'))).toBe(false);
    const dead = prune(m, '198.18.0.2', fakeSsh({ unreachable: 'ops@198.18.0.3' }).env);
    expect(dead.code).toBe(1);
    expect(dead.out).toMatch(/DOCKNET_UNREACHABLE='h3'/);
    const skipped = prune(m, '198.18.0.2', { ...fakeSsh({ unreachable: 'ops@198.18.0.3' }).env, DOCKNET_UNREACHABLE: 'h3' });
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/h3 is listed in DOCKNET_UNREACHABLE: not contacted; the manager forgets it/);
  });
});

describe('node-gate.sh: the manager-side part of a member\'s health gate', () => {
  function gate() {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    new HostBootstrap(stack, 'h2', { target: { ...target(2, 'ops'), waitSeconds: 2 }, daemon: { mtu: 1400 }, swarmManager: target(1) });
    const out = JSON.parse(Testing.synth(stack, true));
    const r = Object.entries(out.resource.terraform_data as Record<string, any>).find(([k]) => k.startsWith('h2_DaemonRollout'))![1];
    return r.provisioner[1]['local-exec'];
  }

  test('waits until the manager lists the member Ready + Active', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-gate-'));
    dirs.push(dir);
    // Member answers "active <id>"; the manager says "ready active".
    fs.writeFileSync(path.join(dir, 'ssh'), `#!/bin/sh\nfor last; do :; done\ncase "$last" in *LocalNodeState*) echo "docknet-answer 20.10.24 active node123";; *"node inspect node123"*) echo "ready active";; esac\n`, { mode: 0o755 });
    const r = runLocalExec(gate(), { PATH: `${dir}:${process.env.PATH}` });
    expect(r.out).toMatch(/lists h2 as Ready and Active/);
    expect(r.code).toBe(0);
  });

  test('a node that stays Down stops the rollout with the manager\'s view', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-gate-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'ssh'), `#!/bin/sh\nfor last; do :; done\ncase "$last" in *LocalNodeState*) echo "docknet-answer 20.10.24 active node123";; *"node inspect"*) echo "down active";; esac\n`, { mode: 0o755 });
    const r = runLocalExec(gate(), { PATH: `${dir}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/lists h2 \(node123\) as 'down active', expected 'ready active' within 2s/);
  });
});
