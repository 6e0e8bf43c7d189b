import * as fs from 'fs';
import * as path from 'path';
import { TopologyModel } from '../../lib/core/model';
import { renderMermaid, renderReport } from '../../lib/report/report';
import { mermaidLabel } from '../../lib/report/text';
import { warning } from '../../lib/core/validation/problem';
import { STAGING } from './model-fixture';

const GOLDEN_DIR = path.join(__dirname, '__golden__');

/** Compares with a checked-in file; UPDATE_GOLDEN=1 rewrites it (review the diff before committing). */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  if (!fs.existsSync(file)) throw new Error(`Golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it.`);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

const EXTRAS = {
  daemonSettings: {
    h2: { mtu: 1500 },
    h1: { 'default-address-pools': [{ base: '10.200.0.0/16', size: 24 }], bip: '172.31.0.1/24', 'log-driver': 'json-file' },
  },
  warnings: [warning('DN301', ['staging/h2/lan'], 'macvlan containers cannot reach their own host without a shim interface.')],
};

describe('topology report', () => {
  test('golden: staging fixture', () => {
    expectGolden('staging.md', renderReport(STAGING, EXTRAS));
  });

  test('golden: empty environment', () => {
    expectGolden('empty.md', renderReport({ environment: 'dev', hosts: [], networks: [], containers: [], pools: [], lanSegments: [] }));
  });

  test('deterministic: input order does not matter', () => {
    const shuffled: TopologyModel = {
      ...STAGING,
      hosts: [...STAGING.hosts].reverse(),
      networks: [...STAGING.networks].reverse(),
      containers: [...STAGING.containers].reverse(),
      pools: [...STAGING.pools].reverse(),
    };
    expect(renderReport(shuffled, EXTRAS)).toBe(renderReport(STAGING, EXTRAS));
  });

  test('overlay drawn once, outside every host subgraph, with an edge per attached container', () => {
    const mm = renderMermaid(STAGING);
    const lines = mm.split('\n');
    const overlayNodes = lines.filter((l) => /\[\["mesh/.test(l));
    expect(overlayNodes).toHaveLength(1);
    expect(overlayNodes[0]).toMatch(/^ {2}net_/); // top level, not indented into a subgraph
    expect(lines.filter((l) => /--> *net_staging_mesh_/.test(l) || /\| net_staging_mesh_/.test(l))).toHaveLength(2);
    expect(mm).toContain('-->|"10.10.1.10 fd00:10::10"|');
    expect(mm).toContain('-.->|"shares netns"|');
    expect(mm).toContain('-.->|"host"|');
  });

  test('services: a table and a summary count only when there are any, drawn once outside every host', () => {
    expect(renderReport(STAGING, EXTRAS)).not.toMatch(/service/i);
    const withSvc: TopologyModel = {
      ...STAGING,
      services: [
        { path: 'staging/h1/web', name: 'web', host: 'h1', image: 'nginx:1.27', replicas: 3, attachments: [{ network: 'staging/mesh', aliases: ['www', 'front'] }], ports: [{ target: 80, published: 8080, protocol: 'tcp' }] },
        { path: 'staging/h1/batch', name: 'batch', host: 'h1', image: 'busybox:1.36', replicas: 0, attachments: [{ network: 'staging/mesh', aliases: [] }], ports: [] },
      ],
    };
    const md = renderReport(withSvc, EXTRAS);
    expect(md).toContain(', 2 services.');
    expect(md).toContain([
      '## Services',
      '',
      '| Service | Created via | Image | Replicas | Networks | Ports (routing mesh) |',
      '| --- | --- | --- | --- | --- | --- |',
      '| `batch` | `h1` | `busybox:1.36` | 0 | `mesh: VIP` | — |',
      '| `web` | `h1` | `nginx:1.27` | 3 | `mesh: VIP (aliases front, www)` | `8080→80/tcp` |',
    ].join('\n'));
    const lines = renderMermaid(withSvc).split('\n');
    const nodes = lines.filter((l) => /^ {2}svc_\w+\{\{"web<br\/>service ×3"\}\}$/.test(l));
    expect(nodes).toHaveLength(1);
    expect(lines.filter((l) => /^ {2}svc_staging_h1_web_\w+ -->\|"VIP"\| net_staging_mesh_\w+$/.test(l))).toHaveLength(1);
    expect(renderReport({ ...withSvc, services: [...withSvc.services!].reverse() }, EXTRAS)).toBe(md);
  });

  test('names that would break Mermaid or Markdown are escaped', () => {
    expect(mermaidLabel('a"b<c>|d#e`f')).toBe('a#quot;b#lt;c#gt;#124;d#35;e#96;f');
    const evil: TopologyModel = {
      ...STAGING,
      networks: [{ ...STAGING.networks[0], name: 'back"end|x' }],
      containers: [{ ...STAGING.containers[0], attachments: [{ network: STAGING.networks[0].path, aliases: [] }] }],
    };
    const md = renderReport(evil);
    expect(md).toContain('"back#quot;end#124;x<br/>bridge 10.10.1.0/24 fd00:10::/64"');
    expect(md).toContain('| `back"end\\|x` |');
  });

  test('node ids are stable and Mermaid-safe', () => {
    const ids = [...renderMermaid(STAGING).matchAll(/\b((?:net|ctr|host|hostnet)_[A-Za-z0-9_]+)/g)].map((m) => m[1]);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
    expect(renderMermaid(STAGING)).toBe(renderMermaid(JSON.parse(JSON.stringify(STAGING))));
  });
});
