import { SwarmRole } from '../lib';
import { EnvironmentValues } from './values';

export const dev: EnvironmentValues = {
  environment: 'dev',
  sshUser: 'ops',
  hosts: [
    { name: 'dev1', address: '10.10.0.11', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbwUrTHt+FixjdWnPEIMGeVSUeY/EV9tinbx8jJ+tw8', swarmRole: SwarmRole.MANAGER },
    { name: 'dev2', address: '10.10.0.12', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIxO9d19YcaOfMQG867sN68cBYSr2PETbayRBJa2JiOP', swarmRole: SwarmRole.WORKER },
    { name: 'dev3', address: '10.10.0.13', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiSuTmU/xuSFMFE8J7Emly/TUmJHN2PwgPBOQPoCWmy', swarmRole: SwarmRole.WORKER },
  ],
  lan: { subnet: '10.10.0.0/24', gateway: '10.10.0.1', dhcpPool: '10.10.0.192/26', prefixLength: 24 },
  macvlanShim: '10.10.0.10',
  pools: { bridges: '10.110.0.0/16', overlays: '10.111.0.0/16', daemon: '10.112.0.0/16' },
  appSubnet: '172.77.0.0/24',
  appGateway: '172.77.0.1',
  webAddress: '172.77.0.10',
  apiReplicas: 3,
  dns: ['10.10.0.2', '10.10.0.3'],
  underlayMtu: 1500,
  // Remote state like every environment: a CI runner's local state is gone after the job. Role and
  // password are never here: terraform reads PGUSER and PGPASSWORD from the environment.
  stateConnStr: 'postgres://state.internal/docknet?sslmode=require',
};
