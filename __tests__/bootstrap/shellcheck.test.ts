// shellcheck over every shell script docknet ships and every sh program it synthesizes (the programs
// remote steps send over ssh's stdin, the local-exec scripts), with POSIX sh as the dialect: they run
// under dash on Debian hosts. CI installs shellcheck (.ci/run); elsewhere a missing one skips, saying so.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, HostBootstrap, SwarmBootstrap } from '../../lib/bootstrap';

const SCRIPTS = path.join(__dirname, '..', '..', 'lib', 'bootstrap', 'scripts');
const have = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
if (!have && process.env.DOCKNET_E2E === 'required') throw new Error('shellcheck is not installed, and CI must run it (.ci/run installs the Debian package)');
const it = have ? test : test.skip;
if (!have) console.warn('shellcheck.test.ts: SKIPPED: shellcheck is not installed (apt-get install shellcheck)');

function shellcheck(text: string, exclude: string[] = []): string {
  const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...(exclude.length ? ['-e', exclude.join(',')] : []), '-'], { input: text, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

const KEY = (i: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'B'.repeat(40)}${i}`;
const target = (i: number, user = 'root'): BootstrapTarget => ({
  name: `h${i}`, ssh: { host: `198.18.0.${i}`, user, privateKeyPath: '/lab/key', timeout: '7s', hostKeys: [KEY(i)] },
});

describe('shellcheck', () => {
  it.each(fs.readdirSync(SCRIPTS).filter((f) => f.endsWith('.sh')))('lib/bootstrap/scripts/%s is clean', (f) => {
    expect(shellcheck(fs.readFileSync(path.join(SCRIPTS, f), 'utf8'))).toBe('');
  });

  it('every sh program a bootstrap stack synthesizes is clean', () => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    const hs = [1, 2, 3].map((i) => new HostBootstrap(stack, `h${i}`, { target: target(i, i === 1 ? 'root' : 'ops'), daemon: { mtu: 1400 }, ...(i > 1 ? { swarmManager: target(1) } : {}) }));
    new SwarmBootstrap(stack, 'Swarm', { managers: [{ host: hs[0] }], workers: [{ host: hs[1] }, { host: hs[2] }], defaultAddrPools: ['10.77.0.0/16'] });
    const data = JSON.parse(Testing.synth(stack, true)).resource.terraform_data as Record<string, any>;
    // Terraform turns $${ into ${ and %%{ into %{ before the shell sees them.
    const untf = (v: string) => v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
    const programs: [string, string][] = [];
    for (const [id, r] of Object.entries(data)) {
      for (const p of r.provisioner ?? []) {
        const le = p['local-exec'];
        if (!le) continue;
        for (const k of ['DOCKNET_PROGRAM', 'DOCKNET_SCRIPT']) if (le.environment?.[k]) programs.push([`${id} ${k}`, untf(le.environment[k])]);
      }
    }
    expect(programs.length).toBeGreaterThan(5);
    // SC2317 (unreachable): a step carries all of ssh-lib.sh, and most steps call only some of its functions.
    const found = programs.map(([name, text]) => [name, shellcheck(text, ['SC2317'])]).filter(([, out]) => out !== '');
    expect(found).toEqual([]);
  });
});
