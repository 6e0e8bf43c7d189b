import * as fs from 'fs';
import { Command } from 'commander';
import { checkSwarm, findStackFile, renderSwarmCheck, swarmCheckExitCode, swarmResources } from '../../bootstrap/swarm-check';

/**
 * `docknet swarm-replace <stack>`: the -replace= flags that make the next plan rejoin members that
 * are not in the swarm in their declared role (stdout, one per line, for `terraform plan $(...)`),
 * and why (stderr, and --report). Exit 0 nothing to replace, 2 replacements, 5 a host could not be
 * asked, 1 error.
 */
export function swarmReplaceCommand(): Command {
  return new Command('swarm-replace')
    .description("Ask a hosts stack's swarm members over ssh whether they are in the swarm in their declared role; print the -replace= flags that rejoin the ones that are not")
    .argument('<stack>', 'hosts stack name (under <dir>/stacks), its folder, or its .tf.json file')
    .option('--dir <dir>', 'synth output folder', 'cdktf.out')
    .option('--timeout <seconds>', 'per-host bound of the whole exchange (default: the host\'s connect timeout + 20)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--timeout "${v}" is not a positive integer`);
      return n;
    })
    .option('--report <file>', 'also write the report to this file')
    .addHelpText('after', [
      '',
      'Use it where the stack is planned:  terraform plan $(docknet swarm-replace dev-hosts) ...',
      '(bin/tf-stack.sh plan does this for every stack.) Read-only on the hosts: docker info and docker node inspect.',
      'Exit codes: 0 nothing to replace, 2 replacements printed, 5 a host could not be asked (reported; the rest printed), 1 error.',
    ].join('\n'))
    .action(async (stack: string, o: { dir: string; timeout?: number; report?: string }) => {
      const file = findStackFile(stack, o.dir);
      const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
      const result = await checkSwarm(swarmResources(tf), { timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
      const text = renderSwarmCheck(stack, result);
      if (o.report) fs.writeFileSync(o.report, text);
      process.stderr.write(text);
      process.stdout.write(result.replace.map((f) => `${f}\n`).join(''));
      process.exitCode = swarmCheckExitCode(result);
    });
}
