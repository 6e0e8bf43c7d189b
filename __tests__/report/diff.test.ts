import { execFileSync } from 'child_process';
import * as path from 'path';
import { ChangeKind, diffSynthDirs, exitCodeFor, FailOn, renderDiffJson, renderDiffMarkdown, runDiff, OutputFormat } from '../../lib/report/diff';
import { ChangeEffect, effectOf } from '../../lib/core/provider/semantics';
import { clone, container, Doc, network, stackDoc, synthDir, removeTempDirs } from './fixtures';

afterAll(removeTempDirs);

const HOSTS = { h1: 'ssh://ops@10.0.0.11', h2: 'ssh://ops@10.0.0.12' };

function baseNetworkStack(): Doc {
  return stackDoc(HOSTS, {
    docker_network: { h2_backend_5A3B: network('h2', 'backend') },
    docker_container: {
      h2_api_1: container('h2', 'api', '${docker_network.h2_backend_5A3B.name}', { ports: [{ internal: 80, external: 8080 }] }),
    },
  });
}

function diff(base: Record<string, Doc>, head: Record<string, Doc>) {
  return diffSynthDirs(synthDir(base), synthDir(head));
}

describe('docknet diff', () => {
  test('identical outputs: no changes, exit 0', () => {
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': baseNetworkStack() });
    expect(r.changes).toEqual([]);
    expect(exitCodeFor(r)).toBe(0);
    expect(renderDiffMarkdown(r)).toContain('No changes.');
  });

  test('added container: grouped under its environment and host, exit 2', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_web_2 = container('h2', 'web-2', '${docker_network.h2_backend_5A3B.name}');
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({ env: 'dev', host: 'h2', kind: ChangeKind.ADD, name: 'web-2' });
    expect(r.counts).toEqual({ add: 1, update: 0, replace: 0, remove: 0, move: 0 });
    expect(exitCodeFor(r)).toBe(2);
    const md = renderDiffMarkdown(r);
    expect(md).toContain('#### Environment `dev`');
    expect(md).toContain('**Host `h2`**');
    expect(md).toContain('- ➕ **adds** container `web-2` (busybox:local)');
  });

  test('removed network', () => {
    const head = baseNetworkStack();
    head.resource.docker_network.h1_front = network('h1', 'front');
    const r = diff({ 'prod-network': head }, { 'prod-network': baseNetworkStack() });
    expect(r.changes).toEqual([expect.objectContaining({ env: 'prod', host: 'h1', kind: ChangeKind.REMOVE, type: 'docker_network', summary: 'removes network `front`' })]);
    expect(exitCodeFor(r)).toBe(2);
  });

  test('in-place change: container restart policy is no replacement', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.restart = 'unless-stopped';
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0].kind).toBe(ChangeKind.UPDATE);
    expect(r.changes[0].changes[0].description).toBe('restart added: `unless-stopped`');
    expect(exitCodeFor(r)).toBe(2);
    expect(exitCodeFor(r, FailOn.REPLACE)).toBe(0);
  });

  test('network replacement counts the base containers it disconnects', () => {
    const base = baseNetworkStack();
    // 11 more by reference, 1 by literal name on the same host, 1 by id (replaced too) = 14;
    // (plus api = 14); a container on another host with the same literal name is on another network and not counted.
    for (let i = 2; i <= 12; i++) base.resource.docker_container[`h2_web_${i}`] = container('h2', `web-${i}`, '${docker_network.h2_backend_5A3B.name}');
    base.resource.docker_container.h2_literal = container('h2', 'literal', 'backend');
    base.resource.docker_container.h2_byid = container('h2', 'byid', '${docker_network.h2_backend_5A3B.id}');
    base.resource.docker_container.h1_other = container('h1', 'other', 'backend');
    const head = clone(base);
    head.resource.docker_network.h2_backend_5A3B.ipam_config[0].subnet = '10.2.0.0/24';
    const r = diff({ 'prod-network': base }, { 'prod-network': head });
    // The container attached by id is replaced with the network (Terraform: its networks_advanced changes).
    expect(r.counts.replace).toBe(2);
    const c = r.changes.find((x) => x.kind === ChangeKind.REPLACE && x.type === 'docker_network')!;
    expect(c.summary).toBe('replaces network `backend` on host `h2`; forced by `ipam_config`; blast radius: 1 more replaced (`byid`), 13 disconnected (per host: `h2` 14)');
    expect(c.blastRadius!.alsoReplaced).toEqual(['h2/byid']);
    expect(c.blastRadius!.disconnected).toHaveLength(13);
    expect(c.blastRadius!.disconnected).not.toContain('h1/other');
    expect(c.changes[0].description).toBe('subnet: `10.1.0.0/24` → `10.2.0.0/24`');
    expect(exitCodeFor(r)).toBe(3);
    const md = renderDiffMarkdown(r);
    // The warning list comes before the per-environment sections.
    expect(md.indexOf('[!WARNING]')).toBeLessThan(md.indexOf('#### Environment'));
    expect(md).toContain('> - `prod` · replaces network `backend` on host `h2`; forced by `ipam_config`; blast radius: 1 more replaced');
    expect(md).toContain("> - `prod` · replaces container `byid` on host `h2` because its network attachment refers to network `backend`'s id, which the replacement changes");
  });

  test('an overlay replacement counts containers on every host', () => {
    const base = stackDoc(HOSTS, {
      docker_network: { mesh: network('h1', 'mesh', { driver: 'overlay', attachable: true }) },
      docker_container: { a: container('h1', 'a', 'mesh'), b: container('h2', 'b', 'mesh') },
    });
    const head = clone(base);
    head.resource.docker_network.mesh.options = { encrypted: 'true' };
    const c = diff({ 'dev-network': base }, { 'dev-network': head }).changes[0];
    expect(c.summary).toContain('2 disconnected (per host: `h1` 1, `h2` 1)');
    expect(c.changes[0].description).toBe('driver option `encrypted` added: `true`');
  });

  test('container replacement names the attribute that forces it', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.ports = [{ internal: 80, external: 9090 }];
    head.resource.docker_container.h2_api_1.restart = 'always';
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head });
    const c = r.changes[0];
    expect(c.kind).toBe(ChangeKind.REPLACE);
    expect(c.forcedBy).toEqual(['ports']);
    expect(c.summary).toBe('replaces container `api` on host `h2`; forced by `ports`');
    expect(c.changes.map((a) => a.description)).toEqual(['external port of port 80/tcp: `8080` → `9090`', 'restart added: `always`']);
    expect(renderDiffMarkdown(r)).toContain('external port of port 80/tcp: `8080` → `9090` _(forces replacement)_');
  });

  test('network_mode change replaces the container', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.network_mode = 'host';
    const c = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head }).changes[0];
    expect(c.forcedBy).toEqual(['network_mode']);
    expect(c.changes[0].description).toBe('network mode: `bridge` → `host`');
  });

  test('terraform_data trigger change replaces the host bootstrap (daemon restart)', () => {
    const hosts = (daemon: string) =>
      stackDoc({}, { terraform_data: { 'h1-daemon': { triggers_replace: { host: 'h1', daemon }, input: 'x', connection: { host: '10.0.0.11', type: 'ssh' } } } });
    const r = diff(
      { 'staging-network': baseNetworkStack(), 'staging-hosts': hosts('{"mtu":1500}') },
      { 'staging-network': baseNetworkStack(), 'staging-hosts': hosts('{"mtu":1450}') },
    );
    expect(r.changes).toHaveLength(1);
    const c = r.changes[0];
    // Hand-written JSON has no docknet-model.json: a built-in's host is not guessed.
    expect(c).toMatchObject({ env: 'staging', host: '', kind: ChangeKind.REPLACE, forcedBy: ['triggers_replace'] });
    expect(c.summary).toContain('replaces host bootstrap `h1-daemon`: its provisioners run again');
    expect(renderDiffMarkdown(r)).toContain('**Environment-wide**');
    expect(c.changes[0].description).toBe('trigger `daemon`: `{"mtu":1500}` → `{"mtu":1450}`');
  });

  test('without a model, the host of a built-in is never guessed from its logical ID', () => {
    const hosts = (cmd: string) => stackDoc({}, { terraform_data: { h2_swarm_join_ABCD: { input: cmd } } });
    const r = diff({ 'dev-network': baseNetworkStack(), 'dev-hosts': hosts('a') }, { 'dev-network': baseNetworkStack(), 'dev-hosts': hosts('b') });
    expect(r.changes[0]).toMatchObject({ host: '', kind: ChangeKind.UPDATE });
  });

  test('references are resolved to names: a renamed logical ID with the same network name changes no container', () => {
    const head = baseNetworkStack();
    head.resource.docker_network.h2_backend_NEW = head.resource.docker_network.h2_backend_5A3B;
    delete head.resource.docker_network.h2_backend_5A3B;
    head.resource.docker_container.h2_api_1.networks_advanced[0].name = '${docker_network.h2_backend_NEW.name}';
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head });
    expect(r.changes.map((c) => `${c.kind} ${c.type} ${c.key}`)).toEqual(['remove docker_network h2_backend_5A3B', 'add docker_network h2_backend_NEW']);
  });

  test('attachment added to a container reads as words', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.networks_advanced.push({ name: 'front', ipv4_address: '10.9.0.5' });
    const c = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head }).changes[0];
    expect(c.changes[0].description).toBe('attachment to network `front` added: ipv4_address=`10.9.0.5`, name=`front`');
  });

  test('provider endpoint change is reported per host', () => {
    const head = baseNetworkStack();
    head.provider.docker[1].host = 'ssh://ops@10.0.0.99';
    const r = diff({ 'dev-network': baseNetworkStack() }, { 'dev-network': head });
    expect(r.changes[0].summary).toBe('provider `docker.h2`: endpoint: `ssh://ops@10.0.0.12` → `ssh://ops@10.0.0.99`');
  });

  test('fail-on and json output', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.image = 'busybox:new';
    const base = synthDir({ 'dev-network': baseNetworkStack() });
    const headDir = synthDir({ 'dev-network': head });
    expect(runDiff({ base, head: headDir }).exitCode).toBe(3);
    expect(runDiff({ base, head: headDir, failOn: FailOn.NEVER }).exitCode).toBe(0);
    const json = JSON.parse(runDiff({ base, head: headDir, format: OutputFormat.JSON }).output);
    expect(json).toMatchObject({ counts: { replace: 1 }, exitCode: 3, changes: [{ kind: 'replace', forcedBy: ['image'] }] });
    expect(renderDiffJson(diffSynthDirs(base, headDir))).toContain('"exitCode": 3');
  });

  test('CLI exits with the gate code', () => {
    const head = baseNetworkStack();
    head.resource.docker_container.h2_api_1.image = 'busybox:new';
    const root = path.resolve(__dirname, '../..');
    const args = ['ts-node', '--transpile-only', 'bin/docknet.ts', 'diff', '--base', synthDir({ 'dev-network': baseNetworkStack() }), '--head', synthDir({ 'dev-network': head })];
    let status = 0;
    let stdout = '';
    try {
      stdout = execFileSync('npx', args, { cwd: root, encoding: 'utf8' });
    } catch (e: any) {
      status = e.status;
      stdout = e.stdout;
    }
    expect(status).toBe(3);
    expect(stdout).toContain('replaces container `api` on host `h2`; forced by `image`');
  }, 60000);
});

describe('change effects of provider 3.6.2', () => {
  test.each([
    ['docker_service', 'name', [], ChangeEffect.REPLACE],
    ['docker_service', 'task_spec', ['0', 'networks_advanced', '0', 'aliases'], ChangeEffect.REPLACE],
    ['docker_service', 'task_spec', ['0', 'container_spec', '0', 'image'], ChangeEffect.UPDATE],
    ['docker_service', 'mode', ['0', 'replicated', '0', 'replicas'], ChangeEffect.UPDATE],
    ['docker_network', 'labels', [], ChangeEffect.REPLACE],
    ['docker_container', 'restart', [], ChangeEffect.UPDATE],
    ['docker_container', 'networks_advanced', [], ChangeEffect.REPLACE],
  ] as [string, string, string[], ChangeEffect][])('%s.%s %j: %s', (type, arg, rest, effect) => {
    expect(effectOf(type, arg, rest)).toBe(effect);
  });
});
