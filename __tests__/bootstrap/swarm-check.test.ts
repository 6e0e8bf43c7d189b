// docknet swarm-replace: which swarm resources of a synthesized hosts stack the next plan replaces,
// decided from what the hosts answer (a fake prober here; the lab test asks real hosts over ssh),
// and renamed members/hosts that keep their state through `moved` blocks.
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap } from '../../lib/bootstrap';
import { HostAnswer, Prober, SwarmNode, checkSwarm, parseAnswer, renderSwarmCheck, swarmCheckExitCode, swarmResources } from '../../lib/bootstrap/swarm-check';

const KEY = (i: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(40)}${i}`;
const target = (name: string, i: number): BootstrapTarget => ({
  name,
  ssh: { host: `198.18.0.${i}`, user: 'ops', privateKeyPath: '/lab/key', timeout: '7s', hostKeys: [KEY(i)] },
  dockerCommand: `docker -H unix:///lab/h${i}.sock`,
});

function synth(names = ['h1', 'h2', 'h3'], opts: { managers?: number; renamedFrom?: Record<string, string> } = {}): any {
  const stack = new TerraformStack(Testing.app(), 'lab-hosts');
  const hosts = names.map((n, i) => new HostBootstrap(stack, n, { target: target(n, i + 1), daemon: { mtu: 1400 }, renamedFrom: opts.renamedFrom?.[n] }));
  const m = opts.managers ?? 1;
  new SwarmBootstrap(stack, 'Swarm', {
    managers: hosts.slice(0, m).map((h) => ({ host: h, renamedFrom: opts.renamedFrom?.[h.target.name] })),
    workers: hosts.slice(m).map((h) => ({ host: h, renamedFrom: opts.renamedFrom?.[h.target.name] })),
  });
  return JSON.parse(Testing.synth(stack, true));
}

const node = (id: string, role: string, addr: string, status = 'ready', availability = 'active'): SwarmNode => ({ id, role, status, availability, addr });
/** A prober answering from a table keyed by ssh destination; Error entries fail like an unreachable host. */
function fake(table: Record<string, HostAnswer | Error>): Prober & { calls: string[] } {
  const calls: string[] = [];
  const p = Object.assign(async (h: Parameters<Prober>[0], withNodes: boolean): Promise<HostAnswer> => {
    calls.push(`${h.dest}${withNodes ? ' +nodes' : ''}`);
    const a = table[h.dest];
    if (a instanceof Error) throw a;
    if (!a) throw new Error(`no answer for ${h.dest}`);
    return withNodes ? a : { ...a, nodes: undefined };
  }, { calls });
  return p;
}
const healthy = (): Record<string, HostAnswer> => ({
  'ops@198.18.0.1': { state: 'active', nodeId: 'n1', controlAvailable: true, nodes: [node('n1', 'manager', '198.18.0.1'), node('n2', 'worker', '198.18.0.2'), node('n3', 'worker', '198.18.0.3')] },
  'ops@198.18.0.2': { state: 'active', nodeId: 'n2', controlAvailable: false },
  'ops@198.18.0.3': { state: 'active', nodeId: 'n3', controlAvailable: false },
});

describe('swarmResources', () => {
  test('reads the init and every join with how to reach them, as the provisioners do', () => {
    const rs = swarmResources(synth());
    expect(rs.map((r) => [r.kind, r.role, r.host.name, r.advertise])).toEqual([
      ['init', 'manager', 'h1', '198.18.0.1'],
      ['join', 'worker', 'h2', '198.18.0.2'],
      ['join', 'worker', 'h3', '198.18.0.3'],
    ]);
    expect(rs[0].address).toMatch(/^terraform_data\.Swarm_Init_/);
    expect(rs[2].address).toMatch(/^terraform_data\.Swarm_Join-h3_/);
    expect(rs[0].host).toMatchObject({ dest: 'ops@198.18.0.1', port: '22', key: '/lab/key', timeout: '7', become: 'sudo', docker: 'docker -H unix:///lab/h1.sock' });
    expect(rs[0].host.knownHosts).toBe(`198.18.0.1 ${KEY(1)}`);
    // The joins' manager is the init's host (its own known_hosts line only).
    expect(rs[2].manager).toBe(rs[0].host);
    expect(rs[2].host.knownHosts).toContain(`198.18.0.3 ${KEY(3)}`);
  });
});

describe('checkSwarm', () => {
  test('every member in its declared role: nothing replaced, exit 0; each host asked once, the manager with its node list', async () => {
    const p = fake(healthy());
    const r = await checkSwarm(swarmResources(synth()), { prober: p });
    expect(r.replace).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(swarmCheckExitCode(r)).toBe(0);
    expect(p.calls.sort()).toEqual(['ops@198.18.0.1 +nodes', 'ops@198.18.0.2', 'ops@198.18.0.3']);
    expect(renderSwarmCheck('lab-hosts', r)).toMatch(/3 hosts asked in .* every member is in the swarm in its declared role/);
  });

  test('a worker that left by hand: its join is replaced with the reason; its old Down entry is not reported separately', async () => {
    const t = healthy();
    t['ops@198.18.0.3'] = { state: 'inactive', nodeId: '', controlAvailable: false };
    (t['ops@198.18.0.1'].nodes as SwarmNode[])[2] = node('n3', 'worker', '198.18.0.3', 'down');
    const rs = swarmResources(synth());
    const r = await checkSwarm(rs, { prober: fake(t) });
    expect(r.replace).toEqual([`-replace=${rs[2].address}`]);
    expect(r.findings).toEqual([expect.objectContaining({ host: 'h3', kind: 'replace', text: expect.stringMatching(/not in the swarm \(left by hand\?\)/) })]);
    expect(swarmCheckExitCode(r)).toBe(2);
  });

  test('an unreachable member is reported (exit 5), never silently skipped, and the others are still decided', async () => {
    const t: Record<string, HostAnswer | Error> = healthy();
    t['ops@198.18.0.2'] = new Error('ssh failed (host down or unreachable, or its host key does not match): Connection timed out');
    t['ops@198.18.0.3'] = { state: 'inactive', nodeId: '', controlAvailable: false };
    const rs = swarmResources(synth());
    const r = await checkSwarm(rs, { prober: fake(t) });
    expect(r.replace).toEqual([`-replace=${rs[2].address}`]);
    expect(r.findings.find((f) => f.kind === 'unreachable')?.text).toMatch(/^h2 \(ops@198\.18\.0\.2\) could not be asked: ssh failed .*Connection timed out\. Its swarm membership is unchecked/);
    expect(swarmCheckExitCode(r)).toBe(5);
    expect(renderSwarmCheck('lab-hosts', r)).toMatch(/UNREACHABLE h2/);
  });

  test('a member in the wrong role (promoted by hand) or in another swarm is replaced; a drained or Down one is a note', async () => {
    const rs = swarmResources(synth(['h1', 'h2', 'h3', 'h4', 'h5']));
    const t: Record<string, HostAnswer> = {
      'ops@198.18.0.1': { state: 'active', nodeId: 'n1', controlAvailable: true, nodes: [node('n1', 'manager', '198.18.0.1'), node('n2', 'manager', '198.18.0.2'), node('n4', 'worker', '198.18.0.4', 'ready', 'drain'), node('n5', 'worker', '198.18.0.5', 'down'), node('old', 'worker', '198.18.0.9', 'down'), node('gone', 'worker', '198.18.0.8')] },
      'ops@198.18.0.2': { state: 'active', nodeId: 'n2', controlAvailable: true },
      'ops@198.18.0.3': { state: 'active', nodeId: 'zz', controlAvailable: false },
      'ops@198.18.0.4': { state: 'active', nodeId: 'n4', controlAvailable: false },
      'ops@198.18.0.5': { state: 'active', nodeId: 'n5', controlAvailable: false },
    };
    const r = await checkSwarm(rs, { prober: fake(t) });
    expect(r.replace).toEqual([`-replace=${rs[1].address}`, `-replace=${rs[2].address}`]);
    const text = renderSwarmCheck('lab-hosts', r);
    expect(text).toMatch(/h2 is a manager of the swarm, declared worker: it leaves \(demoted first when a manager\) and joins again as worker/);
    expect(text).toMatch(/h3 is in a swarm, but not in the one of h1 \(node zz unknown there\)/);
    expect(text).toMatch(/note .*h4 is drain/);
    expect(text).toMatch(/note .*h1 lists h5 as down/);
    expect(text).toMatch(/stale Down node entry old \(198\.18\.0\.9, no declared member\): .*docker node rm --force old/);
    expect(text).toMatch(/node gone \(198\.18\.0\.8, worker, ready\) is in the swarm but no member of this stack has its address/);
  });

  test('the first manager out of any swarm: the init is replaced (a new swarm), and the joins with it through their trigger', async () => {
    const t = healthy();
    t['ops@198.18.0.1'] = { state: 'inactive', nodeId: '', controlAvailable: false };
    const rs = swarmResources(synth());
    const r = await checkSwarm(rs, { prober: fake(t) });
    expect(r.replace).toEqual([`-replace=${rs[0].address}`]);
  });

  test('a stack without a swarm asks nobody', async () => {
    const p = fake({});
    const r = await checkSwarm([], { prober: p });
    expect(p.calls).toEqual([]);
    expect(renderSwarmCheck('x', r)).toBe('');
  });
});

describe('parseAnswer', () => {
  test('an answer without a server version is no answer: CLI 26.1.5 renders the template over an empty Info with dockerd down, and exits 0', () => {
    expect(parseAnswer('state  inactive  false\n')).toBeUndefined();
    expect(parseAnswer('state   false\n')).toBeUndefined();
    expect(parseAnswer('state 28.5.2 inactive  false\n')).toEqual({ state: 'inactive', nodeId: '', controlAvailable: false });
  });

  test('managers are listed at their ManagerStatus address (Status.Addr can be 0.0.0.0)', () => {
    const a = parseAnswer('state 20.10.24 active n1 true\nnode n1 manager ready active 0.0.0.0 198.18.0.1:2377\nnode n2 worker down active 198.18.0.2 \n');
    expect(a).toEqual({ state: 'active', nodeId: 'n1', controlAvailable: true, nodes: [node('n1', 'manager', '198.18.0.1'), node('n2', 'worker', '198.18.0.2', 'down')] });
    expect(parseAnswer('garbage')).toBeUndefined();
  });
});

describe('renames keep the state (moved blocks)', () => {
  test('a renamed member: its join and its host resources move from the old addresses; nothing else moves', () => {
    const before = synth(['h1', 'h2', 'h3']);
    const after = synth(['h1', 'h2', 'h3x'], { renamedFrom: { h3x: 'h3' } });
    const old = Object.keys(before.resource.terraform_data);
    const now = Object.keys(after.resource.terraform_data);
    const moved = after.moved as { from: string; to: string }[];
    expect(moved.map((m) => [m.from, m.to]).sort()).toEqual([
      [`terraform_data.${old.find((k) => k.startsWith('Swarm_Join-h3_'))}`, `terraform_data.${now.find((k) => k.startsWith('Swarm_Join-h3x_'))}`],
      [`terraform_data.${old.find((k) => k.startsWith('h3_DaemonRollout'))}`, `terraform_data.${now.find((k) => k.startsWith('h3x_DaemonRollout'))}`],
    ].sort());
    expect(synth().moved).toBeUndefined();
  });

  test('renamedFrom that is not a name is refused at construction', () => {
    expect(() => synth(['h1', 'h2'], { renamedFrom: { h2: 'h 2;x' } })).toThrow(/renamedFrom of h2 is "h 2;x", expected the member's former name/);
  });
});
