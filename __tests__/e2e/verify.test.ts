// docknet verify on the lab: an environment deployed the way users deploy it (`vf-hosts` by real
// terraform over ssh from the controller, `vf-network` by the provider-exact replay), verify is
// clean; then drift is injected one kind at a time, each must be reported precisely with exit code
// 2, the remedy verify names heals it (the replay's -replace, real terraform -replace for the hosts
// stack), and verify is clean again. One read goes over ssh (`docker system dial-stdio`, each host's
// declared sshd key checked, nothing else trusted) through the CLI, as an operator would run it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAB_IMAGE, LabHost, docker, hostKey, inNetns, run } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { Replay, TfJson, summarizeRefreshPlan } from '../../lab/replay';
import { HostConnection, NetworkMode, ParentInterface, Port, Subnet, SwarmRole } from '../../lib';
import { renderVerifyMarkdown } from '../../lib/live/render';
import { DriftKind, EXIT_DRIFT, EXIT_IN_SYNC, Finding, RemedyAction, VerifyResult, isDrift, verifyExitCode } from '../../lib/live/types';
import { runVerify } from '../../lib/live/verify';
import { connectEngine } from '../../lib/live/engine';
import { readSnapshot } from '../../lib/live/snapshot';
import { controllerTerraform, e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('docknet verify on the lab');
const ENV = 'vf';
const SHIM = '198.18.0.251';

gate.describe('docknet verify on the lab: clean, each kind of drift reported and healed', () => {
  const lab = useLab('dnvfy', 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnvfy-tf-'));
  let outdir = '';
  let network: Replay | undefined;
  const t0 = Date.now();
  afterAll(async () => {
    await network?.destroy().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
    report(`verify e2e total ${elapsed(t0)}`);
  }, 120_000);

  const host = (i: number): LabHost => lab.info().hosts[i - 1];
  const sockets = () => Object.fromEntries(lab.info().hosts.map((h) => [h.name, h.dockerHost]));

  async function verify(): Promise<VerifyResult> {
    const t = Date.now();
    const r = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000 });
    report(`verify: ${r.counts.drift} drift, ${r.counts.notes} notes, exit ${verifyExitCode(r)} in ${elapsed(t)}`);
    return r;
  }
  const drift = (r: VerifyResult) => r.findings.filter(isDrift);
  /** Verify must be clean: exit 0 and no drift (notes allowed: the daemon keys the API does not report). */
  async function expectClean(): Promise<void> {
    const r = await verify();
    if (drift(r).length) report(renderVerifyMarkdown(r));
    expect(drift(r)).toEqual([]);
    expect(verifyExitCode(r)).toBe(EXIT_IN_SYNC);
  }
  /** Verify must report exactly these drift findings (matched on their fields) with exit code 2. */
  async function expectDrift(expected: Partial<Finding>[]): Promise<Finding[]> {
    const r = await verify();
    report(renderVerifyMarkdown(r));
    expect(verifyExitCode(r)).toBe(EXIT_DRIFT);
    const found = drift(r);
    expect(found).toHaveLength(expected.length);
    expect(found).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    return found;
  }

  /** Writes what the unit tests replay (__tests__/live/fixtures/lab): the synthesized network stack and each host's Engine API answers. */
  async function recordFixtures(from: string): Promise<void> {
    const dest = path.resolve(__dirname, '../live/fixtures/lab');
    fs.rmSync(dest, { recursive: true, force: true });
    const stack = path.join(dest, 'stacks', `${ENV}-network`);
    fs.mkdirSync(stack, { recursive: true });
    for (const f of ['cdk.tf.json', 'docknet-model.json']) fs.copyFileSync(path.join(from, 'stacks', `${ENV}-network`, f), path.join(stack, f));
    fs.mkdirSync(path.join(dest, 'snapshots'));
    for (const h of lab.info().hosts) {
      const engine = connectEngine(h.dockerHost);
      fs.writeFileSync(path.join(dest, 'snapshots', `${h.name}.json`), JSON.stringify(await readSnapshot(engine), null, 1) + '\n');
      engine.close();
    }
    report(`recorded verify fixtures in ${dest}`);
  }

  const terraform = (args: string[], timeoutMs?: number) => controllerTerraform(lab.info(), work, args, timeoutMs);
  /** The remedy of a finding, run as an operator would: terraform -replace on the hosts stack, the replay's -replace on the network stack. */
  async function heal(f: Finding): Promise<void> {
    expect(f.remedy?.action).toBe(RemedyAction.REPLACE);
    const { stack, addresses } = f.remedy!;
    if (stack === `${ENV}-hosts`) {
      const r = await terraform(['apply', '-auto-approve', '-input=false', '-no-color', ...addresses!.map((a) => `-replace=${a}`)]);
      expect(r.code).toBe(0);
    } else {
      expect(stack).toBe(`${ENV}-network`);
      await network!.replace(addresses!);
    }
  }

  test('deploy: hosts stack by terraform, network stack by the replay; verify is clean, also over ssh through the CLI', async () => {
    const info = lab.info();
    // Host keys for every ssh hop: declared from the lab's own key files (never scanned over the
    // network), checked by ssh with StrictHostKeyChecking=yes, as the hosts stack requires (DN520).
    const le = labEnvironment(info, {
      name: ENV,
      swarmPools: ['10.211.0.0/16'],
      host: (h, i) => ({
        connection: HostConnection.ssh({
          user: info.sshUser, host: h.address, privateKeyPath: info.sshKey,
          hostKey: hostKey(h), sshOpts: ['-i', info.sshKey],
        }),
        swarmRole: i === 0 ? SwarmRole.MANAGER : SwarmRole.WORKER,
        // dns: not reported by the Engine API; verify checks it in /etc/resolv.conf (--probe: a short-lived container on the default bridge).
        // iptables: read in the hosts' nat table as root over ssh.
        daemon: { bip: Subnet.cidr(`10.210.${i + 1}.0/24`), mtu: 1400, dns: ['198.18.0.254'], iptables: true },
      }),
    });
    let tf: { hosts: TfJson; network: TfJson; outdir: string };
    try {
      const [h1, h2] = le.hosts;
      const sleep = { image: LAB_IMAGE, command: ['sleep', '3600'] };
      const app = h1.addBridgeNetwork('app', { name: 'vf-app', subnet: Subnet.cidr('10.212.0.0/24'), gateway: '10.212.0.1' });
      const other = h1.addBridgeNetwork('other', { name: 'vf-other', subnet: Subnet.cidr('10.213.0.0/24'), icc: false });
      h1.addBridgeNetwork('spare', { name: 'vf-spare', subnet: Subnet.cidr('10.214.0.0/24') });
      const internal = h1.addBridgeNetwork('int', { name: 'vf-int', subnet: Subnet.cidr('10.215.0.0/24'), internal: true });
      const web = h1.addContainer('web', {
        name: 'vf-web', image: LAB_IMAGE,
        command: ['sh', '-c', 'mkdir -p /www && echo vf > /www/index.html && exec httpd -f -p 80 -h /www'],
        networks: [{ network: app, ipv4Address: '10.212.0.10', aliases: ['www'] }], ports: [Port.tcp(80, { hostPort: 8080 })],
      });
      h1.addContainer('db', { name: 'vf-db', ...sleep, networks: [{ network: app, aliases: ['database'] }] });
      h1.addContainer('side', { name: 'vf-side', ...sleep, networkMode: NetworkMode.container(web) });
      h1.addContainer('i1', { name: 'vf-i1', ...sleep, networks: [{ network: other }] });
      h1.addContainer('i2', { name: 'vf-i2', ...sleep, networks: [{ network: other }] });
      h1.addContainer('in1', { name: 'vf-in1', ...sleep, networks: [{ network: internal }] });
      const ov = h1.addOverlayNetwork('ov', { name: 'vf-ov' });
      h1.addContainer('o1', { name: 'vf-o1', ...sleep, networks: [{ network: ov, aliases: ['o1'] }] });
      h2.addContainer('o2', { name: 'vf-o2', ...sleep, networks: [{ network: ov, aliases: ['o2'] }] });
      const mv1 = h1.addMacvlanNetwork('mv', { name: 'vf-mv', parent: ParentInterface.of('eth0'), lan: 'lan' });
      const mv2 = h2.addMacvlanNetwork('mv', { name: 'vf-mv', parent: ParentInterface.of('eth0'), lan: 'lan' });
      h1.addContainer('m1', { name: 'vf-m1', ...sleep, networks: [{ network: mv1 }] });
      h2.addContainer('m2', { name: 'vf-m2', ...sleep, networks: [{ network: mv2 }] });
      h1.addMacvlanShim(mv1, { address: SHIM, name: 'vf-shim' });
      // IPv6 (subnet, gateway, a static address) and a swarm service on the overlay, with an alias.
      const v6 = h1.addBridgeNetwork('v6', { name: 'vf-v6', subnet: Subnet.cidr('10.216.0.0/24'), ipv6: { subnet: Subnet.cidr('fd88:14::/64') } });
      h1.addContainer('six', { name: 'vf-six', ...sleep, networks: [{ network: v6, ipv6Address: 'fd88:14::10' }] });
      h1.addService('api', { name: 'vf-api', image: LAB_IMAGE, command: ['sleep', '3600'], replicas: 1, networks: [{ network: ov, aliases: ['api'] }] });
      tf = le.synth();
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnvfy-out-'));
      fs.cpSync(tf.outdir, outdir, { recursive: true });
    } finally {
      le.dispose();
    }
    fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(tf.hosts, null, 2));
    expect((await terraform(['init', '-input=false', '-no-color'])).code).toBe(0);
    expect((await terraform(['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
    network = new Replay(tf.network, sockets());
    await network.apply();
    expect(network.skipped).toEqual([]);
    const second = await network.refreshPlan(); // the plan right after the apply (lab/replay/refresh.ts)
    report(`second plan (refresh + plan as provider 3.6.2): ${summarizeRefreshPlan(second)}`);
    expect(second.filter((p) => p.action !== 'no-op')).toEqual([]);
    await expectClean();
    if (process.env.DOCKNET_RECORD_VERIFY_FIXTURES === '1') await recordFixtures(outdir);

    // The same verify as an operator runs it: the CLI, over ssh from the controller, JSON out; with
    // --probe, so that every declared daemon key gets evidence (dns from a container on the default
    // bridge, iptables from the nat table while a fresh network exists).
    const t = Date.now();
    const cli = await inNetns(info.controller.netns, [
      process.execPath, path.resolve('node_modules/.bin/ts-node'), '--transpile-only', path.resolve('bin/docknet.ts'),
      'verify', ENV, '--dir', outdir, '--format', 'json', '--timeout', '20', '--probe', '--probe-max', '1',
    ], { allowFail: true, timeoutMs: 90_000, env: { ...process.env, HOME: work } });
    report(`verify over ssh (CLI, --probe) -> exit ${cli.code} in ${elapsed(t)}`);
    if (cli.code !== 0) report(cli.stdout + cli.stderr);
    const json = JSON.parse(cli.stdout);
    expect(json.hosts.map((h: any) => [h.endpoint, h.status])).toEqual(info.hosts.map((h) => [`ssh://root@${h.address}`, 'read']));
    expect(json.counts.drift).toBe(0);
    expect(json.findings.filter((f: any) => f.objectKind === 'daemon')).toEqual([]);
    expect(cli.code).toBe(EXIT_IN_SYNC);
    // Through the unix sockets there is no ssh: iptables stays a note that says why.
    const local = await verify();
    expect(local.findings).toContainEqual(expect.objectContaining({ host: 'h1', kind: DriftKind.UNVERIFIED, attribute: 'iptables', description: expect.stringMatching(/readable only as root on the host/) }));
    for (const h of info.hosts) expect((await docker(h, ['network', 'ls', '-q', '--filter', 'label=docknet.probe'])).stdout.trim()).toBe('');
  }, 400_000);

  test('a host whose key does not match the declared one is unreachable (exit 5), not read', async () => {
    // h2 declared with h3's key (in the synthesized provider ssh_opts verify connects with): ssh must
    // refuse, verify must say so and exit 5.
    const files = fs.readdirSync(path.join(outdir, 'stacks')).map((st) => path.join(outdir, 'stacks', st, 'cdk.tf.json')).filter((f) => fs.existsSync(f));
    const saved = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
    const [k2, k3] = [hostKey(host(2)), hostKey(host(3))];
    expect([...saved.values()].some((t) => t.includes(k2))).toBe(true);
    for (const [f, t] of saved) fs.writeFileSync(f, t.split(k2).join(k3));
    try {
      const cli = await inNetns(lab.info().controller.netns, [
        process.execPath, path.resolve('node_modules/.bin/ts-node'), '--transpile-only', path.resolve('bin/docknet.ts'),
        'verify', ENV, '--dir', outdir, '--format', 'json', '--timeout', '20',
      ], { allowFail: true, timeoutMs: 90_000, env: { ...process.env, HOME: work } });
      expect(cli.code).toBe(5);
      const json = JSON.parse(cli.stdout);
      const r2 = json.hosts.find((h: any) => h.host === 'h2');
      expect(r2.status).toBe('unreachable');
      expect(r2.error).toMatch(/host key/i);
    } finally {
      for (const [f, t] of saved) fs.writeFileSync(f, t);
    }
  }, 120_000);

  test('a container disconnected from its network', async () => {
    await docker(host(1), ['network', 'disconnect', 'vf-app', 'vf-db']);
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'container', object: 'vf-db', kind: DriftKind.CHANGED, attribute: 'attachment to network `vf-app`', actual: 'not connected' }]);
    expect(f.remedy?.addresses).toEqual([expect.stringMatching(/^docker_container\.h1_db_/)]);
    await heal(f);
    await expectClean();
  }, 120_000);

  test('a container connected to another network', async () => {
    await docker(host(1), ['network', 'connect', 'vf-other', 'vf-db']);
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'container', object: 'vf-db', kind: DriftKind.CHANGED, attribute: 'attachment to network `vf-other`', expected: 'not connected' }]);
    expect(f.actual).toMatch(/^10\.213\.0\.\d+$/);
    await heal(f);
    await expectClean();
  }, 120_000);

  test('a network removed', async () => {
    await docker(host(1), ['network', 'rm', 'vf-spare']);
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'network', object: 'vf-spare', kind: DriftKind.MISSING }]);
    expect(f.remedy).toMatchObject({ action: RemedyAction.REAPPLY, stack: `${ENV}-network` });
    // A plain apply: refresh finds it gone and creates it (the replay's replace does exactly that here).
    await network!.replace([network!.created.find((c) => c.type === 'docker_network' && c.attrs.name === 'vf-spare')!.address]);
    await expectClean();
  }, 120_000);

  test('an unmanaged network that overlaps the plan', async () => {
    await docker(host(2), ['network', 'create', '--subnet', '10.211.200.0/24', 'vf-rogue']);
    const [f] = await expectDrift([{ host: 'h2', objectKind: 'network', object: 'vf-rogue', kind: DriftKind.UNEXPECTED }]);
    expect(f.attribute).toMatch(/10\.211\.200\.0\/24 overlaps the plan: swarm default-addr-pool 10\.211\.0\.0\/16/);
    expect(f.remedy?.action).toBe(RemedyAction.CHANGE_CODE);
    expect(f.remedy?.text).toContain('docker network rm vf-rogue');
    await docker(host(2), ['network', 'rm', 'vf-rogue']);
    await expectClean();
  }, 120_000);

  test('a daemon setting changed on the host and dockerd restarted', async () => {
    const h3 = host(3);
    const cfg = JSON.parse(fs.readFileSync(h3.configFile, 'utf8'));
    fs.writeFileSync(h3.configFile, JSON.stringify({ ...cfg, mtu: 1300 }, null, 2));
    await run(h3.restartCommand, [], { timeoutMs: 90_000 });
    const [f] = await expectDrift([{ host: 'h3', objectKind: 'daemon', object: 'h3', kind: DriftKind.CHANGED, attribute: 'mtu', expected: 1400, actual: 1300 }]);
    expect(f.remedy?.stack).toBe(`${ENV}-hosts`);
    expect(f.remedy?.addresses).toEqual([expect.stringMatching(/^terraform_data\.h3_.*DaemonRollout/)]);
    await heal(f);
    expect(JSON.parse(fs.readFileSync(h3.configFile, 'utf8')).mtu).toBe(1400);
    await expectClean();
  }, 240_000);

  test('a daemon key the Engine API does not report (dns) changed on the host and dockerd restarted: shown by --probe with its evidence', async () => {
    const h3 = host(3);
    const cfg = JSON.parse(fs.readFileSync(h3.configFile, 'utf8'));
    expect(cfg.dns).toEqual(['198.18.0.254']);
    fs.writeFileSync(h3.configFile, JSON.stringify({ ...cfg, dns: ['198.18.0.253'] }, null, 2));
    await run(h3.restartCommand, [], { timeoutMs: 90_000 });
    // Without --probe nothing on h3 shows it (no container there): a note that says so, not a guess.
    const plain = await verify();
    expect(drift(plain)).toEqual([]);
    expect(plain.findings).toContainEqual(expect.objectContaining({ host: 'h3', kind: DriftKind.UNVERIFIED, attribute: 'dns', description: expect.stringMatching(/run with --probe/) }));
    const t = Date.now();
    const r = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000, probe: { max: 1 } });
    report(`verify --probe (daemon evidence + 1 probe) in ${elapsed(t)}`);
    report(renderVerifyMarkdown(r));
    expect(verifyExitCode(r)).toBe(EXIT_DRIFT);
    const found = drift(r);
    expect(found).toEqual([expect.objectContaining({
      host: 'h3', objectKind: 'daemon', kind: DriftKind.CHANGED, attribute: 'dns', expected: ['198.18.0.254'], actual: ['198.18.0.253'],
      evidence: '/etc/resolv.conf of a short-lived probe container on the default bridge',
    })]);
    // The probe container is gone again.
    expect((await docker(h3, ['ps', '-aq', '--filter', 'label=docknet.probe'])).stdout.trim()).toBe('');
    await heal(found[0]);
    expect(JSON.parse(fs.readFileSync(h3.configFile, 'utf8')).dns).toEqual(['198.18.0.254']);
    const healed = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000, probe: { max: 1 } });
    expect(drift(healed)).toEqual([]);
    // Every host's dns now has evidence: none is left "not verified".
    expect(healed.findings.filter((f) => f.attribute === 'dns')).toEqual([]);
  }, 240_000);

  test('a container stopped', async () => {
    await docker(host(1), ['stop', '-t', '0', 'vf-db']);
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'container', object: 'vf-db', kind: DriftKind.CHANGED, attribute: 'state', expected: 'running', actual: 'exited' }]);
    await heal(f);
    await expectClean();
  }, 120_000);

  test('a container\'s static IPv6 address changed', async () => {
    await docker(host(1), ['network', 'disconnect', 'vf-v6', 'vf-six']);
    await docker(host(1), ['network', 'connect', '--ip6', 'fd88:14::11', 'vf-v6', 'vf-six']);
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'container', object: 'vf-six', kind: DriftKind.CHANGED, attribute: 'IPv6 address on network `vf-v6`', expected: 'fd88:14::10', actual: 'fd88:14::11' }]);
    await heal(f);
    await expectClean();
  }, 120_000);

  test('a swarm service detached from its overlay', async () => {
    await docker(host(1), ['service', 'update', '--detach', '--network-rm', 'vf-ov', 'vf-api'], { timeoutMs: 60_000 });
    const [f] = await expectDrift([{ host: 'h1', objectKind: 'service', object: 'vf-api', kind: DriftKind.CHANGED, attribute: 'attachment to network `vf-ov`', expected: { aliases: ['api'] }, actual: 'not attached' }]);
    // Terraform reads a service's networks back: a plain apply puts it right (the replay: the service made again).
    expect(f.remedy).toMatchObject({ action: RemedyAction.REAPPLY, stack: `${ENV}-network` });
    await network!.replace([network!.created.find((c) => c.type === 'docker_service')!.address]);
    await expectClean();
  }, 120_000);

  test('a worker leaves the swarm', async () => {
    // On a loaded machine dockerd may answer "context deadline exceeded" while the leave still
    // completes: what counts is the node's state afterwards, so ask again until it says inactive.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const left = await docker(host(3), ['swarm', 'leave', '--force'], { timeoutMs: 60_000, allowFail: true });
      const state = (await docker(host(3), ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();
      if (state === 'inactive') break;
      if (Date.now() > deadline) throw new Error(`h3 is still ${state} after swarm leave: ${left.stderr.trim()}`);
      report(`swarm leave on h3: ${left.stderr.trim() || 'no error'}, node ${state}; again`);
    }
    const found = await expectDrift([
      { host: 'h3', objectKind: 'swarm', object: 'h3', kind: DriftKind.CHANGED, attribute: 'membership', expected: 'worker', actual: 'not in a swarm' },
      { host: 'h1', objectKind: 'swarm', object: 'h3', kind: DriftKind.CHANGED },
    ]);
    const stale = found.find((x) => x.host === 'h1')!;
    expect(stale.attribute).toBe('stale node entry on the manager');
    expect(stale.actual).toMatch(/^\w{12} \((ready|down)\)$/);
    // The remedy: drop the manager's stale entry, then rejoin through the hosts stack.
    const id = /docker node rm --force (\w+)/.exec(stale.remedy!.text)![1];
    await docker(host(1), ['node', 'rm', '--force', id]);
    await heal(found.find((x) => x.host === 'h3')!);
    await expectClean();
  }, 240_000);
  test('probes: the matrix derived from the topology matches the lab (isolation included); a shim removed by hand is caught', async () => {
    const t = Date.now();
    const r = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000, probe: {} });
    report(`verify --probe: ${r.probes!.outcomes.length} probes in ${elapsed(t)}`);
    report(renderVerifyMarkdown(r));
    const outcomes = r.probes!.outcomes;
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(outcomes.filter((o) => o.seen !== o.expect)).toEqual([]);
    expect(verifyExitCode(r)).toBe(EXIT_IN_SYNC);
    // The matrix covers every kind of expectation, both ways.
    const whys = outcomes.map((o) => `${o.expect ? '+' : '-'} ${o.why}`);
    for (const w of [/^\+ same network `vf-app`/, /^- icc=false on `vf-other`/, /^\+ overlay `vf-ov` across hosts/, /^\+ macvlan peers on LAN `lan`/,
      /^- `vf-app` and `vf-int` are separate bridges/, /^- internal network `vf-int`: no way out/, /^\+ `vf-app` routes out through h1/,
      /^\+ h1 has a macvlan shim/, /^- macvlan: h2 cannot reach its own containers without a shim/, /^\+ vf-web publishes 80\/tcp on h1:8080/]) {
      expect(whys).toEqual(expect.arrayContaining([expect.stringMatching(w)]));
    }
    expect(outcomes.length).toBeLessThanOrEqual(48);

    // Broken by hand: the shim goes; the host loses its own macvlan container.
    await inNetns(host(1).netns, ['ip', 'link', 'del', 'vf-shim']);
    const broken = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000, probe: {} });
    report(renderVerifyMarkdown(broken));
    expect(verifyExitCode(broken)).toBe(EXIT_DRIFT);
    expect(drift(broken)).toEqual([expect.objectContaining({ host: 'h1', objectKind: 'path', kind: DriftKind.CHANGED, expected: 'reachable', actual: 'blocked', object: expect.stringMatching(/^host h1 → vf-m1 \(198\.18\.0\.\d+\)$/) })]);
    // Healed by the hosts stack: the shim's resource replaced.
    const shim = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', `${ENV}-network`, 'docknet-model.json'), 'utf8')).resources
      .find((x: any) => x.kind === 'shim' && x.host === 'h1');
    expect((await terraform(['apply', '-auto-approve', '-input=false', '-no-color', `-replace=${shim.type}.${shim.logicalId}`])).code).toBe(0);
    const healed = await runVerify({ env: ENV, dir: outdir, endpoints: sockets(), timeoutMs: 20_000, probe: {} });
    expect(drift(healed)).toEqual([]);
  }, 240_000);
});
