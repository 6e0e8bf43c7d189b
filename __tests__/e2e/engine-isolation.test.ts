// A lab dockerd gets a mount namespace and a sysfs of its own (lab/isolation.ts), and the lab refuses
// one that would see the root namespace's network devices. Checked on plain processes in a network
// namespace of this test's own (a veth pair in it tells its sysfs from the root's), without a lab.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../lab/lab';
import { assertIsolated, createMountNamespace, linksOf, releaseMountNamespace, writeLauncher } from '../../lab/isolation';
import { e2eGate } from './helpers';

const gate = e2eGate('lab dockerd isolation (own mount namespace and sysfs)');
const NS = 'dniso-h1';

gate.describe('lab dockerd isolation', () => {
  let dir = '';
  let launcher = '';
  let pin = '';
  const children: ChildProcess[] = [];
  const rootLinks = async () => linksOf((await run('ip', ['-o', 'link', 'show'])).stdout);
  const sysMounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / - sysfs /.test(l)).length;

  /** Resolves with the pid once `c` (nsenter, unshare and bash exec in place) has become `sleep`. */
  const sleeping = async (c: ChildProcess): Promise<number> => {
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      try {
        if (fs.readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').startsWith('sleep')) return c.pid!;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pid ${c.pid} did not reach sleep`);
  };
  /** Starts `args` in the test namespace (network only); resolves once it is running (its pid). */
  const start = async (args: string[]): Promise<number> => {
    const c = spawn('nsenter', [`--net=/run/netns/${NS}`, '--', ...args], { stdio: 'ignore' });
    children.push(c);
    return sleeping(c);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dniso-'));
    launcher = writeLauncher(dir);
    await run('ip', ['netns', 'add', NS]);
    await run('ip', ['-n', NS, 'link', 'add', 'dniso0', 'type', 'veth', 'peer', 'name', 'dniso1']);
    pin = createMountNamespace(path.join(dir, 'ns'), NS, launcher);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    releaseMountNamespace(path.join(dir, 'ns'));
    await run('ip', ['netns', 'del', NS], { allowFail: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the host\'s pinned mount namespace has a sysfs that lists only its links, with the cgroup tree bound back in', async () => {
    const before = sysMounts();
    const r = await run('nsenter', [`--net=/run/netns/${NS}`, `--mount=${pin}`, '--', '/bin/bash', launcher, 'start',
      path.join(dir, 'pid'), 'sh', '-c', 'ls /sys/class/net; ls /sys/fs/cgroup'], { allowFail: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [net, cgroup] = [r.stdout.split('\n').filter((l) => ['lo', 'dniso0', 'dniso1', 'eth0', 'ifb0'].includes(l)), r.stdout];
    expect(net.sort()).toEqual(['dniso0', 'dniso1', 'lo']);
    expect(cgroup).toMatch(/devices|cgroup\.controllers/);
    expect(sysMounts()).toBe(before); // nothing mounted in the root mount namespace
  });

  test('the launcher refuses to run outside a mount namespace of its own, and mounts nothing', async () => {
    const before = sysMounts();
    const r = await run('nsenter', [`--net=/run/netns/${NS}`, '--', '/bin/bash', launcher, 'setup', path.join(dir, 'sysfs2')], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to start dockerd: not in a mount namespace of its own/);
    expect(sysMounts()).toBe(before);
  });

  test('a process entered with nsenter --net only is refused: it shares the root mount namespace', async () => {
    const pid = await start(['sleep', '30']);
    expect(() => assertIsolated(pid, NS, 'h1')).toThrow(/dockerd of h1 \(pid \d+\) shares the root mount namespace/);
  });

  test('a mount namespace of its own with the root\'s sysfs is refused, naming the root\'s links it would see', async () => {
    const pid = await start(['unshare', '--mount', '--propagation', 'slave', 'sleep', '30']);
    const root = await rootLinks();
    let message = '';
    try {
      assertIsolated(pid, NS, 'h1');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`sees /sys/class/net [${root.join(' ')}], its namespace ${NS} has [`);
  });

  test('a process started by the launcher passes', async () => {
    const c = spawn('nsenter', [`--net=/run/netns/${NS}`, `--mount=${pin}`, '--', '/bin/bash', launcher, 'start', path.join(dir, 'pid3'), 'sleep', '30'], { stdio: 'ignore' });
    children.push(c);
    const pid = await sleeping(c);
    expect(() => assertIsolated(pid, NS, 'h1')).not.toThrow();
  });
});
