// The refresh + second plan emulation (lab/replay/refresh.ts), on inspect output recorded from the lab
// (__tests__/live/fixtures/lab: the verify e2e's stack and each host's Engine API snapshot) and on
// hand-made variations of it. The expectations are written from the provider's and the SDK's source.
import * as fs from 'fs';
import * as path from 'path';
import { goDurationString, planResource, readContainer, readNetwork, readService, refreshedState, describeChanges, applyIgnoreChanges } from '../../lab/replay';

const FIX = path.join(__dirname, '..', 'live', 'fixtures', 'lab');
const tf = JSON.parse(fs.readFileSync(path.join(FIX, 'stacks', 'vf-network', 'cdk.tf.json'), 'utf8'));
const snap = (h: string) => JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${h}.json`), 'utf8'));
const snaps: Record<string, any> = { h1: snap('h1'), h2: snap('h2') };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** The recorded stack's resources with their references resolved against the recorded hosts. */
function recorded(): { address: string; type: string; config: Record<string, any>; inspect: any }[] {
  const hostOf = (c: any) => String(c.provider).replace('docker.', '');
  const find = (type: string, name: string): any => {
    const c = tf.resource[type][name];
    const s = snaps[hostOf(c)];
    return type === 'docker_network' ? s.networks.find((n: any) => n.Name === c.name) : s.containers.find((x: any) => x.Name === `/${c.name}`);
  };
  const attr = (type: string, name: string, a: string): string => {
    if (type === 'docker_image') return snaps[hostOf(tf.resource.docker_image[name])].containers[0].Image;
    const i = find(type, name);
    return a === 'id' ? i.Id : i.Name.replace(/^\//, '');
  };
  const resolve = (v: unknown): unknown => typeof v === 'string'
    ? v.replace(/\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (_m, t, n, a) => attr(t, n, a))
    : Array.isArray(v) ? v.map(resolve) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)])) : v;
  const out = [];
  for (const type of ['docker_network', 'docker_container']) {
    for (const [name, raw] of Object.entries(tf.resource[type] as Record<string, any>)) {
      const { '//': _m, provider: _p, lifecycle: _l, depends_on: _d, ...config } = raw;
      out.push({ address: `${type}.${name}`, type, config: resolve(config) as Record<string, any>, inspect: find(type, name) });
    }
  }
  return out;
}

describe('refresh + plan on the recorded lab stack (provider 3.6.2 as emulated)', () => {
  test('every network and container plans no-op, except the overlay: swarm added its VXLAN id to options (ForceNew)', () => {
    const plans = recorded().map((r) => ({ ...r, plan: planResource(r.type, r.config, refreshedState(r.type, r.config, r.inspect)) }));
    expect(plans).toHaveLength(17); // 7 networks, 10 containers on h1 and h2
    const changed = plans.filter((p) => p.plan.action !== 'no-op');
    expect(changed.map((p) => [p.address, p.plan.action])).toEqual([['docker_network.h1_ov_F0AAF308', 'replace']]);
    expect(describeChanges(changed[0].plan)).toEqual([
      'options["com.docker.network.driver.overlay.vxlanid_list"]: "4097" -> (unset) (forces replacement)',
    ]);
  });

  test('ignore_changes on that one key (what docknet writes for overlays) makes the overlay no-op; Terraform keeps the key from state', () => {
    const ov = recorded().find((r) => r.address === 'docker_network.h1_ov_F0AAF308')!;
    const key = 'options["com.docker.network.driver.overlay.vxlanid_list"]';
    const state = refreshedState(ov.type, ov.config, ov.inspect);
    expect(applyIgnoreChanges(ov.config, state, [key]).options).toEqual({ 'com.docker.network.driver.mtu': '1500', 'com.docker.network.driver.overlay.vxlanid_list': '4097' });
    expect(planResource(ov.type, ov.config, state, [key]).action).toBe('no-op');
    // Composes with Network.adopt's keep: ['options'] (the whole map kept).
    expect(planResource(ov.type, ov.config, state, ['options', key]).action).toBe('no-op');
    // Still replaced when the code changes the MTU: only that key is ignored.
    const mtu = { ...ov.config, options: { 'com.docker.network.driver.mtu': '1400' } };
    expect(planResource(ov.type, mtu, state, [key])).toMatchObject({ action: 'replace', changes: [{ path: 'options["com.docker.network.driver.mtu"]', requiresNew: true }] });
  });

  test('what Read sets for a network: options of every scope, ipam_config without empty fields, labels as a set', () => {
    const n = snaps.h1.networks.find((x: any) => x.Name === 'vf-mv');
    expect(readNetwork(n)).toMatchObject({
      name: 'vf-mv', driver: 'macvlan', scope: 'local', ipam_driver: 'default', ipam_options: {},
      options: { macvlan_mode: 'bridge', parent: 'eth0' },
      ipam_config: [{ subnet: '198.18.0.0/24', ip_range: '198.18.0.64/27', gateway: '198.18.0.254' }],
      labels: [{ label: 'managed-by', value: 'docknet' }],
    });
  });

  test('a config change the provider cannot see is still no-op (networks_advanced is never read back)', () => {
    const db = recorded().find((r) => r.address === 'docker_container.h1_db_00D641C7')!;
    const moved = { ...db.config, networks_advanced: [{ name: 'elsewhere' }] };
    // The configuration changed, the state (from the apply) did not: a real config change IS a replace.
    const state = refreshedState(db.type, db.config, db.inspect);
    expect(planResource(db.type, moved, state).action).toBe('replace');
    expect(state.networks_advanced).toEqual(db.config.networks_advanced);
  });
});

describe('perpetual diffs found by reading the provider (variations of the recorded containers)', () => {
  const web = () => recorded().find((r) => r.address === 'docker_container.h1_web_5F6E93A4')!;
  const planOf = (config: Record<string, any>, inspect: any) => planResource('docker_container', config, refreshedState('docker_container', config, inspect));

  test('health check durations read back as Go writes them: "1m" is "1m0s" (update in place, every plan)', () => {
    const { config, inspect } = web();
    const i = clone(inspect);
    i.Config.Healthcheck = { Test: ['CMD', 'true'], Interval: 60e9, Timeout: 5e9 };
    const withHc = (interval: string) => ({ ...config, healthcheck: [{ test: ['CMD', 'true'], interval, timeout: '5s' }] });
    expect(planOf(withHc('1m'), i)).toMatchObject({ action: 'update', changes: [{ path: 'healthcheck[0].interval', before: '1m0s', after: '1m' }] });
    expect(planOf(withHc('1m0s'), i).action).toBe('no-op');
    expect(['0s', '10s', '1m0s', '1m30s', '1h0m0s', '500ms', '1.5s', '250µs', '7ns'].map((s, k) => [s, goDurationString([0, 10e9, 60e9, 90e9, 3600e9, 5e8, 1.5e9, 250e3, 7][k])]))
      .toEqual(['0s', '10s', '1m0s', '1m30s', '1h0m0s', '500ms', '1.5s', '250µs', '7ns'].map((s) => [s, s]));
  });

  test('an IPv6 extra host reads back cut at the first ":" (flattenExtraHosts): replaced every plan', () => {
    const { config, inspect } = web();
    const i = clone(inspect);
    i.HostConfig.ExtraHosts = ['db.internal:fd00:1::5', 'gw:10.0.0.1'];
    const c: Record<string, any> = { ...config, host: [{ host: 'db.internal', ip: 'fd00:1::5' }, { host: 'gw', ip: '10.0.0.1' }] };
    expect(readContainer(i, c.image).host).toEqual([{ host: 'db.internal', ip: 'fd00' }, { host: 'gw', ip: '10.0.0.1' }]);
    expect(planOf(c, i).action).toBe('replace');
  });

  test('a published port Docker also binds on "::" reads back as two ports: replaced every plan', () => {
    const { config, inspect } = web();
    const i = clone(inspect);
    i.NetworkSettings.Ports['80/tcp'].push({ HostIp: '::', HostPort: '8080' });
    expect(planOf(config, i)).toMatchObject({ action: 'replace', changes: expect.arrayContaining([{ attribute: 'ports', path: 'ports.#', before: 2, after: 1, requiresNew: true }]) });
    // The recorded single binding is no change, whatever the order of ports in the configuration.
    expect(planOf(config, inspect).action).toBe('no-op');
  });

  test('daemon-default log options land in the container and are read back into log_opts (ForceNew map)', () => {
    const { config, inspect } = web();
    const i = clone(inspect);
    i.HostConfig.LogConfig = { Type: 'json-file', Config: { 'max-size': '10m' } };
    expect(planOf(config, i)).toMatchObject({ action: 'replace', changes: [{ path: 'log_opts["max-size"]', before: '10m', after: undefined }] });
  });

  test('capabilities read back as Docker stores them; sysctls and restart compare as written', () => {
    const { config, inspect } = web();
    const i = clone(inspect);
    i.HostConfig.CapAdd = ['NET_ADMIN'];
    i.HostConfig.Sysctls = { 'net.ipv4.ip_forward': '1' };
    i.HostConfig.RestartPolicy = { Name: 'unless-stopped', MaximumRetryCount: 0 };
    const c = { ...config, capabilities: { add: ['NET_ADMIN'], drop: [] }, sysctls: { 'net.ipv4.ip_forward': '1' }, restart: 'unless-stopped' };
    expect(planOf(c, i).action).toBe('no-op');
    i.HostConfig.CapAdd = ['CAP_NET_ADMIN'];
    expect(planOf(c, i).action).toBe('replace');
    // restart has an Update: a changed policy is applied in place.
    expect(planOf({ ...c, capabilities: undefined, restart: 'always' }, { ...i, HostConfig: { ...i.HostConfig, CapAdd: null } }))
      .toMatchObject({ action: 'update', changes: [{ path: 'restart', before: 'unless-stopped', after: 'always', requiresNew: false }] });
  });

  test('Optional+Computed attributes the configuration leaves out take the state (hostname, entrypoint, init, log_driver)', () => {
    const { config, inspect } = web();
    expect(refreshedState('docker_container', config, inspect)).toMatchObject({ hostname: inspect.Config.Hostname, log_driver: 'json-file', init: false, remove_volumes: true });
    expect(planOf(config, inspect).action).toBe('no-op');
  });
});

describe('docker_service', () => {
  const config = {
    name: 's4-svc',
    task_spec: { container_spec: { image: 'docknet/busybox:lab', command: ['sleep', '3600'] }, networks_advanced: [{ name: 'ovid', aliases: ['svc'] }] },
    mode: { replicated: { replicas: 2 } },
  };
  const inspect = {
    ID: 'svcid',
    Spec: {
      Name: 's4-svc', Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: 'docknet/busybox:lab', Command: ['sleep', '3600'], StopGracePeriod: 0, DNSConfig: {}, Isolation: 'default' },
        Resources: {}, RestartPolicy: {}, Placement: {}, Networks: [{ Target: 'ovid', Aliases: ['svc'] }], ForceUpdate: 0, Runtime: 'container',
      },
      Mode: { Replicated: { Replicas: 2 } },
      EndpointSpec: { Mode: 'vip' },
    },
    Endpoint: { Spec: { Mode: 'vip' } },
  };
  const planOf = (c: any, i: any) => planResource('docker_service', c, refreshedState('docker_service', c, i));

  test('as created offline (the lab): no-op', () => {
    expect(readService(inspect)).toMatchObject({ mode: [{ replicated: [{ replicas: 2 }], global: false }], update_config: [] });
    expect(planOf(config, inspect).action).toBe('no-op');
  });

  test('created where the registry answered: the image reads back pinned to its digest, an update on every plan', () => {
    const i = clone(inspect);
    i.Spec.TaskTemplate.ContainerSpec.Image = 'docknet/busybox:lab@sha256:0123';
    expect(planOf(config, i)).toMatchObject({ action: 'update', changes: [{ path: 'task_spec[0].container_spec[0].image' }] });
    // An image given by digest is sent and read back unchanged.
    const pinned = clone(config);
    pinned.task_spec.container_spec.image = 'docknet/busybox:lab@sha256:0123';
    expect(planOf(pinned, i).action).toBe('no-op');
  });

  test('a replica count changed by hand is an update (mode is ForceNew only as a block count)', () => {
    const i = clone(inspect);
    i.Spec.Mode.Replicated.Replicas = 5;
    expect(planOf(config, i)).toMatchObject({ action: 'update', changes: [{ path: 'mode[0].replicated[0].replicas', before: 5, after: 2 }] });
  });
});
