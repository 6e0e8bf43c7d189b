import { DockerHost } from '../host/docker-host';
import { DocknetError } from '../errors';
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
  /**
   * MTU inside the containers. Docker's overlay driver takes the underlay MTU in
   * com.docker.network.driver.mtu and subtracts VXLAN (and IPsec) itself, so docknet writes that
   * option as mtu + 50 (+ 26 encrypted). Encrypted overlays need a multiple of 4 (Docker rounds down).
   * @default what VXLAN leaves of the manager's underlay MTU: 1450 on 1500, 1424 encrypted
   */
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
    if (this.encrypted && props.mtu !== undefined && props.mtu % 4 !== 0) {
      throw new DocknetError(this, `mtu ${props.mtu} of an encrypted overlay is not a multiple of 4; Docker rounds IPsec payloads down to 4 bytes, so the containers would get ${props.mtu - (props.mtu % 4)}. Use ${props.mtu - (props.mtu % 4)}.`);
    }
  }

  /** The value of com.docker.network.driver.mtu that gives the containers `mtu` (libnetwork's maxMTU()). */
  public get driverMtuOption(): number {
    return this.mtu + VXLAN_OVERHEAD + (this.encrypted ? ENCRYPTION_OVERHEAD : 0);
  }

  protected driverOptions(): Record<string, string> {
    const o: Record<string, string> = { 'com.docker.network.driver.mtu': String(this.driverMtuOption) };
    if (this.encrypted) o.encrypted = 'true';
    return o;
  }

  protected modelExtras(): Partial<NetworkModel> {
    return { attachable: this.attachable, encrypted: this.encrypted, mtu: this.mtu };
  }
}
