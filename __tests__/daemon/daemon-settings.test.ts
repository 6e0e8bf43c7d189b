import { TerraformStack, Testing } from 'cdktf';
import { DaemonRangeKind, DaemonSettings, renderDaemonJson } from '../../lib/daemon';

function stack() {
  return new TerraformStack(Testing.app(), 'lab-hosts');
}
/** What synth reports: every construct's validations. */
const validateTree = (s: TerraformStack) => s.node.findAll().flatMap((c) => c.node.validate());

describe('DaemonSettings', () => {
  test('renders sorted keys at every depth, 2-space JSON, trailing newline', () => {
    const text = renderDaemonJson({
      mtu: 1400,
      bip: '10.200.0.1/24',
      dns: ['198.18.0.254', '1.1.1.1'],
      extra: { 'log-opts': { 'max-size': '10m', 'max-file': '3' }, 'log-driver': 'json-file' },
      defaultNetworkOpts: { bridge: { 'com.docker.network.driver.mtu': '1400' } },
    });
    expect(text).toBe(
      [
        '{',
        '  "bip": "10.200.0.1/24",',
        '  "default-network-opts": {',
        '    "bridge": {',
        '      "com.docker.network.driver.mtu": "1400"',
        '    }',
        '  },',
        '  "dns": [',
        '    "198.18.0.254",',
        '    "1.1.1.1"',
        '  ],',
        '  "log-driver": "json-file",',
        '  "log-opts": {',
        '    "max-file": "3",',
        '    "max-size": "10m"',
        '  },',
        '  "mtu": 1400',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('rendering does not depend on the order props were given', () => {
    const a = renderDaemonJson({ icc: false, iptables: true, extra: { debug: true, 'data-root': '/srv/docker' } });
    const b = renderDaemonJson({ extra: { 'data-root': '/srv/docker', debug: true }, iptables: true, icc: false });
    expect(a).toBe(b);
  });

  test('keeps every pass-through key of the host', () => {
    const extra = {
      'log-driver': 'journald',
      'storage-driver': 'overlay2',
      'data-root': '/srv/docker',
      features: { buildkit: true },
      'registry-mirrors': ['https://mirror.example'],
      'default-ulimits': { nofile: { Name: 'nofile', Hard: 65536, Soft: 65536 } },
    };
    const d = new DaemonSettings(stack(), 'Daemon', { bip: '10.200.0.1/24', extra });
    expect(JSON.parse(d.render())).toEqual({ bip: '10.200.0.1/24', ...extra });
    expect(d.problems()).toEqual([]);
  });

  test('empty settings render an empty object', () => {
    expect(new DaemonSettings(stack(), 'Daemon').render()).toBe('{}\n');
  });

  test('a malformed value is reported at synth with the construct path and code, not thrown', () => {
    const s = stack();
    expect(() => new DaemonSettings(s, 'Daemon', { mtu: 70000 })).not.toThrow();
    expect(validateTree(s)).toEqual([expect.stringMatching(/^error DN500 \[lab-hosts\/Daemon\] daemon.json "mtu" is 70000, expected an integer from 68 to 65535/)]);
  });

  // Issue 11: one bad value (DN500) used to throw and hide the daemon's other rules.
  test.each([
    ['valid values: only the cross-key rule', { mtu: 1400, bridge: 'br0', bip: '10.200.0.1/24' }, ['DN504']],
    ['a malformed value next to a cross-key rule: both', { mtu: 1, dns: ['x'], bridge: 'br0', bip: '10.200.0.1/24' }, ['DN500', 'DN500', 'DN504']],
  ])('%s', (_name, props, codes) => {
    const d = new DaemonSettings(stack(), 'Daemon', props);
    expect(d.problems().map((p) => p.code).sort()).toEqual(codes);
  });

  test('cross-key rules surface together at synth', () => {
    const s = stack();
    new DaemonSettings(s, 'Daemon', { bridge: 'br0', bip: '10.200.0.1/24', icc: false, iptables: false });
    const errors = validateTree(s);
    expect(errors).toEqual([
      expect.stringMatching(/^error DN504 \[lab-hosts\/Daemon\] bridge "br0" and bip/),
      expect.stringMatching(/^error DN507 \[lab-hosts\/Daemon\] icc=false with iptables=false/),
    ]);
    expect(() => Testing.synth(s, true)).toThrow(/DN504[\s\S]*DN507/);
  });

  test('markSwarmMember makes live-restore an error at synth', () => {
    const s = stack();
    const d = new DaemonSettings(s, 'Daemon', { liveRestore: true });
    expect(validateTree(s)).toEqual([]);
    d.markSwarmMember();
    expect(validateTree(s)).toEqual([expect.stringMatching(/DN509 .*live-restore=true on a swarm member/)]);
  });

  test('unitPassesHosts: false allows hosts', () => {
    const s = stack();
    new DaemonSettings(s, 'Daemon', { hosts: ['unix:///run/docker.sock'], unitPassesHosts: false });
    expect(validateTree(s)).toEqual([]);
  });

  test('warnings do not fail validation', () => {
    const s = stack();
    const d = new DaemonSettings(s, 'Daemon', { iptables: false, ipMasq: true });
    expect(validateTree(s)).toEqual([]);
    expect(d.problems().map((p) => p.code)).toEqual(['DN512']);
  });

  test('addressRanges lists bip subnet, fixed-cidr(s) and pools in network form', () => {
    const d = new DaemonSettings(stack(), 'Daemon', {
      bip: '10.200.0.1/24',
      fixedCidr: '10.200.0.128/25',
      ipv6: true,
      fixedCidrV6: '2001:db8:1::/64',
      defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }],
    });
    expect(d.addressRanges()).toEqual([
      { kind: DaemonRangeKind.BRIDGE, key: 'bip', cidr: '10.200.0.0/24', construct: 'lab-hosts/Daemon' },
      { kind: DaemonRangeKind.FIXED_CIDR, key: 'fixed-cidr', cidr: '10.200.0.128/25', construct: 'lab-hosts/Daemon' },
      { kind: DaemonRangeKind.FIXED_CIDR, key: 'fixed-cidr-v6', cidr: '2001:db8:1::/64', construct: 'lab-hosts/Daemon' },
      { kind: DaemonRangeKind.ADDRESS_POOL, key: 'default-address-pools[0]', cidr: '10.201.0.0/16', construct: 'lab-hosts/Daemon' },
    ]);
  });

  test('sha256 changes with the content only', () => {
    const a = new DaemonSettings(stack(), 'A', { mtu: 1400, dns: ['1.1.1.1'] });
    const b = new DaemonSettings(stack(), 'B', { dns: ['1.1.1.1'], mtu: 1400 });
    const c = new DaemonSettings(stack(), 'C', { mtu: 1450, dns: ['1.1.1.1'] });
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).not.toBe(c.sha256);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
