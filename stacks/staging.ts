import { SwarmRole } from '../lib';
import { EnvironmentValues } from './values';

export const staging: EnvironmentValues = {
  environment: 'staging',
  sshUser: 'ops',
  hosts: [
    { name: 'stg1', address: '10.20.0.11', swarmRole: SwarmRole.MANAGER },
    { name: 'stg2', address: '10.20.0.12', swarmRole: SwarmRole.WORKER },
    { name: 'stg3', address: '10.20.0.13', swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.20.0.0/24', gateway: '10.20.0.1', dhcpPool: '10.20.0.192/26', prefixLength: 24 },
  macvlanShim: '10.20.0.10',
  pools: { bridges: '10.120.0.0/16', overlays: '10.121.0.0/16', daemon: '10.122.0.0/16' },
  appSubnet: '172.77.0.0/24',
  appGateway: '172.77.0.1',
  webAddress: '172.77.0.10',
  apiReplicas: 3,
  dns: ['10.20.0.2', '10.20.0.3'],
  underlayMtu: 1500,
  stateConnStr: 'postgres://state.internal/docknet?sslmode=require',
};
