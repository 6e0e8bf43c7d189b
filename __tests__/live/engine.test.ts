/**
 * The transports of lib/live/engine.ts without a lab: ssh is a stand-in ssh binary that records its
 * arguments and pipes stdio to a local HTTP server (what `docker system dial-stdio` does on a real
 * host), unix is the same server on a socket.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { EndpointError, connectEngine, explainTls as explain } from '../../lib/live/engine';

let dir: string;
let server: http.Server;
let socket: string;
const seen: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-engine-'));
  socket = path.join(dir, 'docker.sock');
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.startsWith('/version')) return res.end(JSON.stringify({ Version: '20.10.24', ApiVersion: '1.41' }));
    if (req.url?.startsWith('/info')) return res.end(JSON.stringify({ Swarm: { LocalNodeState: 'inactive' } }));
    if (req.url?.startsWith('/networks')) return res.end(JSON.stringify([{ Name: 'bridge' }]));
    res.statusCode = 404;
    return res.end(JSON.stringify({ message: 'page not found' }));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  // The stand-in ssh: writes its argv, then relays stdin/stdout to the socket like dial-stdio.
  fs.writeFileSync(path.join(dir, 'ssh'), `#!${process.execPath}
const fs = require('fs'); const net = require('net');
fs.appendFileSync(${JSON.stringify(path.join(dir, 'argv'))}, JSON.stringify(process.argv.slice(2)) + '\\n');
if (process.argv.includes('10.10.0.66')) { process.stderr.write('Host key verification failed.\\n'); process.exit(255); }
const s = net.connect(${JSON.stringify(socket)});
process.stdin.pipe(s); s.pipe(process.stdout);
s.on('close', () => process.exit(0));
`, { mode: 0o755 });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('connectEngine', () => {
  test('unix:// reads the socket', async () => {
    const e = connectEngine(`unix://${socket}`);
    expect(await e.version()).toMatchObject({ Version: '20.10.24' });
    expect(await e.networks()).toEqual([{ Name: 'bridge' }]);
    e.close();
  });

  test('ssh:// runs ssh with the provider\'s ssh_opts, batch mode, user, port and `docker system dial-stdio`, over one session', async () => {
    fs.rmSync(path.join(dir, 'argv'), { force: true });
    const e = connectEngine('ssh://ops@10.10.0.11:2222', { sshOpts: ['-o', 'UserKnownHostsFile=/etc/docknet/known_hosts'], sshCommand: path.join(dir, 'ssh') });
    expect(await e.version()).toMatchObject({ ApiVersion: '1.41' });
    expect(await e.info()).toMatchObject({ Swarm: { LocalNodeState: 'inactive' } });
    e.close();
    const runs = fs.readFileSync(path.join(dir, 'argv'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(runs).toEqual([[
      // docknet's key-independent host-key options first: no later option or config file weakens them.
      '-o', 'StrictHostKeyChecking=yes', '-o', 'VerifyHostKeyDNS=no', '-o', 'NoHostAuthenticationForLocalhost=no',
      '-o', 'UserKnownHostsFile=/etc/docknet/known_hosts', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-T',
      '-p', '2222', '-l', 'ops', '--', '10.10.0.11', 'docker', 'system', 'dial-stdio',
    ]]);
  });

  test('an ssh failure (e.g. a host key that does not match) rejects with ssh\'s own message', async () => {
    // (The stand-in fails for this address, as ssh does when known_hosts holds another key.)
    const e = connectEngine('ssh://ops@10.10.0.66', { sshCommand: path.join(dir, 'ssh') });
    await expect(e.version()).rejects.toThrow(/ssh to 10\.10\.0\.66 exited with 255: Host key verification failed\./);
    e.close();
  });

  test('a TLS endpoint without material is refused instead of connecting unverified', () => {
    expect(() => connectEngine('tcp://10.0.0.5:2376')).toThrow(EndpointError);
    expect(() => connectEngine('tcp://10.0.0.5:2376')).toThrow(/no TLS material .* --cert-path <host>=<dir>/);
    expect(() => connectEngine('tcp://10.0.0.5:2376', { tls: { certPath: path.join(dir, 'nope') } })).toThrow(/ca\.pem does not exist/);
  });

  test("the operator's DOCKER_HOST / DOCKER_CERT_PATH never redirect a read (docker-modem would take them as defaults)", async () => {
    const saved = { h: process.env.DOCKER_HOST, c: process.env.DOCKER_CERT_PATH, v: process.env.DOCKER_TLS_VERIFY };
    Object.assign(process.env, { DOCKER_HOST: 'tcp://127.0.0.1:9', DOCKER_CERT_PATH: path.join(dir, 'nope'), DOCKER_TLS_VERIFY: '1' });
    try {
      const e = connectEngine(`unix://${socket}`);
      expect(await e.version()).toMatchObject({ Version: '20.10.24' });
      e.close();
    } finally {
      for (const [k, v] of [['DOCKER_HOST', saved.h], ['DOCKER_CERT_PATH', saved.c], ['DOCKER_TLS_VERIFY', saved.v]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('TLS failures say which side refused what, and the fix (the lab e2e verify-tls makes each for real)', () => {
    const ep = 'tcp://10.0.0.5:2376';
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    const explainTls = (e: Error, endpoint: string, source: string) => explain(e, endpoint, source) as Error;
    expect(explainTls(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), ep, '/etc/dk/ca.pem').message)
      .toBe(`${ep}: the daemon's certificate is not signed by the CA in /etc/dk/ca.pem (unable to verify the first certificate): the host is untrusted and nothing was read. Give the CA that issued the daemon's certificate.`);
    expect(explainTls(err('ERR_TLS_CERT_ALTNAME_INVALID', "IP: 10.0.0.5 is not in the cert's list: 10.0.0.6"), ep, 'x').message).toMatch(/does not name this address .* subjectAltName/);
    expect(explainTls(err('CERT_HAS_EXPIRED', 'certificate has expired'), ep, 'x').message).toMatch(/not valid now .* Renew it/);
    expect(explainTls(err('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'), ep, '/etc/dk/ca.pem').message).toMatch(/the daemon refused the client certificate in \/etc\/dk\/ca\.pem/);
    expect(explainTls(err('ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'key values mismatch'), ep, 'x').message).toMatch(/cannot be used .* key\.pem that belongs to cert\.pem/);
    // Anything else passes through unchanged (a refused or timed-out connection says so itself).
    const refused = err('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:2376');
    expect(explainTls(refused, ep, 'x')).toBe(refused);
  });

  test('bad endpoints say what was expected', () => {
    expect(() => connectEngine('10.0.0.5')).toThrow(/not an endpoint URL\. Expected ssh:\/\/user@host/);
    expect(() => connectEngine('ftp://x')).toThrow(/unsupported scheme "ftp"/);
  });
});
