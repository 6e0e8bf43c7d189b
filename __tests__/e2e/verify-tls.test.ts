// docknet verify over TLS on the lab: each host's dockerd also listens on tcp://<address>:2376 with
// --tlsverify and certificates made for this run (a throwaway CA, a server certificate naming the
// host's address, a client certificate). The environment declares the hosts the way a user does,
// HostConnection.tls({ host, certPath }), and the CLI runs from the controller namespace as an
// operator would: in sync with the right data, drift seen over TLS, probes over TLS; a CA that did
// not sign the daemon's certificate, a client certificate the daemon does not trust and a missing
// client certificate each make the host unreachable (exit 5) with a clear reason, never a fallback,
// and no key material is printed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAB_IMAGE, LabHost, docker, inNetns } from '../../lab/lab';
import { labEnvironment } from '../../lab/environment';
import { Replay, TfJson } from '../../lab/replay';
import { LAB_TLS_PORT, PemPair, clientDir, enableTls, issue, makeCa } from '../../lab/tls';
import { HostConnection, Subnet } from '../../lib';
import { EXIT_DRIFT, EXIT_IN_SYNC, EXIT_UNREACHABLE } from '../../lib/live/types';
import { e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('docknet verify over TLS on the lab');
const ENV = 'tl';

gate.describe('docknet verify over TLS (tcp://:2376, --tlsverify, throwaway certificates)', () => {
  const lab = useLab('dntls', 2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dntls-'));
  const pki = path.join(work, 'pki');
  let outdir = '';
  let network: Replay | undefined;
  let good = '';
  /** Every private key made for this run: none may appear in any output. */
  const keys: string[] = [];
  const t0 = Date.now();
  afterAll(async () => {
    await network?.destroy().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
    report(`verify TLS e2e total ${elapsed(t0)}`);
  }, 120_000);

  const host = (i: number): LabHost => lab.info().hosts[i - 1];
  const sockets = () => Object.fromEntries(lab.info().hosts.map((h) => [h.name, h.dockerHost]));
  const keyOf = (p: PemPair) => keys.push(fs.readFileSync(p.key, 'utf8'));

  /** `docknet verify` through the CLI in the controller namespace (the hosts' addresses are only reachable there). */
  async function cli(args: string[]): Promise<{ code: number; out: string; json?: any }> {
    const t = Date.now();
    const r = await inNetns(lab.info().controller.netns, [
      process.execPath, path.resolve('node_modules/.bin/ts-node'), '--transpile-only', path.resolve('bin/docknet.ts'),
      'verify', ENV, '--dir', outdir, '--timeout', '20', ...args,
    ], { allowFail: true, timeoutMs: 120_000, env: { ...process.env, HOME: work } });
    const out = r.stdout + r.stderr;
    report(`docknet verify ${args.join(' ')} -> exit ${r.code} in ${elapsed(t)}`);
    // Nothing secret in what an operator or a CI log sees, whatever happened.
    expect(out).not.toMatch(/PRIVATE KEY/);
    for (const k of keys) {
      for (const line of k.split('\n').filter((l) => l.length > 40)) expect(out).not.toContain(line);
    }
    let json: any;
    try {
      json = args.includes('json') ? JSON.parse(r.stdout) : undefined;
    } catch {
      report(out);
      throw new Error('verify --format json did not print JSON');
    }
    return { code: r.code, out, json };
  }
  const status = (json: any, name: string) => json.hosts.find((h: any) => h.host === name);

  test('deploy; both hosts declared tcp://<address>:2376 with a certPath; verify over TLS is in sync and reads the right data', async () => {
    const info = lab.info();
    const ca = await makeCa(pki, 'ca');
    keyOf(ca);
    const client = await issue(ca, pki, 'client', 'client');
    keyOf(client);
    good = clientDir(path.join(work, 'client'), ca.cert, client).dir;
    for (const h of info.hosts) {
      const server = await issue(ca, pki, `server-${h.name}`, { server: h.address });
      keyOf(server);
      expect(await enableTls(h, ca.cert, server)).toBe(`tcp://${h.address}:${LAB_TLS_PORT}`);
    }
    const le = labEnvironment(info, {
      name: ENV,
      host: (h) => ({ connection: HostConnection.tls({ host: h.address, certPath: good }) }),
    });
    let tf: { network: TfJson; outdir: string };
    try {
      const [h1, h2] = le.hosts;
      const sleep = { image: LAB_IMAGE, command: ['sleep', '3600'] };
      const app = h1.addBridgeNetwork('app', { name: 'tl-app', subnet: Subnet.cidr('10.232.0.0/24') });
      h1.addContainer('web', { name: 'tl-web', ...sleep, networks: [{ network: app, ipv4Address: '10.232.0.10', aliases: ['www'] }] });
      h1.addContainer('db', { name: 'tl-db', ...sleep, networks: [{ network: app }] });
      const back = h2.addBridgeNetwork('back', { name: 'tl-back', subnet: Subnet.cidr('10.233.0.0/24') });
      h2.addContainer('job', { name: 'tl-job', ...sleep, networks: [{ network: back }] });
      tf = le.synth();
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dntls-out-'));
      fs.cpSync(tf.outdir, outdir, { recursive: true });
    } finally {
      le.dispose();
    }
    // The provider block carries the host and the folder, never the key itself.
    const provider = JSON.stringify(tf.network.provider);
    expect(provider).toContain(`tcp://${host(1).address}:${LAB_TLS_PORT}`);
    expect(provider).toContain(good);
    expect(provider).not.toMatch(/PRIVATE KEY/);
    network = new Replay(tf.network, sockets());
    await network.apply();

    const r = await cli(['--format', 'json']);
    if (r.code !== EXIT_IN_SYNC) report(r.out);
    expect(r.json.hosts.map((h: any) => [h.host, h.endpoint, h.status, h.engine])).toEqual(
      lab.info().hosts.map((h) => [h.name, `tcp://${h.address}:${LAB_TLS_PORT}`, 'read', expect.stringMatching(/^\d+\.\d+/)]));
    expect(r.json.counts.drift).toBe(0);
    expect(r.code).toBe(EXIT_IN_SYNC);
    report(`TLS verify of 2 hosts: ${r.json.hosts.map((h: any) => `${h.host} ${h.ms} ms`).join(', ')}`);
  }, 300_000);

  test('drift is read over TLS: a container disconnected by hand is reported (exit 2)', async () => {
    await docker(host(1), ['network', 'disconnect', 'tl-app', 'tl-db']);
    try {
      const r = await cli(['--format', 'json']);
      expect(r.code).toBe(EXIT_DRIFT);
      expect(r.json.findings.filter((f: any) => ['missing', 'changed', 'unexpected'].includes(f.kind))).toEqual([
        expect.objectContaining({ host: 'h1', objectKind: 'container', object: 'tl-db', attribute: 'attachment to network `tl-app`', actual: 'not connected' }),
      ]);
    } finally {
      await docker(host(1), ['network', 'connect', 'tl-app', 'tl-db']);
    }
  }, 120_000);

  test('probes run over the same TLS connection', async () => {
    const r = await cli(['--format', 'json', '--probe']);
    const outcomes = r.json.probes.outcomes;
    report(`${outcomes.length} probes over TLS`);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((o: any) => o.error)).toEqual([]);
    expect(outcomes.filter((o: any) => o.seen !== o.expect)).toEqual([]);
    expect(r.code).toBe(EXIT_IN_SYNC);
  }, 180_000);

  test('a CA that did not sign the daemon\'s certificate: untrusted, unreachable (exit 5), nothing read, no fallback', async () => {
    const other = await makeCa(path.join(work, 'other'), 'other-ca');
    keyOf(other);
    const wrong = clientDir(path.join(work, 'wrong-ca'), other.cert, { cert: path.join(good, 'cert.pem'), key: path.join(good, 'key.pem') }).dir;
    const r = await cli(['--format', 'json', '--cert-path', `h1=${wrong}`]);
    expect(r.code).toBe(EXIT_UNREACHABLE);
    const h1 = status(r.json, 'h1');
    expect(h1.status).toBe('unreachable');
    expect(h1.error).toMatch(/not signed by the CA in .*wrong-ca\/ca\.pem/);
    expect(status(r.json, 'h2').status).toBe('read');
    expect(r.json.findings.filter((f: any) => f.host === 'h1')).toEqual([]);
    // The Markdown report says it too.
    const md = await cli(['--cert-path', `h1=${wrong}`]);
    expect(md.code).toBe(EXIT_UNREACHABLE);
    expect(md.out).toMatch(/\*\*Unreachable hosts\*\*[\s\S]*`h1` at `tcp:\/\/[\d.]+:2376`: .*not signed by the CA/);
  }, 120_000);

  test('a client certificate the daemon does not trust: refused by the daemon, unreachable (exit 5)', async () => {
    const other = await makeCa(path.join(work, 'rogue'), 'rogue-ca');
    keyOf(other);
    const rogue = await issue(other, path.join(work, 'rogue'), 'rogue-client', 'client');
    keyOf(rogue);
    const dir = clientDir(path.join(work, 'rogue-client'), path.join(good, 'ca.pem'), rogue).dir;
    const r = await cli(['--format', 'json', '--cert-path', `h2=${dir}`]);
    expect(r.code).toBe(EXIT_UNREACHABLE);
    expect(status(r.json, 'h2').error).toMatch(/refused the client certificate/);
    expect(status(r.json, 'h1').status).toBe('read');
  }, 120_000);

  test('a missing client certificate is reported by name (exit 5), nothing sent without it', async () => {
    const dir = clientDir(path.join(work, 'no-client'), path.join(good, 'ca.pem'), undefined).dir;
    const r = await cli(['--format', 'json', '--cert-path', `h1=${dir}`]);
    expect(r.code).toBe(EXIT_UNREACHABLE);
    expect(status(r.json, 'h1').error).toContain(`${dir}/cert.pem does not exist`);
  }, 120_000);

  test('import over TLS: a host built by hand is read through tcp://:2376, the generated code connects with HostConnection.tls, synthesizes and verifies in sync', async () => {
    const h2 = host(2);
    await docker(h2, ['network', 'create', '--subnet', '10.234.0.0/24', 'tl-hand']);
    await docker(h2, ['run', '-d', '--name', 'tl-hand-c', '--network', 'tl-hand', '--ip', '10.234.0.5', LAB_IMAGE, 'sleep', '3600']);
    const out = path.join(work, 'imported');
    const env = { ...process.env, HOME: work, CHECKPOINT_DISABLE: '1', DOCKNET_PLAN_FROZEN: '1' };
    const tsNode = [process.execPath, path.resolve('node_modules/.bin/ts-node'), '--transpile-only', '--project', path.resolve('tsconfig.json')];
    const node = (args: string[]) => inNetns(lab.info().controller.netns, [...tsNode, ...args], { allowFail: true, timeoutMs: 180_000, env });
    const t = Date.now();
    const imp = await node([path.resolve('bin/docknet.ts'), 'import', '--env', 'ti', '--out', out, '--lib', path.resolve('lib'),
      '--host', `h2=tcp://${h2.address}:${LAB_TLS_PORT}`, '--cert-path', `h2=${good}`]);
    report(`docknet import over TLS -> exit ${imp.code} in ${elapsed(t)}\n${imp.stdout}${imp.stderr}`);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/\d+ objects adopted/);
    const all = fs.readdirSync(out).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    expect(all).toContain(`connection: HostConnection.tls({ host: ${JSON.stringify(h2.address)}, certPath: ${JSON.stringify(good)} }),`);
    for (const s of [all, imp.stdout + imp.stderr]) {
      expect(s).not.toMatch(/PRIVATE KEY/);
      for (const k of keys) for (const line of k.split('\n').filter((l) => l.length > 40)) expect(s).not.toContain(line);
    }
    // The generated project, synthesized with this docknet (plan record frozen), verified over the same TLS connection.
    const synth = spawnSync(tsNode[0], [...tsNode.slice(1), 'main.ts'], { cwd: out, env, encoding: 'utf8', timeout: 180_000 });
    if (synth.status !== 0) report(`${synth.stdout}${synth.stderr}`);
    expect(synth.status).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out/stacks/ti-network/cdk.tf.json'), 'utf8'));
    expect(Object.values(tf.resource.docker_container as Record<string, any>).map((r) => r.name).sort()).toEqual(['tl-hand-c', 'tl-job']);
    expect(JSON.stringify(tf.provider)).toContain(`tcp://${h2.address}:${LAB_TLS_PORT}`);
    const v = await node([path.resolve('bin/docknet.ts'), 'verify', 'ti', '--dir', path.join(out, 'cdktf.out'), '--format', 'json', '--timeout', '20']);
    const json = JSON.parse(v.stdout);
    expect(json.hosts.map((h: any) => [h.host, h.endpoint, h.status])).toEqual([['h2', `tcp://${h2.address}:${LAB_TLS_PORT}`, 'read']]);
    expect(json.findings.filter((f: any) => ['missing', 'changed', 'unexpected'].includes(f.kind))).toEqual([]);
    expect(v.code).toBe(EXIT_IN_SYNC);
  }, 300_000);
});
