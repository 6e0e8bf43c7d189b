import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Capability, DocknetApp, HealthCheck, HostConnection, IpvlanFlag, IpvlanMode, LogDriver, NetworkMode, ParentInterface,
  PlanStore, Port, RestartPolicy, Subnet, Volume,
} from '../../lib';
import { PROVIDER_SCHEMAS, SchemaFinding, checkProviderConfig, checkResource, checkTerraformJson } from '../../lib/core/provider/schema-check';
import { reduceProviderSchema, serializeProviderSchema } from '../../lib/core/provider/schema-data';
import { diffProviderSchemas } from '../../lib/core/provider/schema-diff';
import { buildEnvironment } from '../../stacks/topology';
import { buildFleet } from '../../stacks/fleet';
import { dev } from '../../stacks/dev';
import { staging } from '../../stacks/staging';
import { prod } from '../../stacks/prod';
import { docknetFleet } from '../../bench/fleet-docknet';
import { TEST_HOST_KEY, fleet, synthJson } from '../fixtures';

// The `docknet init` scaffold imports the package by name: here, this repository's sources.
jest.mock('docknet', () => jest.requireActual('../../lib'), { virtual: true });

/** Every cdk.tf.json an app writes, parsed, by stack. */
function synthApp(build: (outdir: string) => DocknetApp): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-schema-'));
  try {
    build(outdir).synth();
    const out: Record<string, any> = {};
    for (const stack of fs.readdirSync(path.join(outdir, 'stacks')).sort()) {
      out[stack] = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    }
    return out;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The repository's example, as `npm run synth` builds it (main.ts): dev, staging, prod and the sharded fleet. */
const example = () => synthApp((outdir) => {
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory(), skipValidation: false });
  for (const values of [dev, staging, prod]) buildEnvironment(app, values);
  buildFleet(app);
  return app;
});

/** The synth benchmark's fleet (bench/fleet-docknet.ts), small. */
const bench = () => synthApp((outdir) => docknetFleet({ name: 'T', hosts: 2, bridgesPerHost: 2, containersPerHost: 3 }, outdir));

/** The project `docknet init` scaffolds (templates/init), with its committed plan record, frozen. */
const scaffold = () => synthApp((outdir) => {
  const root = path.join(__dirname, '..', '..', 'templates', 'init');
  const app = new DocknetApp({ outdir, planStore: PlanStore.fromFile(path.join(root, 'docknet.plan.json'), { frozen: true }), skipValidation: false });
  const { buildEnvironment: buildScaffold } = require(path.join(root, 'stacks', 'topology'));
  for (const env of ['dev', 'staging', 'prod']) buildScaffold(app, require(path.join(root, 'stacks', env))[env]);
  return app;
});

/** What the example leaves out: every network driver, every container option, services, adoption, a TLS host. */
function wide(): Record<string, any> {
  const { stack, h1, h2 } = fleet();
  const tls = stack.addHost('h3', { connection: HostConnection.tls({ host: '10.9.0.13', caMaterial: 'CA', certMaterial: 'CERT', keyMaterial: 'KEY' }) });
  const ssh = stack.addHost('h4', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.14', port: 2222, hostKey: TEST_HOST_KEY, privateKeyPath: '/keys/id' }) });
  const br = h1.addBridgeNetwork('br', {
    subnet: Subnet.cidr('10.61.0.0/24'), gateway: '10.61.0.1', ipRange: '10.61.0.128/25', auxAddresses: { router: '10.61.0.2' },
    ipv6: { subnet: Subnet.cidr('fd12:3456:789a::/64') }, labels: { team: 'net' },
  });
  const mv = h1.addMacvlanNetwork('lan', { parent: ParentInterface.of('eth0'), lan: 'lan' });
  const ipv = h2.addIpvlanNetwork('ipv', { parent: ParentInterface.of('eth0'), mode: IpvlanMode.L3, flag: IpvlanFlag.PRIVATE, subnet: Subnet.cidr('10.70.0.0/24') });
  const ov = h1.addOverlayNetwork('ov', { subnet: Subnet.cidr('10.60.0.0/24') });
  const web = h1.addContainer('web', {
    image: 'nginx:1.27', command: ['nginx', '-g', 'daemon off;'], env: { A: '1' }, hostname: 'web', dns: ['10.9.0.2'], dnsOptions: ['ndots:1'], dnsSearch: ['lan'],
    networks: [{ network: br, ipv4Address: '10.61.0.10', ipv6Address: 'fd12:3456:789a::10', aliases: ['www'] }, { network: mv }, { network: ov }],
    ports: [Port.tcp(80, { hostPort: 8080 }), Port.udp(53, { hostPort: 5353, hostIp: '10.9.0.11' })],
    restartPolicy: RestartPolicy.onFailure(3),
    healthCheck: HealthCheck.command(['wget', '-q', '-O-', 'http://localhost/'], { interval: '10s', timeout: '2s', retries: 5, startPeriod: '1m30s' }),
    volumes: [Volume.bind('/srv/conf', '/etc/app', { readOnly: true }), Volume.named('appdata', '/data')],
    labels: { b: '2', a: '1' },
    capabilities: { add: [Capability.NET_ADMIN], drop: [Capability.MKNOD] },
    sysctls: { 'net.ipv4.ip_forward': 1 },
    extraHosts: { db: '10.9.0.50' },
    logDriver: LogDriver.jsonFile({ 'max-size': '10m' }),
  });
  h1.addContainer('side', { image: 'busybox:1.36', networkMode: NetworkMode.container(web) });
  h1.addContainer('probe', { image: 'busybox:1.36', networkMode: NetworkMode.host() });
  h2.addContainer('ip', { image: 'busybox:1.36', networks: [{ network: ipv, ipv4Address: '10.70.0.5' }] });
  h1.addContainer('kept', { image: 'busybox:1.36', networks: [{ network: br }] }).adopt('ab'.repeat(32), { keep: ['networks_advanced', 'image', 'network_mode'] });
  h1.addBridgeNetwork('old', { subnet: Subnet.cidr('10.62.0.0/24') }).adopt('cd'.repeat(32), { keep: ['labels'] });
  h1.addService('api', { image: 'nginx:1.27', command: ['nginx'], env: { Z: 'b' }, replicas: 2, networks: [{ network: ov, aliases: ['api'] }], ports: [Port.tcp(80, { hostPort: 8081 })] });
  void tls;
  void ssh;
  return { 'test-network': synthJson(stack) };
}

/** Every docker_* resource and docker provider block of the stacks, against one line. */
function findingsOf(stacks: Record<string, any>, version: string): string[] {
  return Object.entries(stacks).flatMap(([stack, json]) => checkTerraformJson(version, json).map((f) => `${stack}: ${f.severity} ${f.kind} ${f.path}: ${f.message}`));
}

/** What a finding says once per resource type and argument path, without the resource's name or list index. */
function shapeOf(f: SchemaFinding): string {
  const where = f.path.replace(/^(provider\.\w+|\w+)\.[^.]+/, '$1').replace(/\[\d+\]/g, '');
  return `${f.severity} ${f.kind} ${where}`;
}

function shapesOf(stacks: Record<string, any>, version: string): string[] {
  return [...new Set(Object.values(stacks).flatMap((json) => checkTerraformJson(version, json).map(shapeOf)))].sort();
}

function countOf(stacks: Record<string, any>): { resources: number; providers: number; types: string[] } {
  const types = new Set<string>();
  let resources = 0;
  let providers = 0;
  for (const json of Object.values(stacks)) {
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      if (!type.startsWith('docker_')) continue;
      types.add(type);
      resources += Object.keys(byName).length;
    }
    providers += (json.provider?.docker ?? []).length;
  }
  return { resources, providers, types: [...types].sort() };
}

describe('rendered docker resources against the provider schema', () => {
  const outputs = { example: example(), scaffold: scaffold(), bench: bench(), wide: wide() };

  test.each(Object.keys(outputs))('%s: every docker resource and provider block is valid for 3.6.2, the line docknet renders', (name) => {
    const stacks = outputs[name as keyof typeof outputs];
    const n = countOf(stacks);
    // The check looked at something: resources of every kind that output has, and its provider blocks.
    expect(n.resources).toBeGreaterThan(5);
    expect(n.providers).toBeGreaterThan(1);
    expect(findingsOf(stacks, '3.6.2')).toEqual([]);
  });

  test('the outputs cover every resource type docknet renders', () => {
    const types = new Set(Object.values(outputs).flatMap((o) => countOf(o).types));
    expect([...types].sort()).toEqual(['docker_container', 'docker_image', 'docker_network', 'docker_service']);
  });

  // The work list of issue 24 item 3: what of today's output provider 4.5.0 would refuse or warn about.
  test('against 4.5.0: today\'s output has these findings (a fixed list; rendering for 4.5 changes it)', () => {
    expect(shapesOf(outputs.example, '4.5.0')).toEqual([]);
    expect(shapesOf(outputs.scaffold, '4.5.0')).toEqual([]);
    expect(shapesOf(outputs.bench, '4.5.0')).toEqual([]);
    expect(shapesOf(outputs.wide, '4.5.0')).toEqual([
      'warning deprecated docker_service.task_spec.networks_advanced.name',
    ]);
  });
});

describe('the checker', () => {
  const container = { name: 'web', image: 'nginx:1.27', networks_advanced: [{ name: 'app', ipv4_address: '10.0.0.5' }] };

  test('a valid body has no findings, tokens count as any type', () => {
    expect(checkResource('3.6.2', 'docker_container', container)).toEqual([]);
    expect(checkResource('3.6.2', 'docker_container', { ...container, must_run: '${var.run}', memory: '${var.mem}', ports: [{ internal: '${var.port}' }] })).toEqual([]);
    expect(checkResource('3.6.2', 'docker_container', { ...container, '//': { metadata: {} }, provider: 'docker.h1', depends_on: ['x'], lifecycle: { ignore_changes: ['image', 'networks_advanced'] } })).toEqual([]);
  });

  test('an unknown argument is named, with the line that has it', () => {
    expect(checkResource('3.6.2', 'docker_container', { ...container, colour: 'red' })).toEqual([
      { severity: 'error', kind: 'unknown', path: 'docker_container.<resource>.colour', message: '"colour" is not an argument of docker_container in provider 3.6.2' },
    ]);
    const mac = checkResource('3.6.2', 'docker_container', { ...container, networks_advanced: [{ name: 'app', mac_address: '02:42:ac:11:00:02', gw_priority: 10 }] });
    expect(mac.map((f) => f.message)).toEqual([
      '"mac_address" is not an argument of docker_container in provider 3.6.2 (new in 4.5.0)',
      '"gw_priority" is not an argument of docker_container in provider 3.6.2 (new in 4.5.0)',
    ]);
    expect(mac.map((f) => f.path)).toEqual(['docker_container.<resource>.networks_advanced[0].mac_address', 'docker_container.<resource>.networks_advanced[0].gw_priority']);
    expect(checkResource('4.5.0', 'docker_container', { ...container, networks_advanced: [{ name: 'app', mac_address: '02:42:ac:11:00:02', gw_priority: 10 }] })).toEqual([]);
  });

  test('an argument 4.5.0 removed: check_duplicate of docker_network', () => {
    const network = { name: 'app', driver: 'bridge', check_duplicate: true };
    // Already deprecated in 3.6.2 ("The Docker daemon will always check for duplicate networks"); docknet never writes it.
    expect(checkResource('3.6.2', 'docker_network', network).map((f) => `${f.severity} ${f.kind} ${f.message}`)).toEqual([
      'warning deprecated "check_duplicate" of docker_network is deprecated in provider 3.6.2',
    ]);
    expect(checkResource('4.5.0', 'docker_network', network, 'docker_network.app')).toEqual([
      { severity: 'error', kind: 'unknown', path: 'docker_network.app.check_duplicate', message: '"check_duplicate" is not an argument of docker_network in provider 4.5.0 (removed in 4.5.0: 3.6.2 has it)' },
    ]);
    expect(checkResource('3.6.2', 'docker_network', { name: 'app', lifecycle: { ignore_changes: ['check_duplicate', 'labels'] } }).map((f) => `${f.severity} ${f.kind} ${f.path}`)).toEqual([
      'warning deprecated docker_network.<resource>.lifecycle.ignore_changes[0]',
    ]);
    expect(checkResource('4.5.0', 'docker_network', { name: 'app', lifecycle: { ignore_changes: ['check_duplicate', 'labels'] } }).map((f) => f.path)).toEqual(['docker_network.<resource>.lifecycle.ignore_changes[0]']);
  });

  test('wrong types: scalars, lists, maps, blocks', () => {
    const kinds = (body: object) => checkResource('3.6.2', 'docker_container', { ...container, ...body }).map((f) => `${f.kind} ${f.path.replace('docker_container.<resource>.', '')}`);
    expect(kinds({ must_run: 'yes' })).toEqual(['type must_run']);
    expect(kinds({ memory: 'lots' })).toEqual(['type memory']);
    expect(kinds({ image: [3] })).toEqual(['type image']);
    // What Terraform converts by itself is valid, and still not the provider's own type: a warning.
    expect(kinds({ memory: '512', must_run: 'true', image: 3, sysctls: { 'net.ipv4.ip_forward': 1 } })).toEqual([
      'conversion image', 'conversion memory', 'conversion must_run', 'conversion sysctls["net.ipv4.ip_forward"]',
    ]);
    expect(checkResource('3.6.2', 'docker_container', { ...container, memory: '512' }).map((f) => f.severity)).toEqual(['warning']);
    expect(kinds({ command: 'sleep 1d' })).toEqual(['type command']);
    expect(kinds({ command: ['sleep', ['1d']] })).toEqual(['type command[1]']);
    expect(kinds({ sysctls: ['a'] })).toEqual(['type sysctls']);
    expect(kinds({ networks_advanced: 'app' })).toEqual(['type networks_advanced']);
    expect(kinds({ networks_advanced: ['app'] })).toEqual(['type networks_advanced[0]']);
    // healthcheck is a list block of at most one: two are too many.
    expect(kinds({ healthcheck: [{ test: ['NONE'] }, { test: ['NONE'] }] })).toEqual(['max_items healthcheck']);
    expect(kinds({ healthcheck: { test: ['NONE'] } })).toEqual([]);
  });

  test('missing required arguments, computed-only arguments, deprecated ones', () => {
    expect(checkResource('3.6.2', 'docker_container', { name: 'web' }).map((f) => `${f.severity} ${f.kind} ${f.message}`)).toEqual([
      'error required "image" is required by docker_container in provider 3.6.2 and missing',
    ]);
    expect(checkResource('3.6.2', 'docker_container', { ...container, networks_advanced: [{ aliases: ['a'] }] }).map((f) => `${f.kind} ${f.path}`)).toEqual([
      'required docker_container.<resource>.networks_advanced[0].name',
    ]);
    expect(checkResource('3.6.2', 'docker_container', { ...container, exit_code: 0 }).map((f) => f.kind)).toEqual(['computed']);
    const service = (networks: object) => ({ name: 's', task_spec: { container_spec: { image: 'nginx' }, networks_advanced: [networks] } });
    expect(checkResource('3.6.2', 'docker_service', service({ name: 'ov' }))).toEqual([]);
    expect(checkResource('4.5.0', 'docker_service', service({ name: 'ov' })).map((f) => `${f.severity} ${f.kind} ${f.path}`)).toEqual([
      'warning deprecated docker_service.<resource>.task_spec.networks_advanced[0].name',
    ]);
    expect(checkResource('3.6.2', 'docker_service', service({ id: 'x' })).map((f) => f.message)).toEqual([
      '"id" is not an argument of docker_service in provider 3.6.2 (new in 4.5.0)',
      '"name" is required by docker_service in provider 3.6.2 and missing',
    ]);
    expect(checkResource('3.6.2', 'docker_service', { name: 's' }).map((f) => `${f.kind} ${f.path}`)).toEqual(['min_items docker_service.<resource>.task_spec']);
  });

  test('resource types and provider blocks', () => {
    expect(checkResource('3.6.2', 'docker_compose', {}).map((f) => f.message)).toEqual(['provider 3.6.2 has no resource type docker_compose (new in 4.5.0)']);
    expect(checkProviderConfig('3.6.2', { alias: 'h1', host: 'ssh://ops@h', ssh_opts: ['-o', 'x'] })).toEqual([]);
    expect(checkProviderConfig('3.6.2', { host: 'ssh://ops@h', ssh_opts: '-o x', hots: 'x' }).map((f) => `${f.kind} ${f.path}`)).toEqual(['type provider.docker.ssh_opts', 'unknown provider.docker.hots']);
    expect(checkProviderConfig('3.6.2', { registry_auth: [{ username: 'u' }] }).map((f) => `${f.kind} ${f.path}`)).toEqual(['required provider.docker.registry_auth[0].address']);
    expect(() => checkResource('9.9.9', 'docker_container', {})).toThrow(/no schema of provider line 9.9.9; docknet holds 3.6.2, 4.5.0/);
  });

  test('a whole stack\'s JSON: resources of other providers are not looked at, each finding names its resource', () => {
    const json = {
      provider: { docker: [{ alias: 'h1', host: 'ssh://x', colour: 1 }] },
      resource: { terraform_data: { a: { anything: 1 } }, docker_network: { h1_app: { name: 'app', check_duplicate: true } } },
    };
    expect(checkTerraformJson('4.5.0', json).map((f) => f.path)).toEqual(['docker_network.h1_app.check_duplicate', 'provider.docker.h1.colour']);
  });
});

describe('the schema data', () => {
  test.each(Object.keys(PROVIDER_SCHEMAS))('%s: committed in the converter\'s own form, with its header', (version) => {
    const file = path.join(__dirname, '..', '..', 'lib', 'core', 'provider', 'schemas', `${version}.json`);
    const text = fs.readFileSync(file, 'utf8');
    const schema = JSON.parse(text);
    expect(serializeProviderSchema(schema)).toBe(text);
    expect(schema.version).toBe(version);
    expect(schema.provider).toBe('registry.terraform.io/kreuzwerker/docker');
    expect(schema.produced).toMatch(new RegExp(`tag v${version.replace(/\./g, '\\.')} .*terraform v\\d+\\.\\d+\\.\\d+.*tools/reduce-provider-schema\\.ts`));
    // State schema versions: unchanged from 3.6.2 to 4.5.0 (issue 24).
    expect([schema.resources.docker_container.version, schema.resources.docker_service.version, schema.resources.docker_network.version, schema.resources.docker_volume.version]).toEqual([2, 2, 1, 1]);
  });

  test('the converter keeps names, types, flags, nesting and item counts, and drops descriptions', () => {
    const raw = {
      format_version: '1.0',
      provider_schemas: {
        'registry.terraform.io/kreuzwerker/docker': {
          provider: { version: 0, block: { attributes: { host: { type: 'string', description: 'd', description_kind: 'plain', optional: true } } } },
          resource_schemas: {
            docker_x: {
              version: 3,
              block: {
                attributes: { name: { type: 'string', required: true, description: 'n' }, old: { type: ['list', 'string'], optional: true, deprecated: true } },
                block_types: { one: { nesting_mode: 'list', max_items: 1, min_items: 1, block: { attributes: { id: { type: 'string', computed: true } }, description: 'x' } } },
              },
            },
          },
          data_source_schemas: { docker_y: { version: 0, block: {} } },
        },
      },
    };
    const reduced = reduceProviderSchema(raw, { provider: 'registry.terraform.io/kreuzwerker/docker', version: '1.2.3', produced: 'test' });
    expect(reduced).toEqual({
      provider: 'registry.terraform.io/kreuzwerker/docker', version: '1.2.3', produced: 'test', format_version: '1.0',
      provider_config: { attributes: { host: { type: 'string', optional: true } } },
      resources: {
        docker_x: {
          version: 3,
          block: {
            attributes: { name: { type: 'string', required: true }, old: { type: ['list', 'string'], optional: true, deprecated: true } },
            blocks: { one: { nesting: 'list', min_items: 1, max_items: 1, block: { attributes: { id: { type: 'string', computed: true } } } } },
          },
        },
      },
    });
    expect(serializeProviderSchema(reduced)).not.toContain('description');
    expect(() => reduceProviderSchema(raw, { provider: 'registry.terraform.io/other/docker', version: '1', produced: '' })).toThrow(/no schema for registry.terraform.io\/other\/docker in the input \(it has: registry.terraform.io\/kreuzwerker\/docker\)/);
    const nested = JSON.parse(JSON.stringify(raw));
    nested.provider_schemas['registry.terraform.io/kreuzwerker/docker'].resource_schemas.docker_x.block.attributes.n = { nested_type: { attributes: {} }, optional: true };
    expect(() => reduceProviderSchema(nested, { provider: 'registry.terraform.io/kreuzwerker/docker', version: '1', produced: '' })).toThrow(/docker_x\.n: nested attribute types/);
  });
});

describe('docs/providers.md', () => {
  test('lists what differs between 3.6.2 and 4.5.0 for the resource types docknet renders, as the data says', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'providers.md'), 'utf8');
    const listed = /<!-- schema-diff 3\.6\.2 4\.5\.0 begin -->\n```\n([\s\S]*?)```\n<!-- schema-diff 3\.6\.2 4\.5\.0 end -->/.exec(doc);
    expect(listed).not.toBeNull();
    const diff = diffProviderSchemas(PROVIDER_SCHEMAS['3.6.2'], PROVIDER_SCHEMAS['4.5.0'], ['docker_network', 'docker_container', 'docker_service', 'docker_image', 'docker_volume']);
    expect(listed![1].trimEnd().split('\n')).toEqual(diff);
    expect(diff).toEqual(expect.arrayContaining([
      'docker_network.check_duplicate: removed (was "bool", optional, deprecated)',
      'docker_service.task_spec.networks_advanced.name: "string", required -> "string", optional, deprecated',
      'docker_container.networks_advanced.mac_address: new ("string", optional)',
    ]));
  });

  test('the diff sees every kind of change', () => {
    const a = JSON.parse(JSON.stringify(PROVIDER_SCHEMAS['3.6.2']));
    const b = JSON.parse(JSON.stringify(a));
    b.version = 'x';
    b.provider_config.attributes.host = { type: 'number', optional: true };
    delete b.resources.docker_tag;
    b.resources.docker_volume.version = 2;
    b.resources.docker_container.block.blocks.healthcheck.max_items = 2;
    expect(diffProviderSchemas(a, b)).toEqual([
      'provider.host: "string", optional -> "number", optional',
      'docker_container.healthcheck: block, list, max 1 -> block, list, max 2',
      'docker_tag: removed resource type',
      'docker_volume: state schema version 1 -> 2',
    ]);
    expect(diffProviderSchemas(a, a)).toEqual([]);
  });
});
