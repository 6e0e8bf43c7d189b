import { DocknetApp } from 'docknet';
import { buildEnvironment } from './stacks/topology';
import { dev } from './stacks/dev';
import { staging } from './stacks/staging';
import { prod } from './stacks/prod';

// One app, two stacks per environment: <env>-hosts (daemon.json, swarm) then <env>-network.
// The address plan lives in docknet.plan.json next to cdktf.json; CI sets DOCKNET_PLAN_FROZEN=1, so a
// synth that would change it fails there: run `npm run synth` locally and commit the record.
const app = new DocknetApp({ planFrozen: process.env.DOCKNET_PLAN_FROZEN === '1' });
for (const values of [dev, staging, prod]) buildEnvironment(app, values);
app.synth();
