/**
 * Cold first call (`npm run bench:cold`): plan (empty record) + validate of the 1x planning fleet
 * (200 hosts, 2,000 networks, 20,000 attachments) as the first thing a fresh process does, median
 * over COLD_RUNS fresh processes (default 7). Goal: under 50 ms.
 *
 * Measured three ways, interleaved (see cold-child.ts): with the heap settled before each timed part
 * (the figure for the goal: the call's own cost, its code run for the first time, unoptimized, and
 * the collections its own allocations cause); settled once after loading, so that the scavenge
 * which copies the model built between plan and validate (untimed, the constructs' job) lands in
 * validate; and as is, where the major GC that loading ts-node and the modules leaves due lands in
 * the call too.
 *
 * A first call is code running before V8 has optimized it, so the figure depends on the Node release:
 * BENCH_NODES (comma-separated Node binaries) measures each, interleaved. `npm run bench:cold:lts`
 * fetches the LTS lines docknet supports (22 and 24, from the npm registry) and measures them next to
 * the Node that runs the bench.
 */
import { execFileSync } from 'child_process';
import { median, runChild } from './child';

type Run = { planMs: number; validateMs: number; totalMs: number };
const RUNS = Number(process.env.COLD_RUNS ?? 7);
const nodes = (process.env.BENCH_NODES ?? process.execPath)
  .split(',')
  .map((n) => n.trim())
  .filter((n, i, all) => n && all.indexOf(n) === i);
const versions = nodes.map((n) => execFileSync(n, ['--version'], { encoding: 'utf8' }).trim());
const MODES = ['settled', 'loaded', 'as-is'] as const;
const runs = nodes.map(() => ({ settled: [] as Run[], loaded: [] as Run[], 'as-is': [] as Run[] }));
for (let i = 0; i < RUNS; i++) {
  nodes.forEach((node, k) => {
    // Rotate the order of the modes from one round to the next.
    for (let j = 0; j < MODES.length; j++) {
      const mode = MODES[(i + j) % MODES.length];
      runs[k][mode].push(runChild<Run>('cold-child.ts', mode === 'as-is' ? [] : [mode], mode === 'as-is' ? [] : ['--expose-gc'], node));
    }
  });
}
const line = (runs: Run[]) => {
  const totals = runs.map((r) => r.totalMs);
  return (
    `plan+validate median ${median(totals).toFixed(1)} ms (plan ${median(runs.map((r) => r.planMs)).toFixed(1)} ms, validate ${median(runs.map((r) => r.validateMs)).toFixed(1)} ms), ` +
    `min ${Math.min(...totals).toFixed(1)}, max ${Math.max(...totals).toFixed(1)} ms; ${totals.filter((t) => t < 50).length} of ${RUNS} under 50 ms`
  );
};
// Say when no supported release was measured (npx could not fetch one, or plain bench:cold on Node 20).
if (!versions.some((v) => Number(v.slice(1).split('.')[0]) >= 22)) {
  console.log(`(only Node ${versions.join(', ')}, past its end of life, was measured; docknet supports Node 24 and 22: npm run bench:cold:lts fetches them)`);
}
nodes.forEach((_, k) => {
  const m = median(runs[k].settled.map((r) => r.totalMs));
  console.log(`cold first call, 1x fleet, Node ${versions[k]}, ${RUNS} fresh processes, heap settled before each timed part: ${line(runs[k].settled)}: ${m < 50 ? 'within' : 'OVER'} the 50 ms goal`);
  console.log(`  settled after loading only (the model's scavenge lands in validate): ${line(runs[k].loaded)}`);
  console.log(`  as is (loading's major GC due lands in the call too): ${line(runs[k]['as-is'])}`);
});
