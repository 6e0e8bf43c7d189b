import { SwarmRole } from '../lib';
import { EnvironmentValues } from './values';

export const prod: EnvironmentValues = {
  environment: 'prod',
  sshUser: 'ops',
  hosts: [
    { name: 'prod1', address: '10.30.0.11', swarmRole: SwarmRole.MANAGER },
    { name: 'prod2', address: '10.30.0.12', swarmRole: SwarmRole.WORKER },
    { name: 'prod3', address: '10.30.0.13', swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.30.0.0/24', gateway: '10.30.0.1', dhcpPool: '10.30.0.192/26', prefixLength: 24 },
  macvlanShim: '10.30.0.10',
  pools: { bridges: '10.130.0.0/16', overlays: '10.131.0.0/16', daemon: '10.132.0.0/16' },
  appSubnet: '172.77.0.0/24',
  appGateway: '172.77.0.1',
  webAddress: '172.77.0.10',
  apiReplicas: 6,
  dns: ['10.30.0.2', '10.30.0.3'],
  underlayMtu: 1500,
  stateConnStr: 'postgres://state.internal/docknet?sslmode=require',
};
