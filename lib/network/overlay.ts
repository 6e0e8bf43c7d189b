import type { IHost } from '../interfaces';
import { DocknetError } from '../core/errors';
import { NetworkModel } from '../core/model';
import { checkMtu } from './bridge';
import { NETWORK_PROP_TYPES, Network, NetworkProps } from './network';
import type { PropSpec } from '../validation/prop-types';
import { DEFAULT_UNDERLAY_MTU, overlayDriverMtuOption, overlayMtuLimit, underlayMtuOf } from '../core/facts/docker';

/** The driver option swarm adds to every overlay (libnetwork's overlay driver: the VXLAN ids it allocated). */
export const OVERLAY_VXLAN_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';

/** The container MTU an overlay allows on an underlay (lib/core/facts: the rules use the same function). */
export const overlayMtu = overlayMtuLimit;

export interface OverlayNetworkProps extends NetworkProps {
  /** Standalone containers (not only services) may join. @default true */
  readonly attachable?: boolean;
  /** IPsec between hosts (-o encrypted); needs ESP (IP protocol 50) open. @default false */
  readonly encrypted?: boolean;
  /**
   * MTU inside the containers. Docker's overlay driver takes the underlay MTU in
   * com.docker.network.driver.mtu and subtracts VXLAN (and IPsec) itself, so docknet writes that
   * option as mtu + 50 (+ 26 encrypted). Encrypted overlays need a multiple of 4 (Docker rounds down).
   * Checked at synth against the smallest underlay of the swarm (DN305; 1500 assumed when no member
   * declares interfaces).
   * @default what VXLAN leaves of the smallest swarm member underlay MTU: 1450 on 1500, 1424 encrypted
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
  /** The declared MTU; undefined: what the swarm's smallest underlay leaves, decided at synth. */
  public readonly declaredMtu?: number;

  constructor(manager: IHost, id: string, props: OverlayNetworkProps = {}) {
    const attachable = props.attachable ?? true;
    super(manager, id, props, { attachable });
    checkMtu(this, props.mtu);
    this.attachable = attachable;
    this.encrypted = props.encrypted ?? false;
    this.declaredMtu = props.mtu;
    if (this.encrypted && props.mtu !== undefined && props.mtu % 4 !== 0) {
      throw new DocknetError(this, `mtu ${props.mtu} of an encrypted overlay is not a multiple of 4; Docker rounds IPsec payloads down to 4 bytes, so the containers would get ${props.mtu - (props.mtu % 4)}. Use ${props.mtu - (props.mtu % 4)}.`);
    }
  }

  /** The containers' MTU: declared, else what VXLAN leaves of the smallest underlay among swarm members. */
  public get mtu(): number {
    if (this.declaredMtu !== undefined) return this.declaredMtu;
    const members = this.host.stack.allHosts.filter((h) => (h.swarmRole as string) !== 'none');
    const underlays = members.map((h) => underlayMtuOf(Object.values(h.interfaces))).filter((m): m is number => m !== undefined);
    return overlayMtuLimit(underlays.length ? Math.min(...underlays) : DEFAULT_UNDERLAY_MTU, this.encrypted);
  }

  /** The value of com.docker.network.driver.mtu that gives the containers `mtu` (libnetwork's maxMTU()). */
  public get driverMtuOption(): number {
    return overlayDriverMtuOption(this.mtu, this.encrypted);
  }

  protected driverOptions(): Record<string, string> {
    const o: Record<string, string> = { 'com.docker.network.driver.mtu': String(this.driverMtuOption) };
    if (this.encrypted) o.encrypted = 'true';
    return o;
  }

  /**
   * Swarm gives every overlay a VXLAN id and writes it into the network's options
   * (com.docker.network.driver.overlay.vxlanid_list). Provider 3.6.2 reads options back for every
   * scope (its overlay branch tests Scope == "overlay", but overlays have scope "swarm"), options is
   * ForceNew, and a key in state but not in the configuration is a removal to the SDK: without
   * ignoring that one key the plan after every apply would replace the overlay and disconnect its
   * containers. Terraform takes an ignored map key missing from the configuration from the state, so
   * the MTU and encryption options are still compared (lab/replay/refresh.ts, docs/lab.md).
   */
  protected readBackChanges(): string[] {
    return [`options[${JSON.stringify(OVERLAY_VXLAN_OPTION)}]`];
  }

  protected modelExtras(): Partial<NetworkModel> {
    // What is written: the default comes from the same facts and members as DN305's limit, so it always fits.
    return { attachable: this.attachable, encrypted: this.encrypted, mtu: this.mtu };
  }
}

export const OVERLAY_PROP_TYPES: PropSpec = { ...NETWORK_PROP_TYPES, attachable: 'boolean', encrypted: 'boolean', mtu: 'integer' };
