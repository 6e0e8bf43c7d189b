// Runs lib/bootstrap/scripts/safe-apply.sh for real, against a temp dir, with a fake "daemon":
// restart succeeds only when daemon.json does not contain BAD, the fake docker CLI answers only
// while the daemon "runs". No docker, no root.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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

function fakeHost(opts: { old?: string; alwaysFail?: boolean } = {}): Lab {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-safe-apply-'));
  dirs.push(dir);
  const target = path.join(dir, 'etc', 'docker', 'daemon.json');
  const running = path.join(dir, 'running.json');
  const restarts = path.join(dir, 'restarts');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (opts.old !== undefined) {
    fs.writeFileSync(target, opts.old);
    fs.writeFileSync(running, opts.old);
  }
  const restart = path.join(dir, 'restart.sh');
  fs.writeFileSync(
    restart,
    `#!/bin/sh
echo x >> ${restarts}
rm -f ${running}
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
  fs.writeFileSync(docker, `#!/bin/sh\n[ -f ${running} ] && echo 20.10.24\n`, { mode: 0o755 });
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
    },
  };
}

function apply(shell: string, lab: Lab, content: string, env: Record<string, string> = {}) {
  const upload = path.join(lab.dir, 'upload.json');
  fs.writeFileSync(upload, content);
  const r = spawnSync(shell, [SCRIPT, upload, lab.target], {
    env: { PATH: process.env.PATH, ...lab.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, uploadLeft: fs.existsSync(upload) };
}

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
const restarts = (lab: Lab) => (read(lab.restarts) ?? '').split('\n').filter(Boolean).length;

describe.each(['bash', 'sh'])('safe-apply.sh under %s', (shell) => {
  test('applies a good file: swapped in, backup kept, daemon runs it', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, NEW);
    expect(r.code).toBe(0);
    expect(read(lab.target)).toBe(NEW);
    expect(read(lab.running)).toBe(NEW);
    expect(read(`${lab.target}.docknet-bak`)).toBe(OLD);
    expect(r.out).toMatch(/applied .*daemon.json; dockerd answers/);
    expect(r.uploadLeft).toBe(false);
    expect(fs.readdirSync(path.dirname(lab.target)).sort()).toEqual(['daemon.json', 'daemon.json.docknet-bak']);
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
    expect(restarts(lab)).toBe(2);
  });

  test('rolls back to "no file" when there was none before', () => {
    const lab = fakeHost();
    const r = apply(shell, lab, BAD);
    expect(r.code).toBe(1);
    expect(fs.existsSync(lab.target)).toBe(false);
    expect(read(lab.running)).toBe('{}\n');
  });

  test('same content: no restart', () => {
    const lab = fakeHost({ old: OLD });
    const r = apply(shell, lab, OLD);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/already up to date/);
    expect(restarts(lab)).toBe(0);
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
    expect(r.out).toMatch(/does not answer either; check the host now/);
  });

  test('a second rollout waits for nobody: held lock is refused with its path', () => {
    const lab = fakeHost({ old: OLD });
    fs.mkdirSync(`${lab.target}.docknet-lock`);
    const r = apply(shell, lab, NEW);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/another rollout holds .*daemon.json.docknet-lock/);
    expect(read(lab.target)).toBe(OLD);
  });
});
