/**
 * Synth benchmark (`npm run bench:synth`): docknet against a raw cdktf program emitting the same
 * docker resources (bench/fleet.ts, bench/fleet-docknet.ts) at S (10 hosts / 100 bridges / 1,000
 * containers), M (50 / 500 / 5,000) and L (200 / 2,000 / 20,000). Every synth runs in its own fresh
 * process; raw and docknet runs are interleaved (alternating which goes first) so both see the same
 * machine. Figures: CPU time and wall time of build + synth (after module load), the process's peak
 * RSS (process.resourceUsage().maxRSS), medians over the runs; the ratio docknet / raw; and the bytes
 * and sha256 of the docker resources (providers + docker_* resources) of both, which must be equal.
 * Env: BENCH_SIZES (default "S,M,L"), BENCH_RUNS (default 3; L runs once unless BENCH_RUNS_L is set).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median, runChild } from './child';
import { SIZES } from './fleet';

interface Run {
  kind: 'docknet' | 'raw';
  size: string;
  cpuMs: number;
  wallMs: number;
  processCpuMs: number;
  maxRssMiB: number;
  dockerBytes: number;
  dockerSha256: string;
}

const sizes = (process.env.BENCH_SIZES ?? 'S,M,L').split(',');
const runsOf = (s: string) => Number((s === 'L' ? process.env.BENCH_RUNS_L : undefined) ?? (s === 'L' ? 1 : process.env.BENCH_RUNS ?? 3));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-bench-'));
const rows: string[] = [];
let keep = false;
try {
  for (const s of sizes) {
    const size = SIZES[s];
    if (!size) throw new Error(`unknown size ${s}; expected S, M or L`);
    const runs: Run[] = [];
    for (let i = 0; i < runsOf(s); i++) {
      for (const kind of i % 2 === 0 ? (['raw', 'docknet'] as const) : (['docknet', 'raw'] as const)) {
        const out = path.join(tmp, `${kind}-${s}-${i}`);
        runs.push(runChild<Run>('synth-child.ts', [kind, s, out]));
        if (kind === 'raw' || i > 0) fs.rmSync(out, { recursive: true, force: true });
      }
    }
    const of = (k: string) => runs.filter((r) => r.kind === k);
    const [raw, dn] = [of('raw'), of('docknet')];
    // Byte-identical docker resources, or the comparison means nothing.
    const a = fs.readFileSync(path.join(tmp, `docknet-${s}-0`, 'docker-resources.json'));
    const rawShas = new Set(raw.map((r) => r.dockerSha256));
    const dnShas = new Set(dn.map((r) => r.dockerSha256));
    if (rawShas.size !== 1 || dnShas.size !== 1 || [...rawShas][0] !== [...dnShas][0]) {
      keep = true; // the evidence stays
      throw new Error(`${s}: docker resources differ between docknet (${[...dnShas].join(', ')}) and raw cdktf (${[...rawShas].join(', ')}); see ${path.join(tmp, `docknet-${s}-0`)}`);
    }
    fs.rmSync(path.join(tmp, `docknet-${s}-0`), { recursive: true, force: true });
    const med = (xs: Run[], f: (r: Run) => number) => median(xs.map(f));
    const cpu = [med(raw, (r) => r.cpuMs), med(dn, (r) => r.cpuMs)];
    const wall = [med(raw, (r) => r.wallMs), med(dn, (r) => r.wallMs)];
    const rss = [med(raw, (r) => r.maxRssMiB), med(dn, (r) => r.maxRssMiB)];
    console.log(
      `${s} (${size.hosts} hosts / ${size.hosts * size.bridgesPerHost} bridges / ${size.hosts * size.containersPerHost} containers), ${raw.length} run(s) each:\n` +
        `  raw cdktf  cpu ${(cpu[0] / 1000).toFixed(2)} s, wall ${(wall[0] / 1000).toFixed(2)} s, peak RSS ${rss[0].toFixed(0)} MiB\n` +
        `  docknet    cpu ${(cpu[1] / 1000).toFixed(2)} s, wall ${(wall[1] / 1000).toFixed(2)} s, peak RSS ${rss[1].toFixed(0)} MiB\n` +
        `  docknet/raw: cpu ${(cpu[1] / cpu[0]).toFixed(2)}x, wall ${(wall[1] / wall[0]).toFixed(2)}x, memory ${(rss[1] / rss[0]).toFixed(2)}x\n` +
        `  docker resources byte-identical: ${a.length} bytes, sha256 ${[...dnShas][0]}`,
    );
    rows.push(`| ${s} | ${(cpu[0] / 1000).toFixed(2)} s | ${(cpu[1] / 1000).toFixed(2)} s | ${(cpu[1] / cpu[0]).toFixed(2)}x | ${(wall[1] / wall[0]).toFixed(2)}x | ${rss[0].toFixed(0)} MiB | ${rss[1].toFixed(0)} MiB | ${a.length} | ${[...dnShas][0].slice(0, 12)} |`);
  }
  console.log('\n| size | raw cpu | docknet cpu | cpu ratio | wall ratio | raw peak RSS | docknet peak RSS | docker bytes | sha256 |\n|---|---|---|---|---|---|---|---|---|\n' + rows.join('\n'));
} finally {
  if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
}
