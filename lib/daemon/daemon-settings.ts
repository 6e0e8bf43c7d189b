import { createHash } from 'crypto';
import { Construct } from '../cdk';
import { Problem } from '../core/validation/problem';
import { registerProblems } from '../validation/validated';
import { parsePrefix } from '../core/address/cidr';
import { DaemonConfig, DaemonHostFacts, renderDaemonJson } from '../core/daemon/daemon-config';
import { validateDaemonConfig } from './daemon-rules';

export interface DaemonSettingsProps extends DaemonConfig, DaemonHostFacts {}

/** Why the daemon holds an address range. */
export enum DaemonRangeKind {
  /** docker0's subnet (bip). */
  BRIDGE = 'BRIDGE',
  /** Container range of the default bridge (fixed-cidr / fixed-cidr-v6). */
  FIXED_CIDR = 'FIXED_CIDR',
  /** A default-address-pools base that user networks are carved from. */
  ADDRESS_POOL = 'ADDRESS_POOL',
}

/** An address range one host's dockerd uses, for the address planner's overlap checks. */
export interface DaemonAddressRange {
  readonly kind: DaemonRangeKind;
  /** Network form, e.g. "10.200.0.0/24". */
  readonly cidr: string;
  /** The daemon.json key it comes from, e.g. "default-address-pools[1]". */
  readonly key: string;
  /** Construct path of the DaemonSettings. */
  readonly construct: string;
}

/**
 * daemon.json of one Docker host. Every problem, malformed values included, is reported at synth
 * with every other problem of the synth (lib/validation/validated.ts); warnings annotated once.
 */
export class DaemonSettings extends Construct {
  /** The typed settings as given. */
  public readonly config: DaemonConfig;
  private readonly facts: { unitPassesHosts: boolean; swarmMember: boolean };

  constructor(scope: Construct, id: string, props: DaemonSettingsProps = {}) {
    super(scope, id);
    const { unitPassesHosts, swarmMember, ...config } = props;
    this.config = config;
    this.facts = { unitPassesHosts: unitPassesHosts ?? true, swarmMember: swarmMember ?? false };

    // Every finding, a malformed value (DN500) included, is reported with the synth's other problems:
    // one bad value must not hide this daemon's other rules.
    registerProblems(this, () => this.problems());
  }

  /** Marks the host as a swarm member (SwarmBootstrap calls this), which forbids live-restore. */
  public markSwarmMember(): void {
    this.facts.swarmMember = true;
  }

  /** Every finding, errors and warnings, computed from the current settings and host facts. */
  public problems(): Problem[] {
    return validateDaemonConfig(this.config, this.facts, this.node.path);
  }

  /** The daemon.json text: keys sorted recursively, 2-space indent, trailing newline. */
  public render(): string {
    return renderDaemonJson(this.config);
  }

  /** sha256 (hex) of render(): changes exactly when the file on the host must change. */
  public get sha256(): string {
    return createHash('sha256').update(this.render()).digest('hex');
  }

  /** Address ranges this daemon claims (bip subnet, fixed-cidr(-v6), default-address-pools). */
  public addressRanges(): DaemonAddressRange[] {
    const out: DaemonAddressRange[] = [];
    const add = (kind: DaemonRangeKind, key: string, text: string | undefined) => {
      const c = text === undefined ? undefined : parsePrefix(text);
      if (c && typeof c !== 'string') out.push({ kind, key, cidr: c.block.toString(), construct: this.node.path });
    };
    add(DaemonRangeKind.BRIDGE, 'bip', this.config.bip);
    add(DaemonRangeKind.FIXED_CIDR, 'fixed-cidr', this.config.fixedCidr);
    add(DaemonRangeKind.FIXED_CIDR, 'fixed-cidr-v6', this.config.fixedCidrV6);
    (this.config.defaultAddressPools ?? []).forEach((p, i) =>
      add(DaemonRangeKind.ADDRESS_POOL, `default-address-pools[${i}]`, p.base),
    );
    return out;
  }
}
