/**
 * One cold first call of plan (empty record) + validate on the 1x planning fleet, in a fresh process
 * (spawned by cold.bench.ts). With the argument "settled" (node --expose-gc) the heap is collected
 * once before the clock starts: loading ts-node, its compiler and the modules leaves a major GC due,
 * which otherwise lands in whatever runs first (tens of ms, the loader's cost, not the call's).
 */
import { validateTopology } from '../lib/core/validation/engine';
import { fleet, model } from './plan-fleet';

const settled = process.argv[2] === 'settled';
const f = fleet(1);
if (settled) (globalThis as unknown as { gc(): void }).gc();
const t0 = process.hrtime.bigint();
const { plan } = f.plan();
const t1 = process.hrtime.bigint();
const m = model(f, plan); // the constructs' job, not timed
const t2 = process.hrtime.bigint();
const problems = validateTopology(m);
const t3 = process.hrtime.bigint();
if (problems.length) throw new Error(`the bench fleet should be valid, got ${problems[0].code} ${problems[0].message}`);
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
console.log(JSON.stringify({ planMs: ms(t0, t1), validateMs: ms(t2, t3), totalMs: ms(t0, t1) + ms(t2, t3) }));
