/**
 * Cold first call (`npm run bench:cold`): plan (empty record) + validate of the 1x planning fleet
 * (200 hosts, 2,000 networks, 20,000 attachments) as the first thing a fresh process does, median
 * over COLD_RUNS fresh processes (default 7). Goal: under 50 ms.
 *
 * Measured two ways, interleaved: with the heap settled after loading (the figure for the goal: the
 * call's own cost, its code run for the first time, unoptimized, and the collections its allocations
 * cause), and as is, where the major GC that loading ts-node and the modules leaves due also lands in
 * the call (see cold-child.ts).
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
const settled: Run[][] = nodes.map(() => []);
const asIs: Run[][] = nodes.map(() => []);
for (let i = 0; i < RUNS; i++) {
  nodes.forEach((node, k) => {
    const settle = () => settled[k].push(runChild<Run>('cold-child.ts', ['settled'], ['--expose-gc'], node));
    const plain = () => asIs[k].push(runChild<Run>('cold-child.ts', [], [], node));
    if (i % 2) (settle(), plain());
    else (plain(), settle());
  });
}
const line = (runs: Run[]) => {
  const totals = runs.map((r) => r.totalMs);
  return (
    `plan+validate median ${median(totals).toFixed(1)} ms (plan ${median(runs.map((r) => r.planMs)).toFixed(1)} ms, validate ${median(runs.map((r) => r.validateMs)).toFixed(1)} ms), ` +
    `min ${Math.min(...totals).toFixed(1)}, max ${Math.max(...totals).toFixed(1)} ms; ${totals.filter((t) => t < 50).length} of ${RUNS} under 50 ms`
  );
};
nodes.forEach((_, k) => {
  const m = median(settled[k].map((r) => r.totalMs));
  console.log(`cold first call, 1x fleet, Node ${versions[k]}, ${RUNS} fresh processes, heap settled after loading: ${line(settled[k])}: ${m < 50 ? 'within' : 'OVER'} the 50 ms goal`);
  console.log(`  the same as is (loading's major GC due lands in the call): ${line(asIs[k])}`);
});
