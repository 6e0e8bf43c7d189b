/**
 * Environments built with the library (not hand-written JSON) and synthesized into a temp folder:
 * one small topology whose values and structure each test varies.
 */
import {
  DocknetApp, DocknetEnvironment, HostConnection, NetworkMode, PlanStore, Port, Subnet, SwarmRole,
} from '../../lib';
import { tempDir } from './fixtures';
import { TEST_HOST_KEY } from '../fixtures';

export interface EnvValues {
  readonly environment: string;
  readonly hosts: { name: string; address: string; role: SwarmRole; slot?: string; renamedFrom?: string; liveRestore?: boolean }[];
  readonly sshUser: string;
  readonly pools: { bridges: string; overlays: string; daemon: string };
  readonly dns: string[];
  readonly webAddress: string;
  readonly webHostPort: number;
  readonly replicas: number;
  readonly serviceReplicas: number;
  readonly image: string;
  /** Structural toggles: what a drifting environment adds or changes. */
  readonly extraNetwork?: boolean;
  readonly extraContainer?: boolean;
  readonly extraService?: boolean;
  readonly dbMode?: 'bridge' | 'host';
  readonly backendIcc?: boolean;
  readonly webInternalPort?: number;
  readonly dbAlias?: string;
  readonly daemonLiveRestore?: boolean;
  readonly noSidecar?: boolean;
  readonly meshEncrypted?: boolean;
  /** Environment of the db container and of the queue service (secrets a user would put there). */
  readonly dbEnv?: Record<string, string>;
  readonly queueEnv?: Record<string, string>;
}

export const STAGING: EnvValues = {
  environment: 'staging',
  hosts: [
    { name: 'stg1', address: '10.20.0.11', role: SwarmRole.MANAGER },
    { name: 'stg2', address: '10.20.0.12', role: SwarmRole.WORKER },
    { name: 'stg3', address: '10.20.0.13', role: SwarmRole.WORKER },
  ],
  sshUser: 'ops',
  pools: { bridges: '10.120.0.0/16', overlays: '10.121.0.0/16', daemon: '10.122.0.0/16' },
  dns: ['10.20.0.2', '10.20.0.3'],
  webAddress: '172.30.0.10',
  webHostPort: 8080,
  replicas: 3,
  serviceReplicas: 2,
  image: 'busybox:1.36',
};

export const PROD: EnvValues = {
  ...STAGING,
  environment: 'prod',
  hosts: [
    { name: 'prod1', address: '10.30.0.11', role: SwarmRole.MANAGER },
    { name: 'prod2', address: '10.30.0.12', role: SwarmRole.WORKER },
    { name: 'prod3', address: '10.30.0.13', role: SwarmRole.WORKER },
  ],
  pools: { bridges: '10.130.0.0/16', overlays: '10.131.0.0/16', daemon: '10.132.0.0/16' },
  dns: ['10.30.0.2', '10.30.0.3'],
};

export function buildEnv(app: DocknetApp, v: EnvValues): DocknetEnvironment {
  const env = new DocknetEnvironment(app, v.environment, {
    swarm: { defaultAddrPools: [Subnet.fromPool('overlays', 20, 'swarm/default-addr-pool')] },
  });
  env.addPool('bridges', { cidr: v.pools.bridges });
  env.addPool('overlays', { cidr: v.pools.overlays });
  env.addPool('daemon', { cidr: v.pools.daemon });
  const hosts = v.hosts.map((h) =>
    env.addHost(h.name, {
      slot: h.slot,
      renamedFrom: h.renamedFrom,
      connection: HostConnection.ssh({ user: v.sshUser, host: h.address, hostKey: TEST_HOST_KEY }),
      interfaces: { eth0: { address: `${h.address}/24` } },
      swarmRole: h.role,
      daemon: {
        bip: Subnet.fromPool('daemon', 24, `${h.name}/bip`),
        dns: v.dns,
        ...((h.liveRestore ?? v.daemonLiveRestore) !== undefined ? { liveRestore: h.liveRestore ?? v.daemonLiveRestore } : {}),
      },
    }),
  );
  const [first] = hosts;
  const manager = hosts.find((h) => h.swarmRole === SwarmRole.MANAGER)!;
  const app1 = first.addBridgeNetwork('app-net', { subnet: Subnet.cidr('172.30.0.0/24'), gateway: '172.30.0.1' });
  const backend = first.addBridgeNetwork('backend', { subnet: Subnet.fromPool('bridges', 24), ...(v.backendIcc === false ? { icc: false } : {}) });
  const web = first.addContainer('web', {
    image: v.image,
    networks: [{ network: app1, ipv4Address: v.webAddress, aliases: ['www'] }],
    ports: [Port.tcp(v.webInternalPort ?? 80, { hostPort: v.webHostPort })],
  });
  if (!v.noSidecar) first.addContainer('web-sidecar', { image: v.image, networkMode: NetworkMode.container(web) });
  if (v.dbMode === 'host') first.addContainer('db', { image: v.image, networkMode: NetworkMode.host() });
  else first.addContainer('db', { image: v.image, networks: [{ network: backend, aliases: [v.dbAlias ?? 'database'] }], ...(v.dbEnv ? { env: v.dbEnv } : {}) });
  if (v.extraNetwork) first.addBridgeNetwork('cache', { subnet: Subnet.fromPool('bridges', 24) });
  if (v.extraContainer) first.addContainer('debug', { image: v.image, networkMode: NetworkMode.none() });
  const mesh = manager.addOverlayNetwork('mesh', { subnet: Subnet.fromPool('overlays', 24), attachable: true, ...(v.meshEncrypted ? { encrypted: true } : {}) });
  for (let i = 0; i < v.replicas; i++) {
    hosts[i % hosts.length].addContainer(`api-${i + 1}`, { image: v.image, networks: [{ network: mesh, aliases: ['api'] }] });
  }
  manager.addService('queue', { image: v.image, replicas: v.serviceReplicas, networks: [{ network: mesh }], ...(v.queueEnv ? { env: v.queueEnv } : {}) });
  if (v.extraService) manager.addService('extra', { image: v.image, networks: [{ network: mesh }] });
  return env;
}

/** Synthesizes the given environments into a fresh cdktf.out-like folder (removed by removeTempDirs). */
export function synthEnvs(...values: EnvValues[]): string {
  const outdir = tempDir('docknet-env-');
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  for (const v of values) buildEnv(app, v);
  app.synth();
  return outdir;
}
