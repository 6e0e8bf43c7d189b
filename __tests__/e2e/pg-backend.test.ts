/**
 * Remote state per environment uses Terraform's built-in `pg` backend. This runs it for real: a
 * throwaway PostgreSQL on 127.0.0.1, a hand-written config with only built-ins (terraform_data whose
 * local-exec sleeps to hold the lock), and two concurrent applies from two working copies, as two
 * CI runs would do. Exactly one wins; the other fails with Terraform's lock error; the state stays
 * whole and a later apply is a no-op.
 */
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { e2eGate, Gate } from './helpers';

const run = promisify(execFile);
const SUITE = 'pg-backend';
const HOLD_SECONDS = 8;

/** What this suite needs beyond the shared gate: terraform and the PostgreSQL server binaries. */
function missingForPg(): string | undefined {
  for (const bin of ['terraform', 'initdb', 'pg_ctl', 'postgres']) {
    const r = spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    if (r.status !== 0) return `needs "${bin}" on the PATH`;
  }
  if (process.getuid?.() === 0 && !pgUser()) return 'running as root needs a "postgres" or "nobody" user to run PostgreSQL';
  return undefined;
}

/** PostgreSQL refuses to run as root: as root, run it as this user. */
function pgUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return ['postgres', 'nobody'].find((u) => spawnSync('id', ['-u', u], { stdio: 'ignore' }).status === 0);
}

function gate(): Gate {
  return e2eGate(SUITE, missingForPg);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool, as the unprivileged user when we are root. */
function pgCommand(args: string[]): [string, string[]] {
  const user = pgUser();
  return user ? ['runuser', ['-u', user, '--', ...args]] : [args[0], args.slice(1)];
}

interface TfResult {
  readonly code: number;
  readonly out: string;
}

gate().describe('pg state backend: locking and state integrity', () => {
  let root: string;
  let dataDir: string;
  let connStr: string;
  let tfEnv: NodeJS.ProcessEnv;
  let pgStarted = false;

  const tf = async (cwd: string, args: string[]): Promise<TfResult> => {
    try {
      const { stdout, stderr } = await run('terraform', args, { cwd, env: tfEnv, maxBuffer: 16 << 20 });
      return { code: 0, out: stdout + stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };

  /** A working copy of the same configuration, as a separate CI checkout would have. */
  const workdir = (name: string): string => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    const config = {
      terraform: { backend: { pg: { conn_str: connStr, schema_name: 'docknet_e2e' } } },
      resource: {
        terraform_data: {
          hold: {
            input: 'v1',
            // Runs during create, inside the locked apply: the lock is held for this long.
            provisioner: [{ 'local-exec': { command: `sleep ${HOLD_SECONDS}` } }],
          },
        },
      },
    };
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
    return dir;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-pg-'));
    dataDir = path.join(root, 'pgdata');
    const user = pgUser();
    // The server's user must reach its data and socket directories.
    if (user) spawnSync('chown', [user, root]);
    fs.chmodSync(root, 0o755);
    const port = await freePort();
    const init = spawnSync(...pgCommand(['initdb', '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']), { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root}`;
    const start = spawnSync(...pgCommand(['pg_ctl', '-D', dataDir, '-o', opts, '-l', path.join(root, 'postgres.log'), '-w', '-t', '30', 'start']), { encoding: 'utf8' });
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr || start.stdout}\n${fs.existsSync(path.join(root, 'postgres.log')) ? fs.readFileSync(path.join(root, 'postgres.log'), 'utf8') : ''}`);
    pgStarted = true;
    connStr = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    const rc = path.join(root, 'terraformrc');
    fs.writeFileSync(rc, '');
    tfEnv = { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0', TF_CLI_CONFIG_FILE: rc, TF_PLUGIN_CACHE_DIR: '' };
  }, 120_000);

  afterAll(async () => {
    if (pgStarted) spawnSync(...pgCommand(['pg_ctl', '-D', dataDir, '-m', 'fast', '-w', 'stop']), { encoding: 'utf8' });
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  test('two concurrent applies: one wins, the other fails on the lock, state stays intact', async () => {
    const a = workdir('runner-a');
    const b = workdir('runner-b');
    // Sequential inits: each creates the backend's schema/table if missing.
    for (const dir of [a, b]) {
      const init = await tf(dir, ['init', '-no-color', '-input=false']);
      expect(init.out).toContain('Successfully configured the backend "pg"');
      expect(init.code).toBe(0);
    }

    const apply = ['apply', '-no-color', '-auto-approve', '-input=false', '-lock-timeout=0s'];
    const results = await Promise.all([tf(a, apply), tf(b, apply)]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(winners[0].out).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(losers[0].out).toContain('Error acquiring the state lock');
    // Failed cleanly: nothing was applied by the loser.
    expect(losers[0].out).not.toContain('Apply complete');

    for (const dir of [a, b]) {
      const list = await tf(dir, ['state', 'list']);
      expect(list.code).toBe(0);
      expect(list.out.trim().split('\n')).toEqual(['terraform_data.hold']);
    }
    const pulled = await tf(b, ['state', 'pull']);
    const state = JSON.parse(pulled.out.slice(pulled.out.indexOf('{')));
    expect(state.resources).toEqual([expect.objectContaining({ type: 'terraform_data', name: 'hold', instances: [expect.objectContaining({ attributes: expect.objectContaining({ input: { type: 'string', value: 'v1' } }) })] })]);

    // The lock was released: a second run from the loser's checkout applies, and finds nothing to do.
    const again = await tf(b, apply);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/No changes\.|Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./);
  }, 180_000);
});
