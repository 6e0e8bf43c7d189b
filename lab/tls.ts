// TLS for lab hosts: throwaway certificates made with openssl at test time, and a host's dockerd
// also listening on tcp://<its lab address>:2376 with --tlsverify, the way `dockerd` is run behind a
// TLS socket on a real host. Nothing here is kept: the material lives in the folder the caller
// gives (a test's temp dir) and in the host's own folder (removed by `lab down`).
import * as fs from 'fs';
import * as path from 'path';
import { LabHost, run } from './lab';

export const LAB_TLS_PORT = 2376;

/** A certificate and its key, as PEM files. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** A client's folder in the docker CLI's layout (ca.pem, cert.pem, key.pem): the provider's cert_path. */
export interface ClientDir {
  readonly dir: string;
}

const openssl = (args: string[]) => run('/usr/bin/openssl', args, { timeoutMs: 30_000 });

/** A self-signed CA valid for a day (P-256: fast to make, accepted by Go and Node alike). */
export async function makeCa(dir: string, name: string): Promise<PemPair> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=docknet lab ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', key, '-out', cert]);
  return { cert, key };
}

/**
 * A leaf certificate signed by `ca`: a server certificate naming `ip` in subjectAltName (clients
 * check it against the address they dial), or a client certificate.
 */
export async function issue(ca: PemPair, dir: string, name: string, usage: { server: string } | 'client'): Promise<PemPair> {
  const cert = path.join(dir, `${name}-cert.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, usage === 'client'
    ? 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n'
    : `subjectAltName=IP:${usage.server}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr]);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`,
    '-days', '1', '-extfile', ext, '-out', cert]);
  fs.rmSync(csr);
  fs.rmSync(ext);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

/** Writes `dir` as a docker client folder: the CA to trust and the client's certificate and key. */
export function clientDir(dir: string, trust: string, client: PemPair | undefined): ClientDir {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(trust, path.join(dir, 'ca.pem'));
  if (client) {
    fs.copyFileSync(client.cert, path.join(dir, 'cert.pem'));
    fs.copyFileSync(client.key, path.join(dir, 'key.pem'));
    fs.chmodSync(path.join(dir, 'key.pem'), 0o600);
  }
  return { dir };
}

/**
 * Restarts `h`'s dockerd also listening on tcp://<address>:2376 with --tlsverify: only clients with
 * a certificate signed by `ca` get in. The server's material is copied into the host's folder.
 */
export async function enableTls(h: LabHost, ca: string, server: PemPair): Promise<string> {
  const hd = path.dirname(h.socket);
  const td = path.join(hd, 'tls');
  fs.mkdirSync(td, { recursive: true, mode: 0o700 });
  fs.copyFileSync(ca, path.join(td, 'ca.pem'));
  fs.copyFileSync(server.cert, path.join(td, 'server-cert.pem'));
  fs.copyFileSync(server.key, path.join(td, 'server-key.pem'));
  fs.chmodSync(path.join(td, 'server-key.pem'), 0o600);
  fs.writeFileSync(path.join(hd, 'dockerd.args'), [
    '-H', `tcp://${h.address}:${LAB_TLS_PORT}`, '--tlsverify',
    '--tlscacert', path.join(td, 'ca.pem'), '--tlscert', path.join(td, 'server-cert.pem'), '--tlskey', path.join(td, 'server-key.pem'),
  ].join('\n') + '\n');
  await run(h.restartCommand, [], { timeoutMs: 90_000 });
  return `tcp://${h.address}:${LAB_TLS_PORT}`;
}

/** Back to the unix socket only (and the server's material gone). */
export async function disableTls(h: LabHost): Promise<void> {
  const hd = path.dirname(h.socket);
  fs.rmSync(path.join(hd, 'dockerd.args'), { force: true });
  fs.rmSync(path.join(hd, 'tls'), { recursive: true, force: true });
  await run(h.restartCommand, [], { timeoutMs: 90_000 });
}
