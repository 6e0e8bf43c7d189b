/**
 * Promotion by role: environments built with the library, synthesized, then compared through their
 * docknet-model.json. Value-only differences pass; each structural kind fails in topology words.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SwarmRole } from '../../lib';
import { normalizeName, promoteCheck, PromoteResult, renderPromoteMarkdown, runPromote } from '../../lib/report/promote';
import { removeTempDirs } from './fixtures';
import { EnvValues, PROD, STAGING, synthEnvs } from './env-fixture';

afterAll(removeTempDirs);

let stagingDir: string;
beforeAll(() => {
  stagingDir = synthEnvs(STAGING);
});

/** Staging (synthesized once) next to a prod variant in one cdktf.out folder. */
function withProd(prod: EnvValues): string {
  const dir = synthEnvs(prod);
  for (const stack of fs.readdirSync(path.join(stagingDir, 'stacks'))) {
    fs.cpSync(path.join(stagingDir, 'stacks', stack), path.join(dir, 'stacks', stack), { recursive: true });
  }
  return dir;
}

function check(prod: Partial<EnvValues>): PromoteResult {
  return promoteCheck(withProd({ ...PROD, ...prod }), 'staging', 'prod');
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

  test.each<[string, Partial<EnvValues>, RegExp]>([
    ['host names and addresses (hosts matched by slot)', {}, /name `stg1` → `prod1`; endpoint `ssh:\/\/ops@10\.20\.0\.11` → `ssh:\/\/ops@10\.30\.0\.11`/],
    ['ssh users', { sshUser: 'deploy' }, /endpoint `ssh:\/\/ops@10\.20\.0\.11` → `ssh:\/\/deploy@10\.30\.0\.11`/],
    ['subnets from each environment\'s own pools', {}, /network `backend` on the manager: subnet `10\.120\.0\.0\/24` → `10\.130\.0\.0\/24`/],
    ['DNS values of the daemon', { dns: ['10.30.0.53'] }, /daemon dns `10\.20\.0\.2`, `10\.20\.0\.3` → `10\.30\.0\.53`/],
    ['a static address', { webAddress: '172.30.0.99' }, /container `web` on the manager: addresses `172\.30\.0\.10` → `172\.30\.0\.99`/],
    ['a published host port', { webHostPort: 9090 }, /published ports `0\.0\.0\.0:8080` → `0\.0\.0\.0:9090`/],
    ['an image tag', { image: 'busybox:1.37' }, /image `busybox:1\.36` → `busybox:1\.37`/],
    ['replica counts of containers', { replicas: 5 }, /container `api-#` \(replicas\): 3 in `staging`, 5 in `prod`/],
    ['replica counts fewer than hosts', { replicas: 2 }, /container `api-#` \(replicas\): 3 in `staging`, 2 in `prod`/],
    ['service replicas', { serviceReplicas: 4 }, /service `queue` on the manager: replicas `2` → `4`/],
  ])('value-only difference passes: %s', (_what, prod, shown) => {
    const r = check(prod);
    expect(r.structural).toEqual([]);
    expect(r.ok).toBe(true);
    const md = renderPromoteMarkdown(r);
    expect(md).toMatch(/^### docknet promote `staging` → `prod`\n\n\*\*OK\*\*/);
    expect(md).toMatch(shown);
  });

  test.each<[string, Partial<EnvValues>, string]>([
    ['a network', { extraNetwork: true }, '`prod` has network `cache` on its manager (`prod1`); `staging` has not'],
    ['a container', { extraContainer: true }, '`prod` has container `debug` on its manager (`prod1`); `staging` has not'],
    ['a container removed', { noSidecar: true }, '`staging` has container `web-sidecar` on its manager (`stg1`); `prod` has not'],
    ['a service', { extraService: true }, '`prod` has service `extra` on its manager (`prod1`); `staging` has not'],
    ['a network mode', { dbMode: 'host' }, 'network mode: `bridge` → `host`'],
    ['a network option', { backendIcc: false }, 'driver option `com.docker.network.bridge.enable_icc` only in `prod`: `false`'],
    ['an internal port', { webInternalPort: 81 }, 'port 81/tcp only in `prod`'],
    ['an alias', { dbAlias: 'db' }, 'aliases on network `backend`: `database` → `db`'],
    ['a daemon key', { daemonLiveRestore: false }, '`prod` declares daemon key `live-restore` on its manager (`prod1`); `staging` does not'],
    ['a host slot', { hosts: [...PROD.hosts, { name: 'prod4', address: '10.30.0.14', role: SwarmRole.WORKER }] }, '`prod` has a host in slot `worker 3` (`prod4`); `staging` has not'],
  ])('structural difference fails: %s', (_what, prod, message) => {
    const r = check(prod);
    expect(r.ok).toBe(false);
    expect(r.structural.map((f) => f.message).join('\n')).toContain(message);
    const md = renderPromoteMarkdown(r);
    expect(md).toContain('**FAIL**');
    // Told in the topology's terms: no Terraform expressions, no logical IDs.
    expect(md).not.toMatch(/\$\{|terraform_data|docker_container\.|_[0-9A-F]{8}\b/);
  });

  test('structural difference fails: a swarm role (hosts with declared slots)', () => {
    const slots = (v: EnvValues, roles: SwarmRole[]): EnvValues => ({ ...v, replicas: 2, hosts: v.hosts.map((h, i) => ({ ...h, slot: `node ${i + 1}`, role: roles[i] })) });
    const staging = slots(STAGING, [SwarmRole.MANAGER, SwarmRole.WORKER, SwarmRole.WORKER]);
    const prod = slots(PROD, [SwarmRole.MANAGER, SwarmRole.WORKER, SwarmRole.NONE]);
    const r = promoteCheck(synthEnvs(staging, prod), 'staging', 'prod');
    expect(r.ok).toBe(false);
    expect(r.structural).toEqual([{ subject: 'the node 3', message: 'swarm role: a worker in `staging` (`stg3`), not a swarm member in `prod` (`prod3`)' }]);
  });

  test('hosts declared in another order still match by slot', () => {
    const reordered: EnvValues = {
      ...PROD,
      hosts: [
        { ...PROD.hosts[0], slot: 'manager' },
        { ...PROD.hosts[1], slot: 'worker 1' },
        { ...PROD.hosts[2], slot: 'worker 2' },
      ],
    };
    const staging: EnvValues = {
      ...STAGING,
      hosts: [
        { ...STAGING.hosts[0], slot: 'manager' },
        { ...STAGING.hosts[1], slot: 'worker 1' },
        { ...STAGING.hosts[2], slot: 'worker 2' },
      ],
    };
    const dir = synthEnvs(staging, reordered);
    const r = promoteCheck(dir, 'staging', 'prod');
    expect(r.structural).toEqual([]);
    expect(renderPromoteMarkdown(r)).toContain('- the worker 1: name `stg2` → `prod2`');
  });

  test('exit codes, JSON, and clear errors for an unknown environment or a synth without models', () => {
    const pass = withProd(PROD);
    expect(runPromote({ dir: pass, from: 'staging', to: 'prod' }).exitCode).toBe(0);
    const fail = runPromote({ dir: withProd({ ...PROD, extraNetwork: true }), from: 'staging', to: 'prod', format: 'json' });
    expect(fail.exitCode).toBe(4);
    expect(JSON.parse(fail.output)).toMatchObject({ ok: false, exitCode: 4 });
    expect(() => promoteCheck(pass, 'staging', 'qa')).toThrow(/No stacks for environment "qa" in the synth output \(found: prod, staging\)\. Run "npm run synth" and check --from\/--to\./);
    for (const stack of fs.readdirSync(path.join(pass, 'stacks'))) fs.rmSync(path.join(pass, 'stacks', stack, 'docknet-model.json'));
    expect(() => promoteCheck(pass, 'staging', 'prod')).toThrow(/No docknet-model\.json for environment "staging".*Synthesize again/);
  });
});
