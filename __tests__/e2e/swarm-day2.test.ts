// Swarm day 2 on the lab, with real terraform and real dockerd: a worker that left by hand rejoins
// on the documented next apply (`docknet swarm-replace` before the plan) and its old node entry is
// gone; an unreachable host is reported, not waited for; then a host is renamed and two workers
// are promoted to managers, and demoted back, then a host is removed from the code and added back,
// each time ending with exactly the declared members and roles and a re-plan that says "No changes".
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LabHost, docker, hostKey, inNetns } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { TfJson } from '../../lab/replay';
import { HostConnection, SwarmRole } from '../../lib';
import { controllerTerraform, e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('swarm day 2');
const ROOT = path.resolve(__dirname, '../..');
// The CLI as users run it (`npx docknet swarm-replace`), from this checkout.
const DOCKNET = `${path.join(ROOT, 'node_modules/.bin/ts-node')} --transpile-only ${path.join(ROOT, 'bin/docknet.ts')}`;

gate.describe('swarm day 2 on the lab: rejoin on the next apply, renames and role changes', () => {
  const lab = useLab('sw2', 3);
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnsw2-tf-'));
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The lab's hosts stack: roles per host index, optional docknet names (a rename in the code). */
  function synth(roles: SwarmRole[], names?: string[], renamedFrom: Record<string, string> = {}, include?: (i: number) => boolean): TfJson {
    const info = lab.info();
    const le = labEnvironment(info, {
      swarmPools: ['10.213.0.0/16'],
      hostName: names ? (_h, i) => names[i] : undefined,
      include: include ? (_h, i) => include(i) : undefined,
      host: (h, i) => ({
        // The provider's connection names the lab key (`--via api` connects as the provider does).
        connection: HostConnection.ssh({ user: info.sshUser, host: h.address, privateKeyPath: info.sshKey, hostKey: hostKey(h), connectTimeout: '10s', sshOpts: ['-i', info.sshKey] }),
        swarmRole: roles[i],
        renamedFrom: renamedFrom[names?.[i] ?? h.name],
        // A daemon.json per host: a rename must not restart dockerd (its rollout moves, nothing runs).
        daemon: { dns: ['198.18.0.254'] },
      }),
    });
    try {
      const synthesized = le.synth();
      fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(synthesized.hosts, null, 2));
      // The whole synth output too, as the workflow has it (both stacks and their models).
      fs.cpSync(synthesized.outdir, path.join(work, 'out'), { recursive: true });
      return synthesized.hosts;
    } finally {
      le.dispose();
    }
  }
  const terraform = (args: string[]) => controllerTerraform(lab.info(), work, args, 300_000);
  /** The documented day-2 path: the check's flags straight into terraform, in the controller's netns. */
  async function documented(cmd: 'apply -auto-approve' | 'plan -detailed-exitcode'): Promise<{ code: number; out: string; seconds: number }> {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, ['sh', '-c', `terraform -chdir=${work} ${cmd} -input=false -no-color $(${DOCKNET} swarm-replace ${work}/main.tf.json)`], {
      allowFail: true, timeoutMs: 300_000, env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
    const seconds = (Date.now() - t) / 1000;
    report(`terraform ${cmd} $(docknet swarm-replace) -> exit ${r.code} in ${seconds.toFixed(1)} s`);
    return { code: r.code, out: r.stdout + r.stderr, seconds };
  }
  async function check(extra = ''): Promise<{ code: number; flags: string[]; report: string; seconds: number }> {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, ['sh', '-c', `${DOCKNET} swarm-replace ${extra} ${work}/main.tf.json`], { allowFail: true, timeoutMs: 120_000 });
    const seconds = (Date.now() - t) / 1000;
    report(`docknet swarm-replace -> exit ${r.code} in ${seconds.toFixed(1)} s\n${r.stderr.trim()}`);
    return { code: r.code, flags: r.stdout.split('\n').filter(Boolean), report: r.stderr, seconds };
  }
  const docknetLines = (out: string) => out.split('\n').filter((l) => /\(local-exec\): docknet:|Plan:|has moved|must be replaced|Error/.test(l)).join('\n');

  /** What the first manager lists: "<address> <role> <status> <availability>" per node, sorted. */
  async function nodes(manager: LabHost): Promise<string[]> {
    const ids = (await docker(manager, ['node', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
    const r = await docker(manager, ['node', 'inspect', '--format', '{{.Spec.Role}} {{.Status.State}} {{.Spec.Availability}} {{.Status.Addr}} {{if .ManagerStatus}}{{.ManagerStatus.Addr}}{{end}}', ...ids]);
    return r.stdout.split('\n').filter(Boolean).map((l) => {
      const [role, state, avail, addr, mAddr] = l.trim().split(/\s+/);
      return `${(mAddr ?? addr).replace(/:\d+$/, '')} ${role} ${state} ${avail}`;
    }).sort();
  }
  const nodeId = async (h: LabHost) => (await docker(h, ['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
  const W = SwarmRole.WORKER;
  const M = SwarmRole.MANAGER;

  test('deploy: h1 manager, h2 and h3 workers; the check finds nothing to replace', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    synth([M, W, W]);
    expect((await terraform(['init', '-input=false', '-no-color'])).code).toBe(0);
    const t = Date.now();
    const first = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(first.code).toBe(0);
    report(`first apply (3 rollouts one at a time, init, 2 joins): ${elapsed(t)}`);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`, `${h3.address} worker ready active`]);
    const c = await check();
    expect(c.code).toBe(0);
    expect(c.flags).toEqual([]);
    expect(c.report).toMatch(/3 hosts asked over ssh in [\d.]+ s; every member is in the swarm in its declared role/);
  }, 400_000);

  test('a worker that left by hand: the next documented apply rejoins it, its old node entry is gone, and the next plan says No changes', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    const oldId = await nodeId(h3);
    await docker(h3, ['swarm', 'leave']);
    // Plain terraform cannot see it.
    const blind = await terraform(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
    expect(blind.code).toBe(0);
    expect(blind.out).toMatch(/No changes\./);

    const c = await check();
    expect(c.code).toBe(2);
    expect(c.flags).toEqual([expect.stringMatching(/^-replace=terraform_data\.Swarm_Join-h3_/)]);
    expect(c.report).toMatch(/REPLACE terraform_data\.Swarm_Join-h3_\w+: h3 is not in the swarm \(left by hand\?\)/);

    const applied = await documented('apply -auto-approve');
    report(docknetLines(applied.out));
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);
    expect(applied.out).toMatch(/docknet: h3 is not a swarm member; nothing to leave/);
    expect(applied.out).toMatch(new RegExp(`removed the stale Down node entry of h3 \\(198\\.18\\.0\\.3\\): ${oldId}`));
    report(`rejoin of h3 (check + plan + leave + join): ${applied.seconds.toFixed(1)} s`);
    const newId = await nodeId(h3);
    expect(newId).not.toBe(oldId);
    const ids = (await docker(h1, ['node', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
    expect(ids).not.toContain(oldId);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`, `${h3.address} worker ready active`]);

    const again = await documented('plan -detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\./);
  }, 400_000);

  test('the GitOps path: tf-stack.sh plan shows the rejoin of a worker that left as a replacement with the reason; tf-stack.sh apply applies that plan', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    await docker(h2, ['swarm', 'leave']);
    // The workflow's layout: <out>/stacks/<stack>/cdk.tf.json (state stays in the lab's folder).
    const out = path.join(work, 'out');
    const dir = path.join(out, 'stacks', 'lab-hosts');
    expect(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')).toBe(fs.readFileSync(path.join(work, 'main.tf.json'), 'utf8'));
    // Outside CI (CI unset): a local backend is allowed there.
    const tfStack = async (mode: string) => {
      const t = Date.now();
      const r = await inNetns(lab.info().controller.netns, ['bash', path.join(ROOT, 'bin/tf-stack.sh'), mode, 'lab-hosts'], {
        allowFail: true, timeoutMs: 300_000, env: { ...process.env, CI: '', DOCKNET_OUT: out, CHECKPOINT_DISABLE: '1' },
      });
      report(`tf-stack.sh ${mode} lab-hosts -> exit ${r.code} in ${elapsed(t)}`);
      return { code: r.code, out: r.stdout + r.stderr };
    };
    const planned = await tfStack('plan');
    if (planned.code !== 2) report(planned.out);
    expect(planned.code).toBe(2);
    const text = fs.readFileSync(path.join(dir, 'lab-hosts.plan.txt'), 'utf8');
    report(text.split('\n').slice(0, 4).join('\n'));
    // tf-stack.sh asks through the Docker API as the providers connect (the plan key's access).
    expect(text).toMatch(/^docknet swarm check of lab-hosts: 3 hosts asked through the Docker API in [\d.]+ s:\n {2}REPLACE terraform_data\.Swarm_Join-h2_\w+: h2 is not in the swarm \(left by hand\?\)/);
    expect(text).toMatch(/Swarm_Join-h2_\w+ will be replaced, as requested/);
    expect(text).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy\./);
    const applied = await tfStack('apply');
    expect(applied.code).toBe(0);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`, `${h3.address} worker ready active`]);
    const again = await tfStack('plan');
    expect(again.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'lab-hosts.plan.txt'), 'utf8')).toMatch(/every member is in the swarm in its declared role[\s\S]*No changes\./);
  }, 400_000);

  test('a host whose sshd hangs is reported as unreachable within the bound, not waited for; the others are still checked', async () => {
    const h2 = lab.info().hosts[1];
    const sshd = Number(fs.readFileSync(path.join(path.dirname(h2.socket), 'sshd.pid'), 'utf8'));
    // A stopped sshd accepts TCP connections (the kernel's backlog) and never answers: a hung host.
    process.kill(sshd, 'SIGSTOP');
    let c;
    try {
      c = await check('--timeout 4');
    } finally {
      process.kill(sshd, 'SIGCONT');
    }
    expect(c.code).toBe(5);
    expect(c.flags).toEqual([]);
    expect(c.report).toMatch(/UNREACHABLE h2 \(root@198\.18\.0\.2\) could not be asked: no answer within 4 s/);
    expect(c.seconds).toBeLessThan(15);
  }, 120_000);

  test('rename h3 -> h3x and promote h2 and h3x to managers: one apply, the swarm has exactly the declared members and roles; re-plan No changes', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    const tf = synth([M, M, M], ['h1', 'h2', 'h3x'], { h3x: 'h3' });
    const moves = ((tf as any).moved as { from: string; to: string }[]).map((m) => `${m.from} -> ${m.to}`);
    expect(moves).toHaveLength(2);
    expect(moves).toEqual(expect.arrayContaining([
      expect.stringMatching(/^terraform_data\.Swarm_Join-h3_\w+ -> terraform_data\.Swarm_Join-h3x_\w+$/),
      expect.stringMatching(/^terraform_data\.h3_DaemonRollout_\w+ -> terraform_data\.h3x_DaemonRollout_\w+$/),
    ]));
    const pid = fs.readFileSync(h3.pidfile, 'utf8').trim();
    const applied = await documented('apply -auto-approve');
    report(docknetLines(applied.out));
    expect(applied.code).toBe(0);
    // The renamed host's rollout moved and changed in place: dockerd was not restarted.
    expect(applied.out).toMatch(/h3x_DaemonRollout_\w+ has moved to|moved from terraform_data\.h3_DaemonRollout_/);
    expect(fs.readFileSync(h3.pidfile, 'utf8').trim()).toBe(pid);
    expect(applied.out).toMatch(/Swarm_Join-h3x_\w+ will be replaced[^\n]*\n\s*# \(moved from terraform_data\.Swarm_Join-h3_/);
    // The joins of h2 and h3x replaced; h3x's rollout and the members' record change in place.
    expect(applied.out).toMatch(/Plan: 2 to add, 2 to change, 2 to destroy/);
    report(`rename + promotion of two workers: ${applied.seconds.toFixed(1)} s`);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} manager ready active`, `${h3.address} manager ready active`]);
    expect((await docker(h1, ['info', '--format', '{{.Swarm.Managers}} {{.Swarm.Nodes}}'])).stdout.trim()).toBe('3 3');
    const again = await documented('plan -detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\./);
  }, 400_000);

  test('demote h2 and h3x back to workers: one manager leaves at a time, the swarm ends 1 manager + 2 workers; re-plan No changes', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    synth([M, W, W], ['h1', 'h2', 'h3x'], { h3x: 'h3' });
    const applied = await documented('apply -auto-approve');
    report(docknetLines(applied.out));
    expect(applied.code).toBe(0);
    // Raft shrinks one voter at a time: h3x (joined after h2) is demoted and leaves before h2 is demoted.
    const demoted = [...applied.out.matchAll(/\(local-exec\): docknet: (h2|h3x) demoted/g)].map((m) => m[1]);
    expect(demoted).toEqual(['h3x', 'h2']);
    report(`demotion of two managers: ${applied.seconds.toFixed(1)} s`);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`, `${h3.address} worker ready active`]);
    const again = await documented('plan -detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\./);
  }, 400_000);

  test('remove h3x from the code: it leaves and the manager forgets it; add it back: it joins; each re-plan No changes', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    synth([M, W, W], ['h1', 'h2', 'h3x'], { h3x: 'h3' }, (i) => i !== 2);
    const removed = await documented('apply -auto-approve');
    report(docknetLines(removed.out));
    expect(removed.code).toBe(0);
    // h3x's join and rollout go; the members' record is replaced, and its old instance makes h3x leave
    // (Terraform runs no destroy-time step of a resource removed from the code).
    expect(removed.out).toMatch(/Plan: 1 to add, 0 to change, 3 to destroy/);
    expect(removed.out).toMatch(/\(local-exec\): docknet: h3x \(198\.18\.0\.3\) is no longer declared: it leaves the swarm/);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`]);
    expect((await docker(h3, ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim()).toBe('inactive');
    expect((await documented('plan -detailed-exitcode')).out).toMatch(/No changes\./);

    synth([M, W, W], ['h1', 'h2', 'h3x'], { h3x: 'h3' });
    const added = await documented('apply -auto-approve');
    expect(added.code).toBe(0);
    report(`remove + add back: ${removed.seconds.toFixed(1)} s + ${added.seconds.toFixed(1)} s`);
    expect(await nodes(h1)).toEqual([`${h1.address} manager ready active`, `${h2.address} worker ready active`, `${h3.address} worker ready active`]);
    const again = await documented('plan -detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\./);
  }, 400_000);
});
