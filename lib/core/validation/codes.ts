/**
 * THE registry of docknet's rule codes: every code any part of docknet reports (constructors, the
 * topology rules, the address plan, daemon.json rules, the hosts-stack bootstrap) is declared here
 * once, with its severity, a one-line summary and the docs section that explains it. `Code` is the
 * union of the registered codes, so a code that is not here does not compile; docs/rules.md is
 * generated from this list (`npm run docs:rules`) and a test keeps the two identical.
 *
 * Codes are stable: a retired code stays here (retired: true) and is never reused. Ranges: DN1xx
 * topology and refused combinations, DN2xx addresses and overlaps (DN27x the address plan), DN3xx
 * drivers, parents and MTU, DN4xx names and references, DN5xx daemon.json and host bootstrap, DN6xx
 * secrets and host keys (docs/security.md).
 */
import { Severity } from './severity';

export interface RuleCode {
  readonly code: string;
  readonly severity: Severity;
  readonly summary: string;
  /** The docs page (and section) that explains the family, relative to the repository root. */
  readonly docs: string;
  /** A retired code: never reported again and never reused. */
  readonly retired?: boolean;
}

const E = Severity.ERROR;
const W = Severity.WARNING;
const TOPO = 'docs/addressing.md#validation';
const PLAN = 'docs/addressing.md#the-address-plan-and-its-record-docknetplanjson';
const DAEMON = 'docs/daemon-and-bootstrap.md#daemonsettings-libdaemon';
const SEC = 'docs/security.md#what-docknet-guarantees';
const BOOT = 'docs/daemon-and-bootstrap.md#hostbootstrap-daemonrollout-swarmbootstrap-macvlanshim-libbootstrap';

export const RULES = [
  { code: 'DN100', severity: E, summary: 'invalid construct property (one value: thrown at once, with the construct path)', docs: TOPO },
  { code: 'DN101', severity: E, summary: 'published ports on a container in host, none or container:<other> mode', docs: TOPO },
  { code: 'DN102', severity: E, summary: 'network attachments on a container in host, none or container:<other> mode', docs: TOPO },
  { code: 'DN103', severity: E, summary: 'static address on a network without a subnet of that family', docs: TOPO },
  { code: 'DN104', severity: E, summary: 'attachment to a local network of another host', docs: TOPO },
  { code: 'DN105', severity: E, summary: 'standalone container attached to an overlay that is not attachable', docs: TOPO },
  { code: 'DN106', severity: E, summary: 'overlay attachment from a host that is not a swarm member', docs: TOPO },
  { code: 'DN107', severity: E, summary: 'overlay created from a host that is not a swarm manager', docs: TOPO },
  { code: 'DN108', severity: E, summary: 'container:<other> mode where the other container is on another host', docs: TOPO },
  { code: 'DN109', severity: E, summary: 'reference to an undeclared host, network, container or LAN segment', docs: TOPO },
  { code: 'DN110', severity: E, summary: 'container attached twice to the same network', docs: TOPO },
  { code: 'DN111', severity: E, summary: 'swarm service created from a host that is not a swarm manager', docs: TOPO },
  { code: 'DN112', severity: E, summary: 'swarm member without an advertise address (no interface address, no swarmAdvertiseAddress)', docs: TOPO },
  { code: 'DN113', severity: E, summary: 'host port published twice on one host (same protocol, overlapping host address)', docs: TOPO },
  { code: 'DN114', severity: E, summary: 'swarm managers in more than one shard of a sharded environment', docs: TOPO },
  { code: 'DN115', severity: E, summary: "a validation that is not docknet's own failed (cdktf's checks, such as the Terraform version, or one added with node.addValidation)", docs: TOPO },
  { code: 'DN116', severity: E, summary: 'published ports on a container whose networks are all internal, macvlan or ipvlan (docker binds nothing; every plan would replace it)', docs: TOPO },
  { code: 'DN117', severity: E, summary: 'one container port published twice with the same protocol (docker reports the bindings in its own order; every plan would replace the container)', docs: TOPO },
  { code: 'DN200', severity: E, summary: 'malformed address or CIDR, or one of the wrong family', docs: TOPO },
  { code: 'DN201', severity: E, summary: 'subnets overlap on one host (overlays count on every swarm member)', docs: TOPO },
  { code: 'DN202', severity: E, summary: 'overlay subnets overlap within the environment', docs: TOPO },
  { code: 'DN203', severity: E, summary: "subnet overlaps the host's LAN (interface subnet or LAN segment)", docs: TOPO },
  { code: 'DN204', severity: E, summary: "subnet overlaps the daemon's bip (declared, or Docker's default 172.17.0.0/16) or fixed-cidr", docs: TOPO },
  { code: 'DN205', severity: W, summary: "subnet overlaps default-address-pools (declared, or Docker's defaults) or the swarm default-addr-pool", docs: TOPO },
  { code: 'DN206', severity: E, summary: 'gateway outside its subnet, or equal to the network or broadcast address', docs: TOPO },
  { code: 'DN207', severity: E, summary: 'ip_range outside its subnet', docs: TOPO },
  { code: 'DN208', severity: E, summary: 'static address outside the subnet', docs: TOPO },
  { code: 'DN209', severity: E, summary: "macvlan/ipvlan static address outside the network's ip_range", docs: TOPO },
  { code: 'DN210', severity: E, summary: 'static address equal to the gateway, network or broadcast address', docs: TOPO },
  { code: 'DN211', severity: E, summary: 'static address used twice on one network (overlays: across hosts)', docs: TOPO },
  { code: 'DN212', severity: E, summary: 'macvlan/ipvlan static address used twice on one LAN (declared or inferred from interface subnets) across hosts', docs: TOPO },
  { code: 'DN213', severity: E, summary: 'LAN ip_ranges of two hosts overlap, or contain the gateway or a reserved range', docs: TOPO },
  { code: 'DN214', severity: E, summary: 'IPv6 subnet or address on a network without enable_ipv6', docs: TOPO },
  { code: 'DN215', severity: W, summary: 'overlay subnet larger than /24', docs: TOPO },
  { code: 'DN216', severity: E, summary: 'aux address outside the subnet', docs: TOPO },
  { code: 'DN217', severity: E, summary: "a host's own LAN address inside a macvlan/ipvlan ip_range (Docker may give it to a container)", docs: TOPO },
  { code: 'DN218', severity: E, summary: 'network without a subnet next to a subnet inside the address pools Docker draws it from (Docker may hand out the same block)', docs: TOPO },
  { code: 'DN270', severity: E, summary: 'address pool exhausted', docs: PLAN },
  { code: 'DN271', severity: W, summary: 'recorded block invalid, re-allocated (the network is replaced)', docs: PLAN },
  { code: 'DN272', severity: E, summary: 'frozen mode: the plan record needs a change', docs: PLAN },
  { code: 'DN273', severity: E, summary: 'two pools of one environment overlap', docs: PLAN },
  { code: 'DN274', severity: E, summary: 'LAN segment has no room for another host range', docs: PLAN },
  { code: 'DN275', severity: W, summary: 'a block released in this run is handed out again in it (nothing else was free)', docs: PLAN },
  { code: 'DN276', severity: E, summary: 'renamedFrom names a host that is still declared', docs: PLAN },
  { code: 'DN277', severity: E, summary: 'no plan record located (none attached, no docknet:planFile context, no cdktf.json above the working directory)', docs: PLAN },
  { code: 'DN301', severity: W, summary: 'macvlan/ipvlan without a parent (dummy interface, no LAN access) and not internal', docs: TOPO },
  { code: 'DN302', severity: E, summary: 'macvlan/ipvlan parent is not an interface the host declares', docs: TOPO },
  { code: 'DN303', severity: E, summary: 'VLAN id of a parent sub-interface outside 1-4094', docs: TOPO },
  { code: 'DN304', severity: E, summary: 'two macvlan/ipvlan networks on one parent of one host', docs: TOPO },
  { code: 'DN305', severity: E, summary: 'MTU above what the underlay allows (overlay: -50, encrypted: -76 rounded down to 4; 1500 assumed when undeclared)', docs: TOPO },
  { code: 'DN306', severity: W, summary: 'retired: overlays without an MTU now get what the smallest swarm underlay leaves', docs: TOPO, retired: true },
  { code: 'DN307', severity: E, summary: 'unknown macvlan_mode / ipvlan_mode', docs: TOPO },
  { code: 'DN308', severity: E, summary: 'MTU below 1280 on a network with IPv6 (the kernel turns IPv6 off on the interface)', docs: TOPO },
  { code: 'DN401', severity: E, summary: 'two networks with one name on a host (overlay names count on every swarm member)', docs: TOPO },
  { code: 'DN402', severity: E, summary: 'two containers with one name on a host', docs: TOPO },
  { code: 'DN403', severity: E, summary: 'container name docker refuses', docs: TOPO },
  { code: 'DN404', severity: E, summary: 'two hosts with one name (or one construct id) in the environment', docs: TOPO },
  { code: 'DN405', severity: E, summary: 'image reference or network alias docker refuses', docs: TOPO },
  { code: 'DN500', severity: E, summary: 'daemon.json: malformed value (CIDR, IP, MTU 68-65535, interface name, socket URL, JSON)', docs: DAEMON },
  { code: 'DN501', severity: E, summary: 'daemon.json: key in extra that dockerd does not know', docs: DAEMON },
  { code: 'DN502', severity: E, summary: 'daemon.json: networking key in extra (use the typed prop)', docs: DAEMON },
  { code: 'DN503', severity: E, summary: 'daemon.json: cluster-store / cluster-advertise / cluster-store-opts / graph, removed from dockerd', docs: DAEMON },
  { code: 'DN504', severity: E, summary: 'daemon.json: bridge with bip', docs: DAEMON },
  { code: 'DN505', severity: E, summary: 'daemon.json: fixed-cidr outside the bip subnet', docs: DAEMON },
  { code: 'DN506', severity: E, summary: 'daemon.json: default-gateway outside the bip subnet (v6: outside fixed-cidr-v6)', docs: DAEMON },
  { code: 'DN507', severity: E, summary: 'daemon.json: icc=false with iptables=false', docs: DAEMON },
  { code: 'DN508', severity: E, summary: 'daemon.json: default-address-pools base longer than size', docs: DAEMON },
  { code: 'DN509', severity: E, summary: 'daemon.json: live-restore on a swarm member', docs: DAEMON },
  { code: 'DN510', severity: E, summary: 'daemon.json: hosts while the unit passes -H', docs: DAEMON },
  { code: 'DN511', severity: E, summary: 'daemon.json: hosts with tcp:// and no TLS', docs: DAEMON },
  { code: 'DN512', severity: W, summary: 'daemon.json: ip-masq=true with iptables=false (dockerd turns it off)', docs: DAEMON },
  { code: 'DN513', severity: W, summary: 'daemon.json: IPv6 settings while ipv6 is not enabled', docs: DAEMON },
  { code: 'DN514', severity: E, summary: 'daemon.json: two default-address-pools overlap', docs: DAEMON },
  { code: 'DN515', severity: W, summary: 'daemon.json: a pool overlaps the bip subnet', docs: DAEMON },
  { code: 'DN516', severity: E, summary: 'daemon.json: a value holds a URL with a password (user:pass@); it would reach the report and the pull request', docs: DAEMON },
  { code: 'DN520', severity: E, summary: 'host bootstrap: malformed prop (target, swarm, shim), or an ssh host without its hostKey (every ssh host, whatever it runs)', docs: BOOT },
  { code: 'DN521', severity: E, summary: 'host bootstrap: host managed over a connection other than ssh', docs: BOOT },
  { code: 'DN522', severity: E, summary: 'macvlan shim address off the network subnet or inside a container range (a topology rule)', docs: BOOT },
  { code: 'DN523', severity: E, summary: "macvlan shim address already someone's on its LAN: the gateway (or network/broadcast address), a host's own address, another shim's, or a container's static address (a topology rule)", docs: BOOT },
  { code: 'DN600', severity: E, summary: 'an ssh option that would change which host key is trusted (StrictHostKeyChecking, known_hosts files, KnownHostsCommand, -F, a jump host or ProxyCommand, a control master, ...) or is not on the allow-list', docs: SEC },
  { code: 'DN601', severity: E, summary: 'a PEM private key block inline in any TLS field (caMaterial, certMaterial, keyMaterial): keys are referenced (a file, a variable), never written into cdk.tf.json', docs: SEC },
] as const satisfies readonly RuleCode[];

/** A registered code. Reporting any other string does not compile. */
export type Code = (typeof RULES)[number]['code'];

export const RULE_BY_CODE: ReadonlyMap<string, RuleCode> = new Map(RULES.map((r) => [r.code, r as RuleCode]));

/** The docs table, generated: docs/rules.md is exactly this text (a test checks it). */
export function renderRulesMarkdown(): string {
  const lines = [
    '# Rule codes',
    '',
    '<!-- Generated from lib/core/validation/codes.ts by `npm run docs:rules`; a test keeps it identical. -->',
    '',
    'Every problem docknet reports carries one of these codes. DN1xx topology and refused combinations,',
    'DN2xx addresses and overlaps (DN27x the address plan), DN3xx drivers, parents and MTU, DN4xx names and',
    'references, DN5xx daemon.json and host bootstrap, DN6xx secrets and host keys. Codes are never reused.',
    '',
    '| Code | Severity | Rule | Explained in |',
    '|------|----------|------|--------------|',
  ];
  for (const r of RULES as readonly RuleCode[]) {
    const docs = r.docs.replace(/^docs\//, '');
    lines.push(`| <a id="${r.code.toLowerCase()}"></a>${r.code} | ${r.retired ? 'retired' : r.severity} | ${r.summary.replace(/\|/g, '\\|')} | [${docs.split('#')[0]}](${docs}) |`);
  }
  return lines.join('\n') + '\n';
}
