/**
 * Each Docker (and kernel) fact docknet relies on, once. Constructors and validation rules both
 * read them from here, so a constructor and a rule can never disagree about a pattern or a number.
 */

/** Underlay MTU docknet assumes when a host declares no interfaces (Ethernet's, and Docker's own assumption). */
export const DEFAULT_UNDERLAY_MTU = 1500;
/** What VXLAN encapsulation costs on the underlay (outer IPv4 + UDP + VXLAN + inner Ethernet). */
export const VXLAN_OVERHEAD = 50;
/** What IPsec (encrypted overlays) adds on top of VXLAN. */
export const IPSEC_OVERHEAD = 26;
/** The smallest MTU IPv6 works with (RFC 8200); below it the kernel turns IPv6 off on the link. */
export const IPV6_MIN_MTU = 1280;
/** The valid range of an MTU Docker accepts in com.docker.network.driver.mtu and daemon.json `mtu`. */
export const MTU_MIN = 68;
export const MTU_MAX = 65535;
/** The range of an underlay interface MTU docknet accepts (576 is the IPv4 minimum datagram). */
export const UNDERLAY_MTU_MIN = 576;

/**
 * The largest container MTU an overlay allows on an underlay: 1450 on 1500; encrypted 1424 (IPsec
 * payloads are rounded down to a multiple of 4).
 */
export function overlayMtuLimit(underlay: number, encrypted: boolean): number {
  const plain = underlay - VXLAN_OVERHEAD;
  return encrypted ? Math.floor((plain - IPSEC_OVERHEAD) / 4) * 4 : plain;
}

/** The com.docker.network.driver.mtu option that gives containers `mtu` (the driver subtracts the overhead). */
export function overlayDriverMtuOption(mtu: number, encrypted: boolean): number {
  return mtu + VXLAN_OVERHEAD + (encrypted ? IPSEC_OVERHEAD : 0);
}

/**
 * Underlay MTU of a host from its declared interfaces: the smallest among interfaces with an address
 * (they carry traffic), else among all; undefined when none is declared (callers assume
 * DEFAULT_UNDERLAY_MTU and say so).
 */
export function underlayMtuOf(interfaces: readonly { address?: string; mtu?: number }[]): number | undefined {
  if (interfaces.length === 0) return undefined;
  const carrying = interfaces.filter((i) => i.address);
  return Math.min(...(carrying.length ? carrying : interfaces).map((i) => i.mtu ?? DEFAULT_UNDERLAY_MTU));
}

/** Docker's container name pattern (daemon/names.go: RestrictedNameChars), at least two characters. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
export const CONTAINER_NAME_TEXT = 'letters, digits, "_", "." or "-", starting with a letter or digit, at least two characters';
/** Network names docknet accepts: Docker's restricted name characters, at most 63 (provider lookups by name). */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
export const NETWORK_NAME_TEXT = 'letters, digits, "_", "." or "-", starting with a letter or digit, at most 63 characters';
/** A Linux interface name (IFNAMSIZ 16 with the NUL): bridge names, parents. */
export const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
/** 802.1Q VLAN ids: 0 and 4095 are reserved. */
export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;
export const isVlanId = (n: number): boolean => Number.isInteger(n) && n >= VLAN_MIN && n <= VLAN_MAX;

/**
 * Docker's defaults on a host whose daemon.json does not say otherwise: docker0 on 172.17.0.0/16,
 * and the default-address-pools that networks created without a subnet are carved from.
 */
export const DOCKER_DEFAULT_BIP_NETWORK = '172.17.0.0/16';
export const DOCKER_DEFAULT_ADDRESS_POOLS: readonly { base: string; size: number }[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/15', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/13', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/**
 * Docker's image reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
 * Path components are lower-case; the domain may have upper case. Written from the grammar, not copied.
 */
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
export const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
/** Docker's limit on the repository name (domain + path). */
export const IMAGE_NAME_MAX = 255;

/** Why Docker would refuse an image reference, or undefined when it is valid. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (typeof ref !== 'string' || ref.length === 0) return 'it is empty';
  if (!IMAGE_REFERENCE.test(ref)) {
    const noDomain = ref.includes('/') && /[.:]|^localhost$/.test(ref.split('/')[0]) ? ref.slice(ref.indexOf('/') + 1) : ref;
    if (/[A-Z]/.test(noDomain.split(/[:@]/)[0])) return 'the repository name has upper-case letters (Docker: "repository name must be lowercase")';
    return 'it does not follow [registry[:port]/]name[:tag][@digest] with a lower-case name';
  }
  const name = ref.split('@')[0].replace(/:[\w][\w.-]*$/, '');
  if (name.length > IMAGE_NAME_MAX) return `the repository name is longer than ${IMAGE_NAME_MAX} characters`;
  return undefined;
}

/** A network alias Docker accepts: a DNS name label or dotted name, no spaces, not empty. */
export const NETWORK_ALIAS = /^[a-zA-Z0-9_](?:[a-zA-Z0-9_.-]{0,252})$/;
