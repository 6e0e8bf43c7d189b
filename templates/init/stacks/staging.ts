import { SwarmRole } from 'docknet';
import { EnvironmentValues, PLACEHOLDER_HOST_KEY, stateConnStrFromCi } from './values';

export const staging: EnvironmentValues = {
  environment: 'staging',
  sshUser: 'ops',
  hosts: [
    { name: 'staging1', address: '10.20.0.11', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.MANAGER },
    { name: 'staging2', address: '10.20.0.12', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.20.0.0/24', gateway: '10.20.0.1', prefixLength: 24, dhcpPool: '10.20.0.192/26' },
  pools: { bridges: '10.120.0.0/16', overlays: '10.121.0.0/16', daemon: '10.122.0.0/16' },
  dns: ['10.20.0.2'],
  apiReplicas: 2,
  stateConnStr: stateConnStrFromCi(),
};
