import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidateBinaryVersion } from 'cdktf/lib/validations';
import { DocknetApp, DocknetStack, PlanStore } from '../../lib';
import { buildEnvironment } from '../../stacks/topology';
import { dev } from '../../stacks/dev';

describe('one synth does each expensive thing once', () => {
  let outdir: string;
  beforeEach(() => (outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-synth-once-'))));
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('validation and the model once per network stack; one `terraform version` process for all terraform_data', () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    buildEnvironment(app, dev);
    // cdktf's terraform_data check is a ValidateBinaryVersion that spawns `terraform version`, one per
    // resource on each of cdktf's validation passes; DocknetApp validates with docknet's own rules once.
    const versionChecks = jest.spyOn(ValidateBinaryVersion.prototype, 'validate');
    const problems = jest.spyOn(DocknetStack.prototype as any, 'findProblems');
    const models = jest.spyOn(DocknetStack.prototype as any, 'buildModel');
    app.synth();
    expect(versionChecks).toHaveBeenCalledTimes(1);
    expect(problems).toHaveBeenCalledTimes(1);
    expect(models).toHaveBeenCalledTimes(1);
    const hosts = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'dev-hosts', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(hosts.resource.terraform_data).length).toBeGreaterThan(1);
  });

  test("validations that are not docknet's own still run, once, reported with docknet's (DN115)", () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    const env = buildEnvironment(app, dev);
    const mine = jest.fn(() => ['the change ticket is missing']);
    env.network.allHosts[0].node.addValidation({ validate: mine });
    expect(() => app.synth()).toThrow(/DN115 \[dev-network\/dev1\] the change ticket is missing/);
    expect(mine).toHaveBeenCalledTimes(1);
  });

  test('outside a synth, the model follows the tree (nothing is cached)', () => {
    const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
    const env = buildEnvironment(app, dev);
    const before = env.network.toModel().containers.length;
    env.network.allHosts[0].addContainer('late', { image: 'busybox:1.36', command: ['sleep', '1d'] });
    expect(env.network.toModel().containers).toHaveLength(before + 1);
  });
});
