import { DockerHost } from '../host/docker-host';
import { NetworkModel } from '../model';
import { checkMtu } from './bridge';
import { Network, NetworkProps } from './network';

/** VXLAN encapsulation costs 50 bytes; IPsec (encrypted) 26 more, rounded down to a multiple of 4. */
export const VXLAN_OVERHEAD = 50;
export const ENCRYPTION_OVERHEAD = 26;

export function overlayMtu(underlayMtu: number, encrypted: boolean): number {
  const mtu = underlayMtu - VXLAN_OVERHEAD - (encrypted ? ENCRYPTION_OVERHEAD : 0);
  return encrypted ? mtu - (mtu % 4) : mtu;
}

export interface OverlayNetworkProps extends NetworkProps {
  /** Standalone containers (not only services) may join. @default true */
  readonly attachable?: boolean;
  /** IPsec between hosts (-o encrypted); needs ESP (IP protocol 50) open. @default false */
  readonly encrypted?: boolean;
  /** @default what VXLAN leaves of the manager's underlay MTU: 1450 on 1500, 1424 encrypted */
  readonly mtu?: number;
}

/**
 * A swarm overlay spanning hosts. Created through a swarm manager (Docker refuses it from a
 * worker); containers on other swarm members attach to it by name.
 */
export class OverlayNetwork extends Network {
  public readonly driver = 'overlay' as const;
  public readonly attachable: boolean;
  public readonly encrypted: boolean;
  public readonly mtu: number;

  constructor(manager: DockerHost, id: string, props: OverlayNetworkProps = {}) {
    const attachable = props.attachable ?? true;
    super(manager, id, props, { attachable });
    checkMtu(this, props.mtu);
    this.attachable = attachable;
    this.encrypted = props.encrypted ?? false;
    this.mtu = props.mtu ?? overlayMtu(manager.underlayMtu, this.encrypted);
  }

  protected driverOptions(): Record<string, string> {
    const o: Record<string, string> = { 'com.docker.network.driver.mtu': String(this.mtu) };
    if (this.encrypted) o.encrypted = 'true';
    return o;
  }

  protected modelExtras(): Partial<NetworkModel> {
    return { attachable: this.attachable, encrypted: this.encrypted };
  }
}
