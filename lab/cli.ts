// `npm run lab -- up|status|down [--hosts N] [--engine 20.10|26.1|28.5]`; lab name from DOCKNET_LAB_NAME (default "dn").
import { Command } from 'commander';
import { LAB_ENGINES, parseLabEngine } from './engines';
import { labDown, labInfo, labStatus, labUp } from './lab';

const program = new Command('lab').description('multi-host Docker lab in network namespaces');

program.command('up')
  .description('create (or reuse) the lab')
  .option('--hosts <n>', 'number of Docker hosts', (v) => parseInt(v, 10))
  .option('--engine <version>', `Docker engine of every host: ${LAB_ENGINES.join(', ')} (default: DOCKNET_ENGINE, else the machine's own dockerd)`)
  .action(async (o: { hosts?: number; engine?: string }) => {
    const info = await labUp({ hosts: o.hosts, engine: o.engine === undefined ? undefined : parseLabEngine(o.engine, '--engine') });
    console.log(JSON.stringify(info, null, 2));
  });

program.command('status')
  .description('print hosts, daemon and swarm state')
  .action(async () => {
    const s = await labStatus();
    console.log(`lab ${s.name} (${s.dir}): ${s.up ? 'up' : 'not up'}, Docker ${labInfo().engine.version}`);
    for (const h of s.hosts) {
      console.log(`  ${h.name.padEnd(4)} ${h.address.padEnd(14)} netns=${h.netns ? 'yes' : 'no '} dockerd=${h.daemon.padEnd(4)} sshd=${h.sshd.padEnd(4)} swarm=${h.swarm}`);
    }
    process.exitCode = s.up ? 0 : 3;
  });

program.command('down')
  .description('remove containers, leave swarm, stop daemons, delete namespaces and files')
  .action(async () => {
    await labDown();
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`lab: ${e.message}`);
  process.exit(1);
});
