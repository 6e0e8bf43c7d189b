/**
 * The example's synth (`npm run bench:cli`): `npm run synth` (the app run directly, tools/synth.js)
 * against `npx cdktf synth` (the CLI running cdktf.json's app), CLI_RUNS times each (default 3),
 * interleaved. Wall time, CPU (user + sys of the whole process tree) and peak RSS from /usr/bin/time.
 * Both write the example's cdktf.out/, as a synth does.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './child';

const RUNS = Number(process.env.CLI_RUNS ?? 3);
const root = path.resolve(__dirname, '..');
if (!fs.existsSync('/usr/bin/time')) throw new Error('bench:cli needs /usr/bin/time (GNU time) for CPU and peak memory of the process tree');
const commands: [string, string[]][] = [
  ['npm run synth', ['npm', 'run', 'synth']],
  ['npx cdktf synth', ['npx', 'cdktf', 'synth']],
];
const results = new Map<string, { wall: number; cpu: number; rss: number }[]>(commands.map(([n]) => [n, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, argv] of i % 2 ? [...commands].reverse() : commands) {
    const r = spawnSync('/usr/bin/time', ['-f', 'DNTIME %e %U %S %M', ...argv], { cwd: root, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const line = r.stderr.split('\n').find((l) => l.startsWith('DNTIME '));
    if (r.status !== 0 || !line) throw new Error(`${name} failed:\n${r.stdout}\n${r.stderr}`);
    const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number);
    results.get(name)!.push({ wall, cpu: user + sys, rss: rssKb / 1024 });
  }
}
for (const [name, rs] of results) {
  console.log(
    `${name.padEnd(16)} ${RUNS} runs: wall median ${median(rs.map((r) => r.wall)).toFixed(2)} s, CPU median ${median(rs.map((r) => r.cpu)).toFixed(2)} s, peak RSS median ${median(rs.map((r) => r.rss)).toFixed(0)} MiB`,
  );
}
