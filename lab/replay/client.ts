// The Engine API client: the operations the replay uses and the wire bodies they send.
import Docker from 'dockerode';

/** The Engine API operations the replay uses; one method per operation, bodies as sent on the wire. */
export interface EngineClient {
  imageInspect(name: string): Promise<{ Id: string }>;
  networkCreate(body: NetworkCreateBody): Promise<{ Id: string }>;
  networkRemove(id: string): Promise<void>;
  containerCreate(name: string, body: ContainerCreateBody): Promise<{ Id: string }>;
  networkDisconnect(network: string, body: { Container: string; Force: boolean }): Promise<void>;
  networkConnect(network: string, body: { Container: string; EndpointConfig: EndpointSettingsBody }): Promise<void>;
  containerStart(id: string): Promise<void>;
  /** GET /containers/{id}/json: the whole inspect (the refresh emulation reads all of it). */
  containerInspect(id: string): Promise<{ State: { Running: boolean; Status?: string; ExitCode?: number }; [field: string]: any }>;
  /** GET /networks/{id}: the whole inspect, for the refresh emulation (lab/replay/refresh.ts). */
  networkInspect(id: string): Promise<Record<string, any>>;
  containerStop(id: string, timeoutSeconds: number): Promise<void>;
  containerRemove(id: string, opts: { force: boolean; v: boolean; link: boolean }): Promise<void>;
  /** GET /distribution/{name}/json with X-Registry-Auth: the daemon asks the image's registry. */
  distributionInspect(name: string, registryAuth: string): Promise<DistributionInspectBody>;
  /** POST /services/create with X-Registry-Auth. */
  serviceCreate(body: ServiceSpecBody, registryAuth: string): Promise<{ ID: string; Warnings?: string[] | null }>;
  serviceInspect(id: string): Promise<{ ID: string; Spec?: { EndpointSpec?: { Mode?: string }; [field: string]: any }; Endpoint?: { Spec?: { Mode?: string }; [field: string]: any } }>;
  serviceRemove(id: string): Promise<void>;
}

export interface IpamConfigBody {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  /** The JSON name of Go's network.IPAMConfig.AuxAddress field. */
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkCreateBody {
  Name: string;
  Driver?: string;
  Options?: Record<string, string>;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: IpamConfigBody[] };
  Labels?: Record<string, string>;
}

export interface EndpointSettingsBody {
  Aliases: string[];
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string };
}

export interface ContainerCreateBody {
  Image: string;
  Hostname: string;
  Domainname: string;
  Tty: boolean;
  OpenStdin: boolean;
  StopSignal?: string;
  StopTimeout?: number;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  /** container.Config.Volumes: the container paths of volume entries. */
  Volumes?: Record<string, Record<string, never>>;
  /** container.HealthConfig; durations in nanoseconds (Go time.Duration), zero values omitted. */
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  HostConfig: Record<string, unknown>;
  NetworkingConfig: Record<string, never>;
}

export interface DistributionInspectBody {
  Descriptor: { digest: string };
  Platforms?: Array<{ architecture?: string; os?: string }> | null;
}

/** swarm.ServiceSpec as Go's encoding/json writes it (docker/docker v28.1.1 types, the provider's). */
export interface ServiceSpecBody {
  Name: string;
  /** Annotations.Labels has no omitempty: a nil map is sent as null. */
  Labels: Record<string, string> | null;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Command?: string[];
      Env?: string[];
      /** Nanoseconds (time.Duration). */
      StopGracePeriod: number;
      Healthcheck: Record<string, never>;
      DNSConfig: Record<string, never>;
      Isolation: string;
    };
    Resources: Record<string, never>;
    RestartPolicy: Record<string, never>;
    Placement: { Platforms?: Array<{ Architecture?: string; OS?: string }> };
    Networks?: Array<{ Target: string; Aliases?: string[] }>;
    /** No omitempty in TaskSpec: always sent. */
    ForceUpdate: number;
  };
  Mode: { Replicated?: { Replicas?: number } };
  EndpointSpec: { Mode?: string; Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> };
}

/** The message Docker returned, without dockerode's "(HTTP code 409) unexpected -" decoration. */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** An EngineClient over a unix socket (unix:///path, or a plain path) or tcp://host:port. */
export function dockerodeClient(target: string): EngineClient {
  const docker = target.startsWith('tcp://')
    ? new Docker({ host: new URL(target).hostname, port: Number(new URL(target).port || 2375) })
    : new Docker({ socketPath: target.replace(/^unix:\/\//, '') });
  const dial = (method: string, p: string, body?: unknown, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<any> =>
    new Promise((resolve, reject) => {
      (docker.modem as any).dial({
        path: query ? `${p}?` : p,
        method,
        // _query/_body keep docker-modem from copying the body into the query string.
        options: body === undefined && !query ? undefined : { _query: query ?? {}, _body: body ?? {} },
        headers: headers ? { ...headers } : undefined,
        allowEmpty: true,
        statusCodes: { 200: true, 201: true, 204: true, 304: true, 400: 'bad parameter', 403: 'forbidden', 404: 'not found', 409: 'conflict', 500: 'server error', 503: 'unavailable' },
      }, (err: any, data: any) => {
        if (err) {
          const msg = engineMessage(err);
          const e = new Error(msg) as Error & { statusCode?: number; json?: unknown };
          e.statusCode = err.statusCode;
          e.json = err.json;
          reject(e);
        } else resolve(data);
      });
    });
  const enc = encodeURIComponent;
  return {
    imageInspect: (name) => dial('GET', `/images/${enc(name)}/json`),
    networkCreate: (body) => dial('POST', '/networks/create', body),
    networkRemove: async (id) => { await dial('DELETE', `/networks/${enc(id)}`); },
    containerCreate: (name, body) => dial('POST', '/containers/create', body, { name }),
    networkDisconnect: async (n, body) => { await dial('POST', `/networks/${enc(n)}/disconnect`, body); },
    networkConnect: async (n, body) => { await dial('POST', `/networks/${enc(n)}/connect`, body); },
    containerStart: async (id) => { await dial('POST', `/containers/${enc(id)}/start`); },
    containerInspect: (id) => dial('GET', `/containers/${enc(id)}/json`),
    networkInspect: (id) => dial('GET', `/networks/${enc(id)}`),
    containerStop: async (id, t) => { await dial('POST', `/containers/${enc(id)}/stop`, undefined, { t }); },
    containerRemove: async (id, o) => { await dial('DELETE', `/containers/${enc(id)}`, undefined, { force: o.force, v: o.v, link: o.link }); },
    // The Go client puts the reference into the path as is (slashes included).
    distributionInspect: (name, auth) => dial('GET', `/distribution/${name}/json`, undefined, undefined, { 'X-Registry-Auth': auth }),
    serviceCreate: (body, auth) => dial('POST', '/services/create', body, undefined, { 'X-Registry-Auth': auth }),
    serviceInspect: (id) => dial('GET', `/services/${enc(id)}`),
    serviceRemove: async (id) => { await dial('DELETE', `/services/${enc(id)}`); },
  };
}
