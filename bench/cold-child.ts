/** One cold first call of plan (empty record) + validate on the 1x planning fleet, in a fresh process (spawned by cold.bench.ts). */
import { validateTopology } from '../lib/core/validation/engine';
import { fleet, model } from './plan-fleet';

const f = fleet(1);
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
