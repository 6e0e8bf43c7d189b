/**
 * `docknet diff` follows `moved` blocks as Terraform does: a host renamed with renamedFrom keeps its
 * hosts-stack state, so its daemon rollout and swarm join are compared with their old selves, not
 * shown as a host leaving and a new one joining with a dockerd restart.
 */
import { ChangeKind, diffSynthDirs, exitCodeFor, renderDiffJson, renderDiffMarkdown, summaryLine } from '../../lib/report/diff';
import { SwarmRole } from '../../lib';
import { EnvValues, STAGING, synthEnvs } from './env-fixture';
import { removeTempDirs, stackDoc, synthDir, container } from './fixtures';

afterAll(removeTempDirs);

/** STAGING with stg2 renamed to stg2b (and `extra` on it). */
function renamed(extra: Partial<EnvValues['hosts'][number]> = {}): EnvValues {
  return { ...STAGING, hosts: STAGING.hosts.map((h) => (h.name === 'stg2' ? { ...h, name: 'stg2b', ...extra } : h)) };
}

const base = synthEnvs(STAGING);

describe('docknet diff follows renamed hosts (moved blocks)', () => {
  test('renamedFrom, settings unchanged: one rename line, no dockerd restart, no swarm leave/join', () => {
    const r = diffSynthDirs(base, synthEnvs(renamed({ renamedFrom: 'stg2' })));
    const ops = r.operations.find((o) => o.env === 'staging')!;
    expect(ops.renames.map((x) => x.line)).toEqual(['stg2 renamed to stg2b: its state moves (moved blocks); nothing restarts, no swarm leave/join']);
    expect(ops.daemon).toEqual([]);
    expect(ops.restartWaves).toEqual([]);
    expect(ops.swarm).toEqual([]);
    // The hosts stack's rollout and join of stg2 move to stg2b and update their input in place: no replacement, no remove/add.
    const hostsStack = r.changes.filter((c) => c.stack === 'staging-hosts' && (c.object?.kind === 'daemon' || c.object?.kind === 'swarm') && [c.host, c.renamedFrom].some((h) => h === 'stg2' || h === 'stg2b'));
    expect(hostsStack.map((c) => [c.object!.kind, c.kind, c.host, c.renamedFrom]).sort()).toEqual([
      ['daemon', ChangeKind.UPDATE, 'stg2b', 'stg2'],
      ['swarm', ChangeKind.UPDATE, 'stg2b', 'stg2'],
    ]);
    expect(hostsStack.every((c) => c.movedFrom && c.summary.includes('from host `stg2` (moved block) and updates it in place: nothing runs on the host'))).toBe(true);
    expect(r.counts.replace).toBe(0);
    expect(exitCodeFor(r)).toBe(2);
    const md = renderDiffMarkdown(r);
    expect(md).toContain('**Renamed hosts** (renamedFrom)\n\n- stg2 renamed to stg2b: its state moves (moved blocks); nothing restarts, no swarm leave/join');
    expect(md).not.toMatch(/leaves the swarm|joins as|new host|dockerd restarts|removes daemon\.json|removes swarm membership/);
    const json = JSON.parse(renderDiffJson(r));
    expect(json.operations).toEqual([expect.objectContaining({ env: 'staging', renames: [expect.objectContaining({ from: 'stg2', to: 'stg2b', restarts: false, rejoins: false })] })]);
  });

  test('renamedFrom with a changed daemon setting: the rename and the real change, restart order by the new name', () => {
    const r = diffSynthDirs(base, synthEnvs(renamed({ renamedFrom: 'stg2', liveRestore: false })));
    const ops = r.operations.find((o) => o.env === 'staging')!;
    expect(ops.renames.map((x) => x.line)).toEqual(['stg2 renamed to stg2b: its state moves (moved blocks); dockerd restarts (see Daemons), no swarm leave/join']);
    expect(ops.daemon.map((d) => d.line)).toEqual(['stg2b (renamed from stg2): live-restore set to false; dockerd restarts']);
    expect(ops.restartWaves).toEqual([['stg2b']]);
    expect(ops.swarm).toEqual([]);
    const rollout = r.changes.find((c) => c.object?.kind === 'daemon' && c.host === 'stg2b')!;
    expect(rollout).toMatchObject({ kind: ChangeKind.REPLACE, renamedFrom: 'stg2' });
    expect(rollout.summary).toMatch(/^replaces daemon\.json rollout of `stg2b` on host `stg2b`: dockerd restarts; forced by `triggers_replace`; moved from host `stg2` first \(moved block\)/);
    // Its blast radius is found from its old self: the containers of the host restart with dockerd.
    expect(rollout.blastRadius?.restarted).toEqual(['stg2/api-2']);
    expect(r.changes.some((c) => c.kind === ChangeKind.REMOVE && c.object?.kind === 'daemon')).toBe(false);
    expect(exitCodeFor(r)).toBe(3);
  });

  test('renamedFrom with a role change: the rename, and the role change under Swarm', () => {
    // Three managers (raft wants an odd number): stg3 is promoted too.
    const head = renamed({ renamedFrom: 'stg2', role: SwarmRole.MANAGER });
    const r = diffSynthDirs(base, synthEnvs({ ...head, hosts: head.hosts.map((h) => (h.name === 'stg3' ? { ...h, role: SwarmRole.MANAGER } : h)) }));
    const ops = r.operations.find((o) => o.env === 'staging')!;
    expect(ops.renames.map((x) => x.line)).toEqual(['stg2 renamed to stg2b: its state moves (moved blocks); nothing restarts, its swarm role changes (see Swarm)']);
    expect(ops.swarm.map((s) => s.line)).toEqual(['stg2b (renamed from stg2): worker → manager', 'stg3: worker → manager']);
    const join = r.changes.find((c) => c.object?.kind === 'swarm' && c.host === 'stg2b')!;
    expect(join).toMatchObject({ kind: ChangeKind.REPLACE, renamedFrom: 'stg2' });
    expect(r.changes.some((c) => c.object?.kind === 'swarm' && c.host === 'stg2')).toBe(false);
  });

  test('a rename without renamedFrom is what Terraform does: a host removed and a host added', () => {
    const r = diffSynthDirs(base, synthEnvs(renamed()));
    const ops = r.operations.find((o) => o.env === 'staging')!;
    expect(ops.renames).toEqual([]);
    expect(ops.swarm.map((s) => s.line)).toEqual(['stg2b joins as worker', 'stg2 leaves the swarm (was worker)']);
    expect(ops.daemon.map((d) => d.line)).toEqual([expect.stringMatching(/^stg2b: new host; daemon\.json written .*dockerd restarts$/)]);
    expect(r.changes.filter((c) => c.object?.kind === 'daemon').map((c) => [c.kind, c.host])).toEqual([
      [ChangeKind.REMOVE, 'stg2'],
      [ChangeKind.ADD, 'stg2b'],
    ]);
    expect(r.changes.some((c) => c.movedFrom)).toBe(false);
    // ...which Terraform refuses to plan: stg2's container goes with the provider that must destroy it.
    expect(r.blockers).toEqual([expect.stringMatching(/^`staging-network`: host `stg2` leaves the code together with 2 resource\(s\) its provider `docker\.stg2` must destroy \(`docker_container\.stg2_api-2_[0-9A-F]{8}`, `docker_image\.stg2_Image-busybox_136_[0-9A-F]{8}`\)\. Terraform refuses that plan \("Provider configuration not present"\)\. Remove the host in two changes/)]);
    expect(renderDiffMarkdown(r)).toMatch(/> \[!CAUTION\]\n> \*\*Terraform will refuse this plan\*\*\n> - `staging-network`: host `stg2`/);
    expect(JSON.parse(renderDiffJson(r)).blockers).toEqual(r.blockers);
    // With renamedFrom the resources move: nothing for Terraform to refuse.
    expect(diffSynthDirs(base, synthEnvs(renamed({ renamedFrom: 'stg2' }))).blockers).toBeUndefined();
  });

  test('removing a host: with its containers in one change Terraform refuses; in two changes (containers, then the host) each plans', () => {
    const without = (v: EnvValues): EnvValues => ({ ...v, hosts: v.hosts.filter((h) => h.name !== 'stg2') });
    expect(diffSynthDirs(base, synthEnvs(without(STAGING))).blockers).toEqual([expect.stringContaining('host `stg2` leaves the code together with 2 resource(s)')]);
    // First its containers (api-2 goes; api-3 with it, as the replicas spread over the hosts), the host kept...
    const emptied = synthEnvs({ ...STAGING, replicas: 1 });
    const first = diffSynthDirs(base, emptied);
    expect(first.blockers).toBeUndefined();
    expect(first.changes.filter((c) => c.host === 'stg2' && c.kind === ChangeKind.REMOVE).map((c) => c.type).sort()).toEqual(['docker_container', 'docker_image']);
    // ...then the host: nothing of it left for its provider to destroy.
    const second = diffSynthDirs(emptied, synthEnvs(without({ ...STAGING, replicas: 1 })));
    expect(second.blockers).toBeUndefined();
    expect(second.changes.filter((c) => c.stack === 'staging-network' && c.host === 'stg2').map((c) => [c.type, c.kind])).toEqual([['provider', ChangeKind.REMOVE]]);
  });

  test('a moved resource with nothing else changing is a move only; a moved block Terraform ignores is not followed', () => {
    const web = container('h1', 'web', undefined);
    const head = stackDoc({ h1: 'ssh://ops@10.0.0.11' }, { docker_container: { h1_web_new: web } });
    head.moved = [{ from: 'docker_container.h1_web_old', to: 'docker_container.h1_web_new' }];
    const before = stackDoc({ h1: 'ssh://ops@10.0.0.11' }, { docker_container: { h1_web_old: web } });
    const r = diffSynthDirs(synthDir({ 'dev-network': before }), synthDir({ 'dev-network': head }));
    expect(r.changes.map((c) => [c.kind, c.key, c.movedFrom])).toEqual([[ChangeKind.MOVE, 'h1_web_new', 'docker_container.h1_web_old']]);
    expect(r.changes[0].summary).toBe('moves container `web` from `docker_container.h1_web_old` (moved block): no change');
    expect(r.counts).toEqual({ add: 0, update: 0, replace: 0, remove: 0, move: 1 });
    expect(summaryLine(r.counts)).toBe('0 to add, 0 to change in place, 0 to replace, 0 to remove, 1 to move only.');
    expect(exitCodeFor(r)).toBe(2);
    // The source is not in base (a fresh deploy): Terraform ignores the block; the resource is added.
    const fresh = diffSynthDirs(synthDir({ 'dev-network': stackDoc({ h1: 'ssh://ops@10.0.0.11' }, { docker_container: {} }) }), synthDir({ 'dev-network': head }));
    expect(fresh.changes.map((c) => [c.kind, c.key])).toEqual([[ChangeKind.ADD, 'h1_web_new']]);
  });
});
