/**
 * The synth benchmark's fleet, written twice: with docknet in fleet-docknet.ts (DocknetApp +
 * DocknetEnvironment, bridges drawn from a plan pool, containers with static addresses and a
 * published port) and here as the raw cdktf program a user would write by hand for the same docker
 * resources (plain App, one DockerProvider per host, the generated Image/Network/Container bindings,
 * the same construct ids so the logical IDs match). synth.bench.ts checks both emit byte-identical
 * docker resources.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Image } from '@cdktf/provider-docker/lib/image';
import { Network } from '@cdktf/provider-docker/lib/network';
import { Container } from '@cdktf/provider-docker/lib/container';

export interface FleetSize {
  readonly name: string;
  readonly hosts: number;
  readonly bridgesPerHost: number;
  readonly containersPerHost: number;
}

export const SIZES: Record<string, FleetSize> = {
  S: { name: 'S', hosts: 10, bridgesPerHost: 10, containersPerHost: 100 },
  M: { name: 'M', hosts: 50, bridgesPerHost: 10, containersPerHost: 100 },
  L: { name: 'L', hosts: 200, bridgesPerHost: 10, containersPerHost: 100 },
};

export const STACK = 'bench-network';
export const IMAGE = 'nginx:1.27';
export const POOL = '10.0.0.0/8';

/** Zero-padded so the plan's key order (code units) is the declaration order the raw program assumes. */
export const hostName = (h: number) => `h${String(h).padStart(3, '0')}`;
export const hostAddress = (h: number) => `100.64.${h >> 8}.${h & 255}`;
/**
 * The /24 a bridge gets: the pool hands out blocks from its start in the order of the request keys
 * (env/host/bridge, code-unit order; hence the zero-padded host names), so the raw program can
 * write them down. The bench's byte comparison proves this stays true.
 */
const bridgeBlock = (size: FleetSize, h: number, b: number) => {
  const k = h * size.bridgesPerHost + b;
  return { subnet: `10.${k >> 8}.${k & 255}.0/24`, gateway: `10.${k >> 8}.${k & 255}.1`, at: (n: number) => `10.${k >> 8}.${k & 255}.${n}` };
};
export const containerAddress = (size: FleetSize, h: number, j: number) => bridgeBlock(size, h, j % size.bridgesPerHost).at(10 + Math.floor(j / size.bridgesPerHost));

/** The same docker resources, written by hand with the generated bindings. */
export function rawFleet(size: FleetSize, outdir: string): App {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, STACK);
  for (let h = 0; h < size.hosts; h++) {
    const scope = new Construct(stack, hostName(h));
    const provider = new DockerProvider(scope, 'Provider', { alias: hostName(h), host: `ssh://ops@${hostAddress(h)}` });
    const image = new Image(scope, `Image-${IMAGE.replace(/[\/:@]/g, '_')}`, { provider, name: IMAGE, keepLocally: true });
    const bridges: Network[] = [];
    for (let b = 0; b < size.bridgesPerHost; b++) {
      const block = bridgeBlock(size, h, b);
      bridges.push(
        new Network(new Construct(scope, `br${b}`), 'Resource', {
          provider,
          name: `br${b}`,
          driver: 'bridge',
          ipamDriver: 'default',
          ipamConfig: [{ subnet: block.subnet, gateway: block.gateway }],
          labels: [{ label: 'managed-by', value: 'docknet' }],
        }),
      );
    }
    for (let j = 0; j < size.containersPerHost; j++) {
      new Container(new Construct(scope, `c${j}`), 'Resource', {
        provider,
        name: `c${j}`,
        image: image.imageId,
        networkMode: 'bridge',
        networksAdvanced: [{ name: bridges[j % size.bridgesPerHost].name, aliases: [`c${j}`], ipv4Address: containerAddress(size, h, j) }],
        ports: [{ internal: 80, external: 8000 + j, ip: '0.0.0.0', protocol: 'tcp' }],
        command: ['nginx', '-g', 'daemon off;'],
        mustRun: true,
        restart: 'unless-stopped', // docknet's default restart policy
      });
    }
  }
  return app;
}

/** The docker part of a synthesized stack: its docker providers and docker_* resources, as canonical JSON. */
export function dockerResources(tfJson: { provider?: Record<string, unknown>; resource?: Record<string, Record<string, unknown>> }): string {
  const resource = Object.fromEntries(Object.entries(tfJson.resource ?? {}).filter(([type]) => type.startsWith('docker_')));
  return JSON.stringify({ provider: { docker: tfJson.provider?.docker }, resource });
}
