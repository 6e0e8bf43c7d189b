import { DaemonConfig, DaemonHostFacts, DaemonRule, validateDaemonConfig } from '../../lib/daemon';
import { Severity } from '../../lib/core/validation/problem';

const PATH = 'hosts/h1/Daemon';
const codes = (c: DaemonConfig, f: DaemonHostFacts = {}) => validateDaemonConfig(c, f, PATH).map((p) => p.code);

interface Case {
  rule: DaemonRule;
  ok: DaemonConfig;
  bad: DaemonConfig;
  facts?: DaemonHostFacts;
  message: RegExp;
  severity?: Severity;
}

// One passing and one failing configuration per rule; the failing one must name the rule's code,
// the construct path and what to do.
const cases: Case[] = [
  { rule: DaemonRule.INVALID_VALUE, ok: { bip: '10.200.0.1/24' }, bad: { bip: '10.200.0.1/33' }, message: /"bip" is "10.200.0.1\/33", expected an IPv4 CIDR/ },
  { rule: DaemonRule.CREDENTIALS_IN_VALUE, ok: { extra: { 'registry-mirrors': ['https://mirror.example:5000'] } }, bad: { extra: { 'registry-mirrors': ['https://ci:s3cr3t@mirror.example:5000'] } }, message: /"registry-mirrors" in extra holds a URL with a password.*docker login/ },
  { rule: DaemonRule.CREDENTIALS_IN_VALUE, ok: { extra: { proxies: { 'http-proxy': 'http://proxy.example:3128' } } }, bad: { extra: { proxies: { 'http-proxy': 'http://u:p@proxy.example:3128' } } }, message: /"proxies" in extra holds a URL with a password/ },
  { rule: DaemonRule.UNKNOWN_KEY, ok: { extra: { 'log-driver': 'json-file' } }, bad: { extra: { 'log-drivr': 'json-file' } }, message: /"log-drivr" .*not a dockerd configuration option.*Did you mean "log-driver"/ },
  { rule: DaemonRule.NETWORKING_KEY_IN_EXTRA, ok: { mtu: 1400 }, bad: { extra: { mtu: 1400 } }, message: /"mtu" was given in extra; .*typed prop mtu/ },
  { rule: DaemonRule.REMOVED_KEY, ok: { extra: { 'data-root': '/var/lib/docker' } }, bad: { extra: { 'cluster-store': 'consul://10.0.0.5:8500' } }, message: /"cluster-store" .*removed in Docker 23; use swarm mode/ },
  { rule: DaemonRule.BRIDGE_WITH_BIP, ok: { bridge: 'br-lan' }, bad: { bridge: 'br-lan', bip: '10.200.0.1/24' }, message: /bridge "br-lan" and bip "10.200.0.1\/24" were both given/ },
  { rule: DaemonRule.FIXED_CIDR_OUTSIDE_BIP, ok: { bip: '10.200.0.1/24', fixedCidr: '10.200.0.128/25' }, bad: { bip: '10.200.0.1/24', fixedCidr: '10.201.0.0/25' }, message: /fixed-cidr "10.201.0.0\/25" is not inside the bip subnet 10.200.0.0\/24/ },
  { rule: DaemonRule.GATEWAY_OUTSIDE_SUBNET, ok: { bip: '10.200.0.1/24', defaultGateway: '10.200.0.254' }, bad: { bip: '10.200.0.1/24', defaultGateway: '10.9.0.1' }, message: /default-gateway "10.9.0.1" is outside the bridge subnet 10.200.0.0\/24/ },
  { rule: DaemonRule.ICC_WITHOUT_IPTABLES, ok: { icc: false }, bad: { icc: false, iptables: false }, message: /icc=false with iptables=false/ },
  { rule: DaemonRule.POOL_BASE_LONGER_THAN_SIZE, ok: { defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }] }, bad: { defaultAddressPools: [{ base: '10.201.0.0/24', size: 16 }] }, message: /base 10.201.0.0\/24 \(\/24\) longer than size \/16/ },
  { rule: DaemonRule.LIVE_RESTORE_ON_SWARM, ok: { liveRestore: true }, bad: { liveRestore: true }, facts: { swarmMember: true }, message: /live-restore=true on a swarm member/ },
  { rule: DaemonRule.HOSTS_WITH_UNIT_FLAG, ok: {}, bad: { hosts: ['unix:///var/run/docker.sock'] }, message: /unit already passes -H.*unitPassesHosts: false/ },
  { rule: DaemonRule.HOSTS_TCP_WITHOUT_TLS, ok: { hosts: ['tcp://0.0.0.0:2376'], extra: { tlsverify: true } }, bad: { hosts: ['tcp://0.0.0.0:2375'] }, facts: { unitPassesHosts: false }, message: /plain TCP without TLS/ },
  { rule: DaemonRule.IP_MASQ_WITHOUT_IPTABLES, ok: { iptables: false }, bad: { iptables: false, ipMasq: true }, message: /ip-masq=true with iptables=false/, severity: Severity.WARNING },
  { rule: DaemonRule.IPV6_SETTINGS_WITHOUT_IPV6, ok: { ipv6: true, fixedCidrV6: '2001:db8:1::/64' }, bad: { fixedCidrV6: '2001:db8:1::/64' }, message: /fixed-cidr-v6 given while ipv6 is unset/, severity: Severity.WARNING },
  { rule: DaemonRule.POOLS_OVERLAP, ok: { defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }, { base: '10.202.0.0/16', size: 24 }] }, bad: { defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }, { base: '10.201.128.0/17', size: 24 }] }, message: /\[0\] 10.201.0.0\/16 and \[1\] 10.201.128.0\/17 overlap/ },
  { rule: DaemonRule.POOL_OVERLAPS_BIP, ok: { bip: '10.200.0.1/24', defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }] }, bad: { bip: '10.201.5.1/24', defaultAddressPools: [{ base: '10.201.0.0/16', size: 24 }] }, message: /overlaps the bip subnet 10.201.5.0\/24/, severity: Severity.WARNING },
];

describe('daemon.json rules', () => {
  test.each(cases.map((c) => [c.rule, c] as const))('%s passes a good configuration', (rule, c) => {
    expect(codes(c.ok, rule === DaemonRule.LIVE_RESTORE_ON_SWARM ? {} : c.facts)).toEqual([]);
  });

  test.each(cases.map((c) => [c.rule, c] as const))('%s reports a bad configuration', (rule, c) => {
    const found = validateDaemonConfig(c.bad, c.facts ?? {}, PATH).filter((p) => p.code === rule);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(c.message);
    expect(found[0].constructs).toEqual([PATH]);
    expect(found[0].severity).toBe(c.severity ?? Severity.ERROR);
  });

  test('every rule code is covered by the table', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(Object.values(DaemonRule)));
  });

  test('a URL with a password is refused without repeating it', () => {
    const [p] = validateDaemonConfig({ extra: { 'registry-mirrors': ['https://ci:s3cr3t@mirror.example'] } }, {}, PATH);
    expect(p.code).toBe('DN516');
    expect(p.message).not.toContain('s3cr3t');
  });

  test('all problems are reported at once', () => {
    expect(
      codes({ bridge: 'br0', bip: '10.200.0.1/24', icc: false, iptables: false, extra: { 'cluster-advertise': 'eth0:2376', bogus: 1 } }),
    ).toEqual(expect.arrayContaining(['DN501', 'DN503', 'DN504', 'DN507']));
  });

  test('default-gateway-v6 must lie inside fixed-cidr-v6', () => {
    const p = validateDaemonConfig({ ipv6: true, fixedCidrV6: '2001:db8:1::/64', defaultGatewayV6: '2001:db8:2::1' }, {}, PATH);
    expect(p.map((x) => x.code)).toEqual(['DN506']);
    expect(p[0].message).toMatch(/outside fixed-cidr-v6 2001:db8:1::\/64/);
  });

  test.each([
    [{ bip: '10.200.0.0/24' }, /host address with prefix such as "10.200.0.1\/24"/],
    [{ bip: '10.200.0.1' }, /CIDR prefix is missing in "10.200.0.1". Did you mean "10.200.0.1\/32"/],
    [{ bip: '999.1.1.1/24' }, /not an IPv4 address/],
    [{ bip: '10/8' }, /not an IPv4 address/],
    [{ fixedCidr: '010.0.0.0/8' }, /"010.0.0.0" is not an IPv4 address/],
    [{ fixedCidrV6: '10.0.0.0/8' }, /is IPv4, expected an IPv6 address/],
    [{ fixedCidr: '10.0.0.0/08' }, /"10.0.0.0\/08" has prefix "\/08", expected \/0 to \/32/],
    [{ ipv6: true, defaultGatewayV6: 'fe80::1%eth0' }, /"fe80::1%eth0" is not an IPv6 address/],
    [{ dns: ['::ffff:010.1.2.3'] }, /"::ffff:010.1.2.3" is not an IP address/],
    [{ mtu: 40 }, /"mtu" is 40, expected an integer from 68 to 65535/],
    [{ mtu: 1400.5 }, /expected an integer/],
    [{ dns: ['dns.google'] }, /hostnames are not accepted/],
    [{ dnsSearch: ['bad domain'] }, /domain name/],
    [{ dnsOpts: ['ndots: 2'] }, /without spaces/],
    [{ hosts: ['ssh://h1'] }, /socket address such as "unix:\/\/\/var\/run\/docker.sock"/],
    [{ bridge: 'a-very-long-bridge-name' }, /1-15 letters/],
    [{ defaultAddressPools: [{ base: '10.0.0.0', size: 24 }] }, /CIDR prefix is missing/],
    [{ defaultAddressPools: [{ base: '10.0.0.0/8', size: 33 }] }, /prefix length from 1 to 32/],
    [{ ip: '0.0.0.0.0' }, /not an IP address/],
    [{ icc: 'no' as unknown as boolean }, /"icc" is "no", expected true or false/],
    [{ defaultNetworkOpts: { bridge: { 'com.docker.network.driver.mtu': 1400 as unknown as string } } }, /map of driver name to a map of string options/],
    [{ extra: { 'log-opts': { f: () => 1 } } }, /expected a JSON value/],
  ] as [DaemonConfig, RegExp][])('DN500 for %j', (config, message) => {
    const p = validateDaemonConfig(config, {}, PATH);
    expect(p.map((x) => x.code)).toContain('DN500');
    expect(p.find((x) => x.code === 'DN500')!.message).toMatch(message);
  });

  test('IPv6 addresses and DNS servers parse', () => {
    expect(codes({ ipv6: true, fixedCidrV6: '2001:db8:1::/64', defaultGatewayV6: '2001:db8:1::1', dns: ['2001:4860:4860::8888', '198.18.0.254'] })).toEqual([]);
  });
});
