/**
 * docknet verify against a fake Engine: the answers of the lab's three hosts recorded right after a
 * clean deploy (fixtures/lab, written by __tests__/e2e/verify.test.ts with
 * DOCKNET_RECORD_VERIFY_FIXTURES=1), each test editing a copy of them the way drift would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EngineReader } from '../../lib/live/engine';
import { EngineProber } from '../../lib/live/probe';
import { renderVerifyJson, renderVerifyMarkdown } from '../../lib/live/render';
import { HostSnapshot } from '../../lib/live/snapshot';
import { DriftKind, Finding, HostStatus, RemedyAction, VerifyResult, isDrift, verifyExitCode } from '../../lib/live/types';
import { VerifyOptions, runVerify } from '../../lib/live/verify';

const FIX = path.join(__dirname, 'fixtures', 'lab');
const HOSTS = ['h1', 'h2', 'h3'];
/** Snapshots as the tests edit them. */
type Snap = { -readonly [K in keyof HostSnapshot]: HostSnapshot[K] };
const recorded = (h: string): Snap => JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${h}.json`), 'utf8'));

type Behaviour = HostSnapshot | { hang: true } | { fail: string };

/** A fake Engine per host serving a snapshot (or hanging, or refusing), counting reads in flight. */
/** What a probe sees on the fake: the exit code of `cmd` run on `host` in `from` (absent: the host). */
type Reach = (host: string, from: string | undefined, cmd: string[]) => number;

function fakeEngines(b: Record<string, Behaviour>, delayMs = 0, reach?: Reach) {
  const stats = { inFlight: 0, maxInFlight: 0, closed: 0, probes: [] as string[] };
  const connect = (endpoint: string): EngineReader & EngineProber => {
    const host = endpoint.replace('unix:///fake/', '');
    const be = b[host];
    const answer = async <T>(pick: (s: HostSnapshot) => T): Promise<T> => {
      if ('fail' in be) throw new Error(be.fail);
      if ('hang' in be) return new Promise<T>(() => undefined);
      await new Promise((r) => setTimeout(r, delayMs));
      return JSON.parse(JSON.stringify(pick(be)));
    };
    let counted = false;
    return {
      version: async () => {
        counted = true;
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        return answer((s) => s.version);
      },
      info: () => answer((s) => s.info),
      networks: () => answer((s) => s.networks),
      containers: () => answer((s) => s.containers.map((c) => ({ Id: c.Id, Names: [c.Name] }))),
      container: (id) => answer((s) => s.containers.find((c) => c.Id === id)!),
      images: () => answer((s) => s.images),
      nodes: () => answer((s) => s.nodes ?? []),
      services: () => answer((s) => s.services ?? []),
      close: () => {
        stats.closed++;
        if (counted) stats.inFlight--;
      },
      exec: async (from, cmd) => {
        stats.probes.push(`${host}/${from}: ${cmd.join(' ')}`);
        return { exitCode: reach!(host, from, cmd), output: '' };
      },
      runOnHost: async (_image, cmd) => {
        stats.probes.push(`${host}: ${cmd.join(' ')}`);
        return { exitCode: reach!(host, undefined, cmd), output: '' };
      },
    };
  };
  return { connect, stats };
}

const endpoints = Object.fromEntries(HOSTS.map((h) => [h, `unix:///fake/${h}`]));

async function verifyWith(edit: (s: Record<string, Snap>) => void = () => undefined, opts: Partial<VerifyOptions> = {}): Promise<VerifyResult> {
  const snaps = Object.fromEntries(HOSTS.map((h) => [h, recorded(h)]));
  edit(snaps);
  return runVerify({ env: 'vf', dir: FIX, endpoints, connect: fakeEngines(snaps).connect, ...opts });
}

const drift = (r: VerifyResult) => r.findings.filter(isDrift);
const container = (s: HostSnapshot, name: string) => s.containers.find((c) => c.Name === `/${name}`)!;
const network = (s: HostSnapshot, name: string) => s.networks.find((n) => n.Name === name)!;

describe('docknet verify against recorded lab answers', () => {
  test('the recorded clean deploy is in sync: exit 0, no drift', async () => {
    const r = await verifyWith();
    expect(drift(r)).toEqual([]);
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual(HOSTS.map((h) => [h, HostStatus.READ]));
    expect(verifyExitCode(r)).toBe(0);
    expect(renderVerifyMarkdown(r)).toContain('3 of 3 hosts read, in sync with the code.');
  });

  const cases: [string, (s: Record<string, Snap>) => void, Partial<Finding>[]][] = [
    ['a container disconnected from its network', (s) => { delete container(s.h1, 'vf-db').NetworkSettings.Networks['vf-app']; },
      [{ host: 'h1', objectKind: 'container', object: 'vf-db', kind: DriftKind.CHANGED, attribute: 'attachment to network `vf-app`', expected: { aliases: ['database'] }, actual: 'not connected' }]],
    ['a container connected to another network', (s) => { container(s.h1, 'vf-db').NetworkSettings.Networks['vf-other'] = { IPAddress: '10.213.0.2', Aliases: [] }; },
      [{ host: 'h1', object: 'vf-db', attribute: 'attachment to network `vf-other`', expected: 'not connected', actual: '10.213.0.2' }]],
    ['a static address changed', (s) => { container(s.h1, 'vf-web').NetworkSettings.Networks['vf-app'].IPAMConfig = { IPv4Address: '10.212.0.11' }; },
      [{ object: 'vf-web', attribute: 'IPv4 address on network `vf-app`', expected: '10.212.0.10', actual: '10.212.0.11' }]],
    ['an alias lost', (s) => { container(s.h1, 'vf-web').NetworkSettings.Networks['vf-app'].Aliases = []; },
      [{ object: 'vf-web', attribute: 'aliases on network `vf-app`', expected: ['www'] }]],
    ['a container stopped', (s) => { Object.assign(container(s.h1, 'vf-db').State, { Running: false, Status: 'exited' }); },
      [{ object: 'vf-db', attribute: 'state', expected: 'running', actual: 'exited' }]],
    ['a container removed', (s) => { s.h2.containers = s.h2.containers.filter((c) => c.Name !== '/vf-o2'); },
      [{ host: 'h2', object: 'vf-o2', kind: DriftKind.MISSING }]],
    ['a network mode changed', (s) => { container(s.h1, 'vf-side').HostConfig.NetworkMode = 'bridge'; },
      [{ object: 'vf-side', attribute: 'network mode', expected: 'container:vf-web', actual: 'bridge' }]],
    ['a published port changed', (s) => { container(s.h1, 'vf-web').HostConfig.PortBindings['80/tcp'] = [{ HostIp: '0.0.0.0', HostPort: '8081' }]; },
      [{ object: 'vf-web', attribute: 'port 80/tcp', expected: '0.0.0.0:8080', actual: '0.0.0.0:8081' }]],
    ['a network removed', (s) => { s.h1.networks = s.h1.networks.filter((n) => n.Name !== 'vf-other'); },
      [{ host: 'h1', objectKind: 'network', object: 'vf-other', kind: DriftKind.MISSING }]],
    ['a network option changed', (s) => { network(s.h1, 'vf-other').Options['com.docker.network.bridge.enable_icc'] = 'true'; },
      [{ object: 'vf-other', attribute: 'driver option `com.docker.network.bridge.enable_icc`', expected: 'false', actual: 'true' }]],
    ['an unmanaged network overlapping the swarm pool', (s) => { s.h2.networks.push({ Name: 'rogue', Driver: 'bridge', Scope: 'local', IPAM: { Config: [{ Subnet: '10.211.200.0/24' }] }, Labels: {} }); },
      [{ host: 'h2', objectKind: 'network', object: 'rogue', kind: DriftKind.UNEXPECTED, attribute: '10.211.200.0/24 overlaps the plan: swarm default-addr-pool 10.211.0.0/16' }]],
    ['a docknet network the code no longer has', (s) => { s.h3.networks.push({ Name: 'old', Driver: 'bridge', Scope: 'local', IPAM: { Config: [{ Subnet: '172.30.9.0/24' }] }, Labels: { 'managed-by': 'docknet' } }); },
      [{ host: 'h3', object: 'old', kind: DriftKind.UNEXPECTED }]],
    ['a daemon setting changed on the host', (s) => { network(s.h3, 'bridge').Options['com.docker.network.driver.mtu'] = '1300'; },
      [{ host: 'h3', objectKind: 'daemon', object: 'h3', attribute: 'mtu', expected: 1400, actual: 1300 }]],
    ['the bip changed', (s) => { network(s.h2, 'bridge').IPAM.Config = [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]; },
      [{ host: 'h2', objectKind: 'daemon', attribute: 'bip', expected: '10.210.2.1/24', actual: '172.17.0.1/16' }]],
    ['a worker left the swarm', (s) => { Object.assign(s.h3.info.Swarm, { LocalNodeState: 'inactive', NodeID: '', ControlAvailable: false }); },
      [{ host: 'h3', objectKind: 'swarm', attribute: 'membership', expected: 'worker', actual: 'not in a swarm' },
        { host: 'h1', objectKind: 'swarm', object: 'h3', kind: DriftKind.CHANGED }]],
    ['a swarm member the code does not declare', (s) => { s.h1.nodes!.push({ ID: 'x'.repeat(25), Status: { Addr: '198.18.0.77', State: 'ready' }, Spec: { Role: 'worker' }, Description: { Hostname: 'stray' } }); },
      [{ host: 'h1', objectKind: 'swarm', kind: DriftKind.UNEXPECTED, object: `node ${'x'.repeat(12)} (stray, 198.18.0.77)` }]],
  ];

  test.each(cases)('%s', async (_name, edit, expected) => {
    const r = await verifyWith(edit);
    expect(verifyExitCode(r)).toBe(2);
    expect(drift(r)).toHaveLength(expected.length);
    expect(drift(r)).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    // Every finding names host, object, expected or actual, and a remedy.
    for (const f of drift(r)) {
      expect(f.host).toBeTruthy();
      expect(f.object).toBeTruthy();
      expect(f.remedy?.text).toBeTruthy();
    }
  });

  test('remedies name the Terraform addresses: a container -replace; a changed network takes its containers with it; the daemon rollout in the hosts stack', async () => {
    const r1 = await verifyWith((s) => { delete container(s.h1, 'vf-db').NetworkSettings.Networks['vf-app']; });
    expect(drift(r1)[0].remedy).toMatchObject({ action: RemedyAction.REPLACE, stack: 'vf-network', addresses: [expect.stringMatching(/^docker_container\.h1_db_[0-9A-F]{8}$/)] });
    expect(drift(r1)[0].remedy!.text).toMatch(/never reads a container's networks back.*terraform apply -replace=docker_container\.h1_db_/);

    const r2 = await verifyWith((s) => { network(s.h1, 'vf-app').IPAM.Config[0].Subnet = '10.212.0.0/25'; });
    expect(drift(r2)).toHaveLength(1);
    expect(drift(r2)[0].remedy!.addresses).toEqual([
      expect.stringMatching(/^docker_network\.h1_app_/), expect.stringMatching(/^docker_container\.h1_web_/), expect.stringMatching(/^docker_container\.h1_db_/),
    ]);

    const r3 = await verifyWith((s) => { network(s.h3, 'bridge').Options['com.docker.network.driver.mtu'] = '1300'; });
    expect(drift(r3)[0].remedy).toMatchObject({ stack: 'vf-hosts', addresses: [expect.stringMatching(/^terraform_data\.h3_.*DaemonRollout/)] });

    const r4 = await verifyWith((s) => { s.h1.networks = s.h1.networks.filter((n) => n.Name !== 'vf-other'); });
    expect(drift(r4)[0].remedy).toMatchObject({ action: RemedyAction.REAPPLY, stack: 'vf-network' });
  });

  test('a driver option left out on the host counts as Docker\'s default; a different value is drift', async () => {
    const absent = await verifyWith((s) => { delete network(s.h1, 'vf-mv').Options.macvlan_mode; delete network(s.h1, 'vf-ov').Options['com.docker.network.driver.mtu']; });
    expect(drift(absent)).toEqual([]);
    const other = await verifyWith((s) => { network(s.h1, 'vf-mv').Options.macvlan_mode = 'private'; });
    expect(drift(other)).toEqual([expect.objectContaining({ object: 'vf-mv', attribute: 'driver option `macvlan_mode`', expected: 'bridge', actual: 'private' })]);
  });

  test('what is not drift is listed as a note: an unmanaged network outside the plan, an unmanaged container', async () => {
    const r = await verifyWith((s) => {
      s.h3.networks.push({ Name: 'side-net', Driver: 'bridge', Scope: 'local', IPAM: { Config: [{ Subnet: '192.168.250.0/24' }] }, Labels: {} });
      s.h3.containers.push({ ...JSON.parse(JSON.stringify(container(s.h1, 'vf-db'))), Id: 'f'.repeat(64), Name: '/by-hand' });
    });
    expect(drift(r)).toEqual([]);
    expect(verifyExitCode(r)).toBe(0);
    expect(r.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ host: 'h3', object: 'side-net', kind: DriftKind.UNMANAGED }),
      expect.objectContaining({ host: 'h3', object: 'by-hand', kind: DriftKind.UNMANAGED }),
    ]));
    expect(renderVerifyMarkdown(r)).toMatch(/<details><summary>2 notes \(not drift\)<\/summary>/);
  });

  test('an unreachable host and a host that hangs: exit 5, the others still compared, timeout bounded', async () => {
    const snaps: Record<string, Behaviour> = { h1: recorded('h1'), h2: { fail: 'connect ECONNREFUSED' }, h3: { hang: true } };
    (snaps.h1 as Snap).containers = (snaps.h1 as Snap).containers.filter((c) => c.Name !== '/vf-db');
    const t0 = Date.now();
    const lines: string[] = [];
    const r = await runVerify({ env: 'vf', dir: FIX, endpoints, connect: fakeEngines(snaps).connect, timeoutMs: 300, progress: (l) => lines.push(l) });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(verifyExitCode(r)).toBe(5);
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([['h1', 'read'], ['h2', 'unreachable'], ['h3', 'unreachable']]);
    expect(r.hosts[1].error).toBe('connect ECONNREFUSED');
    expect(r.hosts[2].error).toBe('h3 (unix:///fake/h3) did not answer within 0.3 s');
    expect(drift(r)).toEqual([expect.objectContaining({ host: 'h1', object: 'vf-db', kind: DriftKind.MISSING })]);
    expect(lines.filter((l) => / read in | UNREACHABLE /.test(l))).toHaveLength(3);
    const md = renderVerifyMarkdown(r);
    expect(md).toContain('**2 unreachable**');
    expect(md).toMatch(/> - `h2` at `unix:\/\/\/fake\/h2`: connect ECONNREFUSED/);
    expect(JSON.parse(renderVerifyJson(r))).toMatchObject({ exitCode: 5, counts: { unreachable: 2, drift: 1 } });
  });

  test('hosts are read in parallel, never more than --concurrency at a time, and every connection is closed', async () => {
    const snaps = Object.fromEntries(HOSTS.map((h) => [h, recorded(h)]));
    for (const c of [1, 2, 3]) {
      const fake = fakeEngines(snaps, 30);
      await runVerify({ env: 'vf', dir: FIX, endpoints, connect: fake.connect, concurrency: c });
      expect(fake.stats.maxInFlight).toBe(c);
      expect(fake.stats.closed).toBe(3);
    }
  });

  test('bad input: an unknown environment names those there are; an --endpoint for an unknown host', async () => {
    await expect(runVerify({ env: 'prod', dir: FIX })).rejects.toThrow('No environment "prod" in');
    await expect(runVerify({ env: 'prod', dir: FIX })).rejects.toThrow(/found vf\./);
    await expect(runVerify({ env: 'vf', dir: FIX, endpoints: { h9: 'unix:///x' } })).rejects.toThrow(/--endpoint names host "h9", which environment vf does not have \(hosts: h1, h2, h3\)/);
    await expect(runVerify({ env: 'vf', dir: path.join(FIX, 'nope') })).rejects.toThrow(/No synth output at ".*nope"\. Run "npm run synth" first, or pass --dir\./);
  });

  test('Markdown names host, object, expected, actual and the remedy', async () => {
    const r = await verifyWith((s) => { Object.assign(container(s.h1, 'vf-db').State, { Running: false, Status: 'exited' }); });
    const md = renderVerifyMarkdown(r);
    expect(md).toContain('### docknet verify `vf`');
    expect(md).toContain('**Host `h1`**');
    expect(md).toMatch(/- 🟡 \*\*changed\*\* container `vf-db`: state is `exited`, expected `running`\n  - remedy: must_run containers are recreated: re-apply `vf-network` with `terraform apply -replace=docker_container\.h1_db_[0-9A-F]{8}`/);
  });
});

/**
 * What the recorded deploy does not have, added to a copy of its model and answers alike: IPv6 on
 * vf-app (subnet, gateway, vf-web's static address), a swarm service on the overlay with an alias,
 * and vf-db adopted by docknet import from a `docker run --network vf-app` (network_mode kept).
 */
describe('docknet verify: IPv6, swarm service networks, adopted containers', () => {
  const V6 = { subnet: '2001:db8:14::/64', gateway: '2001:db8:14::1', web: '2001:db8:14::10' };
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'docknet-verify-'));
    fs.cpSync(FIX, dir, { recursive: true });
    const file = path.join(dir, 'stacks', 'vf-network', 'docknet-model.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    const app = m.networks.find((n: any) => n.name === 'vf-app');
    Object.assign(app, { enableIpv6: true, ipv6: { subnet: V6.subnet, gateway: V6.gateway, auxAddresses: {} } });
    m.containers.find((c: any) => c.name === 'vf-web').attachments.find((a: any) => a.network === app.path).ipv6Address = V6.web;
    m.containers.find((c: any) => c.name === 'vf-db').adopted = { keep: ['image', 'network_mode', 'networks_advanced'] };
    const ov = m.networks.find((n: any) => n.name === 'vf-ov');
    m.services = [{ path: 'vf-network/h1/api', name: 'vf-api', host: 'h1', image: 'docknet/busybox:lab', replicas: 2, attachments: [{ network: ov.path, aliases: ['api'] }], ports: [] }];
    fs.writeFileSync(file, JSON.stringify(m, null, 2));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The hosts as they would be with the above in place: in sync. */
  const inSync = (s: Record<string, Snap>) => {
    const app = network(s.h1, 'vf-app');
    app.EnableIPv6 = true;
    app.IPAM.Config.push({ Subnet: '2001:db8:14:0::/64', Gateway: '2001:db8:14:0::1' }); // another spelling of the same
    Object.assign(container(s.h1, 'vf-web').NetworkSettings.Networks['vf-app'].IPAMConfig, { IPv6Address: V6.web });
    container(s.h1, 'vf-db').HostConfig.NetworkMode = 'vf-app';
    s.h1.services = [{ ID: 'svc1', Spec: { Name: 'vf-api', Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { Networks: [{ Target: network(s.h1, 'vf-ov').Id, Aliases: ['api'] }] } } }];
  };
  const verifyEdited = (edit: (s: Record<string, Snap>) => void = () => undefined) => verifyWith((s) => { inSync(s); edit(s); }, { dir });

  test('in sync: exit 0', async () => {
    const r = await verifyEdited();
    expect(drift(r)).toEqual([]);
    expect(verifyExitCode(r)).toBe(0);
  });

  const cases: [string, (s: Record<string, Snap>) => void, Partial<Finding> | Partial<Finding>[]][] = [
    ['IPv6 subnet changed', (s) => { network(s.h1, 'vf-app').IPAM.Config[1].Subnet = '2001:db8:15::/64'; },
      { objectKind: 'network', object: 'vf-app', attribute: 'IPv6 subnet', expected: V6.subnet, actual: '2001:db8:15::/64' }],
    ['IPv6 gateway changed', (s) => { network(s.h1, 'vf-app').IPAM.Config[1].Gateway = '2001:db8:14::fe'; },
      { object: 'vf-app', attribute: 'IPv6 gateway', expected: V6.gateway, actual: '2001:db8:14::fe' }],
    ['IPv6 switched off', (s) => { const n = network(s.h1, 'vf-app'); n.EnableIPv6 = false; n.IPAM.Config.pop(); },
      { object: 'vf-app', attribute: 'IPv6 flag', expected: true, actual: false }],
    ['a container\'s static IPv6 address changed', (s) => { Object.assign(container(s.h1, 'vf-web').NetworkSettings.Networks['vf-app'], { IPAMConfig: { IPv4Address: '10.212.0.10' }, GlobalIPv6Address: '2001:db8:14::2' }); },
      { objectKind: 'container', object: 'vf-web', attribute: 'IPv6 address on network `vf-app`', expected: V6.web, actual: '2001:db8:14::2' }],
    ['a service detached from its overlay', (s) => { s.h1.services![0].Spec.TaskTemplate.Networks = []; },
      { objectKind: 'service', object: 'vf-api', attribute: 'attachment to network `vf-ov`', expected: { aliases: ['api'] }, actual: 'not attached' }],
    ['a service\'s alias lost', (s) => { s.h1.services![0].Spec.TaskTemplate.Networks[0].Aliases = []; },
      { object: 'vf-api', attribute: 'aliases on network `vf-ov`', expected: ['api'], actual: [] }],
    ['a service on another network too', (s) => { s.h1.services![0].Spec.TaskTemplate.Networks.push({ Target: network(s.h1, 'vf-app').Id.slice(0, 25) }); },
      { object: 'vf-api', attribute: 'attachment to network `vf-app`', expected: 'not attached', actual: 'attached' }],
    ['a service made again in global mode', (s) => { s.h1.services![0].Spec.Mode = { Global: {} }; },
      { object: 'vf-api', attribute: 'mode', expected: 'replicated (2)', actual: 'global' }],
    ['a service scaled', (s) => { s.h1.services![0].Spec.Mode.Replicated.Replicas = 3; },
      { object: 'vf-api', attribute: 'replicas', expected: 2, actual: 3 }],
    ['an adopted container in another mode than the networks it is declared on', (s) => { container(s.h1, 'vf-db').HostConfig.NetworkMode = 'host'; },
      { object: 'vf-db', attribute: 'network mode', expected: 'bridge', actual: 'host', remedy: expect.objectContaining({ action: RemedyAction.REPLACE }) }],
    ['a container docknet made, now in mode "default": the provider reads it back literally and replaces it', (s) => { container(s.h1, 'vf-i1').HostConfig.NetworkMode = 'default'; },
      { object: 'vf-i1', attribute: 'network mode', expected: 'bridge', actual: 'default', remedy: expect.objectContaining({ action: RemedyAction.REAPPLY }) }],
    ['a container docknet made, now in the mode of its network: the same', (s) => { container(s.h1, 'vf-i2').HostConfig.NetworkMode = 'vf-other'; },
      { object: 'vf-i2', attribute: 'network mode', expected: 'bridge', actual: 'vf-other' }],
  ];

  test.each(cases)('%s', async (_name, edit, expected) => {
    const r = await verifyEdited(edit);
    expect(verifyExitCode(r)).toBe(2);
    expect(drift(r)).toEqual([expected].flat().map((e) => expect.objectContaining({ host: 'h1', kind: DriftKind.CHANGED, ...e })));
    for (const f of drift(r)) expect(f.remedy?.text).toBeTruthy();
  });
});
