import type { DaemonConfig } from '../core/daemon/daemon-config';
import { Cidr } from '../core/address/cidr';
import { ReservedRangeModel } from '../core/model';
import { ExplicitSubnet, Subnet } from '../network/subnet';
import { unlessPlanFailed, type PlannedBlock } from '../environment/environment-plan';
import type { IStack } from '../interfaces';

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

  constructor(stack: IStack, hostName: string, private readonly spec: DaemonSpec) {
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
      bip: this.bip ? bipAddress(this.bip.cidr) : undefined,
      fixedCidr: this.fixedCidr?.cidr,
      defaultAddressPools: this.pools.length ? this.pools.map((p) => ({ base: p.base.cidr, size: p.size })) : undefined,
    };
  }

  /**
   * daemon.json's log defaults, when it declares `log-opts`: dockerd merges them into every new
   * container that uses its default driver, and provider 3.6.2 reads them back into `log_opts`.
   */
  public logDefaults(): { driver: string; options: Record<string, string> } | undefined {
    const extra = this.spec.extra ?? {};
    const opts = extra['log-opts'];
    if (opts === undefined || opts === null || typeof opts !== 'object' || Array.isArray(opts) || !Object.keys(opts).length) return undefined;
    const driver = typeof extra['log-driver'] === 'string' ? extra['log-driver'] as string : 'json-file';
    return { driver, options: Object.fromEntries(Object.entries(opts as Record<string, unknown>).map(([k, v]) => [k, String(v)])) };
  }

  /** `default-network-opts` of one driver: dockerd adds them to every local network of it created without them. */
  public networkDefaults(driver: string): Record<string, string> | undefined {
    const opts = this.spec.defaultNetworkOpts?.[driver];
    return opts && Object.keys(opts).length ? { ...opts } : undefined;
  }

  /** Keys the rollout may drop from the host's daemon.json. */
  public get dropUndeclaredKeys(): string[] {
    return this.spec.dropUndeclaredKeys ?? [];
  }

  /**
   * @internal bip and fixed-cidr when written out (Subnet.cidr), without reading the plan: pooled
   * networks stay clear of them (DN204). `declaresBip`: docker0 is not Docker's default.
   */
  public staticRanges(): { ranges: ReservedRangeModel[]; declaresBip: boolean } {
    const ranges: ReservedRangeModel[] = [];
    for (const [label, s] of [['bip', this.spec.bip], ['fixed-cidr', this.spec.fixedCidr]] as const) {
      if (!(s instanceof ExplicitSubnet)) continue;
      try {
        ranges.push({ label, cidr: Cidr.containing(s.cidr).toString() }); // bip may be docker0's address with its prefix
      } catch {
        // malformed: DN500 of the daemon rules
      }
    }
    return { ranges, declaresBip: this.spec.bip !== undefined };
  }

  /** The ranges the daemon holds, for the overlap rules; a block the plan could not serve is left out (its own problem says why). */
  public ranges(): ReservedRangeModel[] {
    const range = (label: string, b: PlannedBlock | undefined) => {
      const cidr = b && unlessPlanFailed(() => b.cidr);
      return cidr === undefined ? [] : [{ label, cidr }];
    };
    return [...range('bip', this.bip), ...range('fixed-cidr', this.fixedCidr), ...this.pools.flatMap((p, i) => range(`default-address-pools[${i}]`, p.base))];
  }
}

/**
 * daemon.json `bip` is docker0's address with its prefix: "192.168.1.5/24" is kept as given (docker0
 * gets .5), a network address such as "10.200.0.0/24" (what a pool hands out) becomes its first host
 * "10.200.0.1/24". Anything else is passed through for the daemon rules to report (DN500, key "bip").
 */
export function bipAddress(text: string): string {
  try {
    const c = Cidr.parse(text);
    return `${c.firstUsable.toString()}/${c.prefix}`;
  } catch {
    return text; // host bits set (an address with prefix, valid) or malformed (DN500)
  }
}
