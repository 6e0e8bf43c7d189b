/**
 * The readers against real cdktf 0.21 output (not only hand-written fixtures): L1 docker resources
 * and terraform_data synthesized by cdktf itself, then diffed and collected.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, DataResource, TerraformStack } from 'cdktf';
import { container, network, provider } from '@cdktf/provider-docker';
import { buildProgram } from '../../bin/docknet';
import { runReport, writeReport } from '../../lib/report/collect';
import { diffSynthDirs } from '../../lib/report/diff';
import { REPORT_FILE } from '../../lib/report/report';
import { readSynthDir, splitStackName } from '../../lib/report/synth';
import { removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

function synth(opts: { subnet: string; webs: number; mtu: string }): string {
  const outdir = tempDir('docknet-real-');
  const app = new App({ outdir });
  const s = new TerraformStack(app, 'dev-network');
  const h2 = new provider.DockerProvider(s, 'h2', { alias: 'h2', host: 'ssh://ops@10.0.0.12' });
  const backend = new network.Network(s, 'backend-net', { provider: h2, name: 'backend', driver: 'bridge', ipamConfig: [{ subnet: opts.subnet }] });
  for (let i = 1; i <= opts.webs; i++) {
    new container.Container(s, `web-${i}`, { provider: h2, name: `web-${i}`, image: 'busybox:local', networkMode: 'bridge', networksAdvanced: [{ name: backend.name }] });
  }
  const hosts = new TerraformStack(app, 'dev-hosts');
  new DataResource(hosts, 'h2-daemon', { triggersReplace: { daemon: JSON.stringify({ mtu: opts.mtu }) } });
  app.synth();
  return outdir;
}

describe('reading real synth output', () => {
  test('stack names split into environment and role', () => {
    expect(splitStackName('staging-network')).toEqual({ env: 'staging', role: 'network' });
    expect(splitStackName('prod-eu-hosts')).toEqual({ env: 'prod-eu', role: 'hosts' });
    expect(splitStackName('tools')).toEqual({ env: 'tools', role: 'tools' });
  });

  test('references resolve; without docknet-model.json a built-in has no host (never guessed)', () => {
    const stacks = readSynthDir(synth({ subnet: '10.1.0.0/24', webs: 1, mtu: '1500' }));
    const web = stacks.find((s) => s.name === 'dev-network')!.resources.find((r) => r.type === 'docker_container')!;
    expect(web.raw.networks_advanced).toEqual([{ name: '${docker_network.backend-net.name}' }]);
    expect(web.attrs.networks_advanced).toEqual([{ name: 'backend' }]);
    expect(web.host).toBe('h2');
    const daemon = stacks.find((s) => s.name === 'dev-hosts')!;
    expect(daemon.resources[0].host).toBe('');
    expect(daemon.resources[0].object).toBeUndefined();
    expect(daemon.providers).toEqual([]);
  });

  test('subnet change, a new replica and a daemon change, end to end', () => {
    const r = diffSynthDirs(synth({ subnet: '10.1.0.0/24', webs: 3, mtu: '1500' }), synth({ subnet: '10.2.0.0/24', webs: 4, mtu: '1450' }));
    expect(r.counts).toEqual({ add: 1, update: 0, replace: 2, remove: 0, move: 0 });
    expect(r.changes.map((c) => c.summary)).toEqual([
      'replaces host bootstrap `h2-daemon`: its provisioners run again; forced by `triggers_replace`',
      'replaces network `backend` on host `h2`; forced by `ipam_config`; blast radius: 3 disconnected (per host: `h2` 3)',
      'adds container `web-4` (busybox:local)',
    ]);
  });

  test('report collects docknet-report.md files written next to the stacks', () => {
    const dir = synth({ subnet: '10.1.0.0/24', webs: 1, mtu: '1500' });
    expect(runReport({ dir }).exitCode).toBe(1);
    fs.writeFileSync(path.join(dir, 'stacks', 'dev-network', REPORT_FILE), '# Topology `dev`\n');
    expect(runReport({ dir })).toEqual({ output: '# Topology `dev`\n', exitCode: 0 });
    fs.writeFileSync(path.join(dir, 'stacks', 'dev-hosts', REPORT_FILE), '# Hosts `dev`\n');
    expect(runReport({ dir }).output).toBe('<details><summary>dev-hosts</summary>\n\n# Hosts `dev`\n\n</details>\n\n<details><summary>dev-network</summary>\n\n# Topology `dev`\n\n</details>\n');
    expect(() => runReport({ dir: '/nonexistent' })).toThrow(/No synth output at "\/nonexistent": expected \/nonexistent\/stacks\. Run "npm run synth" first\./);
    expect(() => readSynthDir('/nonexistent')).toThrow(/No synth output at "\/nonexistent": .* Run "npm run synth" first\./);
    const file = writeReport(dir, 'dev-network', { environment: 'dev', hosts: [], networks: [], containers: [], pools: [], lanSegments: [] });
    expect(file).toBe(path.join(dir, 'stacks', 'dev-network', REPORT_FILE));
    expect(runReport({ dir, stacks: ['dev-network'] }).output).toMatch(/^# Topology `dev`\n\n0 hosts/);
  });

  test('report --stack: an unknown stack is named with the stacks that exist; a hosts stack points to its network stack', async () => {
    const dir = synth({ subnet: '10.1.0.0/24', webs: 1, mtu: '1500' });
    fs.writeFileSync(path.join(dir, 'stacks', 'dev-network', REPORT_FILE), '# Topology `dev`\n');
    const stacksDir = path.join(dir, 'stacks');
    expect(() => runReport({ dir, stacks: ['nope'] })).toThrow(
      `Unknown stack "nope" under ${stacksDir}. Available: dev-hosts, dev-network. Pass one of them to --stack (the report is in each environment's network stack), or leave --stack out for all.`,
    );
    expect(() => runReport({ dir, stacks: ['dev-network', 'nope', 'prod'] })).toThrow(`Unknown stacks "nope", "prod" under ${stacksDir}. Available: dev-hosts, dev-network.`);
    // Through the CLI: the error reaches bin/docknet.ts's one-line handler (exit 1), not the "no reports" text.
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(buildProgram().exitOverride().parseAsync(['node', 'docknet', 'report', '--dir', dir, '--stack', 'nope'])).rejects.toThrow(/^Unknown stack "nope" under .*Available: dev-hosts, dev-network\./);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }

    // A stack that exists but is reported elsewhere: its model names the network stack that holds the report.
    const model = JSON.parse(fs.readFileSync(path.join(__dirname, '../live/fixtures/lab/stacks/vf-network/docknet-model.json'), 'utf8'));
    for (const stack of ['vf-hosts', 'vf-network']) {
      fs.mkdirSync(path.join(stacksDir, stack));
      fs.writeFileSync(path.join(stacksDir, stack, 'docknet-model.json'), JSON.stringify({ ...model, stack }));
    }
    expect(runReport({ dir, stacks: ['vf-hosts'] })).toEqual({
      output: `No ${REPORT_FILE} for vf-hosts (its environment's report is in vf-network: --stack vf-network) under ${stacksDir}: synth writes one per environment, in its network stack.\n`,
      exitCode: 1,
    });
    expect(runReport({ dir, stacks: ['vf-network'] }).output).toMatch(/^# Topology `vf-network`/);
  });
});
