import type { IHost } from '../interfaces';
import { DocknetError } from '../core/errors';
import { NetworkModel } from '../core/model';
import { checkIp, Network, NetworkProps } from './network';
import { INTERFACE_NAME, MTU_MAX, MTU_MIN } from '../core/facts/docker';
import type { PropSpec } from '../validation/prop-types';
import { NETWORK_PROP_TYPES } from './network';

export interface BridgeNetworkProps extends NetworkProps {
  /** Linux bridge name (com.docker.network.bridge.name). @default Docker's br-<id> */
  readonly bridgeName?: string;
  /** Inter-container communication on this bridge (enable_icc). @default true */
  readonly icc?: boolean;
  /** Masquerade outgoing traffic (enable_ip_masquerade). @default true */
  readonly ipMasquerade?: boolean;
  /** Default host address for published ports (host_binding_ipv4). @default 0.0.0.0 */
  readonly hostBindingIpv4?: string;
  /** MTU of the bridge (com.docker.network.driver.mtu). @default the daemon's */
  readonly mtu?: number;
  /** No route to the outside world: containers talk only to each other. @default false */
  readonly internal?: boolean;
}

/** A user-defined bridge on one host: fixed subnet, static addresses, DNS by container name. */
export class BridgeNetwork extends Network {
  public readonly driver = 'bridge' as const;
  private readonly bridgeProps: BridgeNetworkProps;

  constructor(host: IHost, id: string, props: BridgeNetworkProps = {}) {
    super(host, id, props, { internal: props.internal });
    this.bridgeProps = props;
    if (props.bridgeName !== undefined && !INTERFACE_NAME.test(props.bridgeName)) {
      throw new DocknetError(this, `bridgeName "${props.bridgeName}" is not a Linux interface name. Expected 1-15 letters, digits, "_", "." or "-".`);
    }
    checkMtu(this, props.mtu);
    if (props.hostBindingIpv4 !== undefined) checkIp(this, 'hostBindingIpv4', props.hostBindingIpv4);
  }

  protected driverOptions(): Record<string, string> {
    const p = this.bridgeProps;
    const o: Record<string, string> = {};
    if (p.bridgeName !== undefined) o['com.docker.network.bridge.name'] = p.bridgeName;
    if (p.icc !== undefined) o['com.docker.network.bridge.enable_icc'] = String(p.icc);
    if (p.ipMasquerade !== undefined) o['com.docker.network.bridge.enable_ip_masquerade'] = String(p.ipMasquerade);
    if (p.hostBindingIpv4 !== undefined) o['com.docker.network.bridge.host_binding_ipv4'] = p.hostBindingIpv4;
    if (p.mtu !== undefined) o['com.docker.network.driver.mtu'] = String(p.mtu);
    return o;
  }

  protected modelExtras(): Partial<NetworkModel> {
    return { internal: this.bridgeProps.internal ?? false };
  }
}

export function checkMtu(scope: Network, mtu: number | undefined): void {
  if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < MTU_MIN || mtu > MTU_MAX)) {
    throw new DocknetError(scope, `mtu ${mtu} is not a valid MTU. Expected an integer from ${MTU_MIN} (the IPv4 minimum) to ${MTU_MAX}.`);
  }
}

export const BRIDGE_PROP_TYPES: PropSpec = {
  ...NETWORK_PROP_TYPES,
  bridgeName: 'string',
  hostBindingIpv4: 'string',
  icc: 'boolean',
  internal: 'boolean',
  ipMasquerade: 'boolean',
  mtu: 'integer',
};
