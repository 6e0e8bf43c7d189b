/**
 * Where a network's subnet comes from: written out, or drawn from a named pool of the address plan.
 * Pool allocations are recorded in the plan record (docknet.plan.json) so they never move.
 */
export abstract class Subnet {
  /** An explicit subnet, e.g. Subnet.cidr("172.77.0.0/24"). */
  public static cidr(cidr: string): Subnet {
    return new ExplicitSubnet(cidr);
  }

  /**
   * A block of /prefixLength from the named pool of the environment's address plan.
   * @param key stable allocation key @default the network's construct path
   */
  public static fromPool(pool: string, prefixLength: number, key?: string): Subnet {
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
