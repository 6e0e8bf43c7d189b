import { HostConnection, DOCKER_PROVIDER_VERSION } from '../../lib';
import { hostKeyOptions } from '../../lib/core/ssh/options';
import { fleet, synthJson } from '../fixtures';

describe('DockerHost', () => {
  test('one aliased docker provider per host, with its connection', () => {
    const { stack } = fleet();
    const json = synthJson(stack);
    const own = (ip: string) => hostKeyOptions(ip, 22, ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(json.provider.docker).toEqual([
      { alias: 'h1', host: 'ssh://ops@10.9.0.11', ssh_opts: own('10.9.0.11') },
      { alias: 'h2', host: 'ssh://ops@10.9.0.12', ssh_opts: own('10.9.0.12') },
    ]);
  });

  test('the provider version is pinned exactly, not "~> 3.0"', () => {
    const json = synthJson(fleet().stack);
    expect(json.terraform.required_providers.docker.version).toBe(DOCKER_PROVIDER_VERSION);
    expect(DOCKER_PROVIDER_VERSION).toBe('3.6.2');
  });

  test('every resource of a host uses that host provider; one image per host and reference, kept locally', () => {
    const { stack, h1, h2 } = fleet();
    h1.addContainer('aa', { image: 'busybox:1.36' });
    h1.addContainer('bb', { image: 'busybox:1.36' });
    h2.addContainer('cc', { image: 'busybox:1.36' });
    const json = synthJson(stack);
    const images = Object.values(json.resource.docker_image) as any[];
    expect(images).toHaveLength(2);
    expect(images.map((i) => [i.provider, i.name, i.keep_locally]).sort()).toEqual([
      ['docker.h1', 'busybox:1.36', true],
      ['docker.h2', 'busybox:1.36', true],
    ]);
    for (const [key, c] of Object.entries(json.resource.docker_container) as [string, any][]) {
      const host = c.name === 'cc' ? 'h2' : 'h1';
      expect(c.provider).toBe(`docker.${host}`);
      expect(c.image).toMatch(new RegExp(`^\\$\\{docker_image\\.${host}_Image-busybox_1`));
      expect(key).toContain(host);
    }
  });

  test('bad host props throw at once with the construct path', () => {
    const { stack } = fleet();
    expect(() => stack.addHost('h1', { connection: HostConnection.unix() })).toThrow(/^\[test-network\/h1\] a second host was added with the construct id "h1"/);
    expect(() => stack.addHost('9bad', { connection: HostConnection.unix() })).toThrow(/\[test-network\/9bad\] host name "9bad" cannot be a provider alias/);
    expect(() => stack.addHost('h3', { connection: HostConnection.unix(), interfaces: { eth0: { address: '10.0.0.300/24' } } })).toThrow(/\[test-network\/h3\] interfaces\.eth0\.address/);
    expect(() => stack.addHost('h4', { connection: HostConnection.unix(), interfaces: { eth0: { mtu: 100 } } })).toThrow(/interfaces\.eth0\.mtu 100/);
    expect(() => stack.addHost('h5', { connection: HostConnection.unix() }).image('bad image')).toThrow(/is not an image reference/);
  });
});
