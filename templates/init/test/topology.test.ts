// Synthesizes every environment into a temporary folder (nothing here is written to the project) and
// checks what CI checks: no problem in any stack, and docknet.plan.json already holds every address.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocknetApp, PlanStore } from 'docknet';
import { buildEnvironment } from '../stacks/topology';
import { dev } from '../stacks/dev';
import { staging } from '../stacks/staging';
import { prod } from '../stacks/prod';

const recordFile = path.join(__dirname, '..', 'docknet.plan.json');

test('every environment synthesizes with the committed address plan', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-test-'));
  try {
    // The committed record, in memory: the test never rewrites it.
    const store = PlanStore.inMemory(JSON.parse(fs.readFileSync(recordFile, 'utf8')));
    const app = new DocknetApp({ outdir, planStore: store });
    for (const values of [dev, staging, prod]) buildEnvironment(app, values);
    app.synth();
    assert.equal(store.plan.resolve().changed, false, 'docknet.plan.json is out of date: run `npm run synth` and commit it');
    for (const env of ['dev', 'staging', 'prod']) {
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', `${env}-network`, 'cdk.tf.json'), 'utf8'));
      assert.ok(Object.keys(tf.resource.docker_network).length >= 3, `${env}: networks synthesized`);
      assert.equal(tf.terraform.required_providers.docker.version, '3.6.2');
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
