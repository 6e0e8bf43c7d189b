/** Small TopologyModel builders for the rule tests: a valid base fleet and helpers to bend it. */
import { ContainerModel, HostModel, NetworkModel, ServiceModel, TopologyModel } from '../../lib/core/model';

export type Draft<T> = T extends (infer U)[] ? Draft<U>[] : T extends object ? { -readonly [K in keyof T]: Draft<T[K]> } : T;
export type ModelDraft = Draft<TopologyModel>;

export function host(name: string, over: Partial<Draft<HostModel>> = {}): Draft<HostModel> {
  const n = Number(name.replace(/\D/g, '')) || 1;
  return {
    path: `prod/${name}`,
    name,
    endpoint: `ssh://ops@192.168.1.${10 + n}`,
    interfaces: [{ name: 'eth0', address: `192.168.1.${10 + n}/24`, mtu: 1500, lan: 'office' }],
    swarmRole: 'worker',
    daemonRanges: [
      { label: 'bip', cidr: '172.17.0.1/16' },
      { label: 'default-address-pools[0]', cidr: '172.18.0.0/15' },
    ],
    ...over,
  };
}

export function net(hostName: string, name: string, over: Partial<Draft<NetworkModel>> = {}): Draft<NetworkModel> {
  return {
    path: `prod/${hostName}/${name}`,
    name,
    host: hostName,
    driver: 'bridge',
    enableIpv6: false,
    internal: false,
    attachable: false,
    encrypted: false,
    ...over,
  };
}

export function ctr(hostName: string, name: string, over: Partial<Draft<ContainerModel>> = {}): Draft<ContainerModel> {
  return {
    path: `prod/${hostName}/${name}`,
    name,
    host: hostName,
    image: 'nginx:1.27',
    mode: 'bridge',
    attachments: [],
    ports: [],
    dns: [],
    ...over,
  };
}

export function svc(hostName: string, name: string, over: Partial<Draft<ServiceModel>> = {}): Draft<ServiceModel> {
  return {
    path: `prod/${hostName}/${name}`,
    name,
    host: hostName,
    image: 'nginx:1.27',
    replicas: 2,
    attachments: [],
    ports: [],
    ...over,
  };
}

export const v4 = (subnet: string, extra: { gateway?: string; ipRange?: string; auxAddresses?: Record<string, string> } = {}) => ({
  subnet,
  auxAddresses: {},
  ...extra,
});

/** A valid fleet: h1 manager, h2 worker, bridges, an overlay, macvlan on the office LAN, containers. */
export function base(): ModelDraft {
  return {
    environment: 'prod',
    hosts: [host('h1', { swarmRole: 'manager' }), host('h2')],
    networks: [
      net('h1', 'backend', { ipv4: v4('10.10.1.0/24', { gateway: '10.10.1.1' }) }),
      net('h2', 'backend', { ipv4: v4('10.10.1.0/24') }),
      net('h1', 'mesh', { driver: 'overlay', attachable: true, ipv4: v4('10.20.0.0/24') }),
      net('h1', 'lan', { driver: 'macvlan', parent: 'eth0', mode: 'bridge', lan: 'office', ipv4: v4('192.168.1.0/24', { gateway: '192.168.1.1', ipRange: '192.168.1.32/27' }) }),
      net('h2', 'lan', { driver: 'macvlan', parent: 'eth0', mode: 'bridge', lan: 'office', ipv4: v4('192.168.1.0/24', { gateway: '192.168.1.1', ipRange: '192.168.1.64/27' }) }),
      net('h1', 'v6', { enableIpv6: true, ipv4: v4('10.10.2.0/24'), ipv6: v4('fd00:10::/64') }),
    ],
    containers: [
      ctr('h1', 'web', {
        attachments: [
          { network: 'prod/h1/backend', ipv4Address: '10.10.1.10', aliases: [] },
          { network: 'prod/h1/mesh', ipv4Address: '10.20.0.10', aliases: [] },
        ],
        ports: [{ internal: 80, external: 8080, protocol: 'tcp', hostIp: '0.0.0.0' }],
      }),
      ctr('h2', 'api', {
        attachments: [
          { network: 'prod/h2/backend', ipv4Address: '10.10.1.10', aliases: [] },
          { network: 'prod/h1/mesh', ipv4Address: '10.20.0.11', aliases: [] },
        ],
      }),
      ctr('h1', 'printer-proxy', { attachments: [{ network: 'prod/h1/lan', ipv4Address: '192.168.1.40', aliases: [] }] }),
      ctr('h2', 'scanner-proxy', { attachments: [{ network: 'prod/h2/lan', ipv4Address: '192.168.1.70', aliases: [] }] }),
      ctr('h1', 'web-sidecar', { mode: 'container', sharesWith: 'prod/h1/web' }),
      ctr('h1', 'monitor', { mode: 'host' }),
      ctr('h1', 'dual', { attachments: [{ network: 'prod/h1/v6', ipv4Address: '10.10.2.5', ipv6Address: 'fd00:10::5', aliases: [] }] }),
    ],
    services: [svc('h1', 'api-svc', { attachments: [{ network: 'prod/h1/mesh', aliases: ['api'] }], ports: [{ target: 80, published: 8081, protocol: 'tcp' }] })],
    pools: [{ name: 'nets', cidr: '10.10.0.0/16' }],
    lanSegments: [
      {
        name: 'office',
        subnet: '192.168.1.0/24',
        gateway: '192.168.1.1',
        reserved: [
          { label: 'h1', cidr: '192.168.1.11' },
          { label: 'h2', cidr: '192.168.1.12' },
          { label: 'DHCP', cidr: '192.168.1.128/26' },
        ],
        hostRanges: [
          { host: 'h1', ipRange: '192.168.1.32/27' },
          { host: 'h2', ipRange: '192.168.1.64/27' },
        ],
      },
    ],
    swarm: { managers: ['h1'], workers: ['h2'], defaultAddrPools: ['10.20.0.0/16'], defaultAddrPoolMaskLength: 24 },
  };
}

export function findNet(m: ModelDraft, path: string): Draft<NetworkModel> {
  const n = m.networks.find((x) => x.path === path);
  if (!n) throw new Error(`no network ${path}`);
  return n;
}

export function findSvc(m: ModelDraft, path: string): Draft<ServiceModel> {
  const s = (m.services ?? []).find((x) => x.path === path);
  if (!s) throw new Error(`no service ${path}`);
  return s;
}

export function findCtr(m: ModelDraft, path: string): Draft<ContainerModel> {
  const c = m.containers.find((x) => x.path === path);
  if (!c) throw new Error(`no container ${path}`);
  return c;
}
