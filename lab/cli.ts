// `npm run lab -- up|status|down [--hosts N]`; lab name from DOCKNET_LAB_NAME (default "dn").
import { Command } from 'commander';
import { labDown, labStatus, labUp } from './lab';

const program = new Command('lab').description('multi-host Docker lab in network namespaces');

program.command('up')
  .description('create (or reuse) the lab')
  .option('--hosts <n>', 'number of Docker hosts', (v) => parseInt(v, 10))
  .action(async (o: { hosts?: number }) => {
    const info = await labUp({ hosts: o.hosts });
    console.log(JSON.stringify(info, null, 2));
  });

program.command('status')
  .description('print hosts, daemon and swarm state')
  .action(async () => {
    const s = await labStatus();
    console.log(`lab ${s.name} (${s.dir}): ${s.up ? 'up' : 'not up'}`);
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
