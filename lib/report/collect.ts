/**
 * Collects the topology reports written at synth time (cdktf.out/stacks/<stack>/docknet-report.md)
 * into one document, for a PR comment or a job summary.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TopologyModel } from '../model';
import { renderReport, ReportExtras, REPORT_FILE } from './report';

export interface CollectedReport {
  readonly stack: string;
  readonly file: string;
  readonly content: string;
}

export function collectReports(dir: string, stacks: string[] = []): CollectedReport[] {
  const stacksDir = path.join(dir, 'stacks');
  if (!fs.existsSync(stacksDir)) throw new Error(`No synth output at "${dir}": expected ${stacksDir}. Run "cdktf synth" first.`);
  return fs
    .readdirSync(stacksDir)
    .sort()
    .filter((s) => !stacks.length || stacks.includes(s))
    .map((stack) => ({ stack, file: path.join(stacksDir, stack, REPORT_FILE) }))
    .filter((r) => fs.existsSync(r.file))
    .map((r) => ({ ...r, content: fs.readFileSync(r.file, 'utf8') }));
}

/** One document; a stack's report under a details fold when there are several, to keep comments short. */
export function runReport(options: { dir: string; stacks?: string[]; fold?: boolean }): { output: string; exitCode: number } {
  const reports = collectReports(options.dir, options.stacks);
  if (!reports.length) {
    return { output: `No ${REPORT_FILE} under ${path.join(options.dir, 'stacks')}/*: synth writes one per stack that has a topology.\n`, exitCode: 1 };
  }
  const fold = options.fold ?? reports.length > 1;
  const parts = reports.map((r) => (fold ? `<details><summary>${r.stack}</summary>\n\n${r.content.trimEnd()}\n\n</details>` : r.content.trimEnd()));
  return { output: parts.join('\n\n') + '\n', exitCode: 0 };
}

/**
 * Writes a stack's report where `docknet report` looks for it: <outdir>/stacks/<stack>/docknet-report.md.
 * For synth time, after cdktf has created the stack folder.
 */
export function writeReport(outdir: string, stack: string, model: TopologyModel, extras?: ReportExtras): string {
  const file = path.join(outdir, 'stacks', stack, REPORT_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(model, extras));
  return file;
}
