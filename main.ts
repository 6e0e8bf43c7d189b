import { DocknetApp } from './lib';
import { buildEnvironment } from './stacks/topology';
import { dev } from './stacks/dev';
import { staging } from './stacks/staging';
import { prod } from './stacks/prod';
import { buildFleet } from './stacks/fleet';

// One app, two stacks per environment: <env>-hosts (daemon.json, swarm) then <env>-network.
// run() prints docknet's problems once, without a stack trace, and exits 1 when there are any.
DocknetApp.run((app) => {
  for (const values of [dev, staging, prod]) buildEnvironment(app, values);
  // A sharded environment: a pair of stacks per rack (docs/sharding.md).
  buildFleet(app);
});
