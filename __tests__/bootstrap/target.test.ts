import { selfSshConnection, sshConnection } from '../../lib/bootstrap/target';

describe('ssh connection', () => {
  const target = { name: 'h1', ssh: { host: '10.0.0.1', user: 'ops' } };
  test('remote-exec scripts go to the upload directory when there is one (Terraform leaves them behind)', () => {
    expect(sshConnection({ ...target, uploadDir: '/srv/docknet' }).scriptPath).toBe('/srv/docknet/terraform_%RAND%.sh');
    expect(selfSshConnection({ ...target, uploadDir: '/srv/docknet' }, { host: 'h', user: 'u', port: 'p', key: 'k' }).scriptPath).toBe('/srv/docknet/terraform_%RAND%.sh');
    expect(sshConnection(target)).not.toHaveProperty('scriptPath');
  });
});
