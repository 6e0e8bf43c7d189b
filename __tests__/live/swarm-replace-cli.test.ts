/**
 * `docknet swarm-replace` given a stack that is not a hosts stack: the swarm's init and joins live in
 * <env>-hosts, so any other stack would be "checked" with nobody to ask and exit 0, which reads as
 * "every member in place". It is refused, naming the stack given and the one to pass.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { buildProgram } from '../../bin/docknet';
import { HostBootstrap } from '../../lib/bootstrap';

const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(__dirname, 'fixtures', 'lab');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-swarm-replace-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => ((out += String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: any) => ((err += String(c)), true));
  const before = process.exitCode;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'docknet', ...args]);
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = before;
  }
}

describe('docknet swarm-replace on a stack that is not a hosts stack', () => {
  test('a network stack (docknet-model.json next to it) is refused, naming it and the hosts stack to pass', async () => {
    await expect(cli(['swarm-replace', '--dir', FIX, 'vf-network'])).rejects.toThrow(
      '"vf-network" is the network stack of environment "vf"; swarm-replace expects a hosts stack (<env>-hosts), where the swarm\'s init and joins are. Run: docknet swarm-replace vf-hosts',
    );
  });

  test('a bare network .tf.json (no model next to it) is refused from its Docker resources', async () => {
    const file = path.join(dir, 'net.tf.json');
    fs.copyFileSync(path.join(FIX, 'stacks/vf-network/cdk.tf.json'), file);
    await expect(cli(['swarm-replace', file])).rejects.toThrow(/"\S+net\.tf\.json" holds Docker resources \(docker_container, docker_image, docker_network\) and no swarm init or join: it is a network stack, and swarm-replace expects a hosts stack/);
  });

  test('the command line: one line on stderr, exit 1, nothing on stdout (no -replace= flag for terraform)', () => {
    let r: { status: number | null; stdout: string; stderr: string };
    try {
      const stdout = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'bin/docknet.ts'), 'swarm-replace', '--dir', FIX, 'vf-network'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      r = { status: 0, stdout, stderr: '' };
    } catch (e) {
      r = e as typeof r;
    }
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('docknet: "vf-network" is the network stack of environment "vf"; swarm-replace expects a hosts stack (<env>-hosts), where the swarm\'s init and joins are. Run: docknet swarm-replace vf-hosts\n');
  }, 60_000);

  test('a hosts stack without a swarm says there is nothing to ask and exits 0', async () => {
    const stack = new TerraformStack(Testing.app(), 'solo-hosts');
    new HostBootstrap(stack, 'h1', {
      target: { name: 'h1', ssh: { host: '198.18.0.1', user: 'ops', privateKeyPath: '/lab/key', timeout: '7s', hostKeys: [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(40)}1`] }, dockerCommand: 'docker' },
      daemon: { mtu: 1400 },
    });
    const file = path.join(dir, 'solo-hosts.tf.json');
    fs.writeFileSync(file, Testing.synth(stack, true));
    const r = await cli(['swarm-replace', file]);
    expect(r).toEqual({ out: '', err: `docknet swarm check of ${file}: no swarm init or join in this hosts stack; nothing to ask.\n`, code: 0 });
  });
});
