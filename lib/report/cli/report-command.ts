import * as fs from 'fs';
import { Command } from 'commander';
import { TopologyModel } from '../../model';
import { runReport } from '../collect';
import { renderReport } from '../report';
import { emit } from './emit';

/** `docknet report`: prints the reports synth wrote, or renders one from a model JSON file. */
export function reportCommand(): Command {
  return new Command('report')
    .description('Print the topology reports written at synth (cdktf.out/stacks/*/docknet-report.md)')
    .option('--dir <dir>', 'synth output folder', 'cdktf.out')
    .option('--stack <name...>', 'only these stacks')
    .option('--model <file>', 'render from a TopologyModel JSON file instead of collecting')
    .option('--no-fold', 'do not fold several reports into <details> sections')
    .option('--out <file>', 'also write the output to this file')
    .action((o: { dir: string; stack?: string[]; model?: string; fold: boolean; out?: string }) => {
      if (o.model) {
        const model = JSON.parse(fs.readFileSync(o.model, 'utf8')) as TopologyModel;
        return emit({ output: renderReport(model), exitCode: 0 }, o.out);
      }
      return emit(runReport({ dir: o.dir, stacks: o.stack, fold: o.fold ? undefined : false }), o.out);
    });
}
