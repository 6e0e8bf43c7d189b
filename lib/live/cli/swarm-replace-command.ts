import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { checkSwarm, findStackFile, renderSwarmCheck, sshProber, swarmCheckExitCode, swarmResources } from '../../bootstrap/swarm-check';
import { apiEndpoints, apiProber } from '../swarm-api';

/**
 * Why `stack` is not a hosts stack, or undefined when it is one (or cannot be told apart: a bare
 * .tf.json without docknet-model.json next to it that has swarm resources). The swarm's init and
 * joins live in the hosts stack; any other stack would be "checked" with nothing to ask, exit 0,
 * which reads as "every member in place".
 */
export function notHostsStack(stack: string, file: string, tf: { resource?: Record<string, unknown> }, hasSwarm: boolean): string | undefined {
  const modelFile = path.join(path.dirname(file), 'docknet-model.json');
  if (fs.existsSync(modelFile)) {
    let model: { stack?: string; environment?: string; stacks?: { hosts?: string } } | undefined;
    try {
      model = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
    } catch {
      model = undefined; // unreadable: decide from the Terraform JSON below
    }
    if (model?.stack && model.stacks) {
      if (model.stack === model.stacks.hosts) return undefined;
      const what = model.stack === (model.stacks as { network?: string }).network ? `the network stack of environment "${model.environment}"` : `a stack of environment "${model.environment}" other than its hosts stack`;
      const fix = model.stacks.hosts ? ` Run: docknet swarm-replace ${model.stacks.hosts}` : ` Environment "${model.environment}" has no hosts stack, so it has no swarm to check.`;
      return `"${stack}" is ${what}; swarm-replace expects a hosts stack (<env>-hosts), where the swarm's init and joins are.${fix}`;
    }
  }
  if (hasSwarm) return undefined;
  const types = Object.keys(tf.resource ?? {});
  if (types.some((t) => t.startsWith('docker_'))) {
    return `"${stack}" holds Docker resources (${types.filter((t) => t.startsWith('docker_')).join(', ')}) and no swarm init or join: it is a network stack, and swarm-replace expects a hosts stack (<env>-hosts), where the swarm's init and joins are.`;
  }
  return undefined;
}

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
    .addOption(new Option('--via <how>', "ssh: the hosts stack's own ssh steps (sudo, docker info); api: the Docker API through the environment's provider connections (GET /info, /nodes; what a read-only plan key may do); auto: api when the synth output has those connections").choices(['auto', 'ssh', 'api']).default('auto'))
    .option('--report <file>', 'also write the report to this file')
    .addHelpText('after', [
      '',
      'Use it where the stack is planned:  terraform plan $(docknet swarm-replace dev-hosts) ...',
      '(bin/tf-stack.sh plan does this for every stack.) Read-only on the hosts: docker info and docker node inspect.',
      'Exit codes: 0 nothing to replace, 2 replacements printed, 5 a host could not be asked (reported; the rest printed), 1 error.',
    ].join('\n'))
    .action(async (stack: string, o: { dir: string; timeout?: number; report?: string; via: 'auto' | 'ssh' | 'api' }) => {
      const file = findStackFile(stack, o.dir);
      const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
      const resources = swarmResources(tf);
      const wrong = notHostsStack(stack, file, tf, resources.length > 0);
      if (wrong) throw new Error(wrong);
      if (resources.length === 0) {
        // A hosts stack of an environment without a swarm: nothing to ask, nothing to replace.
        process.stderr.write(`docknet swarm check of ${stack}: no swarm init or join in this hosts stack; nothing to ask.\n`);
        return;
      }
      const endpoints = o.via === 'ssh' ? undefined : apiEndpoints(file);
      const names = [...new Set(resources.flatMap((r) => [r.host.name, r.manager.name]))];
      const apiOk = endpoints !== undefined && names.every((n) => endpoints.has(n));
      if (o.via === 'api' && !apiOk) {
        const missing = endpoints ? names.filter((n) => !endpoints.has(n)) : [];
        throw new Error(`--via api needs the docker provider connection of every swarm host from the synth output next to ${file}${missing.length ? `; none for ${missing.join(', ')}` : ' (no docknet-model.json there)'}. Synthesize the environment's network stack too, or use --via ssh.`);
      }
      const useApi = apiOk && o.via !== 'ssh';
      const result = await checkSwarm(resources, { timeoutMs: o.timeout ? o.timeout * 1000 : undefined, prober: useApi ? apiProber(endpoints!) : sshProber });
      const text = renderSwarmCheck(stack, result, useApi ? 'through the Docker API' : 'over ssh');
      if (o.report) fs.writeFileSync(o.report, text);
      process.stderr.write(text);
      process.stdout.write(result.replace.map((f) => `${f}\n`).join(''));
      process.exitCode = swarmCheckExitCode(result);
    });
}
