// The lab's own lifecycle: up, status, down, and nothing left behind, root routes untouched.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { labDown, labInfo, labStatus, labUp, inHost, docker, hostKey, LAB_IMAGE } from '../../lab/lab';
import { e2eGate, elapsed, report } from './helpers';

const LAB = 'dne2e';
const gate = e2eGate('lab lifecycle');

const rootRoutes = () => execFileSync('ip', ['route']).toString() + execFileSync('ip', ['-6', 'route']).toString();

/** Live (non-zombie) processes naming the lab dir on their command line. */
function labProcesses(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (/^State:\s*Z/m.test(fs.readFileSync(`/proc/${e}/status`, 'utf8'))) continue;
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir + '/')) out.push(`${e}: ${cmd}`);
    } catch { /* exited */ }
  }
  return out;
}

gate.describe('lab lifecycle', () => {
  const before = gate.ok ? rootRoutes() : '';
  process.env.DOCKNET_LAB_NAME = LAB;
  process.env.DOCKNET_LAB_QUIET = '1';

  afterAll(async () => {
    process.env.DOCKNET_LAB_NAME = LAB;
    await labDown(); // no-op when the test already took it down
  }, 120_000);

  test('up, status, idempotent up, restart, down, nothing left', async () => {
    let t = Date.now();
    const info = await labUp({ hosts: 3 });
    report(`lab ${LAB} up in ${elapsed(t)}`);
    expect(info).toMatchObject({ name: LAB, dir: `/tmp/docknet-lab-${LAB}`, lan: '198.18.0.0/24', sshUser: 'root' });
    expect(info.hosts.map((h) => [h.name, h.netns, h.address])).toEqual([
      ['h1', `${LAB}-h1`, '198.18.0.1'], ['h2', `${LAB}-h2`, '198.18.0.2'], ['h3', `${LAB}-h3`, '198.18.0.3'],
    ]);
    expect(labInfo()).toEqual(info);

    const st = await labStatus();
    expect(st.up).toBe(true);
    expect(st.hosts.map((h) => [h.daemon, h.sshd, h.swarm])).toEqual(Array(3).fill(['up', 'up', 'inactive']));
    expect(rootRoutes()).toBe(before);

    // Each host: its LAN address on eth0, the lab image, and DOCKER_HOST reaching its own daemon over ssh.
    for (const h of info.hosts) {
      expect((await inHost(h, ['ip', '-4', '-o', 'addr', 'show', 'eth0'])).stdout).toContain(`${h.address}/24`);
      expect((await docker(h, ['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE])).stdout).toMatch(/^sha256:/);
    }
    // The host key the lab exposes is the one its sshd presents.
    const knownHosts = `${info.dir}/known_hosts-test`;
    fs.writeFileSync(knownHosts, `${info.hosts[1].address} ${hostKey(info.hosts[1])}\n`);
    const ssh = await inHost(info.hosts[1], ['ssh', '-i', info.sshKey, '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `root@${info.hosts[1].address}`, 'echo $DOCKER_HOST; docker info --format {{.Swarm.LocalNodeState}}'],
    { timeoutMs: 20_000 });
    expect(ssh.stdout.split('\n').slice(0, 2)).toEqual([info.hosts[1].dockerHost, 'inactive']);

    // A second up reuses the running lab.
    t = Date.now();
    await labUp();
    expect(Date.now() - t).toBeLessThan(5_000);

    // The restart script behaves like `systemctl restart docker`: new pid, daemon answering again.
    const h1 = info.hosts[0];
    const pid = fs.readFileSync(h1.pidfile, 'utf8').trim();
    execFileSync(h1.restartCommand, { timeout: 60_000 });
    expect(fs.readFileSync(h1.pidfile, 'utf8').trim()).not.toBe(pid);
    expect((await labStatus()).hosts[0].daemon).toBe('up');
    // A broken daemon.json makes it fail loudly with the log tail, and a good one brings it back.
    fs.writeFileSync(h1.configFile, '{"no-such-option": true}');
    let failed = '';
    try {
      execFileSync(h1.restartCommand, { timeout: 60_000, stdio: 'pipe' });
    } catch (e) {
      failed = String((e as { stderr?: Buffer }).stderr);
    }
    expect(failed).toMatch(/did not answer[\s\S]*no-such-option/);
    fs.writeFileSync(h1.configFile, '{}');
    execFileSync(h1.restartCommand, { timeout: 60_000 });

    // A container left running must not slow down or survive down.
    await docker(h1, ['run', '-d', '--name', 'left-behind', LAB_IMAGE, 'sleep', '3600']);

    t = Date.now();
    await labDown();
    report(`lab ${LAB} down in ${elapsed(t)}`);
    expect(fs.existsSync(info.dir)).toBe(false);
    expect(fs.readdirSync('/run/netns').filter((n) => n.startsWith(`${LAB}-`))).toEqual([]);
    expect(labProcesses(info.dir)).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(info.dir + '/');
    expect(rootRoutes()).toBe(before);
    expect((await labStatus()).up).toBe(false);
  }, 300_000);

  test('up after a crash (daemons killed, state left behind) starts clean', async () => {
    const info = await labUp({ hosts: 2 });
    // Simulate a crash: SIGKILL the daemons, leave namespaces, mounts and files.
    for (const h of info.hosts) process.kill(Number(fs.readFileSync(h.pidfile, 'utf8')), 'SIGKILL');
    const again = await labUp({ hosts: 2 });
    expect((await labStatus(again)).up).toBe(true);
    await labDown();
    expect(labProcesses(info.dir)).toEqual([]);
    expect(fs.existsSync(info.dir)).toBe(false);
    expect(rootRoutes()).toBe(before);
  }, 300_000);
});
