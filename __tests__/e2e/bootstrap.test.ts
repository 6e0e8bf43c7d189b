// Host bootstrap for real: synth a hosts stack (Terraform built-ins only) for the lab's 3 hosts,
// apply it with real terraform from the controller netns over ssh, and check the daemons, the
// swarm, idempotence and the rollback of a daemon.json that dockerd refuses at start.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { LabHost, LabInfo, docker, inNetns, LAB_IMAGE } from '../../lab/lab';
import { BootstrapTarget, DaemonRollout, HostBootstrap, SwarmBootstrap } from '../../lib/bootstrap';
import { DaemonConfig } from '../../lib/daemon';
import { e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('host bootstrap');

const DAEMON: DaemonConfig = { bip: '10.200.0.1/24', mtu: 1400, dns: ['198.18.0.254'], dnsSearch: ['lab.example'] };
// Valid JSON that docknet would refuse (DN500) but dockerd only rejects when it starts: the test
// hook is DaemonRollout's raw `content`, which skips docknet's validation.
const BROKEN = '{\n  "bip": "10.200.0.1/33",\n  "mtu": 1400\n}\n';

function target(info: LabInfo, h: LabHost): BootstrapTarget {
  return {
    name: h.name,
    ssh: { host: h.address, user: info.sshUser, privateKeyPath: info.sshKey, timeout: '15s' },
    daemonConfigPath: h.configFile,
    restartCommand: h.restartCommand,
    logCommand: `tail -n 15 ${h.logFile}`,
    waitSeconds: 30,
  };
}

/** The `<env>-hosts` stack: no docker provider, only terraform_data. */
function hostsStack(info: LabInfo, brokenOn?: string): string {
  const stack = new TerraformStack(Testing.app(), 'lab-hosts');
  const members = info.hosts.map((h) => {
    if (h.name === brokenOn) {
      new DaemonRollout(new Construct(stack, h.name), 'DaemonRollout', { target: target(info, h), content: BROKEN });
      return { host: target(info, h) };
    }
    return { host: new HostBootstrap(stack, h.name, { target: target(info, h), daemon: DAEMON }) };
  });
  new SwarmBootstrap(stack, 'Swarm', {
    managers: [members[0]],
    workers: members.slice(1),
    defaultAddrPools: ['10.201.0.0/16'],
    defaultAddrPoolMaskLength: 24,
  });
  return Testing.synth(stack, true);
}

gate.describe('host bootstrap (terraform over ssh on the lab)', () => {
  const lab = useLab('dnboot', 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnboot-tf-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  async function terraform(args: string[], timeoutMs = 240_000) {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, ['terraform', `-chdir=${work}`, ...args], {
      allowFail: true,
      timeoutMs,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
    report(`terraform ${args[0]} -> exit ${r.code} in ${elapsed(t)}`);
    return { code: r.code, out: r.stdout + r.stderr };
  }
  const writeStack = (json: string) => fs.writeFileSync(path.join(work, 'main.tf.json'), json);
  const hostIp = async (h: LabHost, args: string[]) => (await inNetns(h.netns, ['ip', ...args])).stdout;

  test('apply configures every daemon and forms the swarm', async () => {
    const info = lab.info();
    writeStack(hostsStack(info));
    const init = await terraform(['init', '-input=false', '-no-color']);
    expect(init.out).toMatch(/Terraform has been successfully initialized/);
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    if (apply.code !== 0) report(apply.out);
    expect(apply.code).toBe(0);

    for (const h of info.hosts) {
      expect(fs.readFileSync(h.configFile, 'utf8')).toContain('"bip": "10.200.0.1/24"');
      expect(await hostIp(h, ['-o', '-4', 'addr', 'show', 'docker0'])).toContain('inet 10.200.0.1/24');
      const link = await hostIp(h, ['-o', 'link', 'show', 'docker0']);
      report(`${h.name} docker0: ${/mtu \d+/.exec(link)?.[0]}`);
    }
    const h1 = info.hosts[0];
    const run = await docker(h1, ['run', '--rm', LAB_IMAGE, 'sh', '-c', 'cat /etc/resolv.conf; cat /sys/class/net/eth0/mtu; ip -4 -o addr show eth0']);
    report(`container on default bridge:\n${run.stdout}`);
    expect(run.stdout).toMatch(/^nameserver 198\.18\.0\.254$/m);
    expect(run.stdout).toMatch(/^search lab\.example$/m);
    expect(run.stdout).toMatch(/^1400$/m);
    expect(run.stdout).toMatch(/inet 10\.200\.0\.\d+\/24/);

    const swarm = await docker(h1, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}']);
    expect(swarm.stdout.trim()).toBe('active true 3 1');
    for (const h of info.hosts.slice(1)) {
      const w = await docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}}']);
      expect(w.stdout.trim()).toBe(`active ${h.address}`);
    }
    const net = await docker(h1, ['network', 'create', '-d', 'overlay', '--attachable', 'dnboot-ov']);
    const sub = await docker(h1, ['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', net.stdout.trim()]);
    report(`overlay subnet from the swarm pool: ${sub.stdout.trim()}`);
    expect(sub.stdout.trim()).toMatch(/^10\.201\.\d+\.0\/24$/);
    await docker(h1, ['network', 'rm', 'dnboot-ov']);
  }, 400_000);

  test('apply again: no changes', async () => {
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(apply.code).toBe(0);
    expect(apply.out).toMatch(/No changes\./);
  }, 120_000);

  test('a daemon.json dockerd refuses at start is rolled back and fails the apply with dockerd\'s message', async () => {
    const info = lab.info();
    const h1 = info.hosts[0];
    const good = fs.readFileSync(h1.configFile, 'utf8');
    writeStack(hostsStack(info, 'h1'));
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    report(`failed apply, tail:\n${apply.out.split('\n').filter((l) => /docknet|dockerd|Error/.test(l)).slice(-14).join('\n')}`);
    expect(apply.code).not.toBe(0);
    expect(apply.out).toMatch(/dockerd did not start with the new .*rolling back/);
    expect(apply.out).toMatch(/invalid CIDR address: 10\.200\.0\.1\/33/);
    expect(apply.out).toMatch(/restored the previous .*dockerd answers with the old settings/);

    expect(fs.readFileSync(h1.configFile, 'utf8')).toBe(good);
    const info1 = await docker(h1, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
    expect(info1.stdout.trim()).toBe('active');
    expect(await hostIp(h1, ['-o', '-4', 'addr', 'show', 'docker0'])).toContain('inet 10.200.0.1/24');

    // Back to the declared settings: the tainted rollout is replaced, the file is already in place.
    writeStack(hostsStack(info));
    const heal = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(heal.code).toBe(0);
    expect(heal.out).toMatch(/already up to date/);
  }, 400_000);
});
