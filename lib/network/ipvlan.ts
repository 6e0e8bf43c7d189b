import type { IHost } from '../interfaces';
import { LanNetwork, LanNetworkProps, MACVLAN_PROP_TYPES } from './macvlan';
import type { PropSpec } from '../validation/prop-types';

export enum IpvlanMode {
  L2 = 'l2',
  L3 = 'l3',
  L3S = 'l3s',
}

export enum IpvlanFlag {
  BRIDGE = 'bridge',
  PRIVATE = 'private',
  VEPA = 'vepa',
}

export interface IpvlanNetworkProps extends LanNetworkProps {
  /** @default IpvlanMode.L2 */
  readonly mode?: IpvlanMode;
  /** @default IpvlanFlag.BRIDGE */
  readonly flag?: IpvlanFlag;
}

/** ipvlan: containers share the parent's MAC; one ipvlan network per parent. */
export class IpvlanNetwork extends LanNetwork {
  public readonly driver = 'ipvlan' as const;
  public readonly mode: IpvlanMode;
  public readonly flag: IpvlanFlag;

  constructor(host: IHost, id: string, props: IpvlanNetworkProps) {
    super(host, id, props);
    this.mode = props.mode ?? IpvlanMode.L2;
    this.flag = props.flag ?? IpvlanFlag.BRIDGE;
  }

  protected driverOptions(): Record<string, string> {
    return { parent: this.lanProps.parent.name, ipvlan_mode: this.mode, ipvlan_flag: this.flag };
  }

  protected modeName(): string {
    return this.mode;
  }
}

export const IPVLAN_PROP_TYPES: PropSpec = { ...MACVLAN_PROP_TYPES, mode: { oneOf: Object.values(IpvlanMode) }, flag: { oneOf: Object.values(IpvlanFlag) } };
