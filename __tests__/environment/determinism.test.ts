import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocknetApp, PlanStore, Subnet } from '../../lib';
import { buildEnvironment, IMAGE } from '../../stacks/topology';
import { dev } from '../../stacks/dev';
import { staging } from '../../stacks/staging';
import { prod } from '../../stacks/prod';

/** Synthesizes the example (optionally changed) into a fresh dir and returns every file's text. */
function synthExample(change?: (app: DocknetApp, envs: ReturnType<typeof buildEnvironment>[]) => void, record?: any): { files: Record<string, string>; store: PlanStore } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-synth-'));
  const store = PlanStore.inMemory(record);
  const app = new DocknetApp({ outdir, planStore: store, skipValidation: false });
  const envs = [dev, staging, prod].map((v) => buildEnvironment(app, v));
  change?.(app, envs);
  app.synth();
  const files: Record<string, string> = {};
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks')).sort()) {
    for (const f of fs.readdirSync(path.join(outdir, 'stacks', stack)).sort()) {
      files[`${stack}/${f}`] = fs.readFileSync(path.join(outdir, 'stacks', stack, f), 'utf8');
    }
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return { files, store };
}

function logicalIds(files: Record<string, string>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('cdk.tf.json')) continue;
    const json = JSON.parse(text);
    for (const [type, byId] of Object.entries(json.resource ?? {}) as [string, Record<string, any>][]) {
      for (const [id, r] of Object.entries(byId)) ids.set(`${file}:${type}.${id}`, JSON.stringify(r));
    }
  }
  return ids;
}

describe('synth output', () => {
  test('two synths of the same input are byte-identical, for every stack of every environment', () => {
    const a = synthExample().files;
    const b = synthExample().files;
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['dev-hosts/cdk.tf.json', 'dev-network/cdk.tf.json', 'prod-network/docknet-report.md']));
    // 3 environments x (hosts + network stack) x (cdk.tf.json + docknet-model.json) + a report per network stack.
    expect(Object.keys(a)).toHaveLength(15);
    for (const k of Object.keys(a)) expect(b[k]).toBe(a[k]);
  });

  test.each(['dev-network', 'staging-network', 'prod-network'])('the example report of %s matches its golden file', (stack) => {
    const report = synthExample().files[`${stack}/docknet-report.md`];
    const golden = path.join(__dirname, '..', 'report', '__golden__', `example-${stack}.md`);
    // UPDATE_GOLDEN=1 rewrites it; review the diff before committing.
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden, report);
    expect(report).toBe(fs.readFileSync(golden, 'utf8'));
    expect(report).toContain('```mermaid');
    expect(report).toContain('multihost');
  });

  test('adding an unrelated network and container renames nothing and changes no existing resource', () => {
    const base = synthExample();
    const record = base.store.plan.resolve().record;
    const before = logicalIds(base.files);
    const after = logicalIds(
      synthExample((_app, envs) => {
        const h = envs[0].network.allHosts[1];
        // Declared first in its pool's key order, to show order does not matter.
        const n = h.addBridgeNetwork('aaa-added', { subnet: Subnet.fromPool('bridges', 24) });
        h.addContainer('added', { image: IMAGE, networks: [{ network: n }] });
      }, record).files,
    );
    for (const [id, body] of before) expect(after.get(id)).toBe(body);
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added.some((k) => k.includes('docker_network.dev2_aaa-added'))).toBe(true);
    expect(added.some((k) => k.includes('docker_container.dev2_added'))).toBe(true);
    expect(added.every((k) => k.startsWith('dev-network/'))).toBe(true);
  });
});
