// Day 2 on the lab: the whole hosts stack applied through a non-root user with sudo, then rolling
// daemon changes (timeline: never two dockerd down at once, containers back), a daemon.json that
// breaks the second host of the wave, a session killed during a restart, a full disk (before and in
// the middle of the rollout), the settings gate reading mtu/bip back (every mapped key proved on
// dockerd 20.10, and a daemon that runs without a declared key caught), an impostor sshd on a member's address, a member that left by hand, and a
// destroy with a dead host.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAB_IMAGE, LabHost, docker, hostKey, run, startImpostor } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { engineValidateCommand } from '../../lab/engines';
import { ENGINE_FACTS } from '../../lab/engine-facts';
import { TfJson } from '../../lab/replay';
import { HostConnection, Subnet, SwarmRole } from '../../lib';
import { readbackChecks, renderReadback } from '../../lib/core/daemon/daemon-readback';
import { e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('rolling daemon changes');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Copies a file with its times: a config file copied with a new mtime reads as "changed after dockerd started". */
const copyKeep = (from: string, to: string) => {
  fs.copyFileSync(from, to);
  const st = fs.statSync(from);
  fs.utimesSync(to, st.atime, st.mtime);
};

gate.describe('rolling daemon changes, faults and host keys on the lab (hosts stack through sudo)', () => {
  const lab = useLab('dnroll', 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnroll-tf-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const tfTmp = path.join(work, 'tmp');
  fs.mkdirSync(tfTmp);

  /** The environment through the lab's sudo user; `daemon(i)` gives host i's daemon settings. */
  function synth(daemon: (i: number) => Record<string, unknown>): TfJson {
    const info = lab.info();
    const le = labEnvironment(info, {
      sshUser: info.sudoUser,
      swarmPools: ['10.211.0.0/16'],
      host: (_h, i) => ({ swarmRole: i === 0 ? SwarmRole.MANAGER : SwarmRole.WORKER, daemon: daemon(i) as never }),
    });
    try {
      const tf = le.synth().hosts;
      fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(tf, null, 2));
      return tf;
    } finally {
      le.dispose();
    }
  }
  const dns = (ip: string) => () => ({ dns: [ip] });

  let current: ChildProcess | undefined;
  function terraform(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<{ code: number; out: string }> {
    const t = Date.now();
    return new Promise((resolve) => {
      // Own process group: a test can kill terraform and every ssh it started, like a dropped session.
      const child = spawn('nsenter', [`--net=/run/netns/${lab.info().controller.netns}`, '--', 'terraform', `-chdir=${work}`, ...args], {
        detached: true,
        // TMPDIR in the work folder: a step SIGKILLed with its session cannot remove its temporary
        // known_hosts (no trap runs on SIGKILL); afterAll removes the folder with whatever it left.
        env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TMPDIR: tfTmp, ...env },
      });
      current = child;
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const timer = setTimeout(() => kill(child), timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        current = undefined;
        report(`terraform ${args.join(' ')} -> ${signal ?? `exit ${code}`} in ${elapsed(t)}`);
        resolve({ code: code ?? 137, out });
      });
    });
  }
  const kill = (c: ChildProcess) => { try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ } };
  afterAll(() => current && kill(current));
  const apply = (env: Record<string, string> = {}, extra: string[] = []) =>
    terraform(['apply', '-auto-approve', '-input=false', '-no-color', ...extra], env);
  const docknetLines = (out: string) => out.split('\n').filter((l) => /docknet:|Error|dockerd:/.test(l)).join('\n');

  const up = async (h: LabHost) =>
    (await run('curl', ['-sf', '--max-time', '1', '--unix-socket', h.socket, 'http://localhost/_ping'], { allowFail: true, timeoutMs: 3000 })).code === 0;
  const config = (h: LabHost) => JSON.parse(fs.readFileSync(h.configFile, 'utf8'));
  const dockerdPid = (h: LabHost) => fs.readFileSync(h.pidfile, 'utf8').trim();
  const swarm = async (h: LabHost) => (await docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}}'], { allowFail: true })).stdout.trim();

  /** Samples every host's dockerd while `during` runs: a timeline of up/down transitions. */
  async function timeline<T>(during: () => Promise<T>): Promise<{ result: T; lines: string[]; maxDown: number; downs: Record<string, number> }> {
    const hosts = lab.info().hosts;
    const t0 = Date.now();
    const state: Record<string, boolean> = Object.fromEntries(hosts.map((h) => [h.name, true]));
    const downs: Record<string, number> = Object.fromEntries(hosts.map((h) => [h.name, 0]));
    const lines: string[] = [];
    let maxDown = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const now = await Promise.all(hosts.map(up));
        const at = ((Date.now() - t0) / 1000).toFixed(1);
        hosts.forEach((h, i) => {
          if (now[i] !== state[h.name]) {
            lines.push(`+${at}s ${h.name} dockerd ${now[i] ? 'up' : 'DOWN'}`);
            if (!now[i]) downs[h.name]++;
            state[h.name] = now[i];
          }
        });
        maxDown = Math.max(maxDown, now.filter((x) => !x).length);
        await sleep(100);
      }
    })();
    const result = await during();
    done = true;
    await sampler;
    return { result, lines, maxDown, downs };
  }

  test('(d) the whole hosts stack through a non-root user with sudo -n: daemons configured, swarm formed', async () => {
    const info = lab.info();
    const tf = synth(dns('198.18.0.201'));
    const rollouts = Object.entries(tf.resource!.terraform_data as Record<string, any>).filter(([k]) => k.includes('DaemonRollout'));
    for (const [, r] of rollouts) {
      expect(r.provisioner[0]['local-exec'].environment).toMatchObject({ DOCKNET_TARGET_DEST: expect.stringMatching(/^dnops@/), DOCKNET_TARGET_BECOME: 'sudo' });
    }
    expect(JSON.stringify(tf)).not.toMatch(/StrictHostKeyChecking=no/);
    expect((await terraform(['init', '-input=false', '-no-color'])).code).toBe(0);
    const runDirs = () => fs.readdirSync('/tmp').filter((f) => /^docknet\.[A-Za-z0-9]{8}$/.test(f));
    const runDirsBefore = new Set(runDirs());
    const first = await apply();
    if (first.code !== 0) report(first.out);
    expect(first.code).toBe(0);
    for (const h of info.hosts) {
      expect(config(h)).toEqual({ dns: ['198.18.0.201'] });
      // Written by root through sudo, not by the ssh user.
      expect(fs.statSync(h.configFile).uid).toBe(0);
    }
    expect(await swarm(info.hosts[0])).toBe('active');
    expect((await docker(info.hosts[0], ['info', '--format', '{{.Swarm.Nodes}}'])).stdout.trim()).toBe('3');
    expect(first.out).not.toMatch(/SWMTKN-1-\w{10,}/);
    // The private run directories are gone from every host's /tmp (the hosts share the machine's
    // /tmp with other processes: only directories made during this apply count).
    expect(runDirs().filter((f) => !runDirsBefore.has(f))).toEqual([]);
  }, 400_000);

  test('(a) one daemon change on 3 hosts with containers: one dockerd down at a time, every container running again', async () => {
    const info = lab.info();
    for (const h of info.hosts) {
      await docker(h, ['run', '-d', '--init', '--name', `roll-${h.name}`, '--restart', 'unless-stopped', LAB_IMAGE, 'sleep', '3600']);
    }
    await docker(info.hosts[1], ['run', '-d', '--init', '--name', 'roll-norestart', LAB_IMAGE, 'sleep', '3600']);
    synth(dns('198.18.0.202'));
    const { result, lines, maxDown, downs } = await timeline(() => apply());
    report(`timeline of the rollout:\n  ${lines.join('\n  ')}`);
    report(docknetLines(result.out));
    expect(result.code).toBe(0);
    expect(maxDown).toBe(1);
    expect(downs).toEqual({ h1: 1, h2: 1, h3: 1 });
    // Waves in declaration order: h1 down before h2, h2 before h3.
    const firstDown = (n: string) => lines.findIndex((l) => l.includes(`${n} dockerd DOWN`));
    expect(firstDown('h1')).toBeLessThan(firstDown('h2'));
    expect(firstDown('h2')).toBeLessThan(firstDown('h3'));
    for (const h of info.hosts) {
      expect(config(h)).toEqual({ dns: ['198.18.0.202'] });
      expect((await docker(h, ['inspect', '--format', '{{.State.Running}}', `roll-${h.name}`])).stdout.trim()).toBe('true');
    }
    expect(result.out).toMatch(/health gate: the containers that ran before run again/);
    expect(result.out).toMatch(/container roll-norestart has restart policy 'no'/);
    expect(result.out).toMatch(/health gate: swarm node back \(active/);
    // Workers cannot see their own node: the manager's view gates them.
    expect(result.out).toMatch(/h1 lists h2 as Ready and Active/);
    expect(result.out).toMatch(/h1 lists h3 as Ready and Active/);
  }, 400_000);

  test('(b) a daemon.json that breaks the second host: first keeps the new settings, second rolled back, third untouched, dockerd\'s message; a fixed re-apply completes', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    const h3pid = dockerdPid(h3);
    // Valid for docknet, refused by dockerd at start: a bridge that does not exist.
    synth((i) => (i === 1 ? { dns: ['198.18.0.203'], bridge: 'dn-missing0' } : { dns: ['198.18.0.203'] }));
    const failed = await apply();
    report(docknetLines(failed.out));
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/dockerd: .*dn-missing0/);
    expect(failed.out).toMatch(/restored the previous .*dockerd answers with the old settings/);
    expect(config(h1)).toEqual({ dns: ['198.18.0.203'] });
    expect(config(h2)).toEqual({ dns: ['198.18.0.202'] });
    expect(await up(h2)).toBe(true);
    expect(await swarm(h2)).toBe('active');
    expect(config(h3)).toEqual({ dns: ['198.18.0.202'] });
    expect(dockerdPid(h3)).toBe(h3pid);

    synth(dns('198.18.0.203'));
    const fixed = await apply();
    expect(fixed.code).toBe(0);
    for (const h of [h1, h2, h3]) expect(config(h)).toEqual({ dns: ['198.18.0.203'] });
  }, 400_000);

  test('(c) the session killed during a restart: dockerd runs everywhere afterwards, a re-apply converges', async () => {
    const info = lab.info();
    synth(dns('198.18.0.204'));
    const running = apply();
    // Kill terraform and its ssh sessions the moment the first dockerd is down.
    const t = Date.now();
    while (Date.now() - t < 60_000 && (await Promise.all(info.hosts.map(up))).every(Boolean)) await sleep(50);
    expect(current).toBeDefined();
    kill(current!);
    const killed = await running;
    report(`terraform killed during the restart (${killed.code})`);
    // The detached worker finishes on its own.
    const until = Date.now() + 60_000;
    while (Date.now() < until && !(await Promise.all(info.hosts.map(up))).every(Boolean)) await sleep(200);
    for (const h of info.hosts) expect(await up(h)).toBe(true);
    const h1log = fs.readFileSync(`${info.hosts[0].configFile}.docknet-log`, 'utf8');
    report(`h1's rollout log after the kill:\n${h1log}`);
    const again = await apply();
    report(docknetLines(again.out));
    expect(again.code).toBe(0);
    for (const h of info.hosts) {
      expect(config(h)).toEqual({ dns: ['198.18.0.204'] });
      expect(await up(h)).toBe(true);
    }
    const none = await apply();
    expect(none.out).toMatch(/No changes\./);
  }, 400_000);

  test('(c) a full disk during the rollout: reported as such, nothing changed, dockerd runs; a re-apply converges once there is room', async () => {
    const info = lab.info();
    const h1 = info.hosts[0];
    const etc = path.dirname(h1.configFile);
    const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'dnroll-etc-'));
    for (const f of fs.readdirSync(etc)) copyKeep(path.join(etc, f), path.join(saved, f));
    // A tiny tmpfs over h1's config directory only (inside the lab's own directory).
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'dnroll-full', etc]);
    try {
      for (const f of fs.readdirSync(saved)) copyKeep(path.join(saved, f), path.join(etc, f));
      await run('sh', ['-c', `dd if=/dev/zero of=${etc}/filler bs=1k count=1000 2>/dev/null; true`]);
      synth(dns('198.18.0.205'));
      const full = await apply();
      report(docknetLines(full.out));
      expect(full.code).not.toBe(0);
      expect(full.out).toMatch(/cannot write .*No space left on device/);
      expect(full.out).not.toMatch(/another rollout/);
      expect(config(h1)).toEqual({ dns: ['198.18.0.204'] });
      for (const h of info.hosts) expect(await up(h)).toBe(true);
      // Later waves never started.
      expect(config(info.hosts[1])).toEqual({ dns: ['198.18.0.204'] });

      fs.rmSync(path.join(etc, 'filler'));
      const fixed = await apply();
      expect(fixed.code).toBe(0);
      for (const h of info.hosts) expect(config(h)).toEqual({ dns: ['198.18.0.205'] });
    } finally {
      // Keep what the tmpfs holds (the live file and backups) when it goes.
      for (const f of fs.readdirSync(etc)) if (f !== 'filler') copyKeep(path.join(etc, f), path.join(saved, f));
      await run('umount', [etc], { allowFail: true });
      for (const f of fs.readdirSync(saved)) copyKeep(path.join(saved, f), path.join(etc, f));
      fs.rmSync(saved, { recursive: true, force: true });
    }
  }, 400_000);

  const bridgeOf = async (h: LabHost) =>
    (await docker(h, ['network', 'inspect', 'bridge', '--format', '{{index .Options "com.docker.network.driver.mtu"}} {{range .IPAM.Config}}{{.Gateway}}/{{index (split .Subnet "/") 1}}{{end}}'])).stdout.trim();
  /** Host i's settings with an mtu and a bip of its own, and the daemon.json they render to. */
  const gateDaemon = (dnsIp: string) => (i: number) => ({ dns: [dnsIp], mtu: 1450, bip: Subnet.cidr(`10.213.${i + 1}.0/24`) });
  const gateJson = (dnsIp: string, i: number) => ({ bip: `10.213.${i + 1}.1/24`, dns: [dnsIp], mtu: 1450 });

  test('(g) settings gate: an mtu and bip change passes on every host because dockerd reports the new values', async () => {
    const info = lab.info();
    synth(gateDaemon('198.18.0.205'));
    const { result, lines, maxDown } = await timeline(() => apply());
    report(`timeline of the mtu/bip rollout:\n  ${lines.join('\n  ')}`);
    report(docknetLines(result.out));
    expect(result.code).toBe(0);
    expect(maxDown).toBe(1);
    const gates = result.out.split('\n').filter((l) => /settings gate: read back|health gate passed on/.test(l));
    report(`gate lines:\n  ${gates.join('\n  ')}`);
    for (const [i, h] of info.hosts.entries()) {
      expect(await bridgeOf(h)).toBe(`1450 10.213.${i + 1}.1/24`);
      expect(result.out).toMatch(new RegExp(`${h.name}_DaemonRollout\\S* \\(local-exec\\): docknet: health gate passed on \\S+ [\\d.]+ s after the restart began`));
    }
    expect(result.out.match(/settings gate: read back from dockerd: bip mtu; start-time check only: dns \([\d.]+ s\)/g)).toHaveLength(3);
  }, 400_000);

  test('(c) the disk fills in the middle of the rollout (h2, right after its backups): dockerd runs everywhere with a complete file, "No space left on device"; a re-apply converges once there is room', async () => {
    const info = lab.info();
    const [h1, h2, h3] = info.hosts;
    const etc = path.dirname(h2.configFile);
    const before = fs.readFileSync(h3.configFile, 'utf8');
    const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'dnroll-etc-'));
    for (const f of fs.readdirSync(etc)) copyKeep(path.join(etc, f), path.join(saved, f));
    // h2's config directory on a small filesystem of its own (inside the lab's directory) with room
    // for the rollout's writes; a filler takes the rest the moment h2's new file is swapped in.
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'dnroll-mid', etc]);
    const events: string[] = [];
    let watcher: fs.FSWatcher | undefined;
    try {
      for (const f of fs.readdirSync(saved)) copyKeep(path.join(saved, f), path.join(etc, f));
      synth(gateDaemon('198.18.0.206'));
      const t0 = Date.now();
      const at = () => `+${((Date.now() - t0) / 1000).toFixed(2)}s`;
      let backedUp = false;
      let filled = false;
      watcher = fs.watch(etc, (ev, name) => {
        if (!name || name === 'filler') return;
        events.push(`${at()} ${ev} ${name}`);
        if (/\.docknet-good-/.test(name)) backedUp = true;
        // The swap (rename of the staged file onto daemon.json) after the backups: fill the disk now.
        if (backedUp && !filled && name === 'daemon.json') {
          filled = true;
          try {
            fs.writeFileSync(path.join(etc, 'filler'), Buffer.alloc(1 << 20));
          } catch (e) {
            events.push(`${at()} filler: ${(e as Error).message.split(',')[0]}`);
          }
        }
      });
      const { result, lines, maxDown } = await timeline(() => apply());
      watcher.close();
      report(`h2 config directory during the rollout (tmpfs 256k, filled at the swap):\n  ${events.join('\n  ')}`);
      report(`dockerd timeline:\n  ${lines.join('\n  ')}`);
      report(docknetLines(result.out));
      expect(filled).toBe(true);
      expect(events.some((e) => /filler: ENOSPC/.test(e))).toBe(true);
      expect(result.code).not.toBe(0);
      expect(maxDown).toBe(1);
      expect(result.out).toMatch(/cannot record the applied file as .*docknet-last-applied: .*No space left on device/);
      // Every host: dockerd answers, daemon.json complete (the new one on h1/h2, the old one on h3).
      for (const h of info.hosts) expect(await up(h)).toBe(true);
      expect(config(h1)).toEqual(gateJson('198.18.0.206', 0));
      expect(config(h2)).toEqual(gateJson('198.18.0.206', 1));
      expect(await bridgeOf(h2)).toBe('1450 10.213.2.1/24');
      expect(fs.readFileSync(h3.configFile, 'utf8')).toBe(before);
      expect(fs.readdirSync(etc).filter((f) => /\.docknet-(new|restore|lock)$|\.tmp$/.test(f))).toEqual([]);

      fs.rmSync(path.join(etc, 'filler'));
      const fixed = await apply();
      report(docknetLines(fixed.out));
      expect(fixed.code).toBe(0);
      expect(fixed.out).toMatch(/already up to date; dockerd runs with it/);
      for (const [i, h] of info.hosts.entries()) expect(config(h)).toEqual(gateJson('198.18.0.206', i));
      expect(fs.readFileSync(`${h2.configFile}.docknet-last-applied`, 'utf8')).toBe(fs.readFileSync(h2.configFile, 'utf8'));
    } finally {
      watcher?.close();
      for (const f of fs.readdirSync(etc)) if (f !== 'filler') copyKeep(path.join(etc, f), path.join(saved, f));
      await run('umount', [etc], { allowFail: true });
      for (const f of fs.readdirSync(saved)) copyKeep(path.join(saved, f), path.join(etc, f));
      fs.rmSync(saved, { recursive: true, force: true });
    }
  }, 400_000);

  test('(e) an impostor sshd on a member\'s address: the apply stops before any token leaves; with the real host back, the member that left rejoins and its Down entry goes', async () => {
    const [h1, , h3] = lab.info().hosts;
    // h3 left the swarm by hand: its join must run again.
    await docker(h3, ['swarm', 'leave']);
    const joinAddr = Object.keys((JSON.parse(fs.readFileSync(path.join(work, 'main.tf.json'), 'utf8')).resource.terraform_data))
      .find((k) => k.startsWith('Swarm_Join-h3'))!;
    // The docker provider's ssh:// connection: the ssh options docknet gives it, run by the real ssh.
    const info = lab.info();
    const providerSsh = (h: LabHost) => {
      const opts = (HostConnection.ssh({ host: h.address, user: 'root', hostKey: hostKey(h) }).providerArgs('h') as { sshOpts: string[] }).sshOpts;
      return run('nsenter', [`--net=/run/netns/${info.controller.netns}`, 'ssh', ...opts, '-o', 'BatchMode=yes', '-i', info.sshKey, `root@${h.address}`, 'true'], { allowFail: true, timeoutMs: 20_000 });
    };
    expect((await providerSsh(h3)).code).toBe(0);
    const impostor = await startImpostor(h3);
    let stopped;
    try {
      const viaProvider = await providerSsh(h3);
      expect(viaProvider.code).toBe(255);
      expect(viaProvider.stderr).toMatch(/Host key verification failed/);
      stopped = await apply({}, [`-replace=terraform_data.${joinAddr}`]);
    } finally {
      const log = fs.readFileSync(impostor.log, 'utf8');
      report(`impostor sshd log:\n${log.split('\n').filter(Boolean).slice(-6).join('\n')}`);
      expect(log).not.toMatch(/Accepted publickey/);
      await impostor.restore();
    }
    report(docknetLines(stopped.out));
    expect(stopped.code).not.toBe(0);
    expect(stopped.out).toMatch(/Host key verification failed/);
    expect(stopped.out).not.toMatch(/SWMTKN-1-\w{10,}/);
    expect(await swarm(h3)).toBe('inactive');

    const rejoin = await apply({}, [`-replace=terraform_data.${joinAddr}`]);
    report(docknetLines(rejoin.out));
    expect(rejoin.code).toBe(0);
    expect(rejoin.out).toMatch(/removed the stale Down node entry of h3 \(198\.18\.0\.3\)/);
    expect(await swarm(h3)).toBe('active');
    const nodes = (await docker(h1, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).stdout.trim().split('\n');
    expect(nodes).toHaveLength(3);
    expect(nodes.every((n) => n.endsWith('Ready'))).toBe(true);
  }, 400_000);

  test('destroy with a dead host: DOCKNET_UNREACHABLE skips it, the manager forgets it, the rest leaves', async () => {
    const info = lab.info();
    const [h1, h2, h3] = info.hosts;
    const sshdPid = Number(fs.readFileSync(path.join(path.dirname(h3.socket), 'sshd.pid'), 'utf8'));
    process.kill(sshdPid, 'SIGTERM');
    await sleep(300);
    const stuck = await terraform(['destroy', '-auto-approve', '-input=false', '-no-color']);
    expect(stuck.code).not.toBe(0);
    expect(stuck.out).toMatch(/DOCKNET_UNREACHABLE='h3' terraform destroy/);
    const t = Date.now();
    const out = await terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], { DOCKNET_UNREACHABLE: 'h3' });
    report(docknetLines(out.out));
    expect(out.code).toBe(0);
    report(`destroy with h3 dead: ${elapsed(t)}`);
    expect(await swarm(h1)).toBe('inactive');
    expect(await swarm(h2)).toBe('inactive');
    // Bring h3's sshd back so the lab goes down cleanly.
    await run('nsenter', [`--net=/run/netns/${h3.netns}`, '/usr/sbin/sshd', '-f', path.join(path.dirname(h3.socket), 'sshd_config'), '-E', path.join(path.dirname(h3.socket), 'sshd.log')]);
  }, 400_000);
  const safeApplyScript = path.join(__dirname, '..', '..', 'lib', 'bootstrap', 'scripts', 'safe-apply.sh');
  /** The real safe-apply.sh run on lab host h1 directly (no terraform), with the list DaemonRollout sends. */
  const safeApply = async (content: Record<string, unknown>) => {
    const h1 = lab.info().hosts[0];
    const dir = fs.mkdtempSync(path.join(work, 'run-'));
    fs.copyFileSync(safeApplyScript, path.join(dir, 'safe-apply.sh'));
    fs.writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify(content, null, 2) + '\n');
    fs.writeFileSync(path.join(dir, 'daemon.readback'), renderReadback(readbackChecks(content).checks));
    const t = Date.now();
    const r = await run('sh', [path.join(dir, 'safe-apply.sh'), dir, path.join(dir, 'daemon.json'), h1.configFile], {
      allowFail: true,
      timeoutMs: 120_000,
      env: {
        ...process.env,
        DOCKNET_RESTART: h1.restartCommand,
        DOCKNET_DOCKER: `${lab.info().engine.docker} -H ${h1.dockerHost}`,
        ...(engineValidateCommand(lab.info().engine) ? { DOCKNET_VALIDATE: engineValidateCommand(lab.info().engine) } : {}),
        DOCKNET_PIDFILE: h1.pidfile,
        DOCKNET_LOGS: `tail -n 200 ${h1.logFile}`,
        DOCKNET_WAIT_SECONDS: '30',
        DOCKNET_DROP_KEYS: 'dns bip',
      },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    report(`safe-apply on h1 -> exit ${r.code} in ${elapsed(t)}:\n${r.stderr}`);
    return r;
  };

  test('(g) settings gate catches a daemon that runs without a declared key: live-restore keeps the old default bridge (mtu), rolled back', async () => {
    // Outside a swarm (the destroy above ended it on h1). With live-restore on and a container running
    // on the default bridge, dockerd keeps the old bridge at restart (20.10: "There are old running
    // containers, the network config will not take affect"; wording per engine in lab/engine-facts.ts):
    // it starts, but the new mtu is not in effect.
    const h1 = lab.info().hosts[0];
    expect(await swarm(h1)).toBe('inactive');
    const withLiveRestore = { 'live-restore': true, mtu: 1450 };
    expect((await safeApply(withLiveRestore)).code).toBe(0);
    await docker(h1, ['rm', '-f', 'roll-gate'], { allowFail: true });
    await docker(h1, ['run', '-d', '--init', '--name', 'roll-gate', LAB_IMAGE, 'sleep', '3600']);
    const pid = dockerdPid(h1);
    const r = await safeApply({ 'live-restore': true, mtu: 1400 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/settings gate: mtu is not in effect: expected 1400, dockerd reports 1450 \(docker network inspect bridge\)/);
    expect(r.stderr).toMatch(/dockerd runs, but not with the settings of the new .*; rolling back/);
    // The log line's wording is the engine's (lab/engine-facts.ts).
    expect(r.stderr).toMatch(new RegExp(`dockerd: .*${ENGINE_FACTS[lab.info().engine.version].liveRestoreKeepsBridge.source}`));
    expect(r.stderr).toMatch(/restored the previous .*dockerd answers with the old settings/);
    // The new settings ran (a restart happened), the previous file is back, dockerd runs with it.
    expect(dockerdPid(h1)).not.toBe(pid);
    expect(config(h1)).toEqual(withLiveRestore);
    expect(await up(h1)).toBe(true);
    expect(await bridgeOf(h1)).toMatch(/^1450 /);
    expect((await docker(h1, ['inspect', '--format', '{{.State.Running}}', 'roll-gate'])).stdout.trim()).toBe('true');
    await docker(h1, ['rm', '-f', 'roll-gate']);
  }, 400_000);
  test('(g) every key of the read-back mapping reads back as declared on the lab engine (DOCKNET_ENGINE; the same list the rollout sends)', async () => {
    const h1 = lab.info().hosts[0];
    // No running container may keep the old default bridge (live-restore is on from the test above).
    await docker(h1, ['rm', '-f', 'roll-h1', 'roll-gate'], { allowFail: true });
    const driver = (await docker(h1, ['info', '--format', '{{.Driver}}'])).stdout.trim();
    const all = {
      bip: '10.230.0.1/24', 'fixed-cidr': '10.230.0.128/25', mtu: 1400, icc: false, 'ip-masq': false, ip: '127.0.0.1', ipv6: false,
      debug: true, 'live-restore': true, labels: ['a=b', 'zone=x'], 'registry-mirrors': ['https://mirror.example.com'],
      'insecure-registries': ['reg.example.com:5000', 'http://10.9.0.1/16'], 'default-address-pools': [{ base: '10.231.0.0/16', size: 24 }],
      'log-driver': 'json-file', 'storage-driver': driver, 'default-runtime': 'runc', experimental: true,
    };
    const a = await safeApply(all);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/settings gate: read back from dockerd: bip debug default-address-pools default-runtime experimental fixed-cidr icc insecure-registries ip ip-masq ipv6 labels live-restore log-driver mtu registry-mirrors storage-driver; start-time check only: none/);
    // A Linux bridge of the operator's own (in h1's namespace) as the default bridge.
    const inH1 = (args: string[]) => run('nsenter', [`--net=/run/netns/${h1.netns}`, 'ip', ...args]);
    await inH1(['link', 'add', 'dnbr0', 'type', 'bridge']);
    try {
      await inH1(['addr', 'add', '10.232.0.1/24', 'dev', 'dnbr0']);
      await inH1(['link', 'set', 'dnbr0', 'up']);
      const b = await safeApply({ bridge: 'dnbr0', 'fixed-cidr': '10.232.0.0/25', mtu: 1500, experimental: false, debug: false });
      expect(b.code).toBe(0);
      expect(b.stderr).toMatch(/settings gate: read back from dockerd: bridge debug experimental fixed-cidr mtu; start-time check only: none/);
    } finally {
      // Back on docker0 before the bridge goes.
      await safeApply({ mtu: 1500 });
      await inH1(['link', 'del', 'dnbr0']);
    }
  }, 400_000);
});
