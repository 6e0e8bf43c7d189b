import { Command } from 'commander';
import { loadModelForReport, runReport } from '../collect';
import { renderReport } from '../report';
import { emit } from './emit';

/** `docknet report`: prints the reports synth wrote (rendered from docknet-model.json where the App wrote none), or renders one from a model file. */
export function reportCommand(): Command {
  return new Command('report')
    .description('Print the topology reports written at synth (cdktf.out/stacks/*/docknet-report.md)')
    .option('--dir <dir>', 'synth output folder', 'cdktf.out')
    .option('--stack <name...>', 'only these stacks')
    .option('--model <file>', 'render from a docknet-model.json (or its stack folder) or a TopologyModel JSON instead of collecting')
    .option('--no-fold', 'do not fold several reports into <details> sections')
    .option('--out <file>', 'also write the output to this file')
    .action((o: { dir: string; stack?: string[]; model?: string; fold: boolean; out?: string }) => {
      if (o.model) {
        const { model, extras } = loadModelForReport(o.model);
        return emit({ output: renderReport(model, extras), exitCode: 0 }, o.out);
      }
      return emit(runReport({ dir: o.dir, stacks: o.stack, fold: o.fold ? undefined : false }), o.out);
    });
}
