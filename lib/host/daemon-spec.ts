import type { DaemonConfig } from '../daemon/daemon-config';
import { Cidr } from '../address/cidr';
import { ReservedRangeModel } from '../model';
import { ExplicitSubnet, Subnet } from '../network/subnet';
import type { PlannedBlock } from '../environment/environment-plan';
import type { DocknetStack } from '../environment/docknet-stack';

/**
 * daemon.json settings as a host declares them: every key of DaemonConfig, except that the address
 * keys may come from the plan (Subnet.fromPool), so bip and default-address-pools sit in the same
 * plan as every network.
 */
export interface DaemonSpec extends Omit<DaemonConfig, 'bip' | 'fixedCidr' | 'defaultAddressPools'> {
  /** docker0's subnet; its first address becomes the bridge address ("bip"). */
  readonly bip?: Subnet;
  readonly fixedCidr?: Subnet;
  readonly defaultAddressPools?: { base: Subnet; size: number }[];
  /**
   * Keys that the host's daemon.json has today, that the code does not declare, and that docknet
   * may remove. Any other undeclared key stops the rollout with a message (adopt it with `extra`).
   * @default []
   */
  readonly dropUndeclaredKeys?: string[];
}

/** A DaemonSpec whose plan requests are registered; config() resolves them. */
export class PlannedDaemon {
  private readonly bip?: PlannedBlock;
  private readonly fixedCidr?: PlannedBlock;
  private readonly pools: { base: PlannedBlock; size: number }[];

  constructor(stack: DocknetStack, hostName: string, private readonly spec: DaemonSpec) {
    const block = (s: Subnet, key: string) =>
      s instanceof ExplicitSubnet ? { cidr: s.cidr } : stack.plannedKey(s, `${hostName}/daemon/${key}`);
    this.bip = spec.bip ? block(spec.bip, 'bip') : undefined;
    this.fixedCidr = spec.fixedCidr ? block(spec.fixedCidr, 'fixed-cidr') : undefined;
    this.pools = (spec.defaultAddressPools ?? []).map((p, i) => ({ base: block(p.base, `default-address-pools-${i}`), size: p.size }));
  }

  /** The concrete daemon.json settings. */
  public config(): DaemonConfig {
    const { bip: _b, fixedCidr: _f, defaultAddressPools: _p, dropUndeclaredKeys: _d, ...rest } = this.spec;
    return {
      ...rest,
      bip: this.bip ? `${Cidr.parse(this.bip.cidr).firstUsable.toString()}/${Cidr.parse(this.bip.cidr).prefix}` : undefined,
      fixedCidr: this.fixedCidr?.cidr,
      defaultAddressPools: this.pools.length ? this.pools.map((p) => ({ base: p.base.cidr, size: p.size })) : undefined,
    };
  }

  /** Keys the rollout may drop from the host's daemon.json. */
  public get dropUndeclaredKeys(): string[] {
    return this.spec.dropUndeclaredKeys ?? [];
  }

  public ranges(): ReservedRangeModel[] {
    return [
      ...(this.bip ? [{ label: 'bip', cidr: this.bip.cidr }] : []),
      ...(this.fixedCidr ? [{ label: 'fixed-cidr', cidr: this.fixedCidr.cidr }] : []),
      ...this.pools.map((p, i) => ({ label: `default-address-pools[${i}]`, cidr: p.base.cidr })),
    ];
  }
}
