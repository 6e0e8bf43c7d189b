// One docknet environment on the lab, deployed the way users deploy it: `lab-hosts` (daemon.json,
// swarm, macvlan shim; Terraform built-ins only) applied with real terraform from the controller
// netns over ssh, then `lab-network` (the docker provider's resources) applied on top through the
// provider-exact replay. Checks the daemons, the swarm, idempotence, the rollback of a daemon.json
// that dockerd refuses at start, the overlay and the shim, and that destroy leaves the swarm.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAB_IMAGE, LabHost, docker, inHost, inNetns } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { Replay, TfJson, summarizeRefreshPlan } from '../../lab/replay';
import { ParentInterface, Subnet, SwarmRole } from '../../lib';
import { tfLiteral } from '../../lib/bootstrap/target';
import { controllerTerraform, dexec, e2eGate, elapsed, inspect, pings, report, useLab } from './helpers';

const gate = e2eGate('host bootstrap');

// Valid JSON that docknet would refuse (DN500) but dockerd only rejects when it starts: injected
// into the synthesized hosts stack, as a mistake that slipped past validation would arrive.
const BROKEN = '{\n  "bip": "10.200.0.1/33",\n  "mtu": 1400\n}\n';
const SHIM = '198.18.0.249';

gate.describe('host bootstrap (terraform over ssh on the lab), then the network stack on top', () => {
  const lab = useLab('dnboot', 3);
  // Made in beforeAll, not while collecting: a skipped suite runs no hooks and would leave it behind.
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnboot-tf-'));
  });
  let synthesized: { hosts: TfJson; network: TfJson };
  let network: Replay | undefined;
  afterAll(async () => {
    await network?.destroy().catch(() => undefined);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  /** The environment, written with the library: daemons, swarm roles, an overlay, macvlan with a shim. */
  function synth(): { hosts: TfJson; network: TfJson } {
    const le = labEnvironment(lab.info(), {
      swarmPools: ['10.201.0.0/16'],
      host: (_h, i) => ({
        swarmRole: i === 0 ? SwarmRole.MANAGER : SwarmRole.WORKER,
        daemon: {
          bip: Subnet.cidr('10.200.0.0/24'), mtu: 1400, dns: ['198.18.0.254'], dnsSearch: ['lab.example'],
          // h2's dockerd gives its containers log options: they come back in each container's
          // log_opts, so the code writes them there (else every plan would replace the container).
          ...(i === 1 ? { extra: { 'log-opts': { 'max-size': '10m', 'max-file': '3' } } } : {}),
        },
      }),
    });
    try {
      const [h1, h2, h3] = le.hosts;
      const run = { image: LAB_IMAGE, command: ['sleep', '3600'] };
      const ov = h1.addOverlayNetwork('ov', { name: 'boot-ov' });
      h2.addContainer('o2', { name: 'boot-o2', ...run, networks: [{ network: ov, aliases: ['svc-2'] }] });
      h3.addContainer('o3', { name: 'boot-o3', ...run, networks: [{ network: ov, aliases: ['svc-3'] }] });
      const mv = h1.addMacvlanNetwork('mv', { name: 'boot-mv', parent: ParentInterface.of('eth0'), lan: 'lan' });
      h1.addContainer('m1', { name: 'boot-m1', ...run, networks: [{ network: mv }] });
      h1.addMacvlanShim(mv, { address: SHIM, name: 'boot-shim' });
      return le.synth();
    } finally {
      le.dispose();
    }
  }

  const terraform = (args: string[], timeoutMs?: number) => controllerTerraform(lab.info(), work, args, timeoutMs);
  const apply = () => terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
  const writeStack = (tf: TfJson) => fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(tf, null, 2));
  const hostIp = async (h: LabHost, args: string[]) => (await inNetns(h.netns, ['ip', ...args], { allowFail: true })).stdout;
  const swarmState = async (h: LabHost) => (await docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();

  test('the hosts stack: every daemon configured, the swarm formed, the shim up', async () => {
    const info = lab.info();
    synthesized = synth();
    expect(Object.keys(synthesized.hosts.provider ?? {})).not.toContain('docker'); // built-ins only
    writeStack(synthesized.hosts);
    const init = await terraform(['init', '-input=false', '-no-color']);
    expect(init.out).toMatch(/Terraform has been successfully initialized/);
    const first = await apply();
    if (first.code !== 0) report(first.out);
    expect(first.code).toBe(0);

    for (const h of info.hosts) {
      expect(JSON.parse(fs.readFileSync(h.configFile, 'utf8'))).toMatchObject({ bip: '10.200.0.1/24', mtu: 1400, dns: ['198.18.0.254'] });
      expect(await hostIp(h, ['-o', '-4', 'addr', 'show', 'docker0'])).toContain('inet 10.200.0.1/24');
    }
    const [h1, h2, h3] = info.hosts;
    const run = await docker(h1, ['run', '--rm', LAB_IMAGE, 'sh', '-c', 'cat /etc/resolv.conf; cat /sys/class/net/eth0/mtu; ip -4 -o addr show eth0']);
    report(`container on default bridge:\n${run.stdout}`);
    expect(run.stdout).toMatch(/^nameserver 198\.18\.0\.254$/m);
    expect(run.stdout).toMatch(/^search lab\.example$/m);
    expect(run.stdout).toMatch(/^1400$/m);
    expect(run.stdout).toMatch(/inet 10\.200\.0\.\d+\/24/);

    const swarm = await docker(h1, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}']);
    expect(swarm.stdout.trim()).toBe('active true 3 1');
    for (const h of [h2, h3]) {
      const w = await docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}}']);
      expect(w.stdout.trim()).toBe(`active ${h.address}`);
    }
    expect(await hostIp(h1, ['-o', '-4', 'addr', 'show', 'boot-shim'])).toContain(`inet ${SHIM}/32`);
    expect(first.out).toMatch(/Outputs:[\s\S]*FirewallRequirements/);
  }, 400_000);

  test('apply again: no changes', async () => {
    const again = await apply();
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\./);
  }, 120_000);

  test('a daemon.json dockerd refuses at start is rolled back and fails the apply with dockerd\'s message', async () => {
    const h1 = lab.info().hosts[0];
    const good = fs.readFileSync(h1.configFile, 'utf8');
    // The injection: h1's rollout carries BROKEN instead of what docknet rendered.
    const broken = JSON.parse(JSON.stringify(synthesized.hosts)) as TfJson;
    const rollouts = broken.resource!.terraform_data as Record<string, any>;
    const key = Object.keys(rollouts).find((k) => k.startsWith('h1_DaemonRollout'))!;
    const sha = createHash('sha256').update(BROKEN).digest('hex');
    const env = rollouts[key].provisioner[0]['local-exec'].environment;
    expect(env.DOCKNET_PROGRAM).toContain(tfLiteral(good));
    env.DOCKNET_PROGRAM = env.DOCKNET_PROGRAM.replace(tfLiteral(good), tfLiteral(BROKEN));
    rollouts[key].triggers_replace.sha256 = sha;
    rollouts[key].input.sha256 = sha;
    writeStack(broken);

    const failed = await apply();
    report(`failed apply, tail:\n${failed.out.split('\n').filter((l) => /docknet|dockerd|Error/.test(l)).slice(-14).join('\n')}`);
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/dockerd did not start with the new .*rolling back/);
    expect(failed.out).toMatch(/invalid CIDR address: 10\.200\.0\.1\/33/);
    expect(failed.out).toMatch(/restored the previous .*dockerd answers with the old settings/);
    expect(fs.readFileSync(h1.configFile, 'utf8')).toBe(good);
    expect(await swarmState(h1)).toBe('active');
    expect(await hostIp(h1, ['-o', '-4', 'addr', 'show', 'docker0'])).toContain('inet 10.200.0.1/24');

    // Back to the declared settings: the tainted rollout is replaced, the file is already in place.
    writeStack(synthesized.hosts);
    const heal = await apply();
    expect(heal.code).toBe(0);
    expect(heal.out).toMatch(/already up to date/);
  }, 400_000);

  test('the network stack on top: the overlay spans the swarm, the host reaches its macvlan container through the shim', async () => {
    const [h1, h2, h3] = lab.info().hosts;
    network = new Replay(synthesized.network, Object.fromEntries(lab.info().hosts.map((h) => [h.name, h.dockerHost])));
    const t = Date.now();
    await network.apply();
    report(`network stack: ${network.created.length} resources replayed in ${elapsed(t)}`);
    expect(network.skipped).toEqual([]);
    const second = await network.refreshPlan(); // the plan right after the apply (lab/replay/refresh.ts)
    report(`second plan (refresh + plan as provider 3.6.2): ${summarizeRefreshPlan(second)}`);
    expect(second.filter((p) => p.action !== 'no-op')).toEqual([]);
    expect((await inspect(h2, 'container', 'boot-o2')).HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-file': '3', 'max-size': '10m' } });

    const ov = await inspect(h1, 'network', 'boot-ov');
    expect(ov.IPAM.Config[0].Subnet).toMatch(/^10\.201\.\d+\.0\/24$/); // from the swarm's pool
    expect(await pings(h2, 'boot-o2', 'boot-o3')).toBe(true);
    expect(await pings(h3, 'boot-o3', 'svc-2')).toBe(true);
    expect((await dexec(h2, 'boot-o2', ['cat', '/sys/class/net/eth0/mtu'])).stdout.trim()).toBe('1450');

    const m1 = (await inspect(h1, 'container', 'boot-m1')).NetworkSettings.Networks['boot-mv'].IPAddress;
    expect((await inHost(h1, ['busybox', 'ping', '-c', '2', '-W', '2', m1], { allowFail: true })).code).toBe(0);
    expect(await pings(h1, 'boot-m1', SHIM)).toBe(true);
  }, 180_000);

  test('destroy: the network stack goes, then terraform destroy makes every node leave and removes the shim; daemons keep running', async () => {
    const info = lab.info();
    await network!.destroy();
    network = undefined;
    const destroyed = await terraform(['destroy', '-auto-approve', '-input=false', '-no-color']);
    report(destroyed.out.split('\n').filter((l) => /docknet:/.test(l)).join('\n'));
    expect(destroyed.code).toBe(0);
    for (const h of info.hosts) expect(await swarmState(h)).toBe('inactive');
    // (Terraform echoes each local-exec script, so match docknet's output lines, not the script text.)
    expect(destroyed.out.match(/\(local-exec\): docknet: node \w+ left the swarm/g)).toHaveLength(2);
    expect(destroyed.out).not.toMatch(/\(local-exec\): docknet: warning/);
    expect(destroyed.out).toMatch(/\(local-exec\): docknet: the first manager left/);
    expect(await hostIp(info.hosts[0], ['link', 'show', 'boot-shim'])).toBe('');
    for (const h of info.hosts) expect((await docker(h, ['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  }, 300_000);
});
