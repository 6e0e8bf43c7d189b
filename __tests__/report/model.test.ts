/** docknet-model.json: written at synth into both stacks of an environment, versioned, and complete. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { DocknetStack, EnvironmentPlan, HostConnection, MODEL_FILE, MODEL_VERSION, PlanStore, Subnet, SwarmRole } from '../../lib';
import { readModel, readModels } from '../../lib/report/model-file';
import { readTfJson } from '../../lib/report/synth';
import { runReport } from '../../lib/report/collect';
import { removeTempDirs, tempDir } from './fixtures';
import { STAGING, synthEnvs } from './env-fixture';
import { TEST_HOST_KEY } from '../fixtures';

afterAll(removeTempDirs);

describe('docknet-model.json', () => {
  let dir: string;
  beforeAll(() => {
    dir = synthEnvs(STAGING);
  });

  test('both stacks of the environment get the model; only `stack` differs', () => {
    const models = readModels(dir);
    expect([...models.keys()]).toEqual(['staging-hosts', 'staging-network']);
    const network = models.get('staging-network')!;
    const hosts = models.get('staging-hosts')!;
    expect(network).toMatchObject({ kind: 'docknet-model', version: MODEL_VERSION, environment: 'staging', stack: 'staging-network', stacks: { network: 'staging-network', hosts: 'staging-hosts' }, rollout: { waveSize: 1 } });
    expect({ ...hosts, stack: 'staging-network' }).toEqual(network);
  });

  test('hosts carry their slot, swarm role and declared daemon keys', () => {
    const m = readModel(path.join(dir, 'stacks', 'staging-network'));
    expect(m.hosts.map((h) => [h.name, h.slot, h.swarmRole])).toEqual([
      ['stg1', 'manager', 'manager'],
      ['stg2', 'worker 1', 'worker'],
      ['stg3', 'worker 2', 'worker'],
    ]);
    expect(m.hosts[0].daemon).toEqual({ bip: expect.stringMatching(/^10\.122\.\d+\.1\/24$/), dns: ['10.20.0.2', '10.20.0.3'] });
    expect(m.swarm).toMatchObject({ managers: ['stg1'], workers: ['stg2', 'stg3'] });
  });

  test('every resource and provider of both cdk.tf.json files maps to a docknet object, and nothing else is listed', () => {
    const m = readModel(path.join(dir, 'stacks', 'staging-hosts', MODEL_FILE));
    for (const stack of ['staging-network', 'staging-hosts']) {
      const tf = readTfJson(dir, stack) as { resource: Record<string, Record<string, unknown>>; provider?: { docker?: { alias: string }[] } };
      const inTf = [
        ...Object.entries(tf.resource).flatMap(([type, byKey]) => Object.keys(byKey).map((k) => `${type}.${k}`)),
        ...(tf.provider?.docker ?? []).map((p) => `provider.docker.${p.alias}`),
      ].sort();
      const inModel = m.resources.filter((r) => r.stack === stack).map((r) => `${r.type}.${r.logicalId}`).sort();
      expect(inModel).toEqual(inTf);
    }
    const sidecar = m.resources.find((r) => r.kind === 'container' && r.name === 'web-sidecar')!;
    expect(sidecar).toMatchObject({ stack: 'staging-network', type: 'docker_container', host: 'stg1', path: 'staging-network/stg1/web-sidecar' });
    expect(m.resources.filter((r) => r.kind === 'daemon').map((r) => r.host)).toEqual(['stg1', 'stg2', 'stg3']);
    expect(m.resources.filter((r) => r.kind === 'swarm').map((r) => r.host).sort()).toEqual(['stg1', 'stg2', 'stg3']);
  });

  test('readModel fails clearly on an unknown version, a foreign file and a missing one', () => {
    const file = path.join(tempDir('docknet-model-'), MODEL_FILE);
    const good = readModel(path.join(dir, 'stacks', 'staging-network'));
    fs.writeFileSync(file, JSON.stringify({ ...good, version: 3 }));
    expect(() => readModel(file)).toThrow(`${file} is docknet model version 3; this docknet reads versions 1 and 2 only. It was written by a newer docknet: upgrade docknet, or synthesize with this one.`);
    fs.writeFileSync(file, JSON.stringify({ ...good, version: '1' }));
    expect(() => readModel(file)).toThrow(/has version "1"; expected a positive integer/);
    fs.writeFileSync(file, JSON.stringify({ resource: {} }));
    expect(() => readModel(file)).toThrow(/is not a docknet model: expected an object with "kind": "docknet-model"/);
    fs.writeFileSync(file, '{');
    expect(() => readModel(file)).toThrow(/is not JSON/);
    expect(() => readModel(path.dirname(file) + '/nowhere')).toThrow(/No docknet-model\.json at ".*nowhere": docknet writes one into every stack folder at synth\. Synthesize with this docknet \("npm run synth"\)/);
  });

  test('a plain cdktf App (not DocknetApp) writes the model too; slots default by role and explicit ones are unique', () => {
    const outdir = tempDir('docknet-plain-');
    const app = new App({ outdir });
    const stack = new DocknetStack(app, 'lab-network', { environment: 'lab', plan: new EnvironmentPlan('lab', PlanStore.inMemory()), swarm: { defaultAddrPools: [Subnet.cidr('10.99.0.0/16')] }, rolloutWaveSize: 2 });
    const ssh = (host: string) => HostConnection.ssh({ user: 'ops', host, hostKey: TEST_HOST_KEY });
    stack.addHost('m1', { connection: ssh('10.0.0.1'), interfaces: { eth0: { address: '10.0.0.1/24' } }, swarmRole: SwarmRole.MANAGER });
    stack.addHost('n1', { connection: ssh('10.0.0.2') });
    stack.addHost('e1', { connection: ssh('10.0.0.3'), slot: 'edge' });
    stack.addHost('n2', { connection: ssh('10.0.0.4') });
    expect(() => stack.addHost('e2', { connection: ssh('10.0.0.5'), slot: 'edge' })).toThrow(/slot "edge" is already host e1's in environment lab\. Give each host its own slot\./);
    expect(() => stack.addHost('bad', { connection: ssh('10.0.0.6'), slot: '$(x)' })).toThrow(/slot "\$\(x\)" is not a slot name/);
    app.synth();
    const m = readModel(path.join(outdir, 'stacks', 'lab-network'));
    expect(m.hosts.map((h) => `${h.name}=${h.slot}`)).toEqual(['m1=manager', 'n1=host 1', 'e1=edge', 'n2=host 2']);
    // No daemon settings: nothing to roll out, so no waves (the rollout merge records the hosts stack's waves).
    expect(m.rollout).toEqual({ waveSize: 2, waves: [] });
    expect(m.stacks).toEqual({ network: 'lab-network' });
    // No docknet-report.md without DocknetApp: `docknet report` renders it from the model.
    expect(fs.existsSync(path.join(outdir, 'stacks', 'lab-network', 'docknet-report.md'))).toBe(false);
    expect(runReport({ dir: outdir }).output).toMatch(/^# Topology `lab-network`\n\n4 hosts/);
  });
});
