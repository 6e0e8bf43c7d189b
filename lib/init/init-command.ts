import * as path from 'path';
import { Command } from 'commander';
import { init } from './init';

/** `docknet init [dir]`: scaffolds a project that synthesizes and passes its tests out of the box. */
export function initCommand(): Command {
  return new Command('init')
    .description('Create a new docknet project (cdktf app, topology with dev/staging/prod, plan record, test, CI workflow)')
    .argument('[dir]', 'folder to create it in', '.')
    .option('--name <name>', 'package name (default: the folder name)')
    .action((dir: string, o: { name?: string }) => {
      const r = init({ dir, name: o.name });
      const rel = path.relative(process.cwd(), r.dir) || '.';
      process.stdout.write(
        `Created ${r.name} in ${rel}:\n${r.files.map((f) => `  ${f}`).join('\n')}\n\nNext:\n` +
          (rel === '.' ? '' : `  cd ${rel}\n`) +
          '  npm install && npm run synth\n  npm test\n',
      );
    });
}
