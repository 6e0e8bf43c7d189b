import { SwarmRole } from 'docknet';
import { EnvironmentValues, PLACEHOLDER_HOST_KEY, stateConnStrFromCi } from './values';

export const prod: EnvironmentValues = {
  environment: 'prod',
  sshUser: 'ops',
  hosts: [
    { name: 'prod1', address: '10.30.0.11', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.MANAGER },
    { name: 'prod2', address: '10.30.0.12', hostKey: PLACEHOLDER_HOST_KEY, swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.30.0.0/24', gateway: '10.30.0.1', prefixLength: 24, dhcpPool: '10.30.0.192/26' },
  pools: { bridges: '10.130.0.0/16', overlays: '10.131.0.0/16', daemon: '10.132.0.0/16' },
  dns: ['10.30.0.2'],
  apiReplicas: 3,
  stateConnStr: stateConnStrFromCi(),
};
