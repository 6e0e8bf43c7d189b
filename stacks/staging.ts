import { SwarmRole } from '../lib';
import { EnvironmentValues } from './values';

export const staging: EnvironmentValues = {
  environment: 'staging',
  sshUser: 'ops',
  hosts: [
    { name: 'stg1', address: '10.20.0.11', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ1Uy3D91jCBVrov6McCCYMKF03qUa0YAfqwh3pj4P+6', swarmRole: SwarmRole.MANAGER },
    { name: 'stg2', address: '10.20.0.12', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP/JyePtEvi+Ti36Qurr4Xjzaq4oDgMHJtBfJGKugdnl', swarmRole: SwarmRole.WORKER },
    { name: 'stg3', address: '10.20.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIplyoh9h88buGs9eflA1xJ21ZB+TSFriY3nz/9qfGZp', swarmRole: SwarmRole.WORKER },
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
