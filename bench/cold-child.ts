/**
 * One cold first call of plan (empty record) + validate on the 1x planning fleet, in a fresh process
 * (spawned by cold.bench.ts). The argument says when the heap is collected (node --expose-gc):
 *
 * - "settled": before each timed part. Loading ts-node, its compiler and the modules leaves a major
 *   GC due, and building the model (the constructs' job, untimed) fills the young generation with
 *   the model; either lands in whatever runs next (a Mark-Compact of tens of ms, a scavenge that
 *   copies the just-built model), the loader's and the model builder's cost, not the call's.
 * - "loaded": once after loading, before plan (the model's scavenge may land in validate).
 * - none: as is.
 */
import { validateTopology } from '../lib/core/validation/engine';
import { fleet, model } from './plan-fleet';

const mode = process.argv[2];
const gc = () => (globalThis as unknown as { gc(): void }).gc();
const f = fleet(1);
if (mode === 'settled' || mode === 'loaded') gc();
const t0 = process.hrtime.bigint();
const { plan } = f.plan();
const t1 = process.hrtime.bigint();
const m = model(f, plan); // the constructs' job, not timed
if (mode === 'settled') gc();
const t2 = process.hrtime.bigint();
const problems = validateTopology(m);
const t3 = process.hrtime.bigint();
if (problems.length) throw new Error(`the bench fleet should be valid, got ${problems[0].code} ${problems[0].message}`);
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
console.log(JSON.stringify({ planMs: ms(t0, t1), validateMs: ms(t2, t3), totalMs: ms(t0, t1) + ms(t2, t3) }));
