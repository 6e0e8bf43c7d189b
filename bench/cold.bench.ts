/**
 * Cold first call (`npm run bench:cold`): plan (empty record) + validate of the 1x planning fleet
 * (200 hosts, 2,000 networks, 20,000 attachments) as the first thing a fresh process does, median
 * over COLD_RUNS fresh processes (default 7). Goal: under 50 ms.
 */
import { median, runChild } from './child';

const RUNS = Number(process.env.COLD_RUNS ?? 7);
const runs: { planMs: number; validateMs: number; totalMs: number }[] = [];
for (let i = 0; i < RUNS; i++) runs.push(runChild('cold-child.ts'));
const totals = runs.map((r) => r.totalMs);
const m = median(totals);
console.log(
  `cold first call, 1x fleet, ${RUNS} fresh processes: plan+validate median ${m.toFixed(1)} ms ` +
    `(plan ${median(runs.map((r) => r.planMs)).toFixed(1)} ms, validate ${median(runs.map((r) => r.validateMs)).toFixed(1)} ms), ` +
    `min ${Math.min(...totals).toFixed(1)}, max ${Math.max(...totals).toFixed(1)} ms; ${totals.filter((t) => t < 50).length} of ${RUNS} under 50 ms: ` +
    `${m < 50 ? 'within' : 'OVER'} the 50 ms goal`,
);
