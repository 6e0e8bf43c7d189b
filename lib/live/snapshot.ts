/**
 * One host as the Engine API reports it: the raw responses verify compares, kept as they came so a
 * snapshot recorded on the lab can stand in for a host in tests (__tests__/live/fixtures).
 */
import { resolvConfSource } from './daemon-evidence';
import type { DaemonEvidence, EngineReader, HostSnapshot } from './types';

export type { HostSnapshot } from './types';

/** Runs `fn` over `items` with at most `limit` at a time, results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Reads everything verify compares from one host. */
export async function readSnapshot(engine: EngineReader): Promise<HostSnapshot> {
  const version = await engine.version();
  const [info, networks, list, images] = await Promise.all([engine.info(), engine.networks(), engine.containers(), engine.images()]);
  // Inspect is the only place HostConfig.NetworkMode, per-network IPAMConfig and aliases are; a
  // container removed between list and inspect is simply gone.
  const inspected = await mapBounded(list, 8, async (c) => engine.container(c.Id).catch(() => undefined));
  const containers = inspected.filter((c): c is Record<string, any> => c !== undefined);
  const manager = info.Swarm?.LocalNodeState === 'active' && info.Swarm?.ControlAvailable === true;
  const [nodes, services] = manager ? await Promise.all([engine.nodes(), engine.services()]) : [undefined, undefined];
  // The daemon's DNS settings as Docker wrote them for a container it started (a GET of one file).
  let daemonEvidence: DaemonEvidence | undefined;
  const source = engine.file ? resolvConfSource({ containers, info }) : undefined;
  if (source) {
    try {
      daemonEvidence = { resolvConf: { container: source.name, network: source.network, text: await engine.file!(source.id, '/etc/resolv.conf') } };
    } catch (e) {
      daemonEvidence = { errors: [`reading /etc/resolv.conf of ${source.name} failed: ${(e as Error).message}`] };
    }
  }
  return {
    version: { Version: version.Version, ApiVersion: version.ApiVersion },
    info,
    networks,
    containers,
    images: images.map((i) => ({ Id: i.Id, RepoTags: i.RepoTags ?? [] })),
    ...(nodes ? { nodes } : {}),
    ...(services ? { services } : {}),
    ...(daemonEvidence ? { daemonEvidence } : {}),
  };
}
