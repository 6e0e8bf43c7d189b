/**
 * `docknet plan-check`: the address plan of a merge result is sound. Run by the workflow on
 * `pull_request` (GitHub checks out the PR merged into main) and on `merge_group` (the exact commit
 * a merge queue lands).
 *
 * Two branches cut from the same base that each add a pooled network both get the lowest free
 * block. When their keys sit apart in docknet.plan.json, git merges both lines without a conflict
 * and the record hands one block to two networks. This finds such blocks and names both owners,
 * then runs a frozen synth (DOCKNET_PLAN_FROZEN=1) so a record that does not match the merged code
 * fails here, before main, instead of on main's next synth (DN272).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { Cidr, PlanRecord, compareKeys, readPlanRecord } from '../lib/core/address';
import { PlanStore } from '../lib/environment/environment-plan';

export interface DoubleAllocation {
  readonly environment: string;
  /** Where the blocks are: `pool "bridges"` or `LAN segment "lan"`. */
  readonly where: [string, string];
  readonly owners: [string, string];
  readonly blocks: [string, string];
  readonly message: string;
}

interface Entry {
  readonly where: string;
  readonly owner: string;
  readonly cidr: Cidr;
}

/** Every pair of overlapping blocks in a sorted list (a sweep keeping the blocks still open). */
function overlaps(entries: Entry[]): [Entry, Entry][] {
  const sorted = [...entries].sort((a, b) => Cidr.compare(a.cidr, b.cidr) || compareKeys(a.owner, b.owner));
  const pairs: [Entry, Entry][] = [];
  let open: Entry[] = [];
  for (const e of sorted) {
    open = open.filter((o) => o.cidr.overlaps(e.cidr));
    for (const o of open) pairs.push([o, e]);
    open.push(e);
  }
  return pairs;
}

/**
 * Blocks of one environment recorded for two owners: pool blocks (all pools of the environment
 * together: pools must not overlap either) and LAN ranges of one segment.
 */
export function findDoubleAllocations(record: PlanRecord, file = PlanStore.DEFAULT_FILE): DoubleAllocation[] {
  const found: DoubleAllocation[] = [];
  for (const env of Object.keys(record.environments).sort(compareKeys)) {
    const e = record.environments[env];
    const groups: Entry[][] = [
      Object.entries(e.pools).flatMap(([pool, blocks]) => Object.entries(blocks).map(([owner, c]) => ({ where: `pool "${pool}"`, owner, cidr: Cidr.parse(c) }))),
      ...Object.entries(e.lanRanges).map(([seg, ranges]) => Object.entries(ranges).map(([host, c]) => ({ where: `LAN segment "${seg}"`, owner: host, cidr: Cidr.parse(c) }))),
    ];
    for (const group of groups) {
      for (const [a, b] of overlaps(group)) {
        const same = a.cidr.toString() === b.cidr.toString();
        const blocks = same ? `${a.cidr} in ${a.where}` : `${a.cidr} (${a.where}) and ${b.cidr} (${b.where}), which overlap,`;
        const message =
          `${file}: ${blocks} of environment "${env}" ${same ? 'is' : 'are'} allocated to two owners: "${a.owner}" and "${b.owner}". ` +
          `Two branches each took the lowest free block from the same base and git merged both lines. ` +
          `Fix it on the branch that is not deployed yet: rebase it on main, delete its own line from ${file}, ` +
          `run \`npm run synth\` (it takes the next free block) and commit the record. The network already deployed keeps its block.`;
        found.push({ environment: env, where: [a.where, b.where], owners: [a.owner, b.owner], blocks: [a.cidr.toString(), b.cidr.toString()], message });
      }
    }
  }
  return found;
}

export interface PlanCheckResult {
  readonly problems: string[];
  /** The frozen synth's output when it failed. */
  readonly synthOutput?: string;
}

/** The record check, then (unless `synth` is false) a frozen synth of the project in `cwd`. */
export function runPlanCheck(opts: { record?: string; synth?: boolean; cwd?: string }): PlanCheckResult {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, opts.record ?? PlanStore.DEFAULT_FILE);
  const problems: string[] = [];
  let record: PlanRecord | undefined;
  try {
    record = readPlanRecord(file);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (record) problems.push(...findDoubleAllocations(record, path.relative(cwd, file) || file).map((d) => d.message));
  else if (!problems.length) problems.push(`${file} does not exist: run \`npm run synth\` and commit the record.`);
  if (opts.synth === false) return { problems };

  // The app itself (cdktf.json's "app", what `cdktf synth` runs), with the outdir cdktf's App reads
  // from CDKTF_OUTDIR: no CLI around it, so the output is the app's own, each problem once, without
  // the CLI's spinner, its warnings about this machine's Terraform set-up, or its echo of the problems.
  let app: string;
  try {
    app = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.json'), 'utf8')).app;
    if (typeof app !== 'string' || !app.trim()) throw new Error('its "app" is not a command');
  } catch (e) {
    problems.push(`the frozen synth cannot run: ${path.join(cwd, 'cdktf.json')} ${(e as Error).message}. Expected a cdktf.json whose "app" runs the program (e.g. "npx ts-node main.ts").`);
    return { problems };
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-plan-check-'));
  try {
    const r = spawnSync('sh', ['-c', app], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, DOCKNET_PLAN_FROZEN: '1', CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: out },
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) {
      problems.push(`the frozen synth failed: ${path.relative(cwd, file) || file} does not match the merged code (or the code does not synth). Its output follows.`);
      return { problems, synthOutput: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  return { problems };
}

export function planCheckCommand(): Command {
  return new Command('plan-check')
    .description('Check the address plan of a merge result: no block recorded for two owners, and the record matches a frozen synth')
    .option('--record <file>', 'the plan record checked for double allocations (the frozen synth reads the file the app reads)', PlanStore.DEFAULT_FILE)
    .option('--no-synth', 'only check the record (skip the frozen synth)')
    .addHelpText('after', '\nExit codes: 0 sound, 1 a double allocation, a record that does not match the code, or an error.')
    .action((o: { record: string; synth: boolean }) => {
      const result = runPlanCheck({ record: o.record, synth: o.synth });
      // The problems first: "Its output follows." then reads right.
      for (const p of result.problems) {
        process.stderr.write(`docknet plan-check: ${p}\n`);
        if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error::${p.replace(/%/g, '%25').replace(/\r?\n/g, '%0A')}\n`);
      }
      if (result.synthOutput) process.stderr.write(result.synthOutput.trimEnd() + '\n');
      if (result.problems.length) process.exitCode = 1;
      else process.stdout.write(`docknet plan-check: ${o.record}: every block has one owner${o.synth ? '; a frozen synth accepts it' : ''}.\n`);
    });
}
