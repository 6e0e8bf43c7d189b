import { Construct, type ITerraformDependable } from '../cdk';
import { DaemonSettings, DaemonSettingsProps } from '../daemon/daemon-settings';
import { DaemonRollout } from './daemon-rollout';
import { MacvlanShim, MacvlanShimOptions } from './macvlan-shim';
import { moveFromOldName } from './moved';
import { BootstrapTarget, checkTarget, throwIfInvalid } from './target';

export interface HostBootstrapProps {
  readonly target: BootstrapTarget;
  /**
   * The host's daemon.json: props (a DaemonSettings child named "Daemon" is created) or an existing
   * DaemonSettings. The whole file is written, so include the host's other keys in `extra`.
   * @default - daemon.json is not managed
   */
  readonly daemon?: DaemonSettingsProps | DaemonSettings;
  /** @default - none */
  readonly shims?: MacvlanShimOptions[];
  /**
   * What the daemon rollout waits for: the previous wave of a rolling change (HostsStack sets it).
   * @default - none
   */
  readonly rolloutAfter?: ITerraformDependable[];
  /** The swarm's first manager, for the rollout's node check (HostsStack sets it). @default - none */
  readonly swarmManager?: BootstrapTarget;
  /**
   * The construct id this host had before a rename: its resources keep their state (Terraform
   * `moved` blocks) instead of being destroyed and created again.
   * @default - not renamed
   */
  readonly renamedFrom?: string;
}

/**
 * Everything docknet does to one host before Docker resources exist: daemon.json rollout and
 * macvlan shims. Meant for an `<env>-hosts` stack that holds only Terraform built-ins; pass it to
 * SwarmBootstrap to order swarm formation after the rollout.
 */
export class HostBootstrap extends Construct {
  public readonly target: BootstrapTarget;
  public readonly daemon?: DaemonSettings;
  public readonly rollout?: DaemonRollout;
  public readonly shims: MacvlanShim[] = [];

  constructor(scope: Construct, id: string, props: HostBootstrapProps) {
    super(scope, id);
    throwIfInvalid(this.node.path, checkTarget(props.target));
    this.target = props.target;
    if (props.daemon !== undefined) {
      this.daemon = props.daemon instanceof DaemonSettings ? props.daemon : new DaemonSettings(this, 'Daemon', props.daemon);
      this.rollout = new DaemonRollout(this, 'DaemonRollout', { target: this.target, content: this.daemon.render(), dependsOn: props.rolloutAfter, swarmManager: props.swarmManager });
    }
    for (const shim of props.shims ?? []) this.addShim(shim.name, shim);
    if (props.renamedFrom) moveFromOldName(this, props.renamedFrom);
  }

  /** Adds a macvlan shim on this host and returns it. */
  public addShim(id: string, options: MacvlanShimOptions): MacvlanShim {
    const shim = new MacvlanShim(this, `Shim-${id}`, { ...options, target: this.target });
    this.shims.push(shim);
    return shim;
  }

  /** What later steps (swarm, Docker resources) must wait for: the daemon rollout. */
  public get dependables(): ITerraformDependable[] {
    return this.rollout ? [this.rollout.resource] : [];
  }
}
