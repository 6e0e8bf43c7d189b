// Apply and destroy: the Engine API calls of one stack, in the provider's order.
import { EngineClient, dockerodeClient, engineMessage } from './client';
import { META_KEYS, PlannedResource, REF_RE, TfJson, blocksOf, plan } from './planner';
import { PlannedAction, SCHEMAS, planResource, refreshedState } from './refresh';
import { containerCreateBody, endpointSettings, networkCreateBody, nonEmpty, serviceCreateBody, str } from './bodies';

export type HostTargets = Record<string, string | EngineClient>;

export interface CreatedResource {
  readonly address: string;
  readonly type: string;
  readonly alias: string;
  readonly id: string;
  /** The resolved configuration plus computed attributes (id, image_id), for ${...} references. */
  readonly attrs: Record<string, any>;
}

export interface ReplayOptions {
  /** How long to wait for a started container to be running (must_run). @default 10000 */
  readonly runningTimeoutMs?: number;
  /** How long resourceDockerServiceRead waits for a new service's endpoint spec. @default 30000 (the provider's) */
  readonly serviceReadTimeoutMs?: number;
}

/**
 * One apply of one stack. apply() may fail part way; destroy() then removes whatever was created.
 */
export class Replay {
  readonly created: CreatedResource[] = [];
  readonly skipped: string[] = [];
  /** Warnings the provider would only log (e.g. an image digest that could not be resolved). */
  readonly warnings: string[] = [];
  private readonly clients = new Map<string, EngineClient>();
  private readonly byAddress = new Map<string, CreatedResource>();

  constructor(private readonly tf: TfJson, hosts: HostTargets, private readonly opts: ReplayOptions = {}) {
    for (const [alias, t] of Object.entries(hosts)) this.clients.set(alias, typeof t === 'string' ? dockerodeClient(t) : t);
  }

  /** The created resource at a Terraform address (e.g. "docker_container.web"). */
  get(address: string): CreatedResource {
    const r = this.byAddress.get(address);
    if (!r) throw new Error(`${address} was not created by this replay`);
    return r;
  }

  async apply(): Promise<CreatedResource[]> {
    const { order, skipped } = plan(this.tf);
    this.skipped.push(...skipped);
    const aliases = new Set((this.tf.provider?.docker ?? []).map((p) => p.alias ?? 'default'));
    for (const r of order) {
      if (aliases.size && !aliases.has(r.alias)) throw new Error(`${r.address} uses provider docker.${r.alias}, which the stack does not configure`);
      const client = this.clients.get(r.alias);
      if (!client) throw new Error(`${r.address} uses provider alias "${r.alias}": no host given for it (have ${[...this.clients.keys()].join(', ')})`);
      const config = this.resolve(r.address, r.config);
      const created = await this.create(r, config, client);
      this.created.push(created);
      this.byAddress.set(r.address, created);
    }
    return this.created;
  }

  /** Removes what apply created, in reverse order: services and containers, then networks; images are kept. */
  /**
   * Like `terraform destroy`: a resource whose delete failed stays in the state (here: in `created`),
   * so a second destroy() tries it again, as running `terraform destroy` again does.
   */
  async destroy(): Promise<void> {
    const errors: string[] = [];
    const kept: CreatedResource[] = [];
    for (const r of [...this.created].reverse()) {
      const client = this.clients.get(r.alias)!;
      try {
        if (r.type === 'docker_service') await destroyService(client, r);
        else if (r.type === 'docker_container') await destroyContainer(client, r);
        else if (r.type === 'docker_network') await destroyNetwork(client, r);
        this.byAddress.delete(r.address);
      } catch (e) {
        errors.push(`${r.address}: ${engineMessage(e)}`);
        kept.unshift(r);
      }
    }
    this.created.splice(0, this.created.length, ...kept);
    if (errors.length) throw new Error(`destroy failed:\n${errors.join('\n')}`);
  }

  /**
   * Like `terraform apply -replace=<address>...` (docknet verify's remedy): destroys those resources
   * the way destroy() does (already gone is fine) and creates them again, in plan order.
   */
  async replace(addresses: string[]): Promise<void> {
    const { order } = plan(this.tf);
    const wanted = order.filter((r) => addresses.includes(r.address));
    const unknown = addresses.filter((a) => !wanted.some((r) => r.address === a));
    if (unknown.length) throw new Error(`replace: not resources of this stack: ${unknown.join(', ')}`);
    for (const r of [...wanted].reverse()) {
      const c = this.byAddress.get(r.address);
      if (!c) continue;
      const client = this.clients.get(c.alias)!;
      if (c.type === 'docker_service') await destroyService(client, c);
      else if (c.type === 'docker_container') await destroyContainer(client, c);
      else if (c.type === 'docker_network') await destroyNetwork(client, c);
      this.byAddress.delete(r.address);
      this.created.splice(this.created.indexOf(c), 1);
    }
    for (const r of wanted) {
      const client = this.clients.get(r.alias)!;
      const created = await this.create(r, this.resolve(r.address, r.config), client);
      this.created.push(created);
      this.byAddress.set(r.address, created);
    }
  }

  /**
   * The plan after this apply (lab/replay/refresh.ts): every network, container and service read back
   * as provider 3.6.2's Read does, then its configuration (lifecycle.ignore_changes applied) diffed
   * against that state as the plugin SDK diffs it. "No changes" is every entry 'no-op'.
   */
  async refreshPlan(): Promise<RefreshedPlan[]> {
    const { order } = plan(this.tf);
    const out: RefreshedPlan[] = [];
    for (const r of order) {
      const c = this.byAddress.get(r.address);
      if (!c || !(r.type in SCHEMAS)) continue;
      const client = this.clients.get(c.alias)!;
      const inspect = r.type === 'docker_network' ? await client.networkInspect(c.id)
        : r.type === 'docker_container' ? await client.containerInspect(c.id)
          : await client.serviceInspect(c.id);
      const config = this.resolve(r.address, r.config);
      const ignore = (blocksOf(r.config.lifecycle)[0]?.ignore_changes ?? []) as string[];
      if (!Array.isArray(ignore)) throw new Error(`${r.address}: ignore_changes ${JSON.stringify(ignore)} is not emulated`);
      out.push({ address: r.address, type: r.type, ...planResource(r.type, config, refreshedState(r.type, config, inspect), ignore) });
    }
    return out;
  }

  private resolve(address: string, config: Record<string, any>): Record<string, any> {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const whole = /^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(v);
        if (whole) return this.attr(address, whole[1], whole[2], whole[3]);
        const out = v.replace(REF_RE, (_m, t, n, a) => String(this.attr(address, t, n, a)));
        if (out.includes('${')) throw new Error(`${address}: the replay cannot evaluate "${v}"`);
        return out;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(config)) if (!META_KEYS.has(k)) out[k] = walk(v);
    return out;
  }

  private attr(from: string, type: string, name: string, attr: string): unknown {
    const r = this.byAddress.get(`${type}.${name}`);
    if (!r) throw new Error(`${from}: ${type}.${name} is not created yet (order bug or skipped resource)`);
    if (!(attr in r.attrs)) throw new Error(`${from}: ${type}.${name}.${attr} is not known to the replay`);
    return r.attrs[attr];
  }

  private async create(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const base = { address: r.address, type: r.type, alias: r.alias };
    switch (r.type) {
      case 'docker_image': {
        // resource_docker_image_funcs.go would pull a missing image; no registry is reachable from the
        // lab, so the image must already be there (keep_locally images are imported by the lab).
        let id: string;
        try {
          id = (await client.imageInspect(c.name)).Id;
        } catch (e) {
          throw new Error(`${r.address}: image "${c.name}" is not on host ${r.alias} and cannot be pulled in the lab: ${engineMessage(e)}`);
        }
        return { ...base, id: `${id}${c.name}`, attrs: { ...c, id: `${id}${c.name}`, image_id: id, repo_digest: '' } };
      }
      case 'docker_network': {
        let id: string;
        try {
          id = (await client.networkCreate(networkCreateBody(c))).Id;
        } catch (e) {
          throw new Error(`${r.address}: Unable to create network: ${engineMessage(e)}`);
        }
        return { ...base, id, attrs: { ...c, id, driver: c.driver ?? 'bridge' } };
      }
      case 'docker_container':
        return this.createContainer(r, c, client);
      case 'docker_service':
        return this.createService(r, c, client);
      default:
        throw new Error(`${r.address}: unsupported type`);
    }
  }

  private async createContainer(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const name = str(c.name);
    let id: string;
    try {
      id = (await client.containerCreate(name, containerCreateBody(c))).Id;
    } catch (e) {
      throw new Error(`${r.address}: Unable to create container: ${engineMessage(e)}`);
    }
    const created: CreatedResource = { address: r.address, type: r.type, alias: r.alias, id, attrs: { ...c, id, name } };
    // Registered at once so destroy() removes it even if a later step fails.
    this.created.push(created);
    this.byAddress.set(r.address, created);
    try {
      if (nonEmpty(c.networks_advanced)) {
        // resourceDockerContainerCreate: the default network is dropped first; only this exact message
        // is tolerated (containsIgnorableErrorMessage), anything else fails the apply.
        try {
          await client.networkDisconnect('bridge', { Container: id, Force: false });
        } catch (e) {
          if (!engineMessage(e).includes('is not connected to the network bridge')) {
            throw new Error(`Unable to disconnect the default network: ${engineMessage(e)}`);
          }
        }
        for (const n of c.networks_advanced as any[]) {
          try {
            await client.networkConnect(n.name, { Container: id, EndpointConfig: endpointSettings(n) });
          } catch (e) {
            throw new Error(`Unable to connect to network '${n.name}': ${engineMessage(e)}`);
          }
        }
      }
      if (c.start !== false) {
        try {
          await client.containerStart(id);
        } catch (e) {
          throw new Error(`Unable to start container: ${engineMessage(e)}`);
        }
        // resourceDockerContainerRead: with must_run (default true) a container that is not running fails.
        if (c.must_run !== false) await this.waitRunning(client, id);
      }
    } catch (e) {
      throw new Error(`${r.address}: ${(e as Error).message}`);
    }
    // Returned for apply() to register; drop the early registration to avoid a duplicate.
    this.created.splice(this.created.indexOf(created), 1);
    return created;
  }

  /**
   * resource_docker_service_funcs.go resourceDockerServiceCreate: createServiceSpec, then
   * client.ServiceCreate with QueryRegistry = true and EncodedRegistryAuth = base64url(JSON) of the
   * registry.AuthConfig retrieveAndMarshalAuth finds (no auth block, and docknet configures no
   * registry_auth on its providers, so the empty AuthConfig: "{}" -> "e30="). No converge_config:
   * the apply does not wait for tasks, only for resourceDockerServiceRead.
   */
  private async createService(r: PlannedResource, c: Record<string, any>, client: EngineClient): Promise<CreatedResource> {
    const provider = (this.tf.provider?.docker ?? []).find((p) => (p.alias ?? 'default') === r.alias);
    if (provider?.registry_auth !== undefined) throw new Error(`${r.address}: the replay does not support registry_auth on provider docker.${r.alias}; add it to lab/replay.ts`);
    // Go's base64.URLEncoding: URL alphabet, with padding.
    const auth = Buffer.from(JSON.stringify({})).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const spec = serviceCreateBody(c);
    const cs = spec.TaskTemplate.ContainerSpec;
    // client.ServiceCreate (docker/docker v28.1.1, which the provider vendors) with QueryRegistry asks the
    // daemon for the image's registry digest (DistributionInspect) and, when that works, pins Image to
    // name@digest and sets Placement.Platforms (arch "arm" cleared). When it fails it only adds a warning
    // and sends the tag. The lab has no registry, so here it always fails (fast: no route out of the
    // lab's namespaces), exactly as for the provider offline; the call is made anyway, nothing is skipped.
    try {
      const d = await client.distributionInspect(cs.Image, auth);
      // imageWithDigestString: a reference that already has a digest is kept as it is.
      if (!cs.Image.includes('@')) cs.Image = `${cs.Image}@${d.Descriptor.digest}`;
      const platforms = (d.Platforms ?? []).map((p) => {
        const pl: { Architecture?: string; OS?: string } = {};
        const arch = (p.architecture ?? '').toLowerCase() === 'arm' ? '' : p.architecture ?? '';
        if (arch) pl.Architecture = arch;
        if (p.os) pl.OS = p.os;
        return pl;
      });
      if (platforms.length) spec.TaskTemplate.Placement.Platforms = platforms;
    } catch (e) {
      this.warnings.push(`${r.address}: image ${cs.Image} could not be accessed on a registry to record its digest (${engineMessage(e)}); each node uses its own ${cs.Image}`);
    }
    let id: string;
    try {
      id = (await client.serviceCreate(spec, auth)).ID;
    } catch (e) {
      throw new Error(`${r.address}: ${engineMessage(e)}`);
    }
    const created: CreatedResource = { address: r.address, type: r.type, alias: r.alias, id, attrs: { ...c, id } };
    this.created.push(created);
    this.byAddress.set(r.address, created);
    try {
      await this.waitServiceReadable(client, id);
    } catch (e) {
      throw new Error(`${r.address}: ${(e as Error).message}`);
    }
    this.created.splice(this.created.indexOf(created), 1);
    return created;
  }

  /**
   * resourceDockerServiceRead: retries (up to 30 s) until the service exposes an endpoint spec mode,
   * from Endpoint.Spec or Spec.EndpointSpec. (The provider finds the service through ServiceList by
   * id or name first and polls every 5 s after a 2 s delay; the id is known here, so ServiceInspect.)
   */
  private async waitServiceReadable(client: EngineClient, id: string): Promise<void> {
    const until = Date.now() + (this.opts.serviceReadTimeoutMs ?? 30_000);
    for (;;) {
      const s = await client.serviceInspect(id);
      if (s.Endpoint?.Spec?.Mode || s.Spec?.EndpointSpec?.Mode) return;
      if (Date.now() > until) throw new Error(`service ${id} did not expose its endpoint spec: timeout while waiting for state to become 'all_fields, removed'`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  private async waitRunning(client: EngineClient, id: string): Promise<void> {
    const until = Date.now() + (this.opts.runningTimeoutMs ?? 10_000);
    for (;;) {
      const st = (await client.containerInspect(id)).State;
      if (st.Running) return;
      if (Date.now() > until || st.Status === 'exited' || st.Status === 'dead') {
        throw new Error(`Container ${id} failed to be in running state (status ${st.Status}, exit code ${st.ExitCode})`);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}

// resourceDockerContainerDelete: stop with timeout destroy_grace_seconds (0 when unset), then remove
// forced with RemoveVolumes = remove_volumes (default true) and RemoveLinks = rm.
async function destroyContainer(client: EngineClient, r: CreatedResource): Promise<void> {
  const ignorable = (e: unknown) => /No such container|is already in progress/.test(engineMessage(e));
  try {
    await client.containerStop(r.id, Number(r.attrs.destroy_grace_seconds ?? 0));
  } catch (e) {
    if (!ignorable(e)) throw e;
  }
  try {
    await client.containerRemove(r.id, { force: true, v: r.attrs.remove_volumes !== false, link: r.attrs.rm === true });
  } catch (e) {
    if (!ignorable(e)) throw e;
  }
}

// resourceDockerServiceDelete -> deleteService: stop_grace_period reads back "0s" (see serviceCreateBody),
// so there are no tasks to wait for: just ServiceRemove. A service already gone is no error (Terraform's
// refresh would have dropped it from the state).
async function destroyService(client: EngineClient, r: CreatedResource): Promise<void> {
  try {
    await client.serviceRemove(r.id);
  } catch (e) {
    if (!/not found|No such service/i.test(engineMessage(e))) throw e;
  }
}

// resourceDockerNetworkRemoveRefreshFunc: "has active endpoints" means wait and retry (30 s there).
// Only that message: a swarm manager's "network ... is in use by task ..." (a removed service's tasks
// not yet reaped) fails the destroy in 3.6.2 and 4.5.0 alike (same function in both tags), and running
// destroy again is the way out (docs/troubleshooting).
async function destroyNetwork(client: EngineClient, r: CreatedResource): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await client.networkRemove(r.id);
      return;
    } catch (e) {
      const m = engineMessage(e);
      if (/not found|No such network/i.test(m)) return;
      if (!m.includes('has active endpoints') || Date.now() > until) throw e;
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

export interface RefreshedPlan extends PlannedAction {
  readonly address: string;
  readonly type: string;
}

/** "12 of 12 planned no-op (4 docker_network, 7 docker_container, 1 docker_service)", then one line per change. */
export function summarizeRefreshPlan(plans: readonly RefreshedPlan[]): string {
  const noop = plans.filter((p) => p.action === 'no-op');
  const byType = [...new Set(plans.map((p) => p.type))].map((t) => `${noop.filter((p) => p.type === t).length}/${plans.filter((p) => p.type === t).length} ${t}`);
  const lines = [`${noop.length} of ${plans.length} planned no-op (${byType.join(', ')})`];
  for (const p of plans.filter((x) => x.action !== 'no-op')) {
    lines.push(`  ${p.address}: ${p.action}`);
    for (const c of p.changes) lines.push(`    ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}${c.requiresNew ? ' (forces replacement)' : ''}`);
  }
  return lines.join('\n');
}

/** Convenience: plan, apply and return the replay (destroy it when done). */
export async function replay(tf: TfJson, hosts: HostTargets, opts?: ReplayOptions): Promise<Replay> {
  const r = new Replay(tf, hosts, opts);
  await r.apply();
  return r;
}
