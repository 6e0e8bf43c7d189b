import { Command, Option } from 'commander';
import { FailOn, OutputFormat, runDiff } from '../diff';
import { emit } from './emit';

/** `docknet diff`: semantic diff of two synth outputs; exit 0 none, 2 changes, 3 replacements. */
export function diffCommand(): Command {
  return new Command('diff')
    .description('Semantic diff of two synth outputs (cdktf.out folders), grouped per environment and host')
    .requiredOption('--base <dir>', 'synth output of the base (e.g. the target branch)')
    .requiredOption('--head <dir>', 'synth output of the head (e.g. the PR)')
    .addOption(new Option('--format <format>', 'output format').choices(Object.values(OutputFormat)).default(OutputFormat.MARKDOWN))
    .addOption(
      new Option('--fail-on <what>', 'exit non-zero on: change (2 changes, 3 replacements), replace (3 only), never').choices(Object.values(FailOn)).default(FailOn.CHANGE),
    )
    .option('--out <file>', 'also write the output to this file')
    .addHelpText('after', '\nExit codes: 0 no changes, 2 changes without replacement, 3 replacements, 1 error.')
    .action((o: { base: string; head: string; format: OutputFormat; failOn: FailOn; out?: string }) => {
      emit(runDiff(o), o.out);
    });
}
