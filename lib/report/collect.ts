/**
 * Collects the topology reports written at synth time (cdktf.out/stacks/<stack>/docknet-report.md)
 * into one document, for a PR comment or a job summary.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocknetModel, MODEL_FILE, TopologyModel } from '../core/model';
import { checkModel, readModel } from './model-file';
import { renderReport, ReportExtras, REPORT_FILE } from './report';

export interface CollectedReport {
  readonly stack: string;
  readonly file: string;
  readonly content: string;
}

export function collectReports(dir: string, stacks: string[] = []): CollectedReport[] {
  const stacksDir = path.join(dir, 'stacks');
  if (!fs.existsSync(stacksDir)) throw new Error(`No synth output at "${dir}": expected ${stacksDir}. Run "npm run synth" first.`);
  const available = fs.readdirSync(stacksDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  // A typo must not read as "no reports were written": name what was asked for and what exists.
  const unknown = [...new Set(stacks)].filter((s) => !available.includes(s));
  if (unknown.length) {
    throw new Error(
      `Unknown stack${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `"${s}"`).join(', ')} under ${stacksDir}. ` +
        `Available: ${available.join(', ') || 'none'}. Pass one of them to --stack (the report is in each environment's network stack), or leave --stack out for all.`,
    );
  }
  const out: CollectedReport[] = [];
  for (const stack of available.filter((s) => !stacks.length || stacks.includes(s))) {
    const file = path.join(stacksDir, stack, REPORT_FILE);
    if (fs.existsSync(file)) {
      out.push({ stack, file, content: fs.readFileSync(file, 'utf8') });
      continue;
    }
    // An App that does not write reports (a plain cdktf App) still writes the model: render from it,
    // once per environment (in its network stack's folder).
    const modelFile = path.join(stacksDir, stack, MODEL_FILE);
    if (!fs.existsSync(modelFile)) continue;
    const model = readModel(modelFile);
    if (reportStack(model) === stack) out.push({ stack, file: modelFile, content: renderReport(model, reportExtras(model)) });
  }
  return out;
}

/** The stack whose folder holds the environment's report: its network stack, or its first shard's. */
export function reportStack(model: DocknetModel): string {
  return model.stacks.shards?.[0]?.network ?? model.stacks.network;
}

/** The report's title and daemon settings, from a model file. */
export function reportExtras(model: DocknetModel): ReportExtras {
  const daemonSettings: Record<string, Record<string, unknown>> = {};
  for (const h of model.hosts) if (h.daemon) daemonSettings[h.name] = h.daemon;
  const shards = model.stacks.shards;
  const title = shards ? `Topology \`${model.environment}\` (shards ${shards.map((s) => `\`${s.name}\``).join(', ')})` : `Topology \`${model.stacks.network}\``;
  return { title, daemonSettings };
}

/**
 * A model to render: a docknet-model.json (file or stack folder; its version is checked), or a
 * plain TopologyModel JSON such as a test or another tool writes.
 */
export function loadModelForReport(p: string): { model: TopologyModel; extras?: ReportExtras } {
  const file = fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, MODEL_FILE) : p;
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (doc.kind === undefined && doc.version === undefined) return { model: doc as unknown as TopologyModel };
  const model = checkModel(doc, file);
  return { model, extras: reportExtras(model) };
}

/** One document; a stack's report under a details fold when there are several, to keep comments short. */
export function runReport(options: { dir: string; stacks?: string[]; fold?: boolean }): { output: string; exitCode: number } {
  const reports = collectReports(options.dir, options.stacks);
  if (!reports.length && options.stacks?.length) {
    // Known stacks without a report of their own: a hosts stack's environment is reported in its network stack.
    const where = options.stacks.map((s) => {
      const modelFile = path.join(options.dir, 'stacks', s, MODEL_FILE);
      const other = fs.existsSync(modelFile) ? reportStack(readModel(modelFile)) : undefined;
      return other && other !== s ? `${s} (its environment's report is in ${other}: --stack ${other})` : s;
    });
    return { output: `No ${REPORT_FILE} for ${where.join(', ')} under ${path.join(options.dir, 'stacks')}: synth writes one per environment, in its network stack.\n`, exitCode: 1 };
  }
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
