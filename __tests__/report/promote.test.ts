import { compareEnvironments, normalizeName, promoteCheck, renderPromoteMarkdown, runPromote } from '../../lib/report/promote';
import { parseStacks } from '../../lib/report/synth';
import { container, Doc, network, stackDoc, synthDir, removeTempDirs } from './fixtures';

afterAll(removeTempDirs);

/** One environment as the constructs would synthesize it; values differ per env, structure does not. */
function env(name: string, v: { octet: number; webs: number; endpointBase: number }): Record<string, Doc> {
  const net = `10.${v.octet}`;
  const containers: Record<string, Doc> = {
    h1_api: container('h1', `${name}-api`, '${docker_network.h1_backend.name}', {
      ports: [{ internal: 80, external: 8000 + v.octet }],
      networks_advanced: [{ name: '${docker_network.h1_backend.name}', ipv4_address: `${net}.1.5`, aliases: ['api'] }],
      dns: [`${net}.0.1`],
    }),
    h2_metrics: container('h2', 'metrics', undefined, { network_mode: 'host' }),
  };
  for (let i = 1; i <= v.webs; i++) {
    containers[`h1_web-${i}_${i}ABC`] = container('h1', `web-${i}`, '${docker_network.h1_backend.name}', { hostname: `web-${i}`, networks_advanced: [{ name: '${docker_network.h1_backend.name}', ipv4_address: `${net}.1.${10 + i}` }] });
  }
  return {
    [`${name}-network`]: stackDoc(
      { h1: `ssh://ops@192.168.${v.endpointBase}.11`, h2: `ssh://ops@192.168.${v.endpointBase}.12` },
      {
        docker_network: {
          h1_backend: network('h1', `${name}-backend`, { ipam_config: [{ subnet: `${net}.1.0/24`, gateway: `${net}.1.1` }] }),
          h2_lan: network('h2', 'lan', { driver: 'macvlan', options: { parent: 'eth0.50', macvlan_mode: 'bridge' }, ipam_config: [{ subnet: `${net}.2.0/24`, ip_range: `${net}.2.160/27`, gateway: `${net}.2.1` }] }),
        },
        docker_container: containers,
      },
    ),
    [`${name}-hosts`]: stackDoc({}, { terraform_data: { 'h1-daemon': { triggers_replace: { host: 'h1', daemon: JSON.stringify({ bip: `172.${v.octet}.0.1/24`, mtu: 1450 }) }, connection: { host: `192.168.${v.endpointBase}.11` } } } }),
  };
}

const STAGING = env('staging', { octet: 20, webs: 2, endpointBase: 1 });
const PROD = () => env('prod', { octet: 30, webs: 5, endpointBase: 2 });

function check(prod: Record<string, Doc>) {
  const stacks = parseStacks(Object.entries({ ...STAGING, ...prod }).map(([name, doc]) => ({ name, doc })));
  return compareEnvironments(stacks, 'staging', 'prod');
}

describe('docknet promote', () => {
  test.each([
    ['prod-web-3', 'prod', '<env>-web-#'],
    ['web_12', 'prod', 'web-#'],
    ['docknet_prod', 'prod', 'docknet_<env>'],
    ['production', 'prod', 'production'],
    ['eth0.50', 'prod', 'eth0.50'],
  ])('normalizeName(%s, %s) = %s', (name, e, expected) => {
    expect(normalizeName(name, e)).toBe(expected);
  });

  test('same topology with other values and replica counts passes', () => {
    const r = check(PROD());
    expect(r.structural).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toEqual([{ subject: 'container `web-#` on host `h1`', message: '2 in `staging`, 5 in `prod`' }]);
    expect(r.values.length).toBeGreaterThan(0);
    const md = renderPromoteMarkdown(r);
    expect(md).toMatch(/^### docknet promote `staging` → `prod`\n\n\*\*OK\*\*/);
    expect(md).toContain('endpoint `ssh://ops@192.168.1.11` → `ssh://ops@192.168.2.11`');
  });

  test('an extra network in prod fails and names it', () => {
    const prod = PROD();
    prod['prod-network'].resource.docker_network.h2_extra = network('h2', 'extra');
    const r = check(prod);
    expect(r.ok).toBe(false);
    expect(r.structural).toEqual([{ subject: 'network `extra` on host `h2`', message: 'exists only in `prod`' }]);
    expect(renderPromoteMarkdown(r)).toContain('**FAIL**: 1 structural difference(s)');
  });

  test('a different driver option fails', () => {
    const prod = PROD();
    prod['prod-network'].resource.docker_network.h2_lan.options.macvlan_mode = 'private';
    const r = check(prod);
    expect(r.structural).toEqual([{ subject: 'network `lan` on host `h2`', message: 'driver option `macvlan_mode`: `bridge` → `private`' }]);
  });

  test('a container with another network mode fails', () => {
    const prod = PROD();
    prod['prod-network'].resource.docker_container.h2_metrics.network_mode = 'bridge';
    const r = check(prod);
    expect(r.structural).toEqual([{ subject: 'container `metrics` on host `h2`', message: 'network mode: `host` → `bridge`' }]);
  });

  test('another internal port fails, another published port does not', () => {
    const prod = PROD();
    prod['prod-network'].resource.docker_container.h1_api.ports = [{ internal: 81, external: 9999 }];
    const r = check(prod);
    expect(r.structural).toHaveLength(1);
    expect(r.structural[0].subject).toBe('container `<env>-api` on host `h1`');
    expect(r.structural[0].message).toContain('port 80/tcp only in `staging`');
    expect(r.structural[0].message).toContain('port 81/tcp only in `prod`');
  });

  test('one drifting replica fails even when the others match', () => {
    const prod = PROD();
    prod['prod-network'].resource.docker_container['h1_web-4_4ABC'].image = 'busybox:other';
    const r = check(prod);
    expect(r.structural).toEqual([{ subject: 'container `web-#` on host `h1`', message: 'image: `busybox:local` → `busybox:other`' }]);
  });

  test('daemon settings in a trigger: addresses are values, other keys are structure', () => {
    const prod = PROD();
    prod['prod-hosts'].resource.terraform_data['h1-daemon'].triggers_replace.daemon = JSON.stringify({ bip: '172.99.0.1/24', mtu: 1500 });
    const r = check(prod);
    expect(r.structural).toHaveLength(1);
    expect(r.structural[0].message).toContain('trigger `daemon`');
    expect(r.structural[0].message).toContain('1450');
  });

  test('from a synth dir, with exit codes; unknown environment is an error', () => {
    const pass = synthDir({ ...STAGING, ...PROD() });
    expect(promoteCheck(pass, 'staging', 'prod').ok).toBe(true);
    expect(runPromote({ dir: pass, from: 'staging', to: 'prod' }).exitCode).toBe(0);
    const prod = PROD();
    prod['prod-network'].resource.docker_network.h2_extra = network('h2', 'extra');
    const fail = runPromote({ dir: synthDir({ ...STAGING, ...prod }), from: 'staging', to: 'prod', format: 'json' });
    expect(fail.exitCode).toBe(4);
    expect(JSON.parse(fail.output)).toMatchObject({ ok: false, exitCode: 4 });
    expect(() => promoteCheck(pass, 'staging', 'qa')).toThrow(/No stacks for environment "qa" in the synth output \(found: prod, staging\)/);
  });
});
