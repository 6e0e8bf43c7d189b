// The settings gate's mapping (daemon.json key -> what dockerd reports). Expected forms were recorded
// from Docker 20.10.24 on the lab (`docker info` / `docker network inspect bridge` after a restart
// with each key set); the e2e rollout test proves them against a real dockerd.
import { BRIDGE_OPTIONS, READBACK_RULES, readbackChecks, renderReadback } from '../../lib/core/daemon/daemon-readback';
import { NETWORKING_KEYS, PASS_THROUGH_KEYS } from '../../lib/core/daemon/daemon-keys';

const byKey = (file: Record<string, unknown>) => Object.fromEntries(readbackChecks(file).checks.map((c) => [c.key, c]));

describe('daemon.json read-back mapping', () => {
  test('every mapped key is a key dockerd accepts', () => {
    for (const k of Object.keys(READBACK_RULES)) expect(NETWORKING_KEYS.has(k) || PASS_THROUGH_KEYS.has(k)).toBe(true);
  });

  test('declared values in the form dockerd 20.10 reports them', () => {
    const c = byKey({
      bip: '10.230.0.1/24',
      'fixed-cidr': '10.230.0.128/25',
      mtu: 1400,
      icc: false,
      'ip-masq': false,
      ip: '127.0.0.1',
      ipv6: false,
      debug: true,
      'live-restore': true,
      labels: ['a=b', 'zone=x'],
      'registry-mirrors': ['https://mirror.example.com'],
      'insecure-registries': ['reg.example.com:5000', 'http://10.9.0.1/16'],
      'default-address-pools': [{ base: '10.231.0.0/16', size: 24 }],
      'log-driver': 'json-file',
    });
    // Values as seen on the lab for this very file.
    expect(c.bip).toMatchObject({ source: 'bridge', match: 'includes', expected: '10.230.0.1/24' });
    expect(c['fixed-cidr']).toMatchObject({ source: 'bridge', expected: '10.230.0.128/25' });
    expect(c.mtu).toMatchObject({ source: 'bridge', match: 'equal', dflt: '1500', expected: '1400', template: '{{index .Options "com.docker.network.driver.mtu"}}' });
    expect(c.icc.expected).toBe('false');
    expect(c['ip-masq'].template).toContain('com.docker.network.bridge.enable_ip_masquerade');
    expect(c.ip.expected).toBe('127.0.0.1');
    expect(c.debug).toMatchObject({ source: 'info', template: '{{.Debug}}', expected: 'true' });
    expect(c['live-restore'].template).toBe('{{.LiveRestoreEnabled}}');
    expect(c.labels).toMatchObject({ match: 'includes', expected: 'a=b zone=x' });
    // dockerd adds the trailing slash.
    expect(c['registry-mirrors'].expected).toBe('https://mirror.example.com/');
    // Scheme dropped, CIDR normalized to its network; dockerd adds 127.0.0.0/8 (hence includes).
    expect(c['insecure-registries']).toMatchObject({ match: 'includes', expected: 'reg.example.com:5000 10.9.0.0/16' });
    expect(c['default-address-pools']).toMatchObject({ match: 'equal', expected: '10.231.0.0/16:24' });
    expect(c['log-driver'].expected).toBe('json-file');
  });

  test('keys dockerd does not report, and values the gate cannot compare, stay on the start-time check', () => {
    const { checks, startTimeOnly } = readbackChecks({
      dns: ['10.0.0.53'],
      'dns-search': ['lab'],
      iptables: true,
      'userland-proxy': false,
      labels: ['owner=ops team'], // a blank inside a list item
      ip: '::', // not an IPv4 binding
    });
    expect(checks).toEqual([]);
    expect(startTimeOnly).toEqual(['dns', 'dns-search', 'ip', 'iptables', 'labels', 'userland-proxy']);
  });

  test('bridge "none": no default bridge to read, its keys are not compared', () => {
    const { checks, startTimeOnly } = readbackChecks({ bridge: 'none', mtu: 1400, debug: true });
    expect(checks.map((c) => c.key)).toEqual(['debug']);
    expect(startTimeOnly).toEqual(['bridge', 'mtu']);
  });

  test('rendered list: one tab-separated line per key, no tab or newline inside a field', () => {
    const text = renderReadback(readbackChecks({ mtu: 1450, bip: '10.213.1.1/24', dns: ['10.0.0.53'] }).checks);
    expect(text).toBe(
      'bip\tbridge\tincludes\t-\t{{range .IPAM.Config}}{{.Gateway}}/{{index (split .Subnet "/") 1}} {{end}}\t10.213.1.1/24\n' +
        'mtu\tbridge\tequal\t1500\t{{index .Options "com.docker.network.driver.mtu"}}\t1450\n',
    );
    for (const rule of Object.values(READBACK_RULES)) expect(rule.template).not.toMatch(/[\t\n]/);
    expect(renderReadback([])).toBe('');
  });

  test('verify and the gate read the same bridge options', () => {
    expect(BRIDGE_OPTIONS.mtu.option).toBe('com.docker.network.driver.mtu');
    for (const [key, o] of Object.entries(BRIDGE_OPTIONS)) expect(READBACK_RULES[key].template).toBe(`{{index .Options "${o.option}"}}`);
  });
});
