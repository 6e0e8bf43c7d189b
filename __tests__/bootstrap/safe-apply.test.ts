// Runs lib/bootstrap/scripts/safe-apply.sh for real, against a temp dir, with a fake "daemon":
// restart succeeds only when daemon.json does not contain BAD, the fake docker CLI answers only
// while the daemon "runs". No docker, no root needed (root is fine).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readbackChecks, renderReadback } from '../../lib/core/daemon/daemon-readback';

const SCRIPT = path.join(__dirname, '..', '..', 'lib', 'bootstrap', 'scripts', 'safe-apply.sh');
const OLD = '{\n  "mtu": 1500\n}\n';
const NEW = '{\n  "mtu": 1400\n}\n';
const BAD = '{\n  "bip": "10.200.0.1/33", "BAD": 1\n}\n';

interface Lab {
  dir: string;
  target: string;
  running: string;
  restarts: string;
  env: Record<string, string>;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function fakeHost(opts: { old?: string; alwaysFail?: boolean; restartDelay?: number; notRunning?: boolean } = {}): Lab {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-safe-apply-'));
  dirs.push(dir);
  const target = path.join(dir, 'etc', 'docker', 'daemon.json');
  const running = path.join(dir, 'running.json');
  const restarts = path.join(dir, 'restarts');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (opts.old !== undefined) {
    fs.writeFileSync(target, opts.old);
    // What docknet applied last time (its record), and the daemon runs with it.
    fs.writeFileSync(`${target}.docknet-last-applied`, opts.old);
    if (!opts.notRunning) fs.writeFileSync(running, opts.old);
  }
  const restart = path.join(dir, 'restart.sh');
  fs.writeFileSync(
    restart,
    `#!/bin/sh
echo x >> ${restarts}
rm -f ${running}
sleep ${opts.restartDelay ?? 0}
if ${opts.alwaysFail ? 'true' : 'false'} || grep -q BAD ${target} 2>/dev/null; then
  echo "failed to start daemon: invalid CIDR address: 10.200.0.1/33" >> ${dir}/dockerd.log
  echo "Job for docker.service failed because the control process exited with error code." >&2
  exit 1
fi
if [ -f ${target} ]; then cp ${target} ${running}; else echo '{}' > ${running}; fi
`,
    { mode: 0o755 },
  );
  const docker = path.join(dir, 'docker.sh');
  // Reads back the mtu the "daemon" runs with (FAKE_MTU_STUCK: what a daemon that ignores the key
  // keeps reporting); templates it does not know fail like a field this engine lacks. With the daemon
  // down, `docker info` behaves like one of three real CLIs (FAKE_CLI; docker/cli cli/command/system/info.go):
  // 20.10 exits 1 with a template error; 26.1.5 (and 28.0, docker/cli#5900) renders the template over an
  // empty Info and exits 0; 28.2 prints the same but exits 1.
  fs.writeFileSync(
    docker,
    `#!/bin/sh
case "$1" in
  info)
    t=$3
    if [ ! -f ${running} ]; then
      echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2
      case "\${FAKE_CLI:-20.10}" in
        20.10) echo 'template: :1:2: executing "" at <.ServerVersion>: reflect: indirection through nil pointer to embedded struct field Info' >&2; exit 1;;
        26.1) printf '%s\\n' "$t" | sed 's/{{[^}]*}}//g'; exit 0;;
        *) printf '%s\\n' "$t" | sed 's/{{[^}]*}}//g'; exit 1;;
      esac
    fi
    case "$t" in *LiveRestore*|*Debug*) echo 'template: :1:2: executing "" at <.Debug>: can not evaluate field' >&2; exit 1;; esac
    printf '%s\\n' "$t" | sed -e 's/{{.ServerVersion}}/20.10.24/g' -e 's/{{.Swarm.LocalNodeState}}/inactive/g' -e 's/{{.Swarm.ControlAvailable}}/false/g';;
  network)
    [ -f ${running} ] || { echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1; }
    case "$5" in
      *driver.mtu*) if [ -n "\${FAKE_MTU_STUCK:-}" ]; then echo "$FAKE_MTU_STUCK"; else sed -n 's/.*"mtu": *\\([0-9]*\\).*/\\1/p' ${running}; fi;;
      *) echo "unknown template" >&2; exit 1;;
    esac;;
  *) [ -f ${running} ] || exit 1;;
esac
exit 0
`,
    { mode: 0o755 },
  );
  return {
    dir,
    target,
    running,
    restarts,
    env: {
      DOCKNET_RESTART: restart,
      DOCKNET_DOCKER: docker,
      DOCKNET_VALIDATE: 'none',
      DOCKNET_LOGS: `tail -n 5 ${dir}/dockerd.log`,
      DOCKNET_WAIT_SECONDS: '3',
      // No pidfile: the "runs with this file" check falls back to docknet's record.
      DOCKNET_PIDFILE: path.join(dir, 'no-such.pid'),
    },
  };
}

function runDir(lab: Lab, content: string, readback = true) {
  const run = fs.mkdtempSync(path.join(lab.dir, 'run-'));
  fs.chmodSync(run, 0o700);
  fs.copyFileSync(SCRIPT, path.join(run, 'safe-apply.sh'));
  const upload = path.join(run, 'daemon.json');
  fs.writeFileSync(upload, content);
  // What DaemonRollout sends beside the file (the same mapping), unless the file is not JSON.
  let parsed: Record<string, unknown> | undefined;
  try { parsed = JSON.parse(content); } catch { parsed = undefined; }
  if (readback && parsed) fs.writeFileSync(path.join(run, 'daemon.readback'), renderReadback(readbackChecks(parsed).checks));
  return { run, upload, script: path.join(run, 'safe-apply.sh') };
}

function apply(shell: string, lab: Lab, content: string, env: Record<string, string> = {}, readback = true) {
  const { run, upload, script } = runDir(lab, content, readback);
  const r = spawnSync(shell, [script, run, upload, lab.target], {
    env: { PATH: process.env.PATH, ...lab.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, runLeft: fs.existsSync(run) };
}

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
const restarts = (lab: Lab) => (read(lab.restarts) ?? '').split('\n').filter(Boolean).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A PATH directory whose `name` fails (with `message`) when one of its arguments matches `pattern`. */
function failingTool(lab: Lab, name: string, pattern: string, message: string): string {
  const bin = path.join(lab.dir, `bin-${name}`);
  fs.mkdirSync(bin);
  const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nfor a; do case "$a" in ${pattern}) echo "${name}: ${message}" >&2; exit 1;; esac; done\nexec ${real} "$@"\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH}`;
}

describe.each(['bash', 'sh'])('safe-apply.sh under %s', (shell) => {
  test('applies a good file: swapped in, timestamped good backup, record kept, run dir removed', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW);
    expect(r.out).toMatch(/applied .*daemon.json; dockerd answers with it/);
    expect(r.code).toBe(0);
    expect(read(lab.target)).toBe(NEW);
    expect(read(lab.running)).toBe(NEW);
    expect(read(`${lab.target}.docknet-last-applied`)).toBe(NEW);
    const files = fs.readdirSync(path.dirname(lab.target)).sort();
    const good = files.filter((f) => /^daemon\.json\.docknet-good-\d{8}T\d{6}Z$/.test(f));
    expect(good).toHaveLength(1);
    expect(read(path.join(path.dirname(lab.target), good[0]))).toBe(OLD);
    expect(files.filter((f) => !good.includes(f))).toEqual(['daemon.json', 'daemon.json.docknet-last-applied', 'daemon.json.docknet-log']);
    expect(r.runLeft).toBe(false);
  });

  test('rolls back a file the daemon refuses: old file restored, daemon on old settings, exit 1, dockerd error printed', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, BAD);
    expect(r.code).toBe(1);
    expect(read(lab.target)).toBe(OLD);
    expect(read(lab.running)).toBe(OLD);
    expect(r.out).toMatch(/dockerd did not start with the new .*rolling back/);
    expect(r.out).toMatch(/dockerd: failed to start daemon: invalid CIDR address: 10.200.0.1\/33/);
    expect(r.out).toMatch(/restart: Job for docker.service failed/);
    expect(r.out).toMatch(/restored the previous .*dockerd answers with the old settings/);
    expect(read(`${lab.target}.docknet-failed`)).toBe(BAD);
    // The last good file is never replaced by the refused one.
    expect(read(`${lab.target}.docknet-last-applied`)).toBe(OLD);
    expect(restarts(lab)).toBe(2);
  });

  test('rolls back to "no file" when there was none before', () => {
    const lab = fakeHost();
    const r = apply(shell, lab, BAD);
    expect(r.code).toBe(1);
    expect(fs.existsSync(lab.target)).toBe(false);
    expect(read(lab.running)).toBe('{}\n');
  });

  test('same content and dockerd runs with it: no restart', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, OLD);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/already up to date; dockerd runs with it/);
    expect(restarts(lab)).toBe(0);
  });

  test('same content but dockerd stopped: not "up to date", dockerd is started with it', () => {
    const lab = fakeHost({ old: OLD, notRunning: true });
    const r = apply(shell, lab, OLD);
    expect(r.out).toMatch(/has the new content but dockerd does not run with it/);
    expect(r.code).toBe(0);
    expect(read(lab.running)).toBe(OLD);
    expect(restarts(lab)).toBe(1);
  });

  test('keys on the host that the code does not declare stop the rollout; dropUndeclaredKeys lets them go', () => {
    const hand = '{\n  "mtu": 1500,\n  "log-driver": "journald",\n  "log-opts": { "tag": "x" }\n}\n';
    const lab = fakeHost({ old: OLD });
    fs.writeFileSync(lab.target, hand);
    fs.writeFileSync(lab.running, hand);
    const r = apply(shell, lab, NEW);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/has keys the code does not declare: log-driver log-opts/);
    expect(r.out).toMatch(/Adopt them .*extra.*dropUndeclaredKeys/);
    expect(read(lab.target)).toBe(hand);
    expect(restarts(lab)).toBe(0);

    const r2 = apply(shell, lab, NEW, { DOCKNET_DROP_KEYS: 'log-driver log-opts' });
    expect(r2.out).toMatch(/dropping log-driver/);
    expect(r2.code).toBe(0);
    expect(read(lab.target)).toBe(NEW);
  });

  test('keys docknet itself wrote before may be removed by the code', () => {
    const lab = fakeHost({ old: '{\n  "mtu": 1500,\n  "dns": ["10.0.0.53"]\n}\n' });
    const r = apply(shell, lab, NEW);
    expect(r.code).toBe(0);
    expect(read(lab.target)).toBe(NEW);
  });

  test('validation refuses: target untouched, no restart, validator output printed', () => {
    const lab = fakeHost({ old: OLD });
    const validator = path.join(lab.dir, 'validate.sh');
    fs.writeFileSync(validator, '#!/bin/sh\nif grep -q BAD "$1"; then echo "unable to configure the Docker daemon: bip: invalid" >&2; exit 1; fi\n', { mode: 0o755 });
    const r = apply(shell, lab, BAD, { DOCKNET_VALIDATE: validator });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/refused by validation/);
    expect(r.out).toMatch(/bip: invalid/);
    expect(read(lab.target)).toBe(OLD);
    expect(restarts(lab)).toBe(0);
  });

  test('auto-detects dockerd --validate and uses it', () => {
    const lab = fakeHost({ old: OLD });
    const bin = path.join(lab.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'dockerd'),
      '#!/bin/sh\ncase "$1" in --help) echo "      --validate   Validate daemon configuration and exit";; --validate) grep -q BAD "$3" && { echo "invalid bip" >&2; exit 1; }; echo "configuration OK";; esac\n',
      { mode: 0o755 },
    );
    const r = apply(shell, lab, BAD, { DOCKNET_VALIDATE: '', PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/refused by validation \(.*dockerd --validate --config-file\)/);
    expect(restarts(lab)).toBe(0);
  });

  test('without --validate (dockerd < 23) it relies on the restart and still rolls back', () => {
    const lab = fakeHost({ old: OLD });
    const bin = path.join(lab.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'dockerd'), '#!/bin/sh\necho "Usage: dockerd [OPTIONS]"\n', { mode: 0o755 });
    const r = apply(shell, lab, BAD, { DOCKNET_VALIDATE: '', PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/has no --validate/);
    expect(read(lab.target)).toBe(OLD);
  });

  test('exit 2 and a loud message when the old file does not start either', () => {
    const lab = fakeHost({ old: OLD, alwaysFail: true });
    const r = apply(shell, lab, NEW);
    expect(r.code).toBe(2);
    expect(read(lab.target)).toBe(OLD);
    expect(r.out).toMatch(/RESTORE INCOMPLETE: .*does not answer either; check the host now/);
  });

  test('a failed restore says so loudly and exits 2 (never "restored")', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, BAD, { PATH: failingTool(lab, 'mv', '*.docknet-restore', 'cannot move: Input/output error') });
    expect(r.out).toMatch(/RESTORE FAILED: could not put the previous file back .*Input\/output error/);
    expect(r.out).not.toMatch(/restored the previous/);
    expect(r.code).toBe(2);
  });

  test('a full disk while staging: reported as a write failure, target and daemon untouched', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW, { PATH: failingTool(lab, 'cp', '*.docknet-new', 'error writing: No space left on device') });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot write .*daemon.json.docknet-new: .*No space left on device/);
    expect(r.out).not.toMatch(/another rollout/);
    expect(read(lab.target)).toBe(OLD);
    expect(restarts(lab)).toBe(0);
  });

  test('an unusable directory is reported as what it is, not as a held lock', () => {
    const lab = fakeHost();
    fs.writeFileSync(path.join(lab.dir, 'notadir'), '');
    const r = apply(shell, { ...lab, target: path.join(lab.dir, 'notadir', 'daemon.json') }, NEW);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot create the lock .*Not a directory/);
    expect(r.out).not.toMatch(/another rollout/);
  });

  test('a stale lock (owner gone) is taken over with a message', () => {
    const lab = fakeHost({ old: OLD });
    fs.mkdirSync(`${lab.target}.docknet-lock`);
    fs.writeFileSync(`${lab.target}.docknet-lock/owner`, '999999999 12345\n');
    const r = apply(shell, lab, NEW);
    expect(r.out).toMatch(/removing stale lock .*owner \(pid 999999999\) is gone/);
    expect(r.code).toBe(0);
    expect(read(lab.target)).toBe(NEW);
  });

  test('a live lock is waited for, then refused with its owner', () => {
    const lab = fakeHost({ old: OLD });
    fs.mkdirSync(`${lab.target}.docknet-lock`);
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    fs.writeFileSync(`${lab.target}.docknet-lock/owner`, `${process.pid} ${ticks}\n`);
    const r = apply(shell, lab, NEW, { DOCKNET_WAIT_SECONDS: '1' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`another rollout \\(pid ${process.pid}\\) still holds .*docknet-lock`));
    expect(read(lab.target)).toBe(OLD);
  });

  test('settings gate: the key is read back as declared; the others say they rest on the start time', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, '{\n  "dns": ["10.0.0.53"],\n  "mtu": 1400\n}\n', { DOCKNET_DROP_KEYS: '' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/settings gate: read back from dockerd: mtu; start-time check only: dns/);
  });

  test('settings gate: dockerd runs but reports another value: named with expected and seen, rolled back like a failed start', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW, { FAKE_MTU_STUCK: '1500' });
    expect(r.out).toMatch(/settings gate: mtu is not in effect: expected 1400, dockerd reports 1500 \(docker network inspect bridge\)/);
    expect(r.out).toMatch(/dockerd runs, but not with the settings of the new .*daemon.json; rolling back/);
    expect(r.out).toMatch(/restored the previous .*dockerd answers with the old settings/);
    expect(r.code).toBe(1);
    expect(read(lab.target)).toBe(OLD);
    expect(read(lab.running)).toBe(OLD);
    expect(read(`${lab.target}.docknet-last-applied`)).toBe(OLD);
    expect(read(`${lab.target}.docknet-failed`)).toBe(NEW);
    expect(restarts(lab)).toBe(2);
  });

  test('settings gate: a key this dockerd does not report falls back to the start-time check, saying so', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, '{\n  "debug": true,\n  "mtu": 1400\n}\n');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/settings gate: debug not read back \(info: template: .*can not evaluate field\): start-time check only/);
    expect(r.out).toMatch(/read back from dockerd: mtu; start-time check only: debug/);
  });

  test('settings gate: without a read-back list every key rests on the start-time check', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW, {}, false);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/settings gate: no read-back list; every key rests on the start-time check: mtu/);
  });

  test('the disk fills after the swap: the record write fails with its real error, the live file is complete, a re-apply records it', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW, { PATH: failingTool(lab, 'cp', '*.docknet-last-applied.tmp', 'error writing: No space left on device') });
    expect(r.out).toMatch(/cannot record the applied file as .*docknet-last-applied: .*No space left on device/);
    expect(r.out).toMatch(/dockerd runs with the new .* but docknet could not record it: free space/);
    expect(r.code).toBe(1);
    expect(read(lab.target)).toBe(NEW);
    expect(read(lab.running)).toBe(NEW);
    // The record is the previous one, whole; no temporary copy left.
    expect(read(`${lab.target}.docknet-last-applied`)).toBe(OLD);
    expect(fs.existsSync(`${lab.target}.docknet-last-applied.tmp`)).toBe(false);
    // Space again: same file, dockerd started after it (pidfile) -> up to date, recorded.
    fs.writeFileSync(path.join(lab.dir, 'dockerd.pid'), `${process.pid}\n`);
    fs.utimesSync(lab.target, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const again = apply(shell, lab, NEW, { DOCKNET_PIDFILE: path.join(lab.dir, 'dockerd.pid') });
    expect(again.out).toMatch(/already up to date; dockerd runs with it/);
    expect(again.code).toBe(0);
    expect(read(`${lab.target}.docknet-last-applied`)).toBe(NEW);
    expect(restarts(lab)).toBe(1);
  });

  test('the session killed during the restart: the detached worker finishes the rollout', async () => {
    const lab = fakeHost({ old: OLD, restartDelay: 2 });
    const { run, upload, script } = runDir(lab, NEW);
    const child = spawn(shell, [script, run, upload, lab.target], { env: { PATH: process.env.PATH, ...lab.env }, stdio: 'ignore' });
    // Wait until the restart is under way (dockerd "down"), then kill the session's process.
    for (let i = 0; i < 100 && restarts(lab) === 0; i++) await sleep(50);
    expect(restarts(lab)).toBe(1);
    child.kill('SIGKILL');
    for (let i = 0; i < 100 && !fs.existsSync(path.join(run, 'status')); i++) await sleep(100);
    expect(read(path.join(run, 'status'))).toBe('0\n');
    expect(read(lab.target)).toBe(NEW);
    expect(read(lab.running)).toBe(NEW);
    expect(read(`${lab.target}.docknet-log`)).toMatch(/applied .*dockerd answers with it/);
    expect(fs.existsSync(`${lab.target}.docknet-lock`)).toBe(false);
  });
});

// With dockerd down, each CLI answers `docker info --format` differently (see fakeHost); 26.1.5's exit 0
// once made a stopped dockerd read as "runs with it". Every decision must hold on all three.
describe.each(['20.10', '26.1', '28.2'])('safe-apply.sh with dockerd down, under the %s CLI', (cli) => {
  test('same content but dockerd stopped: never "up to date"; dockerd is started with it', () => {
    const lab = fakeHost({ old: OLD, notRunning: true });
    const r = apply('sh', lab, OLD, { FAKE_CLI: cli });
    expect(r.out).not.toMatch(/already up to date/);
    expect(r.out).toMatch(/has the new content but dockerd does not run with it/);
    expect(r.code).toBe(0);
    expect(restarts(lab)).toBe(1);
  });

  test('a file dockerd never starts with: rolled back, not "answers with it"', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply('sh', lab, BAD, { FAKE_CLI: cli });
    expect(r.out).not.toMatch(/dockerd answers with it/);
    expect(r.out).toMatch(/restored the previous/);
    expect(r.code).toBe(1);
    expect(read(lab.target)).toBe(OLD);
  });

  test('neither file starts dockerd: exit 2, RESTORE INCOMPLETE', () => {
    const lab = fakeHost({ old: OLD, alwaysFail: true });
    const r = apply('sh', lab, NEW, { FAKE_CLI: cli });
    expect(r.out).toMatch(/RESTORE INCOMPLETE: .*does not answer either/);
    expect(r.code).toBe(2);
  });
});
