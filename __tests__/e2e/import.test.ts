// docknet import on the lab: two hosts configured by hand with docker CLI commands as operators do
// (a user bridge with a fixed subnet and a static-address container, container:<other>, none, host,
// macvlan on the LAN with a range per host, a swarm with an attachable overlay and containers on
// both hosts), imported through the CLI, the generated project synthesized with this docknet, and
// verified against the same hosts; then the generated network stack replayed onto the emptied hosts
// rebuilds what was there (docker inspect, normalised).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { LAB_IMAGE, docker, hostKey } from '../../lab/lab';
import { EXIT_IN_SYNC, isDrift, verifyExitCode } from '../../lib/live/types';
import { renderVerifyMarkdown } from '../../lib/live/render';
import { runVerify } from '../../lib/live/verify';
import { DOCKER_OPTION_DEFAULTS } from '../../lib/live/compare';
import { connectEngine } from '../../lib/live/engine';
import { readSnapshot } from '../../lib/live/snapshot';
import { Replay, summarizeRefreshPlan } from '../../lab/replay';
import { e2eGate, elapsed, report, useLab } from './helpers';

const gate = e2eGate('docknet import on the lab');

/**
 * A host's user networks and containers as docker inspect shows them, minus what differs by nature:
 * ids, labels, allocated VXLAN ids, options equal to Docker's defaults (docknet writes them, the CLI
 * does not), and a container's mode when it was started with --network <name> (bridge for docknet).
 */
async function normalised(endpoint: string) {
  const engine = connectEngine(endpoint);
  try {
    const s = await readSnapshot(engine);
    const byId = new Map(s.containers.map((c) => [c.Id, String(c.Name).slice(1)]));
    const networks = s.networks.filter((n) => !['bridge', 'host', 'none', 'docker_gwbridge', 'ingress'].includes(n.Name)).map((n) => ({
      name: n.Name, driver: n.Driver, internal: n.Internal, attachable: n.Attachable,
      ipam: (n.IPAM?.Config ?? []).map((c: any) => ({ subnet: c.Subnet, gateway: c.Gateway, range: c.IPRange || undefined })),
      options: Object.fromEntries(Object.entries(n.Options ?? {}).filter(([k, v]) => k !== 'com.docker.network.driver.overlay.vxlanid_list' && DOCKER_OPTION_DEFAULTS[n.Driver]?.[k] !== v)),
    })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const containers = s.containers.map((c) => {
      const m = String(c.HostConfig.NetworkMode);
      const nets = Object.entries(c.NetworkSettings.Networks ?? {}) as [string, any][];
      return {
        name: String(c.Name).slice(1), running: c.State.Running, image: c.Config.Image === c.Image ? s.images.find((i) => i.Id === c.Image)?.RepoTags[0] : c.Config.Image, cmd: c.Config.Cmd,
        mode: m.startsWith('container:') ? `container:${byId.get(m.slice(10))}` : ['default', 'bridge', 'host', 'none'].includes(m) ? m.replace('default', 'bridge') : nets.some(([n]) => n === m) ? 'bridge' : m,
        networks: nets.map(([n, e]) => ({ n, ip: e.IPAMConfig?.IPv4Address ?? null, aliases: (e.Aliases ?? []).filter((a: string) => !c.Id.startsWith(a)).sort() })).sort((a, b) => (a.n < b.n ? -1 : 1)),
        ports: c.HostConfig.PortBindings ?? {},
      };
    }).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { networks, containers };
  } finally {
    engine.close();
  }
}
const ROOT = path.resolve(__dirname, '../..');

gate.describe('docknet import on the lab: hand-built hosts in, a docknet project out, verify against them', () => {
  const lab = useLab('dnimp', 2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnimp-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('import, synthesize, verify: zero drift; every adopted object has an import block and keeps what the provider would read back otherwise', async () => {
    const [h1, h2] = lab.info().hosts;
    const run = (h: typeof h1, args: string[]) => docker(h, args, { timeoutMs: 60_000 });
    const t0 = Date.now();
    // By hand, as in the operator notes.
    await run(h1, ['network', 'create', '--subnet', '10.230.0.0/24', '--gateway', '10.230.0.1', 'imp-app']);
    await run(h1, ['run', '-d', '--name', 'imp-web', '--network', 'imp-app', '--ip', '10.230.0.10', '--network-alias', 'www', LAB_IMAGE, 'sleep', '3600']);
    await run(h1, ['run', '-d', '--name', 'imp-side', '--network', 'container:imp-web', LAB_IMAGE, 'sleep', '3600']);
    await run(h1, ['run', '-d', '--name', 'imp-none', '--network', 'none', LAB_IMAGE, 'sleep', '3600']);
    await run(h1, ['run', '-d', '--name', 'imp-host', '--network', 'host', LAB_IMAGE, 'sleep', '3600']);
    for (const [h, range] of [[h1, '198.18.0.128/27'], [h2, '198.18.0.160/27']] as const) {
      await run(h, ['network', 'create', '-d', 'macvlan', '--subnet', '198.18.0.0/24', '--gateway', '198.18.0.254', '--ip-range', range, '-o', 'parent=eth0', 'imp-mv']);
      await run(h, ['run', '-d', '--name', `imp-m-${h.name}`, '--network', 'imp-mv', LAB_IMAGE, 'sleep', '3600']);
    }
    await run(h1, ['swarm', 'init', '--advertise-addr', h1.address, '--default-addr-pool', '10.231.0.0/16']);
    const token = (await run(h1, ['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
    await run(h2, ['swarm', 'join', '--advertise-addr', h2.address, '--token', token, `${h1.address}:2377`]);
    await run(h1, ['network', 'create', '-d', 'overlay', '--attachable', 'imp-ov']);
    await run(h1, ['run', '-d', '--name', 'imp-o1', '--network', 'imp-ov', LAB_IMAGE, 'sleep', '3600']);
    await run(h2, ['run', '-d', '--name', 'imp-o2', '--network', 'imp-ov', LAB_IMAGE, 'sleep', '3600']);
    report(`hand-built in ${elapsed(t0)}`);

    try {
      // Import through the CLI: the code gets the ssh endpoints, the hosts are read over their sockets.
      const out = path.join(work, 'project');
      // The operator's verified known_hosts (here: the lab's own key files); h2's under another name too.
      const knownHosts = path.join(work, 'known_hosts');
      fs.writeFileSync(knownHosts, `${h1.address} ${hostKey(h1)}\nother,${h2.address} ${hostKey(h2)}\n`);
      const cli = execFileSync(process.execPath, [
        path.join(ROOT, 'node_modules/.bin/ts-node'), '--transpile-only', '--project', path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'bin/docknet.ts'),
        'import', '--env', 'imp', '--out', out, '--lib', path.join(ROOT, 'lib'),
        '--host', `h1=ssh://root@${h1.address}`, '--host', `h2=ssh://root@${h2.address}`,
        '--read', `h1=${h1.dockerHost}`, '--read', `h2=${h2.dockerHost}`, '--known-hosts', knownHosts,
      ], { encoding: 'utf8', timeout: 120_000 });
      report(cli);
      expect(cli).toMatch(/12 objects adopted, 5 not expressed/);
      expect(cli).not.toMatch(/daemon settings/); // the hosts run Docker's defaults
      const notes = fs.readFileSync(path.join(out, 'IMPORT.md'), 'utf8');
      // Both ssh hosts' keys came from known_hosts: declared, no placeholder, nothing to do.
      const values = fs.readFileSync(path.join(out, 'imp.ts'), 'utf8');
      for (const h of [h1, h2]) expect(values).toContain(JSON.stringify(hostKey(h)));
      expect(values).not.toMatch(/PLACEHOLDER/);
      expect(notes).not.toMatch(/To do before the first apply/);
      // Exactly what docknet cannot express, nothing else: the hosts' macvlan shims (invisible to the
      // Engine API) and the options Docker's defaults stand for (the networks keep theirs).
      const notExpressed = notes.slice(notes.indexOf('## Not expressed')).split('\n').filter((l) => l.startsWith('- ')).map((l) => /^- (h\d(?:: (?:network|container) [^: ]+)?)/.exec(l)?.[1] ?? l);
      expect(notExpressed).toEqual(['h1', 'h1: network imp-mv', 'h1: network imp-ov', 'h2', 'h2: network imp-mv']);
      expect(notes).toMatch(/- h1: a macvlan shim .* cannot be seen/);
      expect(notes).toMatch(/- h1: network imp-mv: has no macvlan_mode option .* kept as the host has them/);
      expect(notes).toMatch(/- h1: network imp-ov: has no com\.docker\.network\.driver\.mtu option .* kept as the host has them/);
      // The containers started with --network <name>: Docker reports that name as their network mode
      // (a plain `docker run` would say "default"), provider 3.6.2 reads it back literally, so they
      // keep it; a container:<name> is stored as container:<id>, which is what the code writes.
      const ids = JSON.parse(fs.readFileSync(path.join(out, 'imp.ts'), 'utf8').replace(/^[\s\S]*?= /, '').replace(/,\s*"hostKeys"[\s\S]*$/, '}')).ids as Record<string, string>;
      expect(Object.keys(ids)).toHaveLength(12);
      for (const c of ['h1/container/imp-web', 'h1/container/imp-m-h1', 'h2/container/imp-m-h2', 'h1/container/imp-o1', 'h2/container/imp-o2']) {
        expect(notes).toMatch(new RegExp(`- ${c}: \`[0-9a-f]{12}\` \\(kept as the host has it: image, network_mode, networks_advanced\\)`));
      }
      for (const c of ['h1/container/imp-side', 'h1/container/imp-none', 'h1/container/imp-host']) {
        expect(notes).toMatch(new RegExp(`- ${c}: \`[0-9a-f]{12}\` \\(kept as the host has it: image\\)`));
      }

      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/.bin/ts-node'), '--transpile-only', '--project', path.join(ROOT, 'tsconfig.json'), 'main.ts'], {
        cwd: out, env: { ...process.env, CHECKPOINT_DISABLE: '1', DOCKNET_PLAN_FROZEN: '1' }, timeout: 120_000, stdio: 'pipe',
      });
      const tf = JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out/stacks/imp-network/cdk.tf.json'), 'utf8'));
      const imports = (tf.import ?? []) as { to: string; id: string }[];
      const resources = ['docker_network', 'docker_container'].flatMap((t) => Object.keys(tf.resource[t] ?? {}).map((k) => `${t}.${k}`));
      expect(resources).toHaveLength(12); // imp-app, imp-mv x2, imp-ov; 8 containers
      expect(imports.map((i) => i.to).sort()).toEqual(resources.sort());
      expect(imports.map((i) => i.id).sort()).toEqual(Object.values(ids).sort());
      // What provider 3.6.2 reads back after the import, per argument the code writes, equals the
      // code or is kept (ignore_changes): network_mode literally from HostConfig.NetworkMode.
      for (const [key, r] of Object.entries(tf.resource.docker_container as Record<string, any>)) {
        const id = imports.find((i) => i.to === `docker_container.${key}`)!.id;
        const host = key.startsWith('h1_') ? h1 : h2;
        const live = JSON.parse((await run(host, ['inspect', id])).stdout)[0];
        const kept: string[] = r.lifecycle?.ignore_changes ?? [];
        const readBack = String(live.HostConfig.NetworkMode);
        const written = String(r.network_mode).replace(/\$\{docker_container\.([^.]+)\.id\}/, (_m, k) => imports.find((i) => i.to === `docker_container.${k}`)!.id);
        if (!kept.includes('network_mode')) expect(`${r.name}: ${readBack}`).toBe(`${r.name}: ${written}`);
        else expect(`${r.name}: ${readBack}`).not.toBe(`${r.name}: ${written}`);
        expect(kept.includes('networks_advanced')).toBe(r.networks_advanced !== undefined);
        expect(r.restart).toBe(live.HostConfig.RestartPolicy.Name);
      }
      expect(Object.values(tf.resource.docker_network as Record<string, any>).map((r) => `${r.name} ${r.lifecycle?.ignore_changes}`).sort())
        .toEqual(['imp-app labels', 'imp-mv labels,options', 'imp-mv labels,options', 'imp-ov labels,options']);

      const t1 = Date.now();
      const r = await runVerify({ env: 'imp', dir: path.join(out, 'cdktf.out'), endpoints: { h1: h1.dockerHost, h2: h2.dockerHost } });
      report(`verify in ${elapsed(t1)}\n${renderVerifyMarkdown(r)}`);
      expect(r.findings.filter(isDrift)).toEqual([]);
      expect(verifyExitCode(r)).toBe(EXIT_IN_SYNC);

      // The generated network stack, replayed onto the same hosts emptied by hand, rebuilds the
      // hand-built topology (docker inspect, normalised: ids, labels and Docker's defaults aside).
      const before = { h1: await normalised(h1.dockerHost), h2: await normalised(h2.dockerHost) };
      expect(before.h1.containers.map((c) => `${c.name} ${c.mode}`)).toEqual([
        'imp-host host', 'imp-m-h1 bridge', 'imp-none none', 'imp-o1 bridge', 'imp-side container:imp-web', 'imp-web bridge',
      ]);
      expect(before.h1.networks.map((n) => n.name)).toEqual(['imp-app', 'imp-mv', 'imp-ov']);
      expect(before.h1.containers.find((c) => c.name === 'imp-web')!.networks).toEqual([{ n: 'imp-app', ip: '10.230.0.10', aliases: ['www'] }]);
      for (const h of [h1, h2]) {
        const ids = (await run(h, ['ps', '-aq'])).stdout.split(/\s+/).filter(Boolean);
        if (ids.length) await run(h, ['rm', '-f', ...ids]);
      }
      await run(h2, ['network', 'rm', 'imp-mv']);
      await run(h1, ['network', 'rm', 'imp-mv', 'imp-app', 'imp-ov']);
      const replay = new Replay(tf, { h1: h1.dockerHost, h2: h2.dockerHost });
      try {
        await replay.apply();
        expect(replay.skipped).toEqual([]);
        const second = await replay.refreshPlan(); // the plan right after the apply (lab/replay/refresh.ts)
        report(`second plan (refresh + plan as provider 3.6.2): ${summarizeRefreshPlan(second)}`);
        expect(second.filter((p) => p.action !== 'no-op')).toEqual([]);
        expect({ h1: await normalised(h1.dockerHost), h2: await normalised(h2.dockerHost) }).toEqual(before);
      } finally {
        await replay.destroy().catch(() => undefined);
      }
    } finally {
      for (const h of [h2, h1]) await docker(h, ['swarm', 'leave', '--force'], { allowFail: true, timeoutMs: 60_000 });
    }
  }, 300_000);
});
