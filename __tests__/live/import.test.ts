/**
 * docknet import round trip without a lab: the lab's recorded hosts (fixtures/lab) -> generated
 * project -> synthesized with this docknet -> verify against the same (fake) hosts: zero drift, and
 * an import block for every network and container it adopts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHmac } from 'crypto';
import { PLACEHOLDER_HOST_KEY, generateImport, hostKeysFromKnownHosts } from '../../lib/live/import';
import { HostSnapshot } from '../../lib/live/snapshot';
import { isDrift } from '../../lib/live/types';
import { runVerify } from '../../lib/live/verify';

const FIX = path.join(__dirname, 'fixtures', 'lab');
const HOSTS = ['h1', 'h2', 'h3'];
const recorded = (h: string): HostSnapshot => cliMade(h, JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${h}.json`), 'utf8')));

/**
 * The recorded hosts were built by the replay (network_mode "bridge"). Some of h1's containers are
 * turned into what the docker CLI makes, as checked on the lab: `docker run --network vf-app`
 * reports HostConfig.NetworkMode "vf-app", a plain `docker run` "default"; `-t` sets Config.Tty;
 * `-p 8080:80` may bind both 0.0.0.0 and :: (NetworkSettings.Ports), PortBindings holding one;
 * `docker network create` writes no labels, no macvlan_mode unless given, and no gateway unless given.
 */
function cliMade(h: string, s: HostSnapshot): HostSnapshot {
  if (h !== 'h1') return s;
  const byName = (n: string) => s.containers.find((c) => c.Name === `/${n}`)!;
  byName('vf-db').HostConfig.NetworkMode = 'vf-app';
  byName('vf-i1').HostConfig.NetworkMode = 'default';
  const web = byName('vf-web');
  web.Config.Tty = true;
  web.NetworkSettings.Ports = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }] };
  const spare = s.networks.find((n) => n.Name === 'vf-spare')!;
  spare.Labels = {};
  // `docker network create --subnet X` (no --gateway) stores no gateway.
  for (const c of spare.IPAM.Config) delete c.Gateway;
  delete s.networks.find((n) => n.Name === 'vf-mv')!.Options.macvlan_mode;
  return s;
}
const ROOT = path.resolve(__dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-import-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeConnect(endpoint: string) {
  const s = recorded(endpoint.replace('unix:///fake/', ''));
  return {
    version: async () => s.version, info: async () => s.info, networks: async () => s.networks,
    containers: async () => s.containers.map((c) => ({ Id: c.Id })), container: async (id: string) => s.containers.find((c) => c.Id === id)!,
    images: async () => s.images, nodes: async () => s.nodes ?? [], services: async () => s.services ?? [], close: () => undefined,
    exec: async () => ({ exitCode: null, output: '' }), runOnHost: async () => ({ exitCode: null, output: '' }),
  };
}

const KEY1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKoqvis5mySTu4+vIw9ptwYShZQE2Bo0AxbCzo1DOqQf';
const KEY2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbwUrTHt+FixjdWnPEIMGeVSUeY/EV9tinbx8jJ+tw8';

describe('known_hosts material', () => {
  test('plain and hashed entries match host[:port] as ssh does; wildcards, CA lines and revoked keys do not count', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = (name: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const text = [
      '# comment',
      `other.example,198.18.0.1 ${KEY1} root@h1`,
      `${hashed('[198.18.0.2]:2222')} ${KEY2}`,
      `198.18.0.* ${KEY2}`,
      `@cert-authority 198.18.0.1 ${KEY2}`,
      `198.18.0.3 ${KEY1}`,
      `@revoked 198.18.0.3 ${KEY1}`,
    ].join('\n');
    expect(hostKeysFromKnownHosts(text, '198.18.0.1')).toEqual([KEY1]);
    expect(hostKeysFromKnownHosts(text, '198.18.0.2', 2222)).toEqual([KEY2]);
    expect(hostKeysFromKnownHosts(text, '198.18.0.2')).toEqual([]);
    expect(hostKeysFromKnownHosts(text, '198.18.0.3')).toEqual([]);
  });
});

describe('docknet import', () => {
  // h1 and h2 come with verified known_hosts material, h3 without: a placeholder and a to-do.
  const result = generateImport({
    env: 'imp',
    libImport: path.join(ROOT, 'lib'),
    hosts: HOSTS.map((h, i) => ({ name: h, endpoint: `ssh://root@198.18.0.${i + 1}`, snapshot: recorded(h), hostKeys: [[KEY1], [KEY1, KEY2], []][i] })),
  });

  test('declares every ssh host key it was given; a missing one is a marked placeholder and a to-do in IMPORT.md', () => {
    const values = result.files['imp.ts'];
    expect(values).toContain(`"h1": ${JSON.stringify(KEY1)},`);
    expect(values).toContain(`"h2": ${JSON.stringify([KEY1, KEY2])},`);
    expect(values).toMatch(/"h3": PLACEHOLDER_HOST_KEY, \/\/ TO DO/);
    expect(result.files['values.ts']).toContain(JSON.stringify(PLACEHOLDER_HOST_KEY));
    expect(result.files['topology.ts']).toContain('hostKey: v.hostKeys["h3"]');
    expect(result.todo).toEqual([expect.stringMatching(/^h3: host key is a placeholder .* no known_hosts entry for 198\.18\.0\.3 was given/)]);
    expect(result.files['IMPORT.md']).toContain('## To do before the first apply (1)');
    expect(result.notExpressed.join('\n')).not.toMatch(/host key/);
  });

  test('keeps, per container, what the provider reads back with another value than the code writes, and says so', () => {
    expect(result.kept).toMatchObject({
      'h1/container/vf-db': ['image', 'network_mode', 'networks_advanced'],
      'h1/container/vf-i1': ['image', 'network_mode', 'networks_advanced'],
      'h1/container/vf-i2': ['image', 'networks_advanced'],
      'h1/container/vf-side': ['image'], // container:<id>, as the code writes it
      'h1/container/vf-web': ['image', 'networks_advanced', 'ports', 'tty'],
      'h1/network/vf-spare': ['ipam_config', 'labels'],
      'h1/network/vf-mv': ['options'],
      // Docker adds the VXLAN id to an overlay's options (com.docker.network.driver.overlay.vxlanid_list).
      'h1/network/vf-ov': ['options'],
    });
    // Networks the replay made carry docknet's label and options: nothing to keep.
    expect(result.kept['h1/network/vf-app']).toBeUndefined();
    expect(result.files['topology.ts']).toContain('net_h1_vf_app.adopt(v.ids["h1/network/vf-app"]);');
    expect(result.notExpressed).toContain("h1: network vf-mv: has no macvlan_mode option (Docker's default applies, the same behaviour); docknet writes it explicitly, so the network's options are kept as the host has them (Terraform ignores them, docknet verify compares them); a replacement writes it");
    expect(result.files['topology.ts']).toContain('ctr_h1_vf_db.adopt(v.ids["h1/container/vf-db"], { keep: ["image","network_mode","networks_advanced"] });');
    expect(result.notExpressed).toEqual(expect.arrayContaining([
      'h1: container vf-web: not expressed, kept on the host as it is (Terraform ignores ports, tty; a replacement drops it): a TTY (-t), port bindings as Docker made them (80/tcp 0.0.0.0 8080, 80/tcp :: 8080)',
    ]));
    expect(result.notExpressed.join('\n')).not.toMatch(/network mode|--network/);
    expect(result.files['IMPORT.md']).toContain('- h1/container/vf-db: `' + result.adopted['h1/container/vf-db'].slice(0, 12) + '` (kept as the host has it: image, network_mode, networks_advanced)');
  });

  test('writes the topology once, the values, main, a plan record with every subnet in use, and the notes', () => {
    expect(Object.keys(result.files).sort()).toEqual(['IMPORT.md', 'cdktf.json', 'docknet.plan.json', 'imp.ts', 'main.ts', 'topology.ts', 'values.ts']);
    const record = JSON.parse(result.files['docknet.plan.json']).environments.imp.pools;
    const subnets = Object.values(record).flatMap((p: any) => Object.values(p));
    expect(subnets).toEqual(expect.arrayContaining(['10.212.0.0/24', '10.213.0.0/24', '10.214.0.0/24', '10.215.0.0/24']));
    // The daemon settings are seen, and said to be left out on purpose, never dropped silently.
    expect(result.notExpressed).toEqual(expect.arrayContaining([expect.stringMatching(/^h1: daemon settings in use \(bip 10\.210\.1\.1\/24, mtu 1400\) not declared/)]));
    expect(result.files['IMPORT.md']).toContain(`## Not expressed (${result.notExpressed.length})`);
  });

  test('the generated project synthesizes with this docknet; verify against the same hosts finds zero drift; every adopted object has an import block', () => {
    for (const [f, text] of Object.entries(result.files)) fs.writeFileSync(path.join(dir, f), text);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/.bin/ts-node'), '--transpile-only', '--project', path.join(ROOT, 'tsconfig.json'), 'main.ts'], {
      cwd: dir, env: { ...process.env, CHECKPOINT_DISABLE: '1', DOCKNET_PLAN_FROZEN: '1' }, stdio: 'pipe', timeout: 120_000,
    });
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/imp-network/cdk.tf.json'), 'utf8'));
    const imports = (tf.import ?? []) as { to: string; id: string }[];
    const resources = ['docker_network', 'docker_container'].flatMap((t) => Object.keys(tf.resource[t] ?? {}).map((k) => `${t}.${k}`));
    expect(imports.map((i) => i.to).sort()).toEqual(resources.sort());
    expect(imports.map((i) => i.id).sort()).toEqual(Object.values(result.adopted).sort());
    // Each container keeps, as Terraform ignore_changes, exactly what provider 3.6.2 would read back otherwise.
    const ignored = Object.fromEntries(Object.values(tf.resource.docker_container as Record<string, any>).map((r) => [r.name, r.lifecycle?.ignore_changes]));
    expect(ignored).toMatchObject({
      'vf-db': ['image', 'network_mode', 'networks_advanced'], 'vf-i1': ['image', 'network_mode', 'networks_advanced'],
      'vf-web': ['image', 'networks_advanced', 'ports', 'tty'], 'vf-side': ['image'], 'vf-i2': ['image', 'networks_advanced'],
    });
    // Restart policies are the hosts' own, so the first apply does not update them in place.
    expect(Object.values(tf.resource.docker_container as Record<string, any>).map((r) => r.restart)).toEqual(Array(10).fill('no'));
    const netIgnored = Object.values(tf.resource.docker_network as Record<string, any>).filter((r) => r.lifecycle).map((r) => [r.name, r.lifecycle.ignore_changes]);
    expect(netIgnored.sort()).toEqual([['vf-mv', ['options']], ['vf-ov', ['options']], ['vf-spare', ['ipam_config', 'labels']]]);
    return runVerify({ env: 'imp', dir: path.join(dir, 'cdktf.out'), endpoints: Object.fromEntries(HOSTS.map((h) => [h, `unix:///fake/${h}`])), connect: fakeConnect })
      .then((r) => {
        expect(r.findings.filter(isDrift)).toEqual([]);
      });
  }, 180_000);
});

describe('docknet import of a TLS host', () => {
  const tlsImport = (certPath?: string, port = 2376) => generateImport({
    env: 'tl',
    libImport: path.join(ROOT, 'lib'),
    hosts: [{ name: 'h2', endpoint: `tcp://198.18.0.2:${port}`, snapshot: recorded('h2'), certPath }],
  });

  test('the generated host connects with HostConnection.tls and the folder given, never key material', () => {
    const all = Object.values(tlsImport('/etc/docknet/tls/h2').files).join('\n');
    expect(all).toContain('connection: HostConnection.tls({ host: "198.18.0.2", certPath: "/etc/docknet/tls/h2" }),');
    expect(all).not.toMatch(/PRIVATE KEY|hostKeys\["h2"\]/);
    expect(Object.values(tlsImport('/tls', 2377).files).join('\n')).toContain('HostConnection.tls({ host: "198.18.0.2", port: 2377, certPath: "/tls" })');
  });

  test('a tcp:// host without a TLS folder is refused, naming the flag that fixes it', () => {
    expect(() => tlsImport(undefined)).toThrow('host "h2": tcp://198.18.0.2:2376 is a TLS endpoint and no TLS folder was given. Pass --cert-path h2=<folder with ca.pem, cert.pem, key.pem>.');
  });
});
