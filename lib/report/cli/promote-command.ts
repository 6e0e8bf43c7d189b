import { Command, Option } from 'commander';
import { runPromote } from '../promote';
import { emit } from './emit';

/** `docknet promote`: fails (exit 4) when two environments differ in structure, not just values. */
export function promoteCommand(): Command {
  return new Command('promote')
    .description('Check that two environments have the same topology (values such as addresses and counts may differ)')
    .requiredOption('--from <env>', 'environment promoted from, e.g. staging')
    .requiredOption('--to <env>', 'environment promoted to, e.g. prod')
    .option('--dir <dir>', 'synth output folder', 'cdktf.out')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--out <file>', 'also write the output to this file')
    .addHelpText('after', '\nExit codes: 0 same structure, 4 structural drift, 1 error.')
    .action((o: { from: string; to: string; dir: string; format: 'md' | 'json'; out?: string }) => {
      emit(runPromote(o), o.out);
    });
}
