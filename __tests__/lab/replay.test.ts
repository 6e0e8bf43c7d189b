// The replay must send what terraform-provider-docker v3.6.2 sends. The expectations below are written
// by hand from the provider's resource_docker_{network,container,service}_*.go, not produced by the replay.
import * as path from 'path';
import {
  DistributionInspectBody, EngineClient, Replay, TfJson, containerCreateBody, goDurationNanos, imageWithTag, loadSynth, networkCreateBody, plan,
  serviceCreateBody,
} from '../../lab/replay';

type Call = [string, ...unknown[]];

/** A dockerode-like fake that records every Engine API call and answers like an engine would. */
interface FakeOptions {
  failDisconnect?: string;
  images?: string[];
  /** What the registry answers; by default it cannot be reached, as in the lab. */
  distribution?: DistributionInspectBody;
  /** ServiceCreate fails with this engine message. */
  failServiceCreate?: string;
  /** ServiceInspect shows the endpoint spec from this call on (1-based). */
  endpointFromInspect?: number;
}

function fakeEngine(host: string, calls: Call[], opts: FakeOptions = {}): EngineClient {
  let n = 0;
  let inspects = 0;
  const rec = (op: string, ...args: unknown[]) => calls.push([`${host}:${op}`, ...args]);
  return {
    imageInspect: async (name) => {
      rec('ImageInspect', name);
      if (!(opts.images ?? ['docknet/busybox:lab']).includes(name)) {
        throw Object.assign(new Error('x'), { json: { message: `No such image: ${name}` } });
      }
      return { Id: 'sha256:b0b' };
    },
    networkCreate: async (body) => { rec('NetworkCreate', body); return { Id: `net-${host}-${++n}` }; },
    networkRemove: async (id) => { rec('NetworkRemove', id); },
    containerCreate: async (name, body) => { rec('ContainerCreate', name, body); return { Id: `ctr-${name}` }; },
    networkDisconnect: async (net, body) => {
      rec('NetworkDisconnect', net, body);
      if (opts.failDisconnect) throw Object.assign(new Error('x'), { json: { message: opts.failDisconnect } });
    },
    networkConnect: async (net, body) => { rec('NetworkConnect', net, body); },
    containerStart: async (id) => { rec('ContainerStart', id); },
    containerInspect: async (id) => { rec('ContainerInspect', id); return { State: { Running: true, Status: 'running' } }; },
    networkInspect: async (id) => { rec('NetworkInspect', id); return { Id: id }; },
    containerStop: async (id, t) => { rec('ContainerStop', id, t); },
    containerRemove: async (id, o) => { rec('ContainerRemove', id, o); },
    distributionInspect: async (name, auth) => {
      rec('DistributionInspect', name, auth);
      if (!opts.distribution) throw Object.assign(new Error('x'), { json: { message: `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host` } });
      return opts.distribution;
    },
    serviceCreate: async (body, auth) => {
      rec('ServiceCreate', body, auth);
      if (opts.failServiceCreate) throw Object.assign(new Error('x'), { json: { message: opts.failServiceCreate } });
      return { ID: `svc-${body.Name}` };
    },
    serviceInspect: async (id) => {
      rec('ServiceInspect', id);
      const ready = ++inspects >= (opts.endpointFromInspect ?? 1);
      return { ID: id, Spec: { EndpointSpec: {} }, Endpoint: ready ? { Spec: { Mode: 'vip' } } : {} };
    },
    serviceRemove: async (id) => { rec('ServiceRemove', id); },
  };
}

const fixture = (): TfJson => loadSynth(path.join(__dirname, 'fixtures', 'two-hosts.cdk.tf.json'));

// HostConfig fields resourceDockerContainerCreate always sets (d.Get on defaults).
const hostConfigDefaults = {
  Privileged: false,
  PublishAllPorts: false,
  RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  Mounts: [],
  AutoRemove: false,
  ReadonlyRootfs: false,
  LogConfig: { Type: '' },
  Init: false,
};

describe('replay of a two-host stack', () => {
  test('makes the provider calls, in dependency order, with the exact request bodies', async () => {
    const calls: Call[] = [];
    const r = new Replay(fixture(), {
      h1: fakeEngine('h1', calls),
      h2: fakeEngine('h2', calls, { failDisconnect: 'container ctr-mv-c is not connected to the network bridge' }),
    });
    await r.apply();

    expect(r.skipped).toEqual(['terraform_data.daemon_h1']);
    expect(calls).toEqual([
      ['h1:ImageInspect', 'docknet/busybox:lab'],
      ['h2:NetworkCreate', {
        Name: 'mv', Driver: 'macvlan', Internal: false, Attachable: false, Ingress: false,
        Options: { parent: 'eth0', macvlan_mode: 'bridge' },
        IPAM: { Driver: 'default', Config: [{ Subnet: '198.18.0.0/24', Gateway: '198.18.0.254', IPRange: '198.18.0.160/27' }] },
      }],
      ['h1:NetworkCreate', {
        Name: 'lan', Driver: 'bridge', Internal: false, Attachable: true, Ingress: false,
        Options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.driver.mtu': '1400' },
        IPAM: {
          Driver: 'default',
          Config: [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.1', IPRange: '10.50.0.128/25', AuxiliaryAddresses: { dns: '10.50.0.2' } }],
        },
        Labels: { 'docknet.role': 'lan' },
      }],
      ['h1:ContainerCreate', 'web', {
        Image: 'docknet/busybox:lab', Hostname: 'web', Domainname: '', Tty: false, OpenStdin: false,
        Cmd: ['sleep', '3600'],
        ExposedPorts: { '80/tcp': {}, '53/udp': {} },
        HostConfig: {
          ...hostConfigDefaults,
          PortBindings: {
            '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
            '53/udp': [{ HostIp: '127.0.0.1', HostPort: '0' }],
          },
          Dns: ['10.50.0.2'], DnsOptions: ['ndots:1'], DnsSearch: ['lab.example'],
          NetworkMode: 'bridge',
        },
        NetworkingConfig: {},
      }],
      ['h1:NetworkDisconnect', 'bridge', { Container: 'ctr-web', Force: false }],
      ['h1:NetworkConnect', 'lan', { Container: 'ctr-web', EndpointConfig: { Aliases: ['www', 'web.lan'], IPAMConfig: { IPv4Address: '10.50.0.10' } } }],
      ['h1:ContainerStart', 'ctr-web'],
      ['h1:ContainerInspect', 'ctr-web'],
      ['h1:ContainerCreate', 'sidecar', {
        Image: 'sha256:b0b', Hostname: '', Domainname: '', Tty: false, OpenStdin: false,
        Cmd: ['sleep', '3600'],
        HostConfig: { ...hostConfigDefaults, NetworkMode: 'container:ctr-web' },
        NetworkingConfig: {},
      }],
      ['h1:ContainerStart', 'ctr-sidecar'],
      ['h1:ContainerInspect', 'ctr-sidecar'],
      ['h2:ContainerCreate', 'mv-c', {
        Image: 'docknet/busybox:lab', Hostname: '', Domainname: '', Tty: false, OpenStdin: false,
        Cmd: ['sleep', '3600'],
        HostConfig: { ...hostConfigDefaults, NetworkMode: 'bridge' },
        NetworkingConfig: {},
      }],
      // "not connected to the network bridge" is the one error the provider tolerates here.
      ['h2:NetworkDisconnect', 'bridge', { Container: 'ctr-mv-c', Force: false }],
      ['h2:NetworkConnect', 'net-h2-1', { Container: 'ctr-mv-c', EndpointConfig: { Aliases: [], IPAMConfig: { IPv4Address: '198.18.0.161' } } }],
      ['h2:ContainerStart', 'ctr-mv-c'],
      ['h2:ContainerInspect', 'ctr-mv-c'],
    ]);

    calls.length = 0;
    await r.destroy();
    expect(calls).toEqual([
      ['h2:ContainerStop', 'ctr-mv-c', 0],
      ['h2:ContainerRemove', 'ctr-mv-c', { force: true, v: true, link: false }],
      ['h1:ContainerStop', 'ctr-sidecar', 0],
      ['h1:ContainerRemove', 'ctr-sidecar', { force: true, v: true, link: false }],
      ['h1:ContainerStop', 'ctr-web', 0],
      ['h1:ContainerRemove', 'ctr-web', { force: true, v: true, link: false }],
      ['h1:NetworkRemove', 'net-h1-1'],
      ['h2:NetworkRemove', 'net-h2-1'],
    ]);
  });

  test('a network whose remove fails stays, as in Terraform\'s state: the next destroy tries it again, and only it', async () => {
    const calls: Call[] = [];
    const tf = fixture();
    const h1 = fakeEngine('h1', calls);
    let refusals = 1;
    const remove = h1.networkRemove;
    h1.networkRemove = async (id) => {
      if (refusals-- > 0) {
        calls.push(['h1:NetworkRemove', id]);
        throw Object.assign(new Error('x'), { json: { message: `rpc error: code = FailedPrecondition desc = network ${id} is in use by task abc` } });
      }
      return remove(id);
    };
    const r = new Replay(tf, { h1, h2: fakeEngine('h2', calls) });
    await r.apply();
    calls.length = 0;
    // Not "has active endpoints": the provider (3.6.2 and 4.5.0) fails at once, without its 30 s retry.
    await expect(r.destroy()).rejects.toThrow(/docker_network\.\S+: .*is in use by task abc/);
    expect(calls.filter((c) => c[0] === 'h1:NetworkRemove')).toHaveLength(1);
    expect(r.created.map((c) => c.type)).toEqual(['docker_network']);
    calls.length = 0;
    await r.destroy();
    expect(calls.map((c) => c[0] + ' ' + c[1])).toEqual(['h1:NetworkRemove net-h1-1']);
    expect(r.created).toEqual([]);
  });

  test('any other NetworkDisconnect error fails the apply, and destroy still removes the container', async () => {
    const calls: Call[] = [];
    const tf = fixture();
    const r = new Replay(tf, {
      h1: fakeEngine('h1', calls, { failDisconnect: 'container ctr-web is not connected to network bridge' }),
      h2: fakeEngine('h2', calls),
    });
    await expect(r.apply()).rejects.toThrow(/docker_container\.web: Unable to disconnect the default network/);
    calls.length = 0;
    await r.destroy();
    expect(calls.map((c) => c[0] + ' ' + c[1])).toEqual([
      'h1:ContainerStop ctr-web', 'h1:ContainerRemove ctr-web', 'h1:NetworkRemove net-h1-1', 'h2:NetworkRemove net-h2-1',
    ]);
  });

  test('a missing image fails clearly instead of pulling', async () => {
    const calls: Call[] = [];
    const r = new Replay(fixture(), { h1: fakeEngine('h1', calls, { images: [] }), h2: fakeEngine('h2', calls) });
    await expect(r.apply()).rejects.toThrow(/docker_image\.busybox_h1: image "docknet\/busybox:lab" is not on host h1 and cannot be pulled/);
  });

  test('a provider alias without a host is refused before anything is created on it', async () => {
    const calls: Call[] = [];
    const r = new Replay(fixture(), { h1: fakeEngine('h1', calls) });
    await expect(r.apply()).rejects.toThrow(/docker_network\.mv uses provider alias "h2": no host given/);
    expect(calls).toEqual([['h1:ImageInspect', 'docknet/busybox:lab']]);
  });
});

// A service as docknet writes it (task_spec, mode and endpoint_spec as single objects, like cdktf),
// with two overlays and three aliases so that schema.Set ordering shows.
const serviceStack = (): TfJson => ({
  provider: { docker: [{ alias: 'h1', host: 'unix:///h1.sock' }] },
  resource: {
    docker_image: { busybox_h1: { provider: 'docker.h1', name: 'docknet/busybox:lab', keep_locally: true } },
    docker_network: {
      ov: { provider: 'docker.h1', name: 's-ov', driver: 'overlay', attachable: true, ipam_driver: 'default' },
      back: { provider: 'docker.h1', name: 's-back', driver: 'overlay', ipam_driver: 'default' },
    },
    docker_service: {
      svc: {
        provider: 'docker.h1',
        name: 's4-svc',
        task_spec: {
          container_spec: { image: '${docker_image.busybox_h1.name}', command: ['sleep', '3600'], env: { B: '2', A: '1' } },
          networks_advanced: [
            { name: '${docker_network.ov.id}', aliases: ['svc', 'api', 'web'] },
            { name: '${docker_network.back.id}' },
          ],
        },
        mode: { replicated: { replicas: 2 } },
        endpoint_spec: {
          ports: [
            { target_port: 80, published_port: 8080, protocol: 'tcp', publish_mode: 'ingress' },
            { target_port: 53, protocol: 'udp', publish_mode: 'ingress' },
          ],
        },
      },
    },
  },
});

// createServiceSpec with every unset nested key at its zero value or schema default (see the replay).
const serviceTaskDefaults = { Resources: {}, RestartPolicy: {}, Placement: {}, ForceUpdate: 0 };
const containerSpecDefaults = { StopGracePeriod: 0, Healthcheck: {}, DNSConfig: {}, Isolation: 'default' };

describe('replay of a swarm service', () => {
  test('ServiceCreate with the spec createServiceSpec builds, after an offline digest lookup; destroy is ServiceRemove', async () => {
    const calls: Call[] = [];
    const r = new Replay(serviceStack(), { h1: fakeEngine('h1', calls, { endpointFromInspect: 2 }) });
    await r.apply();
    const overlay = (name: string, attachable: boolean) => ({
      Name: name, Driver: 'overlay', Internal: false, Attachable: attachable, Ingress: false, IPAM: { Driver: 'default' },
    });
    expect(calls).toEqual([
      ['h1:ImageInspect', 'docknet/busybox:lab'],
      ['h1:NetworkCreate', overlay('s-ov', true)],
      ['h1:NetworkCreate', overlay('s-back', false)],
      // QueryRegistry=true; the empty registry.AuthConfig "{}" in base64url is "e30=".
      ['h1:DistributionInspect', 'docknet/busybox:lab', 'e30='],
      ['h1:ServiceCreate', {
        Name: 's4-svc',
        Labels: null,
        TaskTemplate: {
          // The lookup failed: the tag is sent as is, without a digest.
          ContainerSpec: { Image: 'docknet/busybox:lab', Command: ['sleep', '3600'], Env: ['A=1', 'B=2'], ...containerSpecDefaults },
          ...serviceTaskDefaults,
          // schema.Set order: by hash code compared as a decimal string. The entries hash (crc32) to
          // 2793449442 ("aliases:{};driver_opts:{};name:net-h1-2;") and 3191878451 (s-ov's), the
          // aliases to "2902841359" (api) < "365508689" (web) < "69788041" (svc): not numeric order.
          Networks: [{ Target: 'net-h1-2' }, { Target: 'net-h1-1', Aliases: ['api', 'web', 'svc'] }],
        },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: {
          Ports: [
            { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
            { Protocol: 'udp', TargetPort: 53, PublishMode: 'ingress' },
          ],
        },
      }, 'e30='],
      // resourceDockerServiceRead waits until the endpoint spec is exposed.
      ['h1:ServiceInspect', 'svc-s4-svc'],
      ['h1:ServiceInspect', 'svc-s4-svc'],
    ]);
    expect(r.get('docker_service.svc').id).toBe('svc-s4-svc');
    expect(r.warnings).toEqual([expect.stringMatching(/^docker_service\.svc: image docknet\/busybox:lab could not be accessed on a registry to record its digest/)]);

    calls.length = 0;
    await r.destroy();
    expect(calls).toEqual([
      ['h1:ServiceRemove', 'svc-s4-svc'],
      ['h1:NetworkRemove', 'net-h1-2'],
      ['h1:NetworkRemove', 'net-h1-1'],
    ]);
  });

  test('a digest from the registry pins the image and sets the platforms (arm architecture cleared)', async () => {
    const calls: Call[] = [];
    const distribution = {
      Descriptor: { digest: 'sha256:0123' },
      Platforms: [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm', os: 'linux' }],
    };
    const r = new Replay(serviceStack(), { h1: fakeEngine('h1', calls, { distribution }) });
    await r.apply();
    const body = calls.find((c) => c[0] === 'h1:ServiceCreate')![1] as any;
    expect(body.TaskTemplate.ContainerSpec.Image).toBe('docknet/busybox:lab@sha256:0123');
    expect(body.TaskTemplate.Placement).toEqual({ Platforms: [{ Architecture: 'amd64', OS: 'linux' }, { OS: 'linux' }] });
    expect(r.warnings).toEqual([]);
  });

  test('an engine refusal fails the apply with its message and leaves nothing to remove', async () => {
    const calls: Call[] = [];
    const msg = 'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state.';
    const r = new Replay(serviceStack(), { h1: fakeEngine('h1', calls, { failServiceCreate: msg }) });
    await expect(r.apply()).rejects.toThrow(`docker_service.svc: ${msg}`);
    calls.length = 0;
    await r.destroy();
    expect(calls.map((c) => c[0])).toEqual(['h1:NetworkRemove', 'h1:NetworkRemove']);
  });

  test('ServiceCreate bodies: no mode gives Mode {}, replicas 0 is still sent, no endpoint_spec gives {}', () => {
    const base = { name: 's', task_spec: [{ container_spec: [{ image: 'busybox' }] }] };
    const b = serviceCreateBody(base);
    expect(b).toEqual({
      Name: 's', Labels: null,
      TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', ...containerSpecDefaults }, ...serviceTaskDefaults },
      Mode: {}, EndpointSpec: {},
    });
    expect(serviceCreateBody({ ...base, mode: [{ replicated: [{ replicas: 0 }] }] }).Mode).toEqual({ Replicated: { Replicas: 0 } });
    expect(serviceCreateBody({ ...base, mode: [{ replicated: [{}] }] }).Mode).toEqual({ Replicated: { Replicas: 1 } });
  });

  test.each([
    ['busybox', 'busybox:latest'],
    ['docker.io/library/nginx:1.27', 'nginx:1.27'],
    ['index.docker.io/team/app', 'team/app:latest'],
    ['registry.example.net:5000/team/app', 'registry.example.net:5000/team/app:latest'],
    ['localhost/app:1', 'localhost/app:1'],
    ['nginx@sha256:abc', 'nginx@sha256:abc'],
    ['Team/App', 'Team/App'],
  ])('client.ServiceCreate imageWithTagString: %s -> %s', (given, sent) => {
    expect(imageWithTag(given)).toBe(sent);
  });
});

describe('plan', () => {
  test('orders by references and depends_on', () => {
    expect(plan(fixture()).order.map((r) => r.address)).toEqual([
      'docker_image.busybox_h1', 'docker_network.mv', 'docker_network.lan',
      'docker_container.web', 'docker_container.sidecar', 'docker_container.mv_c',
    ]);
  });

  test('refuses attributes it does not replay, cycles and dangling references', () => {
    const base = (c: Record<string, unknown>): TfJson => ({ resource: { docker_container: c as any } });
    expect(() => plan(base({ a: { name: 'a', image: 'i', gpus: 'all' } }))).toThrow(/docker_container\.a: the replay does not support gpus/);
    expect(() => plan(base({
      a: { name: 'a', image: 'i', network_mode: 'container:${docker_container.b.id}' },
      b: { name: 'b', image: 'i', network_mode: 'container:${docker_container.a.id}' },
    }))).toThrow(/dependency cycle/);
    expect(() => plan(base({ a: { name: 'a', image: '${docker_image.x.name}' } }))).toThrow(/refers to docker_image\.x/);
    expect(() => plan({ resource: { docker_volume: { v: {} } } })).toThrow(/does not support docker_volume/);
  });

  test('docker_service: nested attributes docknet does not write are refused by their path', () => {
    const svc = (extra: (s: any) => void): TfJson => {
      const tf = serviceStack();
      extra(tf.resource!.docker_service.svc);
      return tf;
    };
    expect(plan(serviceStack()).order.map((r) => r.address)).toEqual([
      'docker_image.busybox_h1', 'docker_network.ov', 'docker_network.back', 'docker_service.svc',
    ]);
    expect(() => plan(svc((s) => { s.task_spec.container_spec.hostname = 'x'; }))).toThrow(/docker_service\.svc: the replay does not support task_spec\.container_spec\.hostname/);
    expect(() => plan(svc((s) => { s.task_spec.placement = [{ constraints: ['node.role==worker'] }]; }))).toThrow(/does not support task_spec\.placement/);
    expect(() => plan(svc((s) => { s.converge_config = { timeout: '1m' }; s.labels = []; }))).toThrow(/does not support converge_config, labels/);
    expect(() => plan(svc((s) => { s.endpoint_spec.mode = 'dnsrr'; }))).toThrow(/does not support endpoint_spec\.mode/);
    expect(() => plan(svc((s) => { s.task_spec.networks_advanced[0].driver_opts = ['a=b']; }))).toThrow(/does not support task_spec\.networks_advanced\.driver_opts/);
  });
});

describe('request bodies', () => {
  test.each([
    ['defaults: IPAM driver only, false booleans sent, EnableIPv6 left out', { name: 'n' },
      { Name: 'n', Internal: false, Attachable: false, Ingress: false, IPAM: { Driver: 'default' } }],
    ['internal ipv6 overlay with ipam options', {
      name: 'o', driver: 'overlay', internal: true, ipv6: true, ingress: false, ipam_driver: 'default', ipam_options: { a: 'b' },
      ipam_config: [{ subnet: 'fd42::/64', gateway: 'fd42::1', aux_address: {} }],
    }, {
      Name: 'o', Driver: 'overlay', Internal: true, Attachable: false, Ingress: false, EnableIPv6: true,
      IPAM: { Driver: 'default', Options: { a: 'b' }, Config: [{ Subnet: 'fd42::/64', Gateway: 'fd42::1' }] },
    }],
  ])('NetworkCreate: %s', (_t, config, body) => {
    expect(networkCreateBody(config)).toEqual(body);
  });

  test('ContainerCreate: empty command values are refused like the provider does', () => {
    expect(() => containerCreateBody({ name: 'x', image: 'i', command: ['sh', ''] })).toThrow(/values for command may not be empty/);
  });

  test('ContainerCreate: capabilities, sysctls, extra hosts, env, labels, restart', () => {
    const b = containerCreateBody({
      name: 'x', image: 'i', env: ['A=1'], labels: [{ label: 'k', value: 'v' }], restart: 'always',
      capabilities: [{ add: ['NET_ADMIN'], drop: [] }], sysctls: { 'net.ipv4.ip_forward': 1 },
      host: [{ host: 'db', ip: '10.0.0.5' }], network_mode: 'host',
    });
    expect(b.Env).toEqual(['A=1']);
    expect(b.Labels).toEqual({ k: 'v' });
    expect(b.HostConfig).toMatchObject({
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 }, CapAdd: ['NET_ADMIN'], CapDrop: [],
      Sysctls: { 'net.ipv4.ip_forward': '1' }, ExtraHosts: ['db:10.0.0.5'], NetworkMode: 'host',
    });
  });
});

describe('ContainerCreate: the fields beside networking, as provider 3.6.2 sends them', () => {
  // Set orders below are the plugin SDK's (hash codes compared as decimal strings), worked out by hand
  // with crc32 of each element's serialization, e.g. "host:db;ip:10.0.0.5;".
  test('restart policy: the schema default "no" when unset; on-failure carries max_retry_count', () => {
    expect(containerCreateBody({ name: 'x', image: 'i' }).HostConfig.RestartPolicy).toEqual({ Name: 'no', MaximumRetryCount: 0 });
    expect(containerCreateBody({ name: 'x', image: 'i', restart: 'unless-stopped' }).HostConfig.RestartPolicy).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
    expect(containerCreateBody({ name: 'x', image: 'i', restart: 'on-failure', max_retry_count: 4 }).HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 4 });
  });

  test('healthcheck: test as given, durations in nanoseconds, zero values left out (encoding/json omitempty)', () => {
    const b = containerCreateBody({
      name: 'x', image: 'i',
      healthcheck: { test: ['CMD-SHELL', 'test -e /tmp/ok'], interval: '1m30s', timeout: '500ms', start_period: '0s', retries: 3 },
    });
    expect(b.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 90_000_000_000, Timeout: 500_000_000, Retries: 3 });
    // cdktf may write the one-element block as a list.
    expect(containerCreateBody({ name: 'x', image: 'i', healthcheck: [{ test: ['NONE'] }] }).Healthcheck).toEqual({ Test: ['NONE'] });
    expect(containerCreateBody({ name: 'x', image: 'i' }).Healthcheck).toBeUndefined();
    expect(() => containerCreateBody({ name: 'x', image: 'i', healthcheck: { test: ['NONE'], interval: '10' } })).toThrow("'10' is not a valid duration");
  });

  test.each<[string, number]>([['0', 0], ['1.5s', 1_500_000_000], ['2h45m', 9_900_000_000_000], ['300us', 300_000], ['1µs', 1000]])('goDurationNanos(%p) = %p', (t, ns) => {
    expect(goDurationNanos(t)).toBe(ns);
  });

  test('volumes: binds "<source>:<path>:rw|ro" (volume_name before host_path), Config.Volumes, VolumesFrom, in set order', () => {
    const b = containerCreateBody({
      name: 'x', image: 'i',
      volumes: [
        { container_path: '/scratch' },
        { host_path: '/srv/conf', container_path: '/etc/app', read_only: true },
        { from_container: 'other' },
        { volume_name: 'appdata', container_path: '/data', read_only: false },
      ],
    });
    expect(b.HostConfig.Binds).toEqual(['appdata:/data:rw', '/srv/conf:/etc/app:ro']);
    expect(b.HostConfig.VolumesFrom).toEqual(['other']);
    expect(b.Volumes).toEqual({ '/data': {}, '/etc/app': {}, '/scratch': {} });
    expect(() => containerCreateBody({ name: 'x', image: 'i', volumes: [{ host_path: 'rel', container_path: '/d' }] })).toThrow("'rel' must be an absolute path");
    expect(() => containerCreateBody({ name: 'x', image: 'i', volumes: [{ read_only: true }] })).toThrow('Unable to parse volumes: volume entry without container path or source container');
    expect(() => containerCreateBody({ name: 'x', image: 'i', volumes: [{ from_container: 'o', container_path: '/d' }] })).toThrow('both a container and a path specified');
  });

  test('capabilities, extra hosts: set order; labels and sysctls: maps; log driver and options', () => {
    const b = containerCreateBody({
      name: 'x', image: 'i',
      capabilities: { add: ['NET_RAW', 'NET_ADMIN', 'SYS_TIME'], drop: ['MKNOD'] },
      host: [{ host: 'api', ip: '10.0.0.6' }, { host: 'db', ip: '10.0.0.5' }, { host: 'cache', ip: '10.0.0.7' }],
      labels: [{ label: 'b', value: '2' }, { label: 'a', value: '1' }],
      sysctls: { 'net.ipv4.ip_forward': '1', 'net.core.somaxconn': 1024 },
      log_driver: 'json-file', log_opts: { 'max-size': '10m', 'max-file': 3 },
    });
    expect(b.Labels).toEqual({ a: '1', b: '2' });
    expect(b.HostConfig).toMatchObject({
      CapAdd: ['SYS_TIME', 'NET_ADMIN', 'NET_RAW'],
      CapDrop: ['MKNOD'],
      ExtraHosts: ['db:10.0.0.5', 'cache:10.0.0.7', 'api:10.0.0.6'],
      Sysctls: { 'net.ipv4.ip_forward': '1', 'net.core.somaxconn': '1024' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
    // Unset: LogConfig.Type "" (the daemon's driver), no CapAdd/ExtraHosts/Sysctls/Binds at all.
    const d = containerCreateBody({ name: 'x', image: 'i' }).HostConfig;
    expect(d.LogConfig).toEqual({ Type: '' });
    for (const k of ['CapAdd', 'CapDrop', 'ExtraHosts', 'Sysctls', 'Binds', 'VolumesFrom']) expect(d[k]).toBeUndefined();
  });

  test('what docknet synthesizes for a container with every field replays to the expected body', () => {
    const { Capability, HealthCheck, LogDriver, RestartPolicy, Volume } = require('../../lib');
    const { stack, h1 } = require('../fixtures').fleet();
    h1.addContainer('full', {
      image: 'busybox:1.36', restartPolicy: RestartPolicy.onFailure(2),
      healthCheck: HealthCheck.command(['true'], { interval: '5s', retries: 2 }),
      volumes: [Volume.named('v1', '/v', { readOnly: true })], labels: { team: 'net' },
      capabilities: { add: [Capability.NET_ADMIN] }, sysctls: { 'net.ipv4.ip_forward': 1 },
      extraHosts: { db: '10.0.0.5' }, logDriver: LogDriver.local({ 'max-size': '1m' }),
    });
    const json = JSON.parse(require('cdktf').Testing.synth(stack, true));
    const config = Object.values(json.resource.docker_container as Record<string, any>)[0];
    const b = containerCreateBody(config);
    expect(b.Healthcheck).toEqual({ Test: ['CMD', 'true'], Interval: 5_000_000_000, Retries: 2 });
    expect(b.Labels).toEqual({ team: 'net' });
    expect(b.Volumes).toEqual({ '/v': {} });
    expect(b.HostConfig).toMatchObject({
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 }, Binds: ['v1:/v:ro'], CapAdd: ['NET_ADMIN'], CapDrop: [],
      Sysctls: { 'net.ipv4.ip_forward': '1' }, ExtraHosts: ['db:10.0.0.5'], LogConfig: { Type: 'local', Config: { 'max-size': '1m' } },
    });
  });
});
