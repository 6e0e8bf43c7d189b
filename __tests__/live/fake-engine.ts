/**
 * A fake Docker Engine for tests: serves a recorded HostSnapshot over HTTP on a unix socket, so the
 * real client (dockerode through connectEngine) and the real CLI read it as they would a daemon.
 */
import * as http from 'http';
import { HostSnapshot } from '../../lib/live/snapshot';

export async function serveSnapshot(snap: HostSnapshot, socket: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const p = url.pathname.replace(/^\/v[0-9.]+/, '');
    const send = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { message: `the fake engine only reads (${req.method} ${p})` });
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(p);
    if (p === '/version') return send(200, snap.version);
    if (p === '/info') return send(200, snap.info);
    if (p === '/networks') return send(200, snap.networks);
    if (p === '/containers/json') return send(200, snap.containers.map((c) => ({ Id: c.Id, Names: [c.Name], State: c.State?.Status })));
    if (inspect) {
      const c = snap.containers.find((x) => x.Id === inspect[1] || x.Name === `/${inspect[1]}`);
      return c ? send(200, c) : send(404, { message: `No such container: ${inspect[1]}` });
    }
    if (p === '/images/json') return send(200, snap.images);
    if (p === '/nodes' && snap.nodes) return send(200, snap.nodes);
    if (p === '/services' && snap.services) return send(200, snap.services);
    return send(503, { message: 'This node is not a swarm manager.' });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return server;
}
