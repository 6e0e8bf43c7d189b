import { DocknetError, HostConnection, keyFromFile } from '../../lib';

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
    // A host-key option is refused even when it asks for the strict check: docknet's own options set it.
    expect(() => HostConnection.ssh({ host: 'h', sshOpts: ['-o', 'StrictHostKeyChecking=yes'] })).toThrow(/sshOpts -o "StrictHostKeyChecking=yes" is refused/);
    expect(() => HostConnection.ssh({ host: 'h', sshOpts: '-i /k' as never })).toThrow(/sshOpts for h is "-i \/k", expected a list of strings/);
    expect(() => HostConnection.ssh({ host: 'h' }).providerArgs('x')).toThrow(/\[x\] no host key is declared for h/);
    expect(() => HostConnection.ssh({ host: 'h', port: 70000 })).toThrow(/port 70000 is not a TCP port/);
    expect(() => HostConnection.ssh({ host: 'a b' })).toThrow(/is not a host name/);
    expect(() => HostConnection.unix('var/run/docker.sock')).toThrow(/not absolute/);
  });
});

describe('ssh host keys, timeouts and secrets', () => {
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbwUrTHt+FixjdWnPEIMGeVSUeY/EV9tinbx8jJ+tw8';

  test('declared host keys make the provider trust exactly them', () => {
    const c = HostConnection.ssh({ host: '10.0.0.11', user: 'ops', port: 2222, hostKey: KEY, connectTimeout: '1m' });
    expect(c.providerArgs('h')).toEqual({
      sshOpts: [
        '-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', `KnownHostsCommand=/usr/bin/printf %%s\\n '[10.0.0.11]:2222 ${KEY}'`,
        '-o', 'VerifyHostKeyDNS=no', '-o', 'NoHostAuthenticationForLocalhost=no',
        '-o', 'ConnectTimeout=60',
      ],
    });
  });

  test.each([
    [{ host: 'h', hostKey: 'h ssh-ed25519 AAAA' }, /hostKey "h ssh-ed25519 AAAA" for h is not a public key/],
    [{ host: 'h', connectTimeout: '10 seconds' }, /connectTimeout "10 seconds" for h is not a duration/],
    [{ host: 'h', become: 'su' }, /become "su" for h is not a privilege mode/],
  ])('bad ssh option %#', (o, message) => {
    expect(() => HostConnection.ssh(o as never)).toThrow(message);
  });

  test('an inline TLS private key is refused: it would land in cdk.tf.json', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    expect(() => HostConnection.tls({ host: 'h', caMaterial: 'ca', certMaterial: 'cert', keyMaterial: pem })).toThrow(/inline private key.*keyFromFile/);
    const c = HostConnection.tls({ host: 'h', caMaterial: 'ca', certMaterial: 'cert', keyMaterial: keyFromFile('/run/secrets/key.pem') });
    expect(c.providerArgs('h')).toMatchObject({ keyMaterial: '${file("/run/secrets/key.pem")}' });
  });

  const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  test.each([
    ['certMaterial', { certMaterial: `${CERT}-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n` }],
    ['certMaterial', { certMaterial: `${CERT}-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n` }],
    ['caMaterial', { caMaterial: `${CERT}-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n` }],
    ['caMaterial', { caMaterial: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n' }],
    ['keyMaterial', { keyMaterial: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n' }],
    ['keyMaterial', { keyMaterial: '----- begin private  key -----\nMIIE\n' }],
  ])('a PEM private key in %s (any TLS field) is refused with DN601', (field, material) => {
    let caught: unknown;
    try {
      HostConnection.tls({ host: 'h', caMaterial: CERT, certMaterial: CERT, keyMaterial: keyFromFile('/k.pem'), ...material });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DocknetError);
    expect((caught as DocknetError).problems).toEqual([expect.objectContaining({ code: 'DN601', constructs: ['HostConnection.tls(h)'] })]);
    expect((caught as DocknetError).message).toMatch(new RegExp(`${field} for h holds an inline private key.*keyFromFile`));
  });

  test('every TLS field holding a key is reported, not only the first', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    expect(() => HostConnection.tls({ host: 'h', caMaterial: pem, certMaterial: pem, keyMaterial: pem })).toThrow(DocknetError);
    try {
      HostConnection.tls({ host: 'h', caMaterial: pem, certMaterial: pem, keyMaterial: pem });
    } catch (e) {
      expect((e as DocknetError).problems.map((p) => p.message.split(' ')[0])).toEqual(['caMaterial', 'certMaterial', 'keyMaterial']);
    }
  });

  test('certificates alone pass', () => {
    const c = HostConnection.tls({ host: 'h', caMaterial: CERT, certMaterial: CERT, keyMaterial: keyFromFile('/run/secrets/key.pem') });
    expect(c.providerArgs('h')).toMatchObject({ keyMaterial: '${file("/run/secrets/key.pem")}' });
  });
});
