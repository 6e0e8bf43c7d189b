import { SwarmRole } from 'docknet';
import { EnvironmentValues, PLACEHOLDER_HOST_KEY, stateConnStrFromCi } from './values';

export const dev: EnvironmentValues = {
  environment: 'dev',
  sshUser: 'ops',
  hosts: [
    { name: 'dev1', address: '10.10.0.11', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.MANAGER },
    { name: 'dev2', address: '10.10.0.12', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.10.0.0/24', gateway: '10.10.0.1', prefixLength: 24, dhcpPool: '10.10.0.192/26' },
  pools: { bridges: '10.110.0.0/16', overlays: '10.111.0.0/16', daemon: '10.112.0.0/16' },
  dns: ['10.10.0.2'],
  apiReplicas: 1,
  stateConnStr: stateConnStrFromCi(),
};
