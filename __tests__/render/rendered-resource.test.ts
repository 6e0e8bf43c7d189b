import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { Container as ContainerResource } from '@cdktf/provider-docker/lib/container';
import { Network as NetworkResource } from '@cdktf/provider-docker/lib/network';
import { Port, Subnet } from '../../lib';
import { fleet, synthJson } from '../fixtures';

const IMAGE = 'busybox:1.36';

/** A fleet with a bridge, an overlay, a container on both with a port, and a sidecar sharing it. */
function topology() {
  const f = fleet();
  const net = f.h1.addBridgeNetwork('app', { subnet: Subnet.cidr('172.77.0.0/24'), auxAddresses: { router: '172.77.0.254' }, labels: { team: 'web' }, mtu: 1400 });
  const ov = f.h1.addOverlayNetwork('mesh', { subnet: Subnet.cidr('10.70.0.0/24'), attachable: true });
  const web = f.h1.addContainer('web', {
    image: IMAGE,
    command: ['httpd', '-f'],
    env: { B: '2', A: '1' },
    networks: [{ network: net, ipv4Address: '172.77.0.10', aliases: ['www'] }, { network: ov }],
    ports: [Port.tcp(80, { hostPort: 8080 })],
  });
  return { ...f, net, ov, web };
}

describe('docknet-rendered docker resources', () => {
  test('the L1 escape hatch (resource) writes the same JSON as the rendered resource, under the same logical ID', () => {
    const a = topology();
    const plain = synthJson(a.stack);
    const b = topology();
    expect(b.web.resource).toBeInstanceOf(ContainerResource);
    expect(b.net.resource).toBeInstanceOf(NetworkResource);
    expect(b.ov.resource).toBe(b.ov.resource);
    expect(synthJson(b.stack)).toEqual(plain);
  });

  test('fields set on the escape hatch win over docknet\'s and land in the same resource', () => {
    const { stack, web, net } = topology();
    web.resource.shmSize = 256;
    web.resource.hostname = 'edge';
    net.resource.checkDuplicate = true;
    const json = synthJson(stack);
    const containers = Object.values(json.resource.docker_container) as any[];
    const w = containers.find((c) => c.name === 'web');
    expect(w).toMatchObject({ shm_size: 256, hostname: 'edge', must_run: true, network_mode: 'bridge' });
    expect(w.networks_advanced).toHaveLength(2);
    const n = (Object.values(json.resource.docker_network) as any[]).find((x) => x.name === 'app');
    expect(n).toMatchObject({ check_duplicate: true, driver: 'bridge', ipam_driver: 'default' });
    expect(Object.keys(json.resource.docker_container)).toHaveLength(1);
  });

  test('addOverride through node.defaultChild works without the binding', () => {
    const { stack, web } = topology();
    (web.node.defaultChild as ContainerResource).addOverride('stop_signal', 'SIGINT');
    const w = (Object.values(synthJson(stack).resource.docker_container) as any[])[0];
    expect(w.stop_signal).toBe('SIGINT');
  });

  test('nameRef and idRef are one reference per network, usable from another stack (cross-stack output)', () => {
    const { app, stack, net } = topology();
    expect(net.nameRef).toBe(net.nameRef);
    const other = new TerraformStack(app, 'consumer');
    new TerraformOutput(other, 'net', { value: net.idRef });
    app.synth();
    const consumer = JSON.parse(Testing.synth(other));
    expect(JSON.stringify(consumer.output.net.value)).toMatch(/cross-stack-output-docker_networkh1_app_.*id/);
    const producer = JSON.parse(Testing.synth(stack));
    expect(Object.values(producer.output).map((o: any) => o.value)).toContainEqual(expect.stringMatching(/^\$\{docker_network\.h1_app_[0-9A-F]+\.id\}$/));
  });
});
