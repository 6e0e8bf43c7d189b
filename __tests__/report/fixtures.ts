/** Hand-written cdk.tf.json documents in the shape cdktf 0.21 synthesizes, and temp synth dirs. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type Doc = Record<string, any>;

export function stackDoc(hosts: Record<string, string>, resources: Record<string, Record<string, Doc>>): Doc {
  const provider = Object.keys(hosts).length ? { docker: Object.entries(hosts).map(([alias, host]) => ({ alias, host })) } : undefined;
  const resource: Doc = {};
  for (const [type, byKey] of Object.entries(resources)) {
    resource[type] = {};
    for (const [key, body] of Object.entries(byKey)) resource[type][key] = { '//': { metadata: { path: `stack/${key}`, uniqueId: key } }, ...body };
  }
  return { '//': { metadata: { backend: 'local', version: '0.21.0' } }, ...(provider ? { provider } : {}), resource, terraform: {} };
}

export function network(host: string, name: string, extra: Doc = {}): Doc {
  return { provider: `docker.${host}`, name, driver: 'bridge', ipam_config: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1' }], ...extra };
}

export function container(host: string, name: string, networkRef: string | undefined, extra: Doc = {}): Doc {
  return {
    provider: `docker.${host}`,
    name,
    image: 'busybox:local',
    network_mode: 'bridge',
    ...(networkRef ? { networks_advanced: [{ name: networkRef, aliases: [name] }] } : {}),
    ...extra,
  };
}

const created: string[] = [];

/** A temp folder removed by removeTempDirs() (call it in afterAll). */
export function tempDir(prefix = 'docknet-synth-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes stacks into a fresh cdktf.out-like folder and returns its path. */
export function synthDir(stacks: Record<string, Doc>): string {
  const dir = tempDir();
  for (const [name, doc] of Object.entries(stacks)) {
    fs.mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(doc, null, 2));
  }
  return dir;
}

export function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}
