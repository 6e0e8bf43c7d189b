import { HostConnection } from '../../lib';

describe('HostConnection', () => {
  test.each([
    ['ssh://ops@10.0.0.11', 'ssh://ops@10.0.0.11'],
    ['ssh://ops@10.0.0.11:2222', 'ssh://ops@10.0.0.11:2222'],
    ['ssh://docker-1.example.net', 'ssh://root@docker-1.example.net'],
    ['unix:///var/run/docker.sock', 'unix:///var/run/docker.sock'],
  ])('fromUrl(%s) -> %s', (url, expected) => {
    expect(HostConnection.fromUrl(url).url).toBe(expected);
  });

  test('plain tcp is refused with the reason and the fix', () => {
    expect(() => HostConnection.fromUrl('tcp://10.0.0.11:2375')).toThrow(/unauthenticated root shell.*HostConnection\.tls/);
  });

  test('tls needs certPath or all three PEM materials', () => {
    expect(HostConnection.tls({ host: 'h', certPath: '/etc/docker/certs' }).url).toBe('tcp://h:2376');
    expect(() => HostConnection.tls({ host: 'h', caMaterial: '', certMaterial: 'c', keyMaterial: 'k' })).toThrow(/got 2 of 3.*verification off/);
    expect(() => HostConnection.tls({ host: 'h', certPath: '/x', caMaterial: 'a' })).toThrow(/both certPath and PEM/);
  });

  test('ssh options and ports are checked', () => {
    expect(HostConnection.ssh({ host: 'h', sshOpts: ['-o', 'StrictHostKeyChecking=yes'] }).providerArgs('x')).toEqual({ sshOpts: ['-o', 'StrictHostKeyChecking=yes'] });
    expect(() => HostConnection.ssh({ host: 'h', port: 70000 })).toThrow(/port 70000 is not a TCP port/);
    expect(() => HostConnection.ssh({ host: 'a b' })).toThrow(/is not a host name/);
    expect(() => HostConnection.unix('var/run/docker.sock')).toThrow(/not absolute/);
  });
});
