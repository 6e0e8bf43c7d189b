/**
 * `docknet swarm-replace --via api`: the swarm check's questions (GET /info, GET /nodes) through the
 * Docker Engine API, reached exactly as the environment's docker providers reach each host (ssh with
 * `docker system dial-stdio` and the declared host keys, or TLS). This is what the GitOps plan job's
 * key may do (a read-only, GET-only API access), where the hosts stack's own ssh steps may not run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MODEL_FILE } from '../core/model';
import { readModels } from '../report/model-file';
import { parseStack, readTfJson, SynthProvider } from '../report/synth';
import type { HostAnswer, Prober } from '../bootstrap/swarm-check';
import { connectEngine, ConnectOptions, providerSshOpts } from './engine';

const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('${') ? v : undefined);

export interface ApiEndpoint {
  readonly endpoint: string;
  readonly connect: ConnectOptions;
}

/**
 * The docker provider connection of every host of the stack's environment, from the synth output the
 * stack file sits in (<out>/stacks/<stack>/cdk.tf.json next to its docknet-model.json). Undefined
 * when the stack file is not in such a synth output.
 */
export function apiEndpoints(stackFile: string): Map<string, ApiEndpoint> | undefined {
  const dir = path.dirname(path.resolve(stackFile));
  const modelFile = path.join(dir, MODEL_FILE);
  if (!fs.existsSync(modelFile)) return undefined;
  const env = (JSON.parse(fs.readFileSync(modelFile, 'utf8')) as { environment?: string }).environment;
  const stacksDir = path.dirname(dir);
  const out = new Map<string, ApiEndpoint>();
  // Every network stack of the environment (a sharded one has one per shard; the manager may be in another).
  for (const [name, model] of readModels(stacksDir)) {
    if (model.environment !== env || model.stack !== model.stacks.network) continue;
    const stack = parseStack(name, readTfJson(path.join(stacksDir, name)), model);
    for (const p of stack.providers.filter((x: SynthProvider) => x.type === 'docker')) {
      const cfg = p.config;
      const endpoint = literal(cfg.host);
      if (!endpoint) continue;
      const sshOpts = providerSshOpts(p.alias, cfg);
      const certPath = literal(cfg.cert_path);
      const tls = certPath ? { certPath } : { ca: literal(cfg.ca_material), cert: literal(cfg.cert_material), key: literal(cfg.key_material) };
      out.set(p.alias, { endpoint, connect: { sshOpts, tls } });
    }
  }
  return out;
}

/** A prober that asks each host through its provider connection; a host without one is an error naming it. */
export function apiProber(endpoints: ReadonlyMap<string, ApiEndpoint>): Prober {
  return async (host, withNodes, timeoutMs) => {
    const e = endpoints.get(host.name);
    if (!e) throw new Error(`no docker provider connection for ${host.name} in the synth output (use --via ssh)`);
    const engine = connectEngine(e.endpoint, { ...e.connect, timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      return await Promise.race([bound, (async (): Promise<HostAnswer> => {
        const info = await engine.info();
        const s = info.Swarm ?? {};
        const answer = { state: String(s.LocalNodeState ?? 'unknown'), nodeId: String(s.NodeID ?? ''), controlAvailable: s.ControlAvailable === true };
        if (!withNodes || !answer.controlAvailable) return answer;
        const nodes = (await engine.nodes()).map((n) => ({
          id: String(n.ID),
          role: String(n.Spec?.Role ?? 'worker'),
          status: String(n.Status?.State ?? 'unknown'),
          availability: String(n.Spec?.Availability ?? 'active'),
          // Managers' Status.Addr can read 0.0.0.0; ManagerStatus.Addr (ip:2377) is the advertised one.
          addr: String(n.ManagerStatus?.Addr ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '') || String(n.Status?.Addr ?? ''),
        }));
        return { ...answer, nodes };
      })()]);
    } catch (err) {
      const m = (err as { json?: { message?: string }; message?: string })?.json?.message ?? (err as Error)?.message ?? String(err);
      throw new Error(m.replace(/\s+/g, ' ').trim());
    } finally {
      clearTimeout(timer);
      engine.close();
    }
  };
}
