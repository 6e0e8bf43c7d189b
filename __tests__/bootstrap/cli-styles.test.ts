// The swarm scripts against a fake fleet whose docker CLI, with dockerd down, behaves like one of the
// three real CLIs (fake-fleet.ts): 26.1.5 exits 0 from `docker info --format` with empty fields, and a
// script that trusted that exit code read a stopped dockerd as "not in a swarm" (the health gate then
// passed, the leave let the manager forget a node, the join went on to read a token). On every CLI, a
// dockerd that does not answer must stop the step with its own message.
import { spawnSync } from 'child_process';
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap } from '../../lib/bootstrap';
import { CLI_STYLES, FakeFleet, fakeFleet, removeFleets } from './fake-fleet';

const KEY = (i: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'B'.repeat(40)}${i}`;
const target = (i: number, user = 'root'): BootstrapTarget => ({
  name: `h${i}`, ssh: { host: `198.18.0.${i}`, user, privateKeyPath: '/lab/key', timeout: '7s', hostKeys: [KEY(i)] },
});
afterAll(removeFleets);

type Exec = { command: string; environment: Record<string, string> };
const untf = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')]));
function runExec(le: Exec, fleet: FakeFleet, extra: Record<string, string> = {}) {
  const r = spawnSync('/bin/sh', ['-c', le.command], { cwd: fleet.dir, env: { ...untf(le.environment), ...fleet.env, ...extra }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function synth() {
  const stack = new TerraformStack(Testing.app(), 'lab-hosts');
  const h1 = new HostBootstrap(stack, 'h1', { target: target(1), daemon: { mtu: 1400 } });
  const h2 = new HostBootstrap(stack, 'h2', { target: { ...target(2, 'ops'), waitSeconds: 2 }, daemon: { mtu: 1400 }, swarmManager: target(1) });
  new SwarmBootstrap(stack, 'Swarm', { managers: [{ host: h1 }], workers: [{ host: h2 }] });
  const data = JSON.parse(Testing.synth(stack, true)).resource.terraform_data as Record<string, any>;
  const get = (p: string) => Object.entries(data).find(([k]) => k.startsWith(p))![1];
  const join = get('Swarm_Join-h2');
  const leave = join.provisioner[1]['local-exec'];
  return {
    init: get('Swarm_Init').provisioner[0]['local-exec'] as Exec,
    join: join.provisioner[0]['local-exec'] as Exec,
    leave: { command: leave.command, environment: { ...leave.environment, ...(join.input.leave as Record<string, string>) } } as Exec,
    gate: get('h2_DaemonRollout').provisioner[1]['local-exec'] as Exec,
  };
}

const UP_MANAGER = {
  up: true, version: '28.5.2',
  swarm: { LocalNodeState: 'active', NodeID: 'mgr1', ControlAvailable: true },
  nodes: [
    { ID: 'mgr1', Role: 'manager' as const, State: 'ready', Availability: 'active', Addr: '198.18.0.1' },
    { ID: 'node2', Role: 'worker' as const, State: 'ready', Availability: 'active', Addr: '198.18.0.2' },
  ],
};
const ACTIVE_WORKER = { up: true, version: '28.5.2', swarm: { LocalNodeState: 'active', NodeID: 'node2', ControlAvailable: false } };

describe.each(CLI_STYLES)('the swarm scripts under the %s docker CLI', (cli) => {
  test('with both dockerd up: the gate passes, the leave leaves and the manager forgets the node (the fake fleet answers like dockerd)', () => {
    const fleet = fakeFleet(cli);
    fleet.setHost('198.18.0.1', UP_MANAGER);
    fleet.setHost('198.18.0.2', ACTIVE_WORKER);
    const s = synth();
    const gate = runExec(s.gate, fleet);
    expect(gate.out).toMatch(/lists h2 as Ready and Active/);
    expect(gate.code).toBe(0);
    const leave = runExec(s.leave, fleet);
    expect(leave.out).toMatch(/node node2 left the swarm/);
    expect(leave.code).toBe(0);
    expect(fleet.host('198.18.0.2').swarm!.LocalNodeState).toBe('inactive');
    expect(fleet.host('198.18.0.1').nodes!.map((n) => n.ID)).toEqual(['mgr1']);
  });

  test('the health gate with the member\'s dockerd down fails, never "not in a swarm (yet)"', () => {
    const fleet = fakeFleet(cli);
    fleet.setHost('198.18.0.1', UP_MANAGER);
    fleet.setHost('198.18.0.2', { up: false });
    const r = runExec(synth().gate, fleet);
    expect(r.out).not.toMatch(/not in a swarm/);
    expect(r.out).toMatch(/health gate: cannot ask h2 for its swarm state/);
    expect(r.code).toBe(1);
  });

  test('a leave with the member\'s dockerd down fails with the way out; the manager keeps the node', () => {
    const fleet = fakeFleet(cli);
    fleet.setHost('198.18.0.1', UP_MANAGER);
    fleet.setHost('198.18.0.2', { up: false });
    const r = runExec(synth().leave, fleet);
    expect(r.out).toMatch(/cannot reach h2 over ssh to leave the swarm/);
    expect(r.out).toMatch(/DOCKNET_UNREACHABLE='h2'/);
    expect(r.code).toBe(1);
    expect(fleet.host('198.18.0.1').nodes!.map((n) => n.ID)).toEqual(['mgr1', 'node2']);
  });

  test('a join with the member\'s dockerd down stops before any token is read', () => {
    const fleet = fakeFleet(cli);
    fleet.setHost('198.18.0.1', UP_MANAGER);
    fleet.setHost('198.18.0.2', { up: false });
    const r = runExec(synth().join, fleet);
    expect(r.out).toMatch(/cannot reach the dockerd of h2 over ssh/);
    expect(r.code).toBe(1);
    expect(fleet.docker().some((d) => d.argv.includes('join-token'))).toBe(false);
  });

  test('the swarm init with the manager\'s dockerd down fails, naming why, and runs no init', () => {
    const fleet = fakeFleet(cli);
    fleet.setHost('198.18.0.1', { up: false });
    const r = runExec(synth().init, fleet);
    expect(r.out).toMatch(/cannot ask dockerd for its swarm state/);
    expect(r.code).not.toBe(0);
    expect(fleet.docker().some((d) => d.argv.includes('init'))).toBe(false);
  });
});

describe('swarm-join.sh quotes the member\'s node-ID file on the remote shell', () => {
  test('a path with shell syntax (refused at synth; here fed to the script directly) runs nothing extra', () => {
    const fleet = fakeFleet('28.2');
    fleet.setHost('198.18.0.1', UP_MANAGER);
    fleet.setHost('198.18.0.2', { up: true, version: '28.5.2', swarm: { LocalNodeState: 'inactive', NodeID: '', ControlAvailable: false }, joinId: 'node2' } as never);
    const proof = `${fleet.dir}/proof`;
    // Relative to the working directory (the fleet's), as a path with a "/" in the command could not be a file name.
    const idFile = `${fleet.dir}/id;touch proof;`;
    const { join } = synth();
    const r = runExec({ command: join.command, environment: { ...join.environment, DOCKNET_MEMBER_ID_FILE: idFile } }, fleet);
    expect(r.code).toBe(0);
    expect(require('fs').existsSync(proof)).toBe(false);
    // The node ID went to the file of that odd name, whole.
    expect(require('fs').readFileSync(idFile, 'utf8')).toBe('node2\n');
  });
});
