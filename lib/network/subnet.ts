import { DocknetError, describeGiven } from '../core/errors';
/**
 * Where a network's subnet comes from: written out, or drawn from a named pool of the address plan.
 * Pool allocations are recorded in the plan record (docknet.plan.json) so they never move.
 */
export abstract class Subnet {
  /** An explicit subnet, e.g. Subnet.cidr("172.77.0.0/24"). */
  public static cidr(cidr: string): Subnet {
    if (typeof cidr !== 'string') throw new DocknetError('Subnet.cidr', `the subnet is ${describeGiven(cidr)}. Expected a CIDR string such as "172.30.0.0/24".`);
    return new ExplicitSubnet(cidr);
  }

  /**
   * A block of /prefixLength from the named pool of the environment's address plan.
   * @param key stable allocation key @default the network's construct path
   */
  public static fromPool(pool: string, prefixLength: number, key?: string): Subnet {
    if (typeof pool !== 'string' || !Number.isInteger(prefixLength) || (key !== undefined && typeof key !== 'string')) {
      throw new DocknetError('Subnet.fromPool', `(${[pool, prefixLength, key].filter((x, i) => i < 2 || x !== undefined).map(describeGiven).join(', ')}) is not a pool allocation. Expected a pool name, a whole prefix length and an optional key, such as Subnet.fromPool("bridges", 24).`);
    }
    return new PooledSubnet(pool, prefixLength, key);
  }
}

export class ExplicitSubnet extends Subnet {
  constructor(public readonly cidr: string) {
    super();
  }
}

export class PooledSubnet extends Subnet {
  constructor(public readonly pool: string, public readonly prefixLength: number, public readonly key?: string) {
    super();
  }
}
