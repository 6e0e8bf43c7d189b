// Marker secrets planted where a user puts them (container and service env), changed between a base
// and a head synth, and promoted between environments: no review output (diff as Markdown and JSON,
// report, promote, every file synth writes but Terraform's own input) may hold one. The diff still says
// which variable changed, with a digest, so a reviewer sees the change without the value.
import * as fs from 'fs';
import * as path from 'path';
import { OutputFormat, runDiff } from '../../lib/report/diff';
import { runReport } from '../../lib/report/collect';
import { runPromote } from '../../lib/report/promote';
import { secretDigest } from '../../lib/report/secrets';
import { PROD, STAGING, synthEnvs } from './env-fixture';
import { removeTempDirs } from './fixtures';

afterAll(removeTempDirs);

const MARK = (s: string) => `dn-marker-${s}-7f3a9c`;
const BASE = { dbEnv: { POSTGRES_PASSWORD: MARK('db-old'), PGDATA: '/var/lib/pg' }, queueEnv: { QUEUE_TOKEN: MARK('queue-old') } };
const HEAD = { dbEnv: { POSTGRES_PASSWORD: MARK('db-new'), PGDATA: '/var/lib/pg', API_KEY: MARK('api-added') }, queueEnv: { QUEUE_TOKEN: MARK('queue-new') } };

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const markers = (text: string) => [...new Set(text.match(/dn-marker-[a-z-]+-7f3a9c/g) ?? [])];

describe('secrets stay out of review', () => {
  const base = synthEnvs({ ...STAGING, ...BASE }, { ...PROD, ...BASE });
  const head = synthEnvs({ ...STAGING, ...HEAD }, { ...PROD, ...BASE });

  test('the markers are in Terraform\'s input (the provider needs them), so the test can find them', () => {
    const tf = filesUnder(head).filter((f) => f.endsWith('cdk.tf.json')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(markers(tf).sort()).toEqual([MARK('api-added'), MARK('db-new'), MARK('db-old'), MARK('queue-new'), MARK('queue-old')]);
  });

  test.each([OutputFormat.MARKDOWN, OutputFormat.JSON])('diff (%s) names the variables that changed, with digests, never a value', (format) => {
    const r = runDiff({ base, head, format });
    expect(markers(r.output)).toEqual([]);
    expect(r.output).toContain('POSTGRES_PASSWORD');
    expect(r.output).toContain('API_KEY');
    expect(r.output).toContain('QUEUE_TOKEN');
    expect(r.output).toContain(secretDigest(MARK('db-old')));
    expect(r.output).toContain(secretDigest(MARK('db-new')));
    // An unchanged variable is not listed at all.
    expect(r.output).not.toContain('PGDATA');
  });

  test('report and promote hold no marker', () => {
    expect(markers(runReport({ dir: head }).output)).toEqual([]);
    for (const format of ['md', 'json'] as const) expect(markers(runPromote({ dir: head, from: 'staging', to: 'prod', format }).output)).toEqual([]);
  });

  test('no file synth writes holds a marker, but Terraform\'s own input', () => {
    const leaks = filesUnder(head).filter((f) => !f.endsWith('cdk.tf.json') && markers(fs.readFileSync(f, 'utf8')).length);
    expect(leaks.map((f) => path.relative(head, f))).toEqual([]);
  });
});
