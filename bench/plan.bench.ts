/**
 * Planning + validation benchmark (`npm run bench`). A synthetic fleet at 1x = 200 hosts, 2,000
 * networks (8 bridges and 1 macvlan per host, 200 overlays), 20,000 attachments (50 containers per
 * host, each on a bridge and on an overlay or the LAN, all with static addresses), then 4x and 16x.
 * Measures, median of RUNS runs after WARMUP (parse caches cleared before each run): pool + LAN allocation from an empty
 * record, from a full record, and validateTopology. Budget: plan + validate at 1x under 100 ms,
 * growth close to n log n (x4 items -> about x4.5 time).
 */
import { Cidr, IpAddress } from '../lib/core/address/cidr';
import { validateTopology } from '../lib/core/validation/engine';
import { fleet, model } from './plan-fleet';

const RUNS = Number(process.env.RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const WARMUP = Number(process.env.WARMUP ?? 10);

/** Median of RUNS runs after WARMUP unmeasured ones (JIT), each with cold parse caches; also the very first run. */
function time(fn: () => void): { median: number; first: number } {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    Cidr.clearCache();
    IpAddress.clearCache();
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { median: median(times.slice(WARMUP)), first: times[0] };
}

const rows: { scale: number; items: number; empty: number; full: number; validate: number; heapMb: number }[] = [];
for (const scale of [1, 4, 16]) {
  const f = fleet(scale);
  const { plan, record } = f.plan();
  const m = model(f, plan);
  const attachments = m.containers.reduce((n, c) => n + c.attachments.length, 0);
  const problems = validateTopology(m);
  if (problems.length) throw new Error(`synthetic fleet should be valid, got ${problems.length} problems, first: ${problems[0].code} ${problems[0].message}`);
  const items = m.hosts.length + m.networks.length + attachments;
  const emptyT = time(() => f.plan());
  const fullT = time(() => f.plan(record));
  const validateT = time(() => validateTopology(m));
  const [empty, full, validate] = [emptyT.median, fullT.median, validateT.median];
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  rows.push({ scale, items, empty, full, validate, heapMb });
  console.log(
    `${scale}x: ${m.hosts.length} hosts, ${m.networks.length} networks, ${attachments} attachments (${items} items)\n` +
      `  plan(empty record) ${empty.toFixed(1)} ms, plan(full record) ${full.toFixed(1)} ms, validate ${validate.toFixed(1)} ms\n` +
      `  plan(empty)+validate ${(empty + validate).toFixed(1)} ms = ${(((empty + validate) * 1e6) / items).toFixed(0)} ns/item; ` +
      `plan(full)+validate ${(full + validate).toFixed(1)} ms = ${(((full + validate) * 1e6) / items).toFixed(0)} ns/item\n` +
      `  first (cold JIT) runs: plan(empty) ${emptyT.first.toFixed(1)} ms, validate ${validateT.first.toFixed(1)} ms | heap used ${heapMb.toFixed(0)} MB`,
  );
}
const ru = process.resourceUsage();
console.log(`peak RSS ${(ru.maxRSS / 1024).toFixed(0)} MB (process.resourceUsage().maxRSS), rss now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  const r = (x: number, y: number) => (y / x).toFixed(2);
  console.log(
    `growth ${a.scale}x -> ${b.scale}x (items x${(b.items / a.items).toFixed(1)}): plan(empty) x${r(a.empty, b.empty)}, plan(full) x${r(a.full, b.full)}, validate x${r(a.validate, b.validate)}`,
  );
}
const one = rows[0];
const budget = one.empty + one.validate;
console.log(`1x plan(empty)+validate ${budget.toFixed(1)} ms: ${budget < 100 ? 'within' : 'OVER'} the 100 ms budget`);
