#!/usr/bin/env node
/**
 * docknet command line. Each subcommand lives in its own module and is only registered here, so
 * commands can be added (e.g. `lab`) without touching the others.
 */
import { Command } from 'commander';
import { diffCommand } from '../lib/report/cli/diff-command';
import { promoteCommand } from '../lib/report/cli/promote-command';
import { reportCommand } from '../lib/report/cli/report-command';
import { initCommand } from '../lib/init/init-command';
import { verifyCommand } from '../lib/live/cli/verify-command';
import { importCommand } from '../lib/live/cli/import-command';
import { swarmReplaceCommand } from '../lib/live/cli/swarm-replace-command';
import { planCheckCommand } from './plan-check';

export function buildProgram(): Command {
  const program = new Command('docknet').description('Docker host networking as code: reports, diffs and promotion checks for synthesized stacks, verify of live hosts');
  for (const command of [reportCommand(), diffCommand(), promoteCommand(), planCheckCommand(), verifyCommand(), importCommand(), swarmReplaceCommand()]) program.addCommand(command);
  program.addCommand(initCommand());
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      // Operational errors (missing folder, unknown environment) are one line, not a stack trace.
      process.stderr.write(`docknet: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
