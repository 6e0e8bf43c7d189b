/**
 * daemon.json keys the Engine API of Docker 20.10 does not report, checked through what Docker did
 * with them. The inputs are recorded from the lab (a dockerd started with dns, dns-search, dns-opts
 * and default-address-pools in its daemon.json): /etc/resolv.conf of a container on the default
 * bridge, of one on a user network, and the subnet a network created without one got. The host is
 * h3 of the recorded verify fixtures, its declared daemon keys edited.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareHost, Expectation } from '../../lib/live/compare';
import { fileFromTar, parseResolvConf, resolvConfSource } from '../../lib/live/daemon-evidence';
import { EngineReader } from '../../lib/live/engine';
import { EngineProber } from '../../lib/live/probe';
import { renderVerifyMarkdown } from '../../lib/live/render';
import { HostSnapshot } from '../../lib/live/snapshot';
import { DriftKind, Finding, RemedyAction, isDrift, verifyExitCode } from '../../lib/live/types';
import { runVerify } from '../../lib/live/verify';

const FIX = path.join(__dirname, 'fixtures', 'lab');
const MODEL_FILE = path.join(FIX, 'stacks', 'vf-network', 'docknet-model.json');

// Recorded on the lab (Docker 20.10.24), daemon.json:
// {"dns":["198.18.0.254","198.18.0.253"],"dns-search":["corp.example","lab.example"],"dns-opts":["timeout:2"],
//  "default-address-pools":[{"base":"10.240.0.0/16","size":24}]}
const ON_BRIDGE = 'search corp.example lab.example\nnameserver 198.18.0.254\nnameserver 198.18.0.253\noptions timeout:2\n';
const ON_USER_NETWORK = 'search corp.example lab.example\nnameserver 127.0.0.11\noptions timeout:2 ndots:0\n';
// `iptables -t nat -S` read over ssh on lab hosts: h2 started with iptables on, then restarted with
// {"iptables":false,"bip":"10.241.0.1/24"}: the chain and the old bridge's rule stay, the new bip gets none.
const NAT_AFTER_SWITCH_OFF = '-P PREROUTING ACCEPT\n-P INPUT ACCEPT\n-P OUTPUT ACCEPT\n-P POSTROUTING ACCEPT\n-N DOCKER\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n'
  + '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n-A DOCKER -i docker0 -j RETURN\n';
const NAT_NEVER_ON = '-P PREROUTING ACCEPT\n-P INPUT ACCEPT\n-P OUTPUT ACCEPT\n-P POSTROUTING ACCEPT\n';
const POOL_SUBNET = { network: 'docknet-probe-mx35wh5t-0q7qea', subnet: '10.240.2.0/24' };

const DECLARED = {
  bip: '10.210.3.1/24', mtu: 1400,
  dns: ['198.18.0.254', '198.18.0.253'], 'dns-search': ['corp.example', 'lab.example'], 'dns-opts': ['timeout:2'],
  'default-address-pools': [{ base: '10.240.0.0/16', size: 24 }], iptables: true,
};

function expectation(daemon: Record<string, unknown> = DECLARED): Expectation {
  const model = JSON.parse(fs.readFileSync(MODEL_FILE, 'utf8'));
  model.hosts.find((h: any) => h.name === 'h3').daemon = daemon;
  return { model, networkOptions: new Map() };
}
const h3 = (edit: (s: any) => void = () => undefined): HostSnapshot => {
  const s = JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', 'h3.json'), 'utf8'));
  edit(s);
  return s;
};
const daemonFindings = (fs_: Finding[]) => fs_.filter((f) => f.objectKind === 'daemon');
const unverified = (fs_: Finding[]) => Object.fromEntries(daemonFindings(fs_).filter((f) => f.kind === DriftKind.UNVERIFIED).map((f) => [f.attribute, f.description]));

describe('daemon keys the Engine API does not report', () => {
  test('resolv.conf is read as the C library reads it', () => {
    expect(parseResolvConf(ON_BRIDGE)).toEqual({ nameservers: ['198.18.0.254', '198.18.0.253'], search: ['corp.example', 'lab.example'], options: ['timeout:2'] });
    expect(parseResolvConf(ON_USER_NETWORK)).toEqual({ nameservers: ['127.0.0.11'], search: ['corp.example', 'lab.example'], options: ['timeout:2', 'ndots:0'] });
    expect(parseResolvConf('# generated\nsearch a.example\nsearch b.example ; later wins\nnameserver 10.0.0.2\n').search).toEqual(['b.example']);
  });

  test('the evidence on the default bridge matches: dns, dns-search, dns-opts and the pools are verified, not notes', () => {
    const f = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { resolvConf: { container: 'web', network: 'bridge', text: ON_BRIDGE }, poolSubnet: POOL_SUBNET }; }));
    expect(daemonFindings(f).filter(isDrift)).toEqual([]);
    // Only what nothing shows stays a note: iptables (DOCKER chains are readable only as root on the host).
    expect(Object.keys(unverified(f))).toEqual(['iptables']);
  });

  test('dns changed on the host: drift naming the evidence, remedied by the daemon rollout', () => {
    const f = compareHost(expectation(), 'h3', h3((s) => {
      s.daemonEvidence = { resolvConf: { container: 'docknet-probe', network: 'bridge', probe: true, text: ON_BRIDGE.replace('198.18.0.253', '198.18.0.252') } };
    }));
    const drift = daemonFindings(f).filter(isDrift);
    expect(drift).toEqual([expect.objectContaining({
      host: 'h3', kind: DriftKind.CHANGED, attribute: 'dns', expected: ['198.18.0.254', '198.18.0.253'], actual: ['198.18.0.254', '198.18.0.252'],
      evidence: '/etc/resolv.conf of a short-lived probe container on the default bridge',
    })]);
    expect(drift[0].description).toBe('daemon `h3`: dns is `198.18.0.254`, `198.18.0.252`, expected `198.18.0.254`, `198.18.0.253` (seen in /etc/resolv.conf of a short-lived probe container on the default bridge)');
    expect(drift[0].remedy).toMatchObject({ action: RemedyAction.REPLACE, stack: 'vf-hosts', addresses: [expect.stringMatching(/^terraform_data\.h3_.*DaemonRollout/)] });
  });

  test('a container on a user network shows dns-search and dns-opts (Docker adds ndots:0), not the name servers', () => {
    const f = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { resolvConf: { container: 'db', network: 'app', text: ON_USER_NETWORK } }; }));
    expect(daemonFindings(f).filter(isDrift)).toEqual([]);
    expect(unverified(f).dns).toMatch(/\/etc\/resolv\.conf of container `db` on network `app` names Docker's embedded DNS, not the daemon's servers; run with --probe/);
    const changed = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { resolvConf: { container: 'db', network: 'app', text: ON_USER_NETWORK.replace('lab.example', 'old.example') } }; }));
    expect(daemonFindings(changed).filter(isDrift)).toEqual([expect.objectContaining({ attribute: 'dns-search', actual: ['corp.example', 'old.example'] })]);
  });

  test('without evidence each key says why it is not verified and what would show it', () => {
    const f = compareHost(expectation(), 'h3', h3());
    const u = unverified(f);
    expect(u.dns).toMatch(/no container Docker wrote \/etc\/resolv\.conf for: run with --probe/);
    expect(u['default-address-pools']).toMatch(/Docker 20\.10 does not report the pools: run with --probe \(a short-lived network created without a subnet/);
    expect(u.iptables).toMatch(/iptables not reported by the Engine API, not verified: the DOCKER chains show it, and they are readable only as root on the host: verify reads them over ssh, and this host was not read over ssh/);
    expect(daemonFindings(f).filter(isDrift)).toEqual([]);
    const failed = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { errors: ['the probe network failed: could not find an available, non-overlapping IPv4 address pool'] }; }));
    expect(unverified(failed)['default-address-pools']).toMatch(/\(the probe network failed: could not find an available/);
  });

  test('iptables from the host\'s nat table (as root over ssh): no DOCKER chain is off; a chain alone may be left over, so --probe decides by a fresh network\'s rule', () => {
    const nat = (ev: any) => compareHost(expectation({ ...DECLARED, iptables: ev.want }), 'h3', h3((s) => { s.daemonEvidence = { iptables: ev.iptables }; }));
    // Off in effect: dockerd with iptables on would have made the chain at this start.
    const off = nat({ want: true, iptables: { nat: NAT_NEVER_ON } });
    expect(daemonFindings(off).filter(isDrift)).toEqual([expect.objectContaining({ attribute: 'iptables', expected: true, actual: false,
      evidence: 'the nat table of the host (`iptables -t nat -S` over ssh): no DOCKER chain, which dockerd with iptables on makes at every start' })]);
    expect(unverified(nat({ want: false, iptables: { nat: NAT_NEVER_ON } })).iptables).toBeUndefined();
    // A chain is there: on, or left over from an earlier start (the lab's h2 after switching to false).
    for (const want of [true, false]) {
      const f = nat({ want, iptables: { nat: NAT_AFTER_SWITCH_OFF } });
      expect(daemonFindings(f).filter(isDrift)).toEqual([]);
      expect(unverified(f).iptables).toMatch(/has a DOCKER chain, but dockerd with iptables off leaves one from an earlier start: run with --probe/);
    }
    // --probe: read while a fresh network (10.240.2.0/24) existed; Docker added its MASQUERADE rule or not.
    const on = { nat: NAT_AFTER_SWITCH_OFF + '-A POSTROUTING -s 10.240.2.0/24 ! -o br-3c2b1a0f9e8d -j MASQUERADE\n', probeSubnet: '10.240.2.0/24' };
    expect(daemonFindings(nat({ want: true, iptables: on })).filter((f) => f.attribute === 'iptables')).toEqual([]);
    const drifted = daemonFindings(nat({ want: false, iptables: on })).filter(isDrift);
    expect(drifted).toEqual([expect.objectContaining({ attribute: 'iptables', expected: false, actual: true })]);
    expect(drifted[0].evidence).toBe('the nat table of the host (`iptables -t nat -S` over ssh) while a short-lived network (10.240.2.0/24) existed: Docker added MASQUERADE rule for it');
    const none = daemonFindings(nat({ want: true, iptables: { nat: NAT_AFTER_SWITCH_OFF, probeSubnet: '10.240.2.0/24' } })).filter(isDrift);
    expect(none).toEqual([expect.objectContaining({ attribute: 'iptables', expected: true, actual: false })]);
    // Not readable: the reason is the note.
    expect(unverified(nat({ want: true, iptables: { error: 'reading the nat table needs root on the host (sudo -n failed: sudo: a password is required)' } })).iptables)
      .toMatch(/needs root on the host \(sudo -n failed: sudo: a password is required\)/);
  });

  test('pools: a subnet outside the declared pools (or of another size) is drift; Docker 23+ still compares /info', () => {
    const outside = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { poolSubnet: { network: 'p', subnet: '172.18.0.0/16' } }; }));
    expect(daemonFindings(outside).filter(isDrift)).toEqual([expect.objectContaining({
      attribute: 'default-address-pools', actual: 'a network created without a subnet got 172.18.0.0/16',
      evidence: 'the subnet Docker gave a short-lived network (`p`) created without one',
    })]);
    const size = compareHost(expectation(), 'h3', h3((s) => { s.daemonEvidence = { poolSubnet: { network: 'p', subnet: '10.240.2.0/25' } }; }));
    expect(daemonFindings(size).filter(isDrift)).toHaveLength(1);
    const v23 = compareHost(expectation(), 'h3', h3((s) => { s.info.DefaultAddressPools = [{ Base: '10.240.0.0/16', Size: 24 }]; }));
    expect(daemonFindings(v23).filter(isDrift)).toEqual([]);
    expect(unverified(v23)['default-address-pools']).toBeUndefined();
  });

  test('which container shows the daemon\'s DNS: running, bridge mode, no DNS of its own, the default bridge first; none with live-restore', () => {
    const c = (name: string, o: any) => ({ Id: name, Name: `/${name}`, State: { Running: o.running ?? true }, HostConfig: { NetworkMode: o.mode ?? 'bridge', Dns: o.dns ?? [] }, NetworkSettings: { Networks: o.nets } });
    const containers = [
      c('stopped', { running: false, nets: { bridge: {} } }), c('own-dns', { dns: ['9.9.9.9'], nets: { bridge: {} } }), c('hostnet', { mode: 'host', nets: { host: {} } }),
      c('user', { nets: { app: {} } }), c('default', { mode: 'default', nets: { bridge: {} } }),
    ];
    expect(resolvConfSource({ containers, info: {} })).toEqual({ id: 'default', name: 'default', network: 'bridge' });
    expect(resolvConfSource({ containers: containers.slice(0, 4), info: {} })).toEqual({ id: 'user', name: 'user', network: 'app' });
    expect(resolvConfSource({ containers, info: { LiveRestoreEnabled: true } })).toBeUndefined();
  });

  test('the archive API\'s tar answer gives the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-tar-'));
    try {
      fs.writeFileSync(path.join(dir, 'resolv.conf'), ON_BRIDGE);
      const tar = spawnSync('tar', ['-C', dir, '-cf', '-', 'resolv.conf']).stdout;
      expect(fileFromTar(tar)).toBe(ON_BRIDGE);
      expect(() => fileFromTar(Buffer.alloc(10))).toThrow(/empty archive/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('verify --probe gathers what reading did not find (a container on the default bridge, a network without a subnet, the nat table meanwhile) only where a declared key needs it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-evidence-'));
    try {
      fs.cpSync(path.join(FIX, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
      const model = JSON.parse(fs.readFileSync(MODEL_FILE, 'utf8'));
      model.hosts.find((h: any) => h.name === 'h3').daemon = DECLARED;
      fs.writeFileSync(path.join(dir, 'stacks', 'vf-network', 'docknet-model.json'), JSON.stringify(model));
      const calls: string[] = [];
      let inProbe = false;
      const connect = (endpoint: string): EngineReader & EngineProber => {
        const host = endpoint.replace('unix:///fake/', '');
        const snap: HostSnapshot = JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${host}.json`), 'utf8'));
        return {
          version: async () => snap.version, info: async () => snap.info, networks: async () => snap.networks,
          containers: async () => snap.containers.map((c) => ({ Id: c.Id })), container: async (id) => snap.containers.find((c) => c.Id === id)!,
          images: async () => snap.images, nodes: async () => snap.nodes ?? [], services: async () => snap.services ?? [],
          file: async () => { throw new Error('not on the fake'); },
          exec: async () => ({ exitCode: 0, output: '' }), runOnHost: async () => ({ exitCode: 0, output: '' }),
          resolvConfOnBridge: async (image) => { calls.push(`${host}: container ${image}`); return ON_BRIDGE.replace('198.18.0.253', '198.18.0.9'); },
          poolSubnet: async <T>(_t: number, whileThere?: () => Promise<T>) => {
            calls.push(`${host}: network`);
            inProbe = true;
            const during = whileThere ? await whileThere() : undefined;
            inProbe = false;
            return { ...POOL_SUBNET, during };
          },
          natTable: async () => {
            calls.push(`${host}: nat${inProbe ? ' (probe network there)' : ''}`);
            return { nat: NAT_AFTER_SWITCH_OFF + (inProbe ? `-A POSTROUTING -s ${POOL_SUBNET.subnet} ! -o br-3c2b1a0f9e8d -j MASQUERADE\n` : '') };
          },
          close: () => undefined,
        };
      };
      const endpoints = { h1: 'unix:///fake/h1', h2: 'unix:///fake/h2', h3: 'unix:///fake/h3' };
      const r = await runVerify({ env: 'vf', dir, endpoints, connect, probe: { max: 1 } });
      // Read: the nat table of the one host declaring iptables; probed: its evidence, the nat table read again while the probe network is there.
      expect(calls).toEqual(['h3: nat', 'h3: container docknet/busybox:lab', 'h3: network', 'h3: nat (probe network there)']);
      expect(r.findings.filter((f) => f.objectKind === 'daemon' && isDrift(f))).toEqual([expect.objectContaining({ host: 'h3', attribute: 'dns', actual: ['198.18.0.254', '198.18.0.9'] })]);
      expect(verifyExitCode(r)).toBe(2);
      expect(renderVerifyMarkdown(r)).toContain('(seen in /etc/resolv.conf of a short-lived probe container on the default bridge)');
      // Without --probe nothing is created: the keys are notes that say so.
      calls.length = 0;
      const plain = await runVerify({ env: 'vf', dir, endpoints, connect });
      expect(calls).toEqual(['h3: nat']);
      expect(plain.findings.filter((f) => f.host === 'h3' && f.kind === DriftKind.UNVERIFIED).map((f) => f.attribute).sort()).toEqual(['default-address-pools', 'dns', 'dns-opts', 'dns-search', 'iptables']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
