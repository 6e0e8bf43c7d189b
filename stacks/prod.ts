import { SwarmRole } from '../lib';
import { EnvironmentValues } from './values';

export const prod: EnvironmentValues = {
  environment: 'prod',
  sshUser: 'ops',
  hosts: [
    { name: 'prod1', address: '10.30.0.11', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJpufdrAwWc2pyXzJqHxEPWCvE+C7VEVlFHEltepcf2k', swarmRole: SwarmRole.MANAGER },
    { name: 'prod2', address: '10.30.0.12', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMQTow7fn27JgpXdm4W78LpTh+zTWqHMMvuUEpoRQtjm', swarmRole: SwarmRole.WORKER },
    { name: 'prod3', address: '10.30.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIACHUh7BWqEcV7wxVxlFjK5ytEgfksUThHrebclmnho4', swarmRole: SwarmRole.WORKER },
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
