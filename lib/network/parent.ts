import { DocknetError } from '../core/errors';
import { VLAN_MAX, VLAN_MIN, isVlanId } from '../core/facts/docker';

/** A macvlan/ipvlan parent interface: a physical interface, or an 802.1Q VLAN sub-interface of one. */
export class ParentInterface {
  /** The interface itself, e.g. ParentInterface.of("eth0"). */
  public static of(name: string): ParentInterface {
    const m = /^([a-zA-Z0-9_-]{1,15})(?:\.(\d+))?$/.exec(name);
    if (!m) throw new DocknetError('ParentInterface', `"${name}" is not an interface name. Expected e.g. "eth0", or "eth0.50" for VLAN 50.`);
    return m[2] === undefined ? new ParentInterface(m[1]) : ParentInterface.vlan(m[1], Number(m[2]));
  }

  /** An 802.1Q sub-interface: Docker creates eth0.50 for ParentInterface.vlan("eth0", 50). */
  public static vlan(link: string, vlanId: number): ParentInterface {
    if (!isVlanId(vlanId)) {
      throw new DocknetError('ParentInterface', `VLAN id ${vlanId} on ${link} is out of range. Expected an integer from ${VLAN_MIN} to ${VLAN_MAX} (0 and 4095 are reserved by 802.1Q).`, 'DN303');
    }
    if (!/^[a-zA-Z0-9_-]{1,15}$/.test(link)) throw new DocknetError('ParentInterface', `"${link}" is not an interface name. Expected e.g. "eth0".`);
    return new ParentInterface(link, vlanId);
  }

  private constructor(public readonly link: string, public readonly vlanId?: number) {}

  /** The value of the driver's `parent` option. */
  public get name(): string {
    return this.vlanId === undefined ? this.link : `${this.link}.${this.vlanId}`;
  }
}
