/**
 * `docknet verify` end to end without a lab: the CLI, the real Engine client (dockerode over unix
 * sockets) and fake engines serving the lab's recorded answers (fixtures/lab).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { buildProgram } from '../../bin/docknet';
import { serveSnapshot } from './fake-engine';

const FIX = path.join(__dirname, 'fixtures', 'lab');
const recorded = (h: string) => JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${h}.json`), 'utf8'));
let dir: string;
const servers: http.Server[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-verify-cli-'));
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    out += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'docknet', ...args]);
    return { out, code: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    process.exitCode = before;
  }
}

async function serve(name: string, edit: (s: any) => void = () => undefined): Promise<string> {
  const snap = recorded(name.replace(/-.*/, ''));
  edit(snap);
  const socket = path.join(dir, `${name}.sock`);
  servers.push(await serveSnapshot(snap, socket));
  return `unix://${socket}`;
}

describe('docknet verify (CLI, dockerode, fake engines)', () => {
  test('in sync: exit 0, the JSON report names every host as read', async () => {
    const eps = [await serve('h1'), await serve('h2'), await serve('h3')];
    const { out, code } = await cli(['verify', 'vf', '--dir', FIX, '--format', 'json', ...['h1', 'h2', 'h3'].flatMap((h, i) => ['--endpoint', `${h}=${eps[i]}`])]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ exitCode: 0, counts: { drift: 0, unreachable: 0 } });
    expect(json.hosts.map((h: any) => h.status)).toEqual(['read', 'read', 'read']);
  });

  test('drift: exit 2 and Markdown; a host without a daemon: exit 5', async () => {
    const h1 = await serve('h1-drift', (s) => {
      delete s.containers.find((c: any) => c.Name === '/vf-db').NetworkSettings.Networks['vf-app'];
    });
    const base = ['verify', 'vf', '--dir', FIX, '--endpoint', `h1=${h1}`, '--endpoint', `h2=${await serve('h2-b')}`];
    const drift = await cli([...base, '--endpoint', `h3=${await serve('h3-b')}`]);
    expect(drift.code).toBe(2);
    expect(drift.out).toMatch(/\*\*changed\*\* container `vf-db`: attachment to network `vf-app` is `not connected`/);
    const down = await cli([...base, '--endpoint', `h3=unix://${path.join(dir, 'nothing.sock')}`, '--timeout', '5']);
    expect(down.code).toBe(5);
    expect(down.out).toMatch(/> - `h3` at `unix:\/\/.*nothing\.sock`: connect ENOENT/);
  });

  test('bad options fail with the flag, the value and an example', async () => {
    await expect(cli(['verify', 'vf', '--dir', FIX, '--endpoint', 'h1'])).rejects.toThrow(/--endpoint "h1" is not <host>=<value>, e\.g\. --endpoint h1=unix:\/\/\/var\/run\/docker\.sock/);
    await expect(cli(['verify', 'vf', '--dir', FIX, '--concurrency', '0'])).rejects.toThrow(/--concurrency "0" is not a positive integer/);
  });
});
