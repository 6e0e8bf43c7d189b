/** The shapes of `docknet verify`: what a live host differs in from the environment's model. */
import type { ProbeOutcome } from './probe';

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
