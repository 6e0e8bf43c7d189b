/**
 * Blast radius that follows references, and daemon/swarm changes in operators' words: two synths of
 * one environment built with the library, diffed. One test per path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SwarmRole } from '../../lib';
import { ChangeKind, Consequence, diffSynthDirs, DiffResult, renderDiffMarkdown } from '../../lib/report/diff';
import { removeTempDirs } from './fixtures';
import { EnvValues, STAGING, synthEnvs } from './env-fixture';

afterAll(removeTempDirs);

let baseDir: string;
beforeAll(() => {
  baseDir = synthEnvs(STAGING);
});

const diff = (head: Partial<EnvValues>): DiffResult => diffSynthDirs(baseDir, synthEnvs({ ...STAGING, ...head }));
const replacementOf = (r: DiffResult, name: string) => r.changes.find((c) => c.kind === ChangeKind.REPLACE && c.name === name)!;

describe('blast radius', () => {
  test('container:<it> mode: replacing web replaces web-sidecar with it', () => {
    const r = diff({ webInternalPort: 81 });
    const web = replacementOf(r, 'web');
    expect(web.blastRadius!.alsoReplaced).toEqual(['stg1/web-sidecar']);
    expect(web.blastRadius!.perHost).toEqual({ stg1: 1 });
    expect(web.summary).toContain('blast radius: 1 more replaced (`web-sidecar`) (per host: `stg1` 1)');
    // Terraform plans the sidecar's replacement although its own arguments did not change.
    const sidecar = replacementOf(r, 'web-sidecar');
    expect(sidecar.summary).toBe("replaces container `web-sidecar` on host `stg1` because its network mode refers to container `web`'s id, which the replacement changes");
    expect(r.counts.replace).toBe(2);
    expect(renderDiffMarkdown(r)).toContain('web-sidecar');
  });

  test('containers attached to a replaced network are disconnected', () => {
    const r = diff({ backendIcc: false });
    const backend = replacementOf(r, 'backend');
    expect(backend.blastRadius!.disconnected).toEqual(['stg1/db']);
    expect(backend.blastRadius!.items[0]).toMatchObject({ what: 'container `db`', consequence: Consequence.DISCONNECTED, because: 'it is attached to network `backend`' });
    expect(renderDiffMarkdown(r)).toContain('  - disconnected: container `db` on `stg1`, because it is attached to network `backend`');
  });

  test('services on a replaced overlay are replaced (they refer to its id); its containers on every host are disconnected', () => {
    const r = diff({ meshEncrypted: true });
    const mesh = replacementOf(r, 'mesh');
    expect(mesh.blastRadius!.alsoReplaced).toEqual(['stg1/queue']);
    expect(mesh.blastRadius!.disconnected).toEqual(['stg1/api-1', 'stg2/api-2', 'stg3/api-3']);
    expect(mesh.blastRadius!.perHost).toEqual({ stg1: 2, stg2: 1, stg3: 1 });
    expect(replacementOf(r, 'queue').causedBy).toMatch(/^staging-network\|docker_network\./);
  });

  test('a daemon rollout whose input changed restarts dockerd and stops the host\'s containers, in operators\' words', () => {
    const r = diff({ dns: ['10.20.0.2', '10.20.0.4'] });
    const rollouts = r.changes.filter((c) => c.kind === ChangeKind.REPLACE && c.object?.kind === 'daemon');
    expect(rollouts.map((c) => c.host)).toEqual(['stg1', 'stg2', 'stg3']);
    expect(rollouts[0].summary).toMatch(/^replaces daemon\.json rollout of `stg1` on host `stg1`: dockerd restarts; forced by `triggers_replace`; blast radius: 4 restarted \(per host: `stg1` 4\)/);
    const ops = r.operations.find((o) => o.env === 'staging')!;
    expect(ops.daemon.map((d) => d.line)).toEqual([
      'stg1: dns 10.20.0.2,10.20.0.3 → 10.20.0.2,10.20.0.4; dockerd restarts',
      'stg2: dns 10.20.0.2,10.20.0.3 → 10.20.0.2,10.20.0.4; dockerd restarts',
      'stg3: dns 10.20.0.2,10.20.0.3 → 10.20.0.2,10.20.0.4; dockerd restarts',
    ]);
    expect(ops.restartWaves).toEqual([['stg1'], ['stg2'], ['stg3']]);
    const md = renderDiffMarkdown(r);
    expect(md).toContain('- stg1: dns 10.20.0.2,10.20.0.3 → 10.20.0.2,10.20.0.4; dockerd restarts');
    expect(md).toContain('Restart order (host declaration order, 1 host at a time): 1. stg1 → 2. stg2 → 3. stg3');
    expect(md).toContain('  - restarted with dockerd on `stg1` (4): `web`, `web-sidecar`, `db`, `api-1`');
    expect(md).toContain('daemon.json content (trigger sha256) changes: see Daemons above for the keys _(forces replacement)_');
    // Hosts by name, never by address; no truncated JSON.
    expect(md).not.toMatch(/Host `10\.|…/);
  });

  test('a daemon key added: set on every host, key by key', () => {
    const r = diff({ daemonLiveRestore: false });
    const ops = r.operations[0];
    expect(ops.daemon.map((d) => d.line)).toEqual([
      'stg1: live-restore set to false; dockerd restarts',
      'stg2: live-restore set to false; dockerd restarts',
      'stg3: live-restore set to false; dockerd restarts',
    ]);
  });

  test('swarm init replaced (the first manager moved): every join is replaced with it', () => {
    const hosts = [{ ...STAGING.hosts[0], address: '10.20.0.21' }, STAGING.hosts[1], STAGING.hosts[2]];
    const r = diff({ hosts });
    const init = r.changes.find((c) => c.kind === ChangeKind.REPLACE && c.object?.kind === 'swarm' && c.host === 'stg1')!;
    expect(init.blastRadius!.alsoReplaced).toEqual(['stg2/stg2', 'stg3/stg3']);
    expect(r.changes.filter((c) => c.object?.kind === 'swarm' && c.causedBy).map((c) => c.summary)).toEqual([
      "replaces swarm membership of `stg2` on host `stg2` because its trigger refers to swarm membership of `stg1`'s id, which the replacement changes",
      "replaces swarm membership of `stg3` on host `stg3` because its trigger refers to swarm membership of `stg1`'s id, which the replacement changes",
    ]);
  });

  test('swarm membership and role changes', () => {
    const hosts = [
      STAGING.hosts[0],
      { ...STAGING.hosts[1], role: SwarmRole.MANAGER, slot: 'worker 1' },
      { ...STAGING.hosts[2], role: SwarmRole.MANAGER, slot: 'worker 2' },
      { name: 'stg4', address: '10.20.0.14', role: SwarmRole.WORKER },
    ];
    const r = diff({ hosts });
    expect(r.operations[0].swarm.map((s) => s.line)).toEqual(['stg2: worker → manager', 'stg3: worker → manager', 'stg4 joins as worker']);
    expect(renderDiffMarkdown(r)).toContain('**Swarm**\n\n- stg2: worker → manager\n- stg3: worker → manager\n- stg4 joins as worker');
  });

  test('a host added or removed: the swarm\'s member record is an update in words, never a replacement to gate on', () => {
    const added = diff({ hosts: [...STAGING.hosts, { name: 'stg4', address: '10.20.0.14', role: SwarmRole.WORKER }] });
    const rec = added.changes.filter((c) => c.object?.kind === 'swarm-members');
    expect(rec.map((c) => [c.kind, c.summary])).toEqual([[ChangeKind.UPDATE, "updates the swarm's record of its members: members no longer declared leave the swarm"]]);
    const removed = diff({ hosts: STAGING.hosts.slice(0, 2) });
    expect(removed.changes.filter((c) => c.kind === ChangeKind.REPLACE)).toEqual([]);
    expect(removed.changes.map((c) => c.summary)).toEqual(expect.arrayContaining(['removes swarm membership of `stg3`', "updates the swarm's record of its members: members no longer declared leave the swarm"]));
  });

  test('a base synthesized without models: no daemon or swarm story is made up, hosts of docker resources still known', () => {
    const head = synthEnvs({ ...STAGING, dns: ['10.20.0.9'] });
    const old = synthEnvs(STAGING);
    for (const stack of fs.readdirSync(path.join(old, 'stacks'))) fs.rmSync(path.join(old, 'stacks', stack, 'docknet-model.json'));
    const r = diffSynthDirs(old, head);
    expect(r.operations).toEqual([]);
    expect(r.changes.filter((c) => c.kind === ChangeKind.REPLACE)).toHaveLength(3);
  });
});
