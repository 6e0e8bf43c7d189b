import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { knownHostsFileOptions } from '../../core/ssh/options';
import { connectEngine } from '../engine';
import { generateImport, hostKeysFromKnownHosts } from '../import';
import { HostSnapshot, mapBounded, readSnapshot } from '../snapshot';

function pairs(flag: string) {
  return (v: string, acc: Record<string, string> = {}) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new Error(`${flag} "${v}" is not <host>=<url>, e.g. ${flag} h1=ssh://ops@10.0.0.11`);
    return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
  };
}

/** `docknet import`: existing hosts -> a docknet topology, values, plan record and import blocks. */
export function importCommand(): Command {
  return new Command('import')
    .description('Read existing Docker hosts and write a docknet project that adopts their networks and containers')
    .requiredOption('--host <name=url>', 'a host to import and the endpoint the generated code uses (ssh://, tcp:// with --cert-path, or unix://; repeatable)', pairs('--host'))
    .requiredOption('--env <name>', 'environment name for the generated code')
    .requiredOption('--out <dir>', 'folder to write (must be empty or new)')
    .option('--read <name=url>', 'read this host through another endpoint than the one written (repeatable)', pairs('--read'))
    .option('--cert-path <host=dir>', 'TLS folder (ca.pem, cert.pem, key.pem) for a tcp:// host: read with it, and named in the generated code (repeatable)', pairs('--cert-path'))
    .option('--known-hosts <file>', 'known_hosts material you have verified: the ssh hosts are read checking it, and their keys from it are written into the generated code (repeatable; without it: placeholders, listed in IMPORT.md)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--lib <module>', 'module the generated code imports docknet from', 'docknet')
    .option('--timeout <seconds>', 'per-host timeout', (v) => Number(v), 30)
    .action(async (o: { host: Record<string, string>; env: string; out: string; read?: Record<string, string>; certPath?: Record<string, string>; knownHosts?: string[]; lib: string; timeout: number }) => {
      if (fs.existsSync(o.out) && fs.readdirSync(o.out).length) throw new Error(`--out ${o.out} is not empty: docknet import writes a new project and overwrites nothing. Pass a new folder.`);
      for (const n of Object.keys(o.read ?? {})) if (!(n in o.host)) throw new Error(`--read names host "${n}", which no --host declares.`);
      for (const [n, dir] of Object.entries(o.certPath ?? {})) {
        if (!(n in o.host)) throw new Error(`--cert-path names host "${n}", which no --host declares.`);
        if (!o.host[n].startsWith('tcp://')) throw new Error(`--cert-path ${n}=${dir}: host "${n}" is ${o.host[n]}, not a tcp:// (TLS) endpoint.`);
      }
      for (const [n, url] of Object.entries(o.host)) {
        if (url.startsWith('tcp://') && !o.certPath?.[n]) throw new Error(`host "${n}" is ${url}, a TLS endpoint: pass --cert-path ${n}=<folder with ca.pem, cert.pem, key.pem> (docknet never talks to a daemon over plain tcp).`);
      }
      const knownFiles = o.knownHosts ?? [];
      for (const f of knownFiles) if (!fs.existsSync(f)) throw new Error(`--known-hosts ${f} does not exist. Pass a known_hosts file whose keys you have checked against the hosts' consoles.`);
      const known = knownFiles.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      // Reading over ssh checks the host against the same material whose keys the code gets.
      const sshOpts = knownFiles.length ? knownHostsFileOptions(knownFiles.map((f) => path.resolve(f))) : undefined;
      const names = Object.keys(o.host);
      const snaps = await mapBounded(names, 8, async (name): Promise<HostSnapshot> => {
        const certPath = o.certPath?.[name];
        const engine = connectEngine(o.read?.[name] ?? o.host[name], { timeoutMs: o.timeout * 1000, sshOpts, ...(certPath ? { tls: { certPath } } : {}) });
        try {
          return await readSnapshot(engine);
        } catch (e) {
          throw new Error(`cannot read ${name} at ${o.read?.[name] ?? o.host[name]}: ${(e as Error).message}`);
        } finally {
          engine.close();
        }
      });
      const result = generateImport({ env: o.env, libImport: o.lib, hosts: names.map((name, i) => {
        const u = new URL(o.host[name]);
        const hostKeys = u.protocol === 'ssh:' ? hostKeysFromKnownHosts(known, u.hostname, u.port ? Number(u.port) : 22) : undefined;
        return { name, endpoint: o.host[name], snapshot: snaps[i], hostKeys, certPath: o.certPath?.[name] };
      }) });
      fs.mkdirSync(o.out, { recursive: true });
      for (const [f, text] of Object.entries(result.files)) fs.writeFileSync(path.join(o.out, f), text);
      process.stdout.write(`docknet import: wrote ${Object.keys(result.files).join(', ')} to ${o.out}; ${Object.keys(result.adopted).length} objects adopted, ${result.notExpressed.length} not expressed (IMPORT.md).\n`);
      for (const n of result.notExpressed) process.stdout.write(`  not expressed: ${n}\n`);
      for (const t of result.todo) process.stdout.write(`  to do: ${t}\n`);
    });
}
