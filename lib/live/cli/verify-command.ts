import { Command, Option } from 'commander';
import { emit } from '../../report/cli/emit';
import { renderVerifyJson, renderVerifyMarkdown } from '../render';
import { verifyExitCode } from '../types';
import { runVerify } from '../verify';

/** "h1=unix:///run/h1.sock" pairs, repeatable. */
function pairs(flag: string) {
  return (v: string, acc: Record<string, string> = {}) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new Error(`${flag} "${v}" is not <host>=<value>, e.g. ${flag} h1=unix:///var/run/docker.sock`);
    return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
  };
}

function positiveInt(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} "${v}" is not a positive integer`);
    return n;
  };
}

/** `docknet verify <env>`: live hosts against the model; exit 0 in sync, 2 drift, 5 a host unreachable. */
export function verifyCommand(): Command {
  return new Command('verify')
    .description("Read every host of an environment through the Docker Engine API and report drift from the code")
    .argument('<env>', 'environment name, e.g. prod')
    .option('--dir <dir>', 'synth output folder', 'cdktf.out')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--concurrency <n>', 'hosts read at a time', positiveInt('--concurrency'), 8)
    .option('--timeout <seconds>', 'per-host timeout', positiveInt('--timeout'), 30)
    .option('--endpoint <host=url>', "reach a host at this endpoint instead of its provider's (repeatable)", pairs('--endpoint'))
    .option('--cert-path <host=dir>', 'TLS folder (ca.pem, cert.pem, key.pem) for a tcp:// host (repeatable)', pairs('--cert-path'))
    .option('--probe', 'also test reachability with short-lived probes (ping, nc) derived from the topology')
    .option('--probe-max <n>', 'at most this many probes', positiveInt('--probe-max'), 48)
    .option('--out <file>', 'also write the output to this file')
    .addHelpText('after', '\nExit codes: 0 in sync, 2 drift, 5 a host could not be read (the answer is incomplete), 1 error.')
    .action(async (env: string, o: { dir: string; format: 'md' | 'json'; concurrency: number; timeout: number; endpoint?: Record<string, string>; certPath?: Record<string, string>; probe?: boolean; probeMax: number; out?: string }) => {
      const result = await runVerify({
        env,
        dir: o.dir,
        endpoints: o.endpoint,
        certPaths: o.certPath,
        concurrency: o.concurrency,
        timeoutMs: o.timeout * 1000,
        probe: o.probe ? { max: o.probeMax } : undefined,
        // A progress line per host on a terminal; pipes and CI logs get only the report.
        progress: process.stderr.isTTY ? (l) => process.stderr.write(`docknet verify: ${l}\n`) : undefined,
      });
      emit({ output: o.format === 'json' ? renderVerifyJson(result) : renderVerifyMarkdown(result), exitCode: verifyExitCode(result) }, o.out);
    });
}
