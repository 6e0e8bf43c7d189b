/**
 * Every rule code of docknet, with its severity and a one-line summary. Codes are stable: a retired
 * code is never reused. Ranges: DN1xx topology and refused combinations, DN2xx addresses and
 * overlaps (DN27x the address plan), DN3xx drivers, parents and MTU, DN4xx names.
 * docs/addressing.md carries the same table; a test keeps them in step.
 */
import { Severity } from './problem';

export interface RuleCode {
  readonly code: string;
  readonly severity: Severity;
  readonly summary: string;
}

const E = Severity.ERROR;
const W = Severity.WARNING;

export const RULES: readonly RuleCode[] = [
  { code: 'DN101', severity: E, summary: 'published ports on a container in host, none or container:<other> mode' },
  { code: 'DN102', severity: E, summary: 'network attachments on a container in host, none or container:<other> mode' },
  { code: 'DN103', severity: E, summary: 'static address on a network without a subnet of that family' },
  { code: 'DN104', severity: E, summary: 'attachment to a local network of another host' },
  { code: 'DN105', severity: E, summary: 'standalone container attached to an overlay that is not attachable' },
  { code: 'DN106', severity: E, summary: 'overlay attachment from a host that is not a swarm member' },
  { code: 'DN107', severity: E, summary: 'overlay created from a host that is not a swarm manager' },
  { code: 'DN108', severity: E, summary: 'container:<other> mode where the other container is on another host' },
  { code: 'DN109', severity: E, summary: 'reference to an undeclared host, network or container' },
  { code: 'DN110', severity: E, summary: 'container attached twice to the same network' },
  { code: 'DN111', severity: E, summary: 'swarm service created from a host that is not a swarm manager' },
  { code: 'DN200', severity: E, summary: 'malformed address or CIDR, or one of the wrong family' },
  { code: 'DN201', severity: E, summary: 'subnets overlap on one host (overlays count on every swarm member)' },
  { code: 'DN202', severity: E, summary: 'overlay subnets overlap within the environment' },
  { code: 'DN203', severity: E, summary: "subnet overlaps the host's LAN (interface subnet or LAN segment)" },
  { code: 'DN204', severity: E, summary: "subnet overlaps the daemon's bip, fixed-cidr or another daemon range" },
  { code: 'DN205', severity: W, summary: 'subnet overlaps default-address-pools or the swarm default-addr-pool' },
  { code: 'DN206', severity: E, summary: 'gateway outside its subnet, or equal to the network or broadcast address' },
  { code: 'DN207', severity: E, summary: 'ip_range outside its subnet' },
  { code: 'DN208', severity: E, summary: 'static address outside the subnet' },
  { code: 'DN209', severity: E, summary: "macvlan/ipvlan static address outside the network's ip_range" },
  { code: 'DN210', severity: E, summary: 'static address equal to the gateway, network or broadcast address' },
  { code: 'DN211', severity: E, summary: 'static address used twice on one network (overlays: across hosts)' },
  { code: 'DN212', severity: E, summary: 'macvlan/ipvlan static address used twice on one LAN segment across hosts' },
  { code: 'DN213', severity: E, summary: 'LAN ip_ranges of two hosts overlap, or contain the gateway or a reserved range' },
  { code: 'DN214', severity: E, summary: 'IPv6 subnet or address on a network without enable_ipv6' },
  { code: 'DN215', severity: W, summary: 'overlay subnet larger than /24' },
  { code: 'DN216', severity: E, summary: 'aux address outside the subnet' },
  { code: 'DN270', severity: E, summary: 'address pool exhausted' },
  { code: 'DN271', severity: W, summary: 'recorded block invalid, re-allocated (the network is replaced)' },
  { code: 'DN272', severity: E, summary: 'frozen mode: the plan record needs a change' },
  { code: 'DN273', severity: E, summary: 'two pools of one environment overlap' },
  { code: 'DN274', severity: E, summary: 'LAN segment has no room for another host range' },
  { code: 'DN275', severity: W, summary: 'a block released in this run is handed out again in it (nothing else was free)' },
  { code: 'DN276', severity: E, summary: 'renamedFrom names a host that is still declared' },
  { code: 'DN301', severity: W, summary: 'macvlan/ipvlan without a parent (dummy interface, no LAN access) and not internal' },
  { code: 'DN302', severity: E, summary: 'macvlan/ipvlan parent is not an interface the host declares' },
  { code: 'DN303', severity: E, summary: 'VLAN id of a parent sub-interface outside 1-4094' },
  { code: 'DN304', severity: E, summary: 'two ipvlan networks on one parent' },
  { code: 'DN305', severity: E, summary: 'MTU above what the underlay allows (overlay: -50, encrypted: -76 rounded down to 4)' },
  { code: 'DN306', severity: W, summary: "overlay without an MTU on an underlay too small for docker's default 1450" },
  { code: 'DN307', severity: E, summary: 'unknown macvlan_mode / ipvlan_mode' },
  { code: 'DN401', severity: E, summary: 'two networks with one name on a host (overlay names count on every swarm member)' },
  { code: 'DN402', severity: E, summary: 'two containers with one name on a host' },
  { code: 'DN403', severity: E, summary: 'container name docker refuses' },
  { code: 'DN404', severity: E, summary: 'two hosts with one name in the environment' },
];

export const RULE_BY_CODE: ReadonlyMap<string, RuleCode> = new Map(RULES.map((r) => [r.code, r]));
