import { Testing } from 'cdktf';
import { ParentInterface, Port, Subnet, SwarmRole } from '../../lib';
import { codes, failureOf, fleet, resourceNamed, synthJson } from '../fixtures';

const IMAGE = 'busybox:1.36';

describe('SwarmService', () => {
  test('synthesizes a docker_service on the manager: network by id, replicas explicit, ports through the routing mesh', () => {
    const { stack, h1 } = fleet();
    const ov = h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.60.0.0/24') });
    const back = h1.addOverlayNetwork('back', { subnet: Subnet.cidr('10.60.1.0/24'), attachable: false });
    h1.addService('api', {
      name: 'api-svc',
      image: IMAGE,
      command: ['sleep', '3600'],
      env: { ZONE: 'b', APP: 'x' },
      replicas: 3,
      networks: [{ network: ov, aliases: ['api'] }, { network: back }],
      ports: [Port.tcp(80, { hostPort: 8080 }), Port.udp(53)],
    });
    const json = synthJson(stack);
    const s = resourceNamed(json, 'docker_service', 'api-svc');
    expect(s.provider).toBe('docker.h1');
    expect(s.task_spec).toEqual({
      container_spec: {
        image: expect.stringMatching(/^\$\{docker_image\.h1_Image-busybox_136_[0-9A-F]+\.name\}$/),
        command: ['sleep', '3600'],
        env: { APP: 'x', ZONE: 'b' },
      },
      networks_advanced: [
        { name: expect.stringMatching(/^\$\{docker_network\.h1_ov_[0-9A-F]+\.id\}$/), aliases: ['api'] },
        { name: expect.stringMatching(/^\$\{docker_network\.h1_back_[0-9A-F]+\.id\}$/) },
      ],
    });
    expect(Object.keys(s.task_spec.container_spec.env)).toEqual(['APP', 'ZONE']);
    expect(s.mode).toEqual({ replicated: { replicas: 3 } });
    expect(s.endpoint_spec).toEqual({
      ports: [
        { target_port: 80, published_port: 8080, protocol: 'tcp', publish_mode: 'ingress' },
        { target_port: 53, protocol: 'udp', publish_mode: 'ingress' },
      ],
    });
    // The image is a docker_image of the manager, kept on destroy like the containers' images.
    expect(resourceNamed(json, 'docker_image', IMAGE)).toMatchObject({ provider: 'docker.h1', keep_locally: true });
  });

  test('defaults: name from the id, one replica written out, no endpoint_spec without ports', () => {
    const { stack, h1 } = fleet();
    const ov = h1.addOverlayNetwork('ov', {});
    const svc = h1.addService('worker', { image: IMAGE, networks: [{ network: ov }] });
    const s = resourceNamed(synthJson(stack), 'docker_service', 'worker');
    expect(svc.serviceName).toBe('worker');
    expect(s.mode).toEqual({ replicated: { replicas: 1 } });
    expect(s.endpoint_spec).toBeUndefined();
    expect(s.task_spec.container_spec.command).toBeUndefined();
    expect(s.task_spec.container_spec.env).toBeUndefined();
    expect(s.task_spec.networks_advanced[0].aliases).toBeUndefined();
  });

  test('replicas 0 is written, not dropped', () => {
    const { stack, h1 } = fleet();
    const ov = h1.addOverlayNetwork('ov', {});
    h1.addService('idle', { image: IMAGE, replicas: 0, networks: [{ network: ov }] });
    expect(resourceNamed(synthJson(stack), 'docker_service', 'idle').mode).toEqual({ replicated: { replicas: 0 } });
  });

  test('is in the model and the topology report', () => {
    const { stack, h1 } = fleet();
    const ov = h1.addOverlayNetwork('ov', { name: 'mesh' });
    h1.addService('svc', { image: IMAGE, replicas: 2, networks: [{ network: ov, aliases: ['a'] }], ports: [Port.tcp(80)] });
    expect(stack.toModel().services).toEqual([{
      path: 'test-network/h1/svc', name: 'svc', host: 'h1', image: IMAGE, replicas: 2,
      attachments: [{ network: 'test-network/h1/ov', aliases: ['a'] }],
      ports: [{ target: 80, published: undefined, protocol: 'tcp' }],
    }]);
    const report = stack.report();
    expect(report).toContain('1 service.');
    expect(report).toContain('| `svc` | `h1` | `busybox:1.36` | 2 | `mesh: VIP (aliases a)` | `random→80/tcp` |');
  });

  describe('refused at once, with the construct path', () => {
    const attempts: [string, (f: ReturnType<typeof fleet>) => void, RegExp][] = [
      ['a bridge network', ({ h1 }) => {
        const br = h1.addBridgeNetwork('br', {});
        // @ts-expect-error services join overlays only
        h1.addService('s', { image: IMAGE, networks: [{ network: br }] });
      }, /^\[test-network\/h1\/s\] is attached to bridge network "br" \(test-network\/h1\/br\), but swarm services join overlay networks only .* Attach it to an overlay: manager\.addOverlayNetwork\(\.\.\.\)\.$/],
      ['a macvlan network', ({ h1 }) => {
        const mv = h1.addMacvlanNetwork('mv', { parent: ParentInterface.of('eth0'), lan: 'lan' });
        // @ts-expect-error services join overlays only
        h1.addService('s', { image: IMAGE, networks: [{ network: mv }] });
      }, /^\[test-network\/h1\/s\] is attached to macvlan network "mv" \(test-network\/h1\/mv\), but swarm services join overlay networks only/],
      ['no network', ({ h1 }) => { h1.addService('s', { image: IMAGE, networks: [] }); },
        /^\[test-network\/h1\/s\] has no network\. A service needs at least one overlay/],
      ['networks missing (plain JS)', ({ h1 }) => { h1.addService('s', { image: IMAGE } as any); }, /has no network/],
      ['the same overlay twice', ({ h1 }) => {
        const ov = h1.addOverlayNetwork('ov', {});
        h1.addService('s', { image: IMAGE, networks: [{ network: ov }, { network: ov, aliases: ['x'] }] });
      }, /^\[test-network\/h1\/s\] is attached twice to overlay "ov"\. Attach once/],
      ['negative replicas', ({ h1 }) => {
        h1.addService('s', { image: IMAGE, replicas: -1, networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      }, /^\[test-network\/h1\/s\] replicas -1 is not a task count\. Expected an integer of 0 or more\.$/],
      ['fractional replicas', ({ h1 }) => {
        h1.addService('s', { image: IMAGE, replicas: 1.5, networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      }, /replicas 1\.5 is not a task count/],
      ['a name docker refuses', ({ h1 }) => {
        h1.addService('s', { name: 'api.v2', image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      }, /^\[test-network\/h1\/s\] service name "api\.v2" is not a valid swarm service name\. Expected a DNS name component/],
      ['a name longer than a DNS label', ({ h1 }) => {
        h1.addService('s', { name: 'a'.repeat(64), image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      }, /is not a valid swarm service name/],
      ['a port bound to a host address', ({ h1 }) => {
        h1.addService('s', { image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }], ports: [Port.tcp(80, { hostPort: 8080, hostIp: '127.0.0.1' })] });
      }, /^\[test-network\/h1\/s\] port 80\/tcp binds host address 127\.0\.0\.1, but the swarm routing mesh publishes on every address of every member\. Drop hostIp\.$/],
      ['one published port twice', ({ h1 }) => {
        h1.addService('s', { image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }], ports: [Port.tcp(80, { hostPort: 8080 }), Port.tcp(81, { hostPort: 8080 })] });
      }, /^\[test-network\/h1\/s\] publishes 8080\/tcp twice; swarm refuses duplicate published ports/],
      ['a bad image reference', ({ h1 }) => {
        h1.addService('s', { image: 'not an image', networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      }, /^\[test-network\/h1\/s\] image "not an image" is not an image reference/],
    ];
    test.each(attempts)('%s', (_name, attempt, message) => {
      expect(() => attempt(fleet())).toThrow(message);
    });

    test('the same published port over tcp and udp is fine', () => {
      const { h1 } = fleet();
      expect(() => h1.addService('s', { image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }], ports: [Port.tcp(53, { hostPort: 53 }), Port.udp(53, { hostPort: 53 })] })).not.toThrow();
    });
  });

  describe('the host must be a swarm manager (DN111, at synth, with the other problems)', () => {
    test('a service through a worker is reported together with an overlay created there', () => {
      const { stack, h1, h2 } = fleet();
      const ov = h1.addOverlayNetwork('ov', {});
      h2.addOverlayNetwork('ov2', {});
      h2.addService('svc', { image: IMAGE, networks: [{ network: ov }] });
      const problems = stack.problems();
      expect(problems.filter((p) => p.code === 'DN111')).toEqual([{
        code: 'DN111', severity: 'error', constructs: ['test-network/h2/svc', 'h2'],
        message: 'Service "svc" is created through host "h2", which is not a swarm manager (docker: "This node is not a swarm manager"). Create it with addService on a manager.',
      }]);
      expect(codes(stack)).toEqual(expect.arrayContaining(['DN107', 'DN111']));
      let err: Error | undefined;
      try {
        Testing.synth(stack, true);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(/error DN107 \[test-network\/h2\/ov2, h2\]/);
      expect(err?.message).toMatch(/error DN111 \[test-network\/h2\/svc, h2\] Service "svc" is created through host "h2", which is not a swarm manager/);
    });

    test('a host outside the swarm is refused too; a manager is not', () => {
      const { stack, h1 } = fleet();
      const solo = stack.addHost('solo', { connection: h1.connection, swarmRole: SwarmRole.NONE });
      solo.addService('svc', { image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov', {}) }] });
      h1.addService('ok', { image: IMAGE, networks: [{ network: h1.addOverlayNetwork('ov2', {}) }] });
      expect(stack.problems().filter((p) => p.code === 'DN111').map((p) => p.constructs[0])).toEqual(['test-network/solo/svc']);
    });
  });
});

describe('Service props of the wrong kind: a DocknetError, never a TypeError', () => {
  test('networks that are not a list, a network past the end of a list, a port that is not a Port', () => {
    const { h1 } = fleet();
    const ov = h1.addOverlayNetwork('ov', {});
    const attempt = (id: string, props: Record<string, unknown>) => failureOf(() => h1.addService(id, { image: IMAGE, networks: [{ network: ov }], ...props } as never));
    expect(attempt('a', { networks: { network: ov } })).toMatch(/^\[test-network\/h1\/a\] networks is the object .*\. Expected a list of overlay attachments/);
    expect(attempt('b', { networks: [{ network: [ov][1] }] })).toMatch(/^\[test-network\/h1\/b\] is attached to undefined, but swarm services join overlay networks only/);
    expect(attempt('d', { image: 'Nginx:1.27' })).toMatch(/^\[test-network\/h1\/d\] image "Nginx:1\.27" is not an image reference Docker accepts/);
    expect(attempt('c', { ports: [{ target: 80 }] })).toBe('[test-network/h1/c] ports[0] is the object {"target":80}, but a Port was expected. Publish with Port.tcp(80, { hostPort: 8080 }) or Port.udp(53).');
  });
});
