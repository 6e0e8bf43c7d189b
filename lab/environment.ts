// The lab as a docknet environment: one DockerHost per lab host (reached over ssh, daemon files and
// restart command where the lab keeps them), the lab LAN as a segment. The e2e tests describe their
// topologies with the library on top of this, synthesize, and deploy the result to the lab:
// `<env>-hosts` with real terraform, `<env>-network` through the provider-exact replay.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalBackend } from 'cdktf';
import { DockerHost, DockerHostProps, DocknetApp, DocknetEnvironment, HostConnection, PlanStore, Subnet } from '../lib';
import { engineValidateCommand } from './engines';
import { LabHost, LabInfo, hostKey } from './lab';
import { loadSynth, TfJson } from './replay';

export interface LabEnvironmentOptions {
  /** Environment name; names the stacks `<name>-hosts` and `<name>-network`. @default "lab" */
  readonly name?: string;
  /** Which lab hosts the code declares (a host removed from the code). @default all */
  readonly include?: (h: LabHost, index: number) => boolean;
  /** The docknet name of each lab host (a rename in the code). @default the lab host's name */
  readonly hostName?: (h: LabHost, index: number) => string;
  /** Per-host props on top of the lab's connection, interfaces and daemon location. */
  readonly host?: (h: LabHost, index: number) => Partial<DockerHostProps>;
  /** Swarm pools (CIDRs) when some host has a swarm role. */
  readonly swarmPools?: string[];
  /** ssh user: "root" or the lab's sudo user (info.sudoUser). @default "root" */
  readonly sshUser?: string;
  /** @default 1 */
  readonly rolloutWaveSize?: number;
  /** Shards of the environment (stacks `<name>-<shard>-hosts`...), with `shardOf` placing each host. @default unsharded */
  readonly shards?: string[];
  /** The shard of each lab host, when `shards` is given. */
  readonly shardOf?: (h: LabHost, index: number) => string;
}

export interface LabEnvironment {
  readonly app: DocknetApp;
  readonly env: DocknetEnvironment;
  readonly hosts: DockerHost[];
  /** Synthesizes the app (validation, reports) and returns both stacks' Terraform JSON. */
  synth(): { hosts: TfJson; network: TfJson; outdir: string };
  /** One stack's Terraform JSON after synth() (a shard's stacks are `<name>-<shard>-hosts|network`). */
  read(stack: string): TfJson;
  /** Removes the synth output directory. */
  dispose(): void;
}

/** The part of the LAN the lab itself uses: hosts at .1-.n, the controller at .254, shims at .248-.253. */
export const LAB_RESERVED = [
  { label: 'lab hosts', cidr: '198.18.0.0/26' },
  { label: 'lab controller and shims', cidr: '198.18.0.248/29' },
];

export function labEnvironment(info: LabInfo, opts: LabEnvironmentOptions = {}): LabEnvironment {
  const name = opts.name ?? 'lab';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `docknet-${name}-synth-`));
  const app = new DocknetApp({ outdir, planStore: PlanStore.inMemory() });
  const env = new DocknetEnvironment(app, name, {
    // State in the lab's own directory (gone with `lab down`), not cdktf's default next to the project.
    backend: (stack, stackName) => new LocalBackend(stack, { path: path.join(info.dir, `terraform.${stackName}.tfstate`) }),
    swarm: opts.swarmPools ? { defaultAddrPools: opts.swarmPools.map((c) => Subnet.cidr(c)), defaultAddrPoolMaskLength: 24 } : undefined,
    rolloutWaveSize: opts.rolloutWaveSize,
    shards: opts.shards,
  });
  env.addLanSegment('lan', { subnet: info.lan, gateway: info.controller.address, reserved: LAB_RESERVED });
  // Each host keeps its lab index (address, callbacks) when others are left out.
  const hosts = info.hosts.map((h, i) => [h, i] as const).filter(([h, i]) => opts.include?.(h, i) ?? true).map(([h, i]) =>
    env.addHost(opts.hostName?.(h, i) ?? h.name, {
      connection: HostConnection.ssh({
        user: opts.sshUser ?? info.sshUser, host: h.address, privateKeyPath: info.sshKey, hostKey: hostKey(h), connectTimeout: '10s',
      }),
      interfaces: { eth0: { address: `${h.address}/24`, lan: 'lan' } },
      daemonLocation: {
        configPath: h.configFile,
        restartCommand: h.restartCommand,
        logCommand: `tail -n 15 ${h.logFile}`,
        waitSeconds: 30,
        pidFile: h.pidfile,
        // sudo resets the environment (sshd's SetEnv DOCKER_HOST and PATH are gone): name the socket,
        // and the lab engine's CLI by path (/usr/local/bin/docker, CLI 28.2.2 here, comes first on PATH).
        dockerCommand: `env DOCKER_CONFIG=${path.join(info.dir, 'docker-cli')} ${info.engine.docker} -H ${h.dockerHost}`,
        // The host's own dockerd validates (sudo's PATH would find the machine's /usr/sbin/dockerd).
        validateCommand: engineValidateCommand(info.engine),
      },
      ...opts.host?.(h, i),
      shard: opts.shardOf?.(h, i),
    }),
  );
  return {
    app,
    env,
    hosts,
    synth() {
      app.synth();
      const read = (stack: string): TfJson => loadSynth(outdir, stack);
      // A sharded environment has no `<name>-hosts`: its first shard's pair stands in (read() the rest).
      const first = opts.shards ? `${name}-${opts.shards[0]}` : name;
      return { hosts: read(`${first}-hosts`), network: read(`${first}-network`), outdir };
    },
    read(stack: string): TfJson {
      return loadSynth(outdir, stack);
    },
    dispose() {
      fs.rmSync(outdir, { recursive: true, force: true });
    },
  };
}
