/**
 * The shapes of `docknet verify`, `--probe` and `import`: what a host is read as, what it is compared
 * with, and what it differs in. Every other file of lib/live imports its shared types from here and
 * this file imports none of them, so no import circle runs through lib/live (a structure test checks).
 */
import type { DocknetModel } from '../core/model';

/** One host as the Engine API reports it, the raw responses kept as they came (lib/live/snapshot.ts reads it). */
export interface HostSnapshot {
  readonly version: { Version: string; ApiVersion: string };
  readonly info: Record<string, any>;
  readonly networks: Record<string, any>[];
  /** Inspect objects of every container (running or not). */
  readonly containers: Record<string, any>[];
  /** Image id -> tags, to compare a container's image (the provider runs containers by image id). */
  readonly images: { Id: string; RepoTags: string[] }[];
  /** Swarm nodes, when the host is a manager. */
  readonly nodes?: Record<string, any>[];
  /** Swarm services, when the host is a manager. */
  readonly services?: Record<string, any>[];
  /** What shows daemon.json keys the Engine API does not report (lib/live/daemon-evidence.ts). */
  readonly daemonEvidence?: DaemonEvidence;
}

/** What verify gathered beyond the Engine API's reports, per host (recorded with the snapshot). */
export interface DaemonEvidence {
  /** /etc/resolv.conf of a container Docker wrote it for. */
  readonly resolvConf?: {
    readonly container: string;
    /** "bridge" (the default bridge: the daemon's name servers are in the file) or another network (Docker's embedded DNS, 127.0.0.11, stands in for them). */
    readonly network: string;
    /** True for the short-lived probe container (--probe). */
    readonly probe?: boolean;
    readonly text: string;
  };
  /** The subnet Docker gave a short-lived bridge network created without one (--probe). */
  readonly poolSubnet?: { readonly network: string; readonly subnet: string };
  /** The host's nat table (`iptables -t nat -S` as root over ssh), or why it could not be read. */
  readonly iptables?: {
    readonly nat?: string;
    readonly error?: string;
    /** The subnet of the short-lived probe network that existed while `nat` was read (--probe). */
    readonly probeSubnet?: string;
  };
  /** Why some evidence could not be gathered ("resolv.conf: ...", "pools: ..."). */
  readonly errors?: string[];
}


/** The reads verify needs; a fake implements it in tests (recorded lab responses). */
export interface EngineReader {
  /** GET /version */
  version(): Promise<{ Version: string; ApiVersion: string }>;
  /** GET /info */
  info(): Promise<Record<string, any>>;
  /** GET /networks (full objects, without their containers) */
  networks(): Promise<Record<string, any>[]>;
  /** GET /containers/json?all=1 */
  containers(): Promise<Record<string, any>[]>;
  /** GET /containers/{id}/json */
  container(id: string): Promise<Record<string, any>>;
  /** GET /images/json */
  images(): Promise<Record<string, any>[]>;
  /** GET /nodes (managers only) */
  nodes(): Promise<Record<string, any>[]>;
  /** GET /services (managers only) */
  services(): Promise<Record<string, any>[]>;
  /** GET /containers/{id}/archive?path=: one file of a container (its /etc/resolv.conf). Optional: recorded fakes have none. */
  file?(id: string, path: string): Promise<string>;
  /**
   * The host's nat table (`iptables -t nat -S`, as root: directly for root, else `sudo -n`), over
   * the same ssh as the Engine API. Only ssh:// endpoints have it.
   */
  natTable?(timeoutMs: number): Promise<{ nat?: string; error?: string }>;
  /** Releases connections (ssh processes). */
  close(): void;
}

/** Writes the probes need (the read-only EngineReader does not). */
export interface EngineProber {
  /** Runs a command in a running container; resolves with its exit code (null when it did not finish). */
  exec(container: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /** Runs a command in a new container on the host's network (removed afterwards). */
  runOnHost(image: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /** /etc/resolv.conf of a short-lived container of `image` on the default bridge (removed afterwards). */
  resolvConfOnBridge?(image: string, timeoutMs: number): Promise<string>;
  /**
   * The IPv4 subnet Docker gives a short-lived bridge network created without one (removed
   * afterwards); `whileThere` runs while it exists (the host's nat table then shows Docker's rules for it).
   */
  poolSubnet?<T>(timeoutMs: number, whileThere?: () => Promise<T>): Promise<{ network: string; subnet: string; during?: T }>;
  close(): void;
}

export interface ProbeCase {
  /** Host the probe runs on. */
  readonly host: string;
  /** Container the probe runs in; absent: the host itself. */
  readonly from?: string;
  /** What is probed, in words: a container name, an address, "address:port". */
  readonly to: string;
  readonly how: 'name' | 'address' | 'port';
  /** The command's argument(s). */
  readonly args: string[];
  readonly expect: boolean;
  /** Why that is expected: "same network `app`", "icc=false on `backend`". */
  readonly why: string;
  /** Image for a host probe. */
  readonly image?: string;
}

export interface ProbeOutcome extends ProbeCase {
  /** Whether it got through; absent when the probe could not run. */
  readonly seen?: boolean;
  readonly error?: string;
}

/** What verify compares against: the model plus the provider arguments the model does not carry. */
export interface Expectation {
  readonly model: DocknetModel;
  /** docker_network `options` by Terraform address ("docker_network.<logicalId>"), from the network stack's cdk.tf.json. */
  readonly networkOptions: ReadonlyMap<string, Record<string, string>>;
}

/** What kind of difference a finding is. */
export enum DriftKind {
  /** Declared, not on the host. */
  MISSING = 'missing',
  /** On the host, with a value other than the declared one. */
  CHANGED = 'changed',
  /** On the host, not declared (left over from the code, or made by hand and colliding with the plan). */
  UNEXPECTED = 'unexpected',
  /** Not declared and harmless: listed so nothing goes unseen, never counted as drift. */
  UNMANAGED = 'unmanaged',
  /** Declared, but the Engine API does not report it: listed, never counted as drift. */
  UNVERIFIED = 'unverified',
}

export type ObjectKind = 'network' | 'container' | 'service' | 'daemon' | 'swarm' | 'path';

/** How to get back in sync. */
export enum RemedyAction {
  /** A plain apply fixes it (Terraform's refresh notices). */
  REAPPLY = 'reapply',
  /** Terraform cannot see it: apply with -replace of the named addresses. */
  REPLACE = 'replace',
  /** The host is right and the code is wrong, or the host needs a hand: change the code or the host. */
  CHANGE_CODE = 'change-code',
}

export interface Remedy {
  readonly action: RemedyAction;
  /** Stack the addresses belong to (its folder in cdktf.out/stacks). */
  readonly stack?: string;
  /** Terraform addresses ("docker_container.dev1_web_1A2B3C4D") for -replace. */
  readonly addresses?: string[];
  /** The remedy in words, with the command. */
  readonly text: string;
}

export interface Finding {
  readonly host: string;
  readonly objectKind: ObjectKind;
  /** Name of the object: network, container, service name; the host name for daemon and swarm. */
  readonly object: string;
  readonly kind: DriftKind;
  /** What differs, in words: "attachment to network `app`", "bip", "state". */
  readonly attribute?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** One line in human words. */
  readonly description: string;
  /** For a daemon key the Engine API does not report: what showed it ("/etc/resolv.conf of container `web` on the default bridge"). */
  readonly evidence?: string;
  readonly remedy?: Remedy;
}

export enum HostStatus {
  READ = 'read',
  UNREACHABLE = 'unreachable',
}

export interface HostResult {
  readonly host: string;
  readonly endpoint: string;
  readonly status: HostStatus;
  /** Why it could not be read. */
  readonly error?: string;
  readonly ms: number;
  /** Docker Engine version, when read. */
  readonly engine?: string;
}

export interface VerifyCounts {
  /** Findings that are drift (missing, changed, unexpected). */
  readonly drift: number;
  /** Unmanaged and unverified notes. */
  readonly notes: number;
  readonly unreachable: number;
}

export interface VerifyResult {
  readonly env: string;
  readonly hosts: HostResult[];
  readonly findings: Finding[];
  readonly counts: VerifyCounts;
  /** With --probe: every probe, expected against seen (mismatches are also findings). */
  readonly probes?: { readonly outcomes: ProbeOutcome[]; readonly dropped: number };
}

export const EXIT_IN_SYNC = 0;
export const EXIT_DRIFT = 2;
export const EXIT_UNREACHABLE = 5;

/** True for the kinds that count as drift. */
export function isDrift(f: Finding): boolean {
  return f.kind === DriftKind.MISSING || f.kind === DriftKind.CHANGED || f.kind === DriftKind.UNEXPECTED;
}

/** 5 when a host could not be read (the answer is incomplete), else 2 on drift, else 0. */
export function verifyExitCode(r: VerifyResult): number {
  if (r.counts.unreachable > 0) return EXIT_UNREACHABLE;
  return r.counts.drift > 0 ? EXIT_DRIFT : EXIT_IN_SYNC;
}
