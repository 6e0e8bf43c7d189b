import { Capability, HealthCheck, HostConnection, LogDriver, NetworkMode, RestartPolicy, Volume, durationNanos, goDuration } from '../../lib';
import { TEST_HOST_KEY, fleet, resourceNamed, synthJson } from '../fixtures';

const IMAGE = 'busybox:1.36';

function containerJson(props: Record<string, unknown>, name = 'app'): any {
  const { stack, h1 } = fleet();
  h1.addContainer(name, { image: IMAGE, ...props } as any);
  return resourceNamed(synthJson(stack), 'docker_container', name);
}

describe('restart policy', () => {
  test('defaults to unless-stopped, so containers come back after a daemon restart', () => {
    const c = containerJson({});
    expect(c.restart).toBe('unless-stopped');
    expect(c.max_retry_count).toBeUndefined();
  });

  test.each<[string, RestartPolicy, Record<string, unknown>]>([
    ['always', RestartPolicy.always(), { restart: 'always' }],
    ['no', RestartPolicy.no(), { restart: 'no' }],
    ['on-failure without a limit', RestartPolicy.onFailure(), { restart: 'on-failure' }],
    ['on-failure, 5 retries', RestartPolicy.onFailure(5), { restart: 'on-failure', max_retry_count: 5 }],
  ])('%s', (_n, policy, expected) => {
    const c = containerJson({ restartPolicy: policy });
    expect({ restart: c.restart, ...(c.max_retry_count !== undefined ? { max_retry_count: c.max_retry_count } : {}) }).toEqual(expected);
  });

  test('a bad retry count or a plain string is refused with the fix', () => {
    expect(() => RestartPolicy.onFailure(-1)).toThrow('[RestartPolicy.onFailure] maxRetries -1 is not a retry count. Expected a whole number >= 0 (0: retry without limit).');
    expect(() => containerJson({ restartPolicy: 'always' })).toThrow(/\[test-network\/h1\/app\] restartPolicy "always" is not a RestartPolicy. Use RestartPolicy.unlessStopped\(\)/);
  });
});

describe('health check', () => {
  test('exec form, all options, rendered as the healthcheck block', () => {
    const c = containerJson({ healthCheck: HealthCheck.command(['wget', '-q', '-O-', 'http://localhost/'], { interval: '10s', timeout: '2s', retries: 5, startPeriod: '1m30s' }) });
    expect(c.healthcheck).toEqual({ test: ['CMD', 'wget', '-q', '-O-', 'http://localhost/'], interval: '10s', timeout: '2s', retries: 5, start_period: '1m30s' });
  });

  test('durations are written as Go prints them, the form provider 3.6.2 reads back (else "1m" -> "1m0s" updates every plan)', () => {
    const c = containerJson({ healthCheck: HealthCheck.shell('true', { interval: '1m', timeout: '90s', startPeriod: '0.5s' }) });
    expect(c.healthcheck).toEqual({ test: ['CMD-SHELL', 'true'], interval: '1m0s', timeout: '1m30s', start_period: '500ms' });
    expect(['0s', '7ns', '250us', '1.5s', '2h', '1h1m1.25s'].map((d) => goDuration(durationNanos(d)!))).toEqual(['0s', '7ns', '250µs', '1.5s', '2h0m0s', '1h1m1.25s']);
  });

  test('shell form and none; unset options are left to Docker', () => {
    expect(containerJson({ healthCheck: HealthCheck.shell('test -e /tmp/ok') }).healthcheck).toEqual({ test: ['CMD-SHELL', 'test -e /tmp/ok'] });
    expect(containerJson({ healthCheck: HealthCheck.none() }).healthcheck).toEqual({ test: ['NONE'] });
  });

  test.each<[string, () => unknown, RegExp]>([
    ['empty command', () => HealthCheck.command([]), /\[HealthCheck.command\] the command \[\] is not a command. Expected a non-empty list/],
    ['empty script', () => HealthCheck.shell(' '), /\[HealthCheck.shell\] the script " " is empty/],
    ['interval not a duration', () => HealthCheck.shell('true', { interval: '10' }), /\[HealthCheck.shell\] interval "10" is not a usable duration. Expected a positive duration of at least 1ms such as "10s"/],
    ['interval zero', () => HealthCheck.shell('true', { interval: '0s' }), /interval "0s" is not a usable duration/],
    ['timeout under 1ms', () => HealthCheck.shell('true', { timeout: '500us' }), /timeout "500us" is not a usable duration/],
    ['negative start period', () => HealthCheck.shell('true', { startPeriod: '-1s' }), /startPeriod "-1s" is not a usable duration.*\(or "0s"\)/],
    ['retries 0', () => HealthCheck.shell('true', { retries: 0 }), /retries 0 is not a retry count. Expected a whole number >= 1/],
  ])('%s is refused', (_n, make, message) => {
    expect(make).toThrow(message);
  });

  test.each<[string, number | undefined]>([
    ['0', 0], ['0s', 0], ['1.5s', 1.5e9], ['1m30s', 90e9], ['500ms', 5e8], ['2h', 7200e9], ['10', undefined], ['-1s', undefined], ['1d', undefined], ['', undefined],
  ])('durationNanos(%p) = %p (Go time.ParseDuration, not negative)', (text, ns) => {
    expect(durationNanos(text)).toBe(ns);
  });
});

describe('volumes, labels, capabilities, sysctls, extra hosts, logging', () => {
  test('rendered as the 3.6.2 schema expects, sorted so declaration order does not matter', () => {
    const c = containerJson({
      volumes: [Volume.bind('/srv/conf', '/etc/app', { readOnly: true }), Volume.named('appdata', '/data')],
      labels: { 'com.example.team': 'net', 'com.example.app': 'edge' },
      capabilities: { add: [Capability.NET_RAW, Capability.NET_ADMIN], drop: [Capability.MKNOD] },
      sysctls: { 'net.ipv4.ip_forward': 1, 'net.core.somaxconn': '1024' },
      extraHosts: { 'db.internal': '10.9.0.50', api: '10.9.0.5' },
      logDriver: LogDriver.jsonFile({ 'max-size': '10m', 'max-file': '3' }),
    });
    expect(c.volumes).toEqual([
      { host_path: '/srv/conf', container_path: '/etc/app', read_only: true },
      { volume_name: 'appdata', container_path: '/data', read_only: false },
    ]);
    expect(c.labels).toEqual([{ label: 'com.example.app', value: 'edge' }, { label: 'com.example.team', value: 'net' }]);
    expect(c.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['MKNOD'] });
    expect(c.sysctls).toEqual({ 'net.core.somaxconn': '1024', 'net.ipv4.ip_forward': '1' });
    expect(c.host).toEqual([{ host: 'api', ip: '10.9.0.5' }, { host: 'db.internal', ip: '10.9.0.50' }]);
    expect(c.log_driver).toBe('json-file');
    expect(c.log_opts).toEqual({ 'max-file': '3', 'max-size': '10m' });
  });

  test('none of them is written when not given (the daemon and image defaults apply)', () => {
    const c = containerJson({});
    for (const k of ['healthcheck', 'volumes', 'labels', 'capabilities', 'sysctls', 'host', 'log_driver', 'log_opts']) expect(c[k]).toBeUndefined();
  });

  test('the model carries the fields', () => {
    const { stack, h1 } = fleet();
    h1.addContainer('app', {
      image: IMAGE, restartPolicy: RestartPolicy.onFailure(2), healthCheck: HealthCheck.shell('true'), volumes: [Volume.named('v1', '/v')],
      labels: { b: '2', a: '1' }, capabilities: { add: [Capability.NET_ADMIN] }, sysctls: { 'net.ipv4.ip_forward': 1 },
      extraHosts: { db: '10.0.0.5' }, logDriver: LogDriver.none(),
    });
    expect(stack.toModel().containers[0]).toMatchObject({
      restartPolicy: 'on-failure', restartMaxRetries: 2, healthCheck: ['CMD-SHELL', 'true'],
      volumes: [{ kind: 'volume', source: 'v1', containerPath: '/v', readOnly: false }],
      labels: { a: '1', b: '2' }, capAdd: ['NET_ADMIN'], sysctls: { 'net.ipv4.ip_forward': '1' }, extraHosts: { db: '10.0.0.5' }, logDriver: 'none',
    });
  });

  test.each<[string, () => unknown, RegExp]>([
    ['relative bind source', () => Volume.bind('srv', '/x'), /\[Volume.bind\] host path "srv" is not an absolute path. Expected a path on the host such as "\/srv\/data"/],
    ['bind source with ":"', () => Volume.bind('/a:b', '/x'), /host path "\/a:b" is not an absolute path/],
    ['bad volume name', () => Volume.named('-x', '/x'), /\[Volume.named\] volume name "-x" is not a Docker volume name/],
    ['container path "/"', () => Volume.named('v1', '/'), /\[Volume.named\] container path "\/" is not a mount point/],
    ['bad log driver', () => LogDriver.custom('bad driver'), /\[LogDriver.custom\] driver "bad driver" is not a log driver name/],
    ['log option not a string', () => LogDriver.jsonFile({ 'max-file': 3 as any }), /\[LogDriver\(json-file\)\] option "max-file"=3 is not a log option/],
  ])('value class refuses %s', (_n, make, message) => {
    expect(make).toThrow(message);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['the same container path twice', { volumes: [Volume.named('a1', '/data'), Volume.bind('/srv', '/data/')] }, /volumes mount two sources at \/data\/; Docker refuses a duplicate mount point/],
    ['a label key with spaces', { labels: { 'my label': 'x' } }, /label key "my label" is not a label key/],
    ['an unknown capability', { capabilities: { add: ['CAP_NET_ADMIN'] } }, /capabilities.add has "CAP_NET_ADMIN", which is not a Linux capability. Use a Capability value such as Capability.NET_ADMIN \(no "CAP_" prefix\)/],
    ['a capability added and dropped', { capabilities: { add: [Capability.NET_RAW], drop: [Capability.NET_RAW] } }, /capability NET_RAW is both added and dropped/],
    ['a host-wide sysctl', { sysctls: { 'vm.swappiness': 10 } }, /sysctl "vm.swappiness" is not one Docker lets a container set. Expected a namespaced parameter: net.\*/],
    ['an empty sysctl value', { sysctls: { 'net.ipv4.ip_forward': '' } }, /sysctl "net.ipv4.ip_forward" has the value "". Expected a number or a non-empty string/],
    ['an extra host with a bad address', { extraHosts: { db: '10.0.0.300' } }, /\[test-network\/h1\/app\] extraHosts.db: /],
    ['an IPv6 extra host (provider 3.6.2 reads it back cut at the first ":", replacing the container on every plan)', { extraHosts: { api: 'fd00:20::5' } },
      /extraHosts.api is the IPv6 address fd00:20::5. Provider 3.6.2 reads extra hosts back split at every ":" \(this one as "fd00"\), so every plan would replace the container. Use an IPv4 address/],
    ['an extra host with a bad name', { extraHosts: { 'd b': '10.0.0.3' } }, /extraHosts has the host name "d b"/],
  ])('the container refuses %s, naming itself', (_n, props, message) => {
    expect(() => containerJson(props)).toThrow(message);
  });

  test('net.* sysctls in host mode and extra hosts in container mode are refused, as Docker would', () => {
    expect(() => containerJson({ networkMode: NetworkMode.host(), sysctls: { 'net.ipv4.ip_forward': 1 } })).toThrow(/sysctl "net.ipv4.ip_forward" would change the host's own network stack \(network mode host\); Docker refuses it/);
    expect(containerJson({ networkMode: NetworkMode.host(), sysctls: { 'kernel.shmmax': 1 } }).sysctls).toEqual({ 'kernel.shmmax': '1' });
    const { h1 } = fleet();
    const web = h1.addContainer('web', { image: IMAGE });
    expect(() => h1.addContainer('side', { image: IMAGE, networkMode: NetworkMode.container(web), extraHosts: { db: '10.0.0.5' } })).toThrow(/extraHosts cannot be set in container:<other> network mode/);
  });

  test('every bad value of one container is reported in one error', () => {
    expect(() => containerJson({ labels: { 'a b': 'x' }, sysctls: { 'vm.x': 1 } })).toThrow(/label key "a b".*sysctl "vm.x"/);
  });

  test('the L1 resource stays the escape hatch for fields docknet does not type', () => {
    const { stack, h1 } = fleet();
    const c = h1.addContainer('app', { image: IMAGE });
    c.resource.addOverride('shm_size', 256);
    expect(resourceNamed(synthJson(stack), 'docker_container', 'app').shm_size).toBe(256);
  });
});

describe("daemon.json's log-opts", () => {
  /** h3 declares log defaults in daemon.json; provider 3.6.2 reads what dockerd merged into each container back into log_opts. */
  function onLoggingHost(props: Record<string, unknown>, extra: Record<string, unknown> = { 'log-opts': { 'max-size': '10m', 'max-file': '3' } }): any {
    const { stack } = fleet();
    const h3 = stack.addHost('h3', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.13', hostKey: TEST_HOST_KEY }), daemon: { extra } });
    h3.addContainer('app', { image: IMAGE, ...props } as any);
    return resourceNamed(synthJson(stack), 'docker_container', 'app');
  }

  test('a container without log settings writes what dockerd gives it (else every plan would replace it)', () => {
    const c = onLoggingHost({});
    expect([c.log_driver, c.log_opts]).toEqual(['json-file', { 'max-file': '3', 'max-size': '10m' }]);
  });

  test("the daemon's log-driver counts; a container's own options of that driver win, as in dockerd", () => {
    const c = onLoggingHost({ logDriver: LogDriver.local({ 'max-size': '1m', compress: 'false' }) }, { 'log-driver': 'local', 'log-opts': { 'max-size': '20m', 'max-file': '5' } });
    expect([c.log_driver, c.log_opts]).toEqual(['local', { compress: 'false', 'max-file': '5', 'max-size': '1m' }]);
  });

  test('another driver than the daemon default gets nothing merged; a host without log-opts changes nothing', () => {
    expect(onLoggingHost({ logDriver: LogDriver.none() })).toMatchObject({ log_driver: 'none' });
    expect(onLoggingHost({ logDriver: LogDriver.none() }).log_opts).toBeUndefined();
    const plain = containerJson({});
    expect([plain.log_driver, plain.log_opts]).toEqual([undefined, undefined]);
  });
});
