import { TopologyModel } from '../../lib/core/model';
import { RULES } from '../../lib/core/validation/codes';
import { sortProblems, validateTopology } from '../../lib/core/validation/engine';
import { Severity, error, warning } from '../../lib/core/validation/problem';
import { ModelDraft, base, ctr, findCtr, findNet, findSvc, host, net, v4 } from './builder';

type Mutate = (m: ModelDraft) => void;
const run = (mutate: Mutate) => {
  const m = base();
  mutate(m);
  return validateTopology(m as TopologyModel);
};
const none: Mutate = () => undefined;

test('the base fleet is valid', () => {
  expect(validateTopology(base() as TopologyModel)).toEqual([]);
});

// [code, case, passing variant, failing variant, first construct, message]
const cases: [string, string, Mutate, Mutate, string, RegExp][] = [
  ['DN101', 'ports in host mode', none, (m) => findCtr(m, 'prod/h1/monitor').ports.push({ internal: 9100, protocol: 'tcp', hostIp: '0.0.0.0' }),
    'prod/h1/monitor', /^Container "monitor" publishes 1 port\(s\) in host network mode, where docker cannot publish ports .*Remove the ports or use bridge mode\.$/],
  ['DN102', 'attachments in container mode', none, (m) => findCtr(m, 'prod/h1/web-sidecar').attachments.push({ network: 'prod/h1/backend', aliases: [] }),
    'prod/h1/web-sidecar', /^Container "web-sidecar" is in container:<other> network mode and also attached to 1 network\(s\); docker refuses both\. Remove the attachments or use bridge mode\.$/],
  ['DN103', 'static address without subnet', (m) => { findCtr(m, 'prod/h1/web').attachments[0].ipv4Address = undefined; findNet(m, 'prod/h1/backend').ipv4 = undefined; },
    (m) => { findNet(m, 'prod/h1/backend').ipv4 = undefined; },
    'prod/h1/web', /^Container "web" asks for static IPv4 address 10\.10\.1\.10 on network "backend", which has no IPv4 subnet .*Give the network a subnet or drop the address\.$/],
  ['DN104', 'attachment to another host\'s bridge', none, (m) => findCtr(m, 'prod/h1/web').attachments.push({ network: 'prod/h2/backend', aliases: [] }),
    'prod/h1/web', /^Container "web" on h1 is attached to bridge network "backend" of host h2; local networks exist on one host only\. Use a network of h1, or an attachable overlay\.$/],
  ['DN105', 'overlay not attachable', none, (m) => { findNet(m, 'prod/h1/mesh').attachable = false; },
    'prod/h1/web', /^Standalone container "web" is attached to overlay "mesh", which is not attachable .*Set attachable: true on the overlay\.$/],
  ['DN106', 'overlay from a non-member', none, (m) => { m.hosts[1].swarmRole = 'none'; m.swarm!.workers = []; },
    'prod/h2/api', /^Container "api" on h2 is attached to overlay "mesh", but h2 is not a swarm member\. Join h2 to the swarm or use a local network\.$/],
  ['DN107', 'overlay created on a worker', none, (m) => { findNet(m, 'prod/h1/mesh').host = 'h2'; },
    'prod/h1/mesh', /^Overlay "mesh" is created through host "h2", which is not a swarm manager .*Create it on a manager\.$/],
  ['DN108', 'container mode across hosts', none, (m) => { findCtr(m, 'prod/h1/web-sidecar').host = 'h2'; },
    'prod/h1/web-sidecar', /^Container "web-sidecar" on h2 uses container:web mode, but "web" runs on h1; .*Put both on the same host\.$/],
  ['DN109', 'unknown network', none, (m) => findCtr(m, 'prod/h1/web').attachments.push({ network: 'prod/h9/nope', aliases: [] }),
    'prod/h1/web', /^Container "web" is attached to "prod\/h9\/nope", which is not a declared network\./],
  ['DN110', 'attached twice', none, (m) => findCtr(m, 'prod/h1/web').attachments.push({ network: 'prod/h1/backend', aliases: [] }),
    'prod/h1/web', /^Container "web" is attached twice to network "backend"; docker allows one endpoint per network\. Merge the two attachments\.$/],
  ['DN109', 'service on an unknown network', none, (m) => findSvc(m, 'prod/h1/api-svc').attachments.push({ network: 'prod/h9/nope', aliases: [] }),
    'prod/h1/api-svc', /^Service "api-svc" is attached to "prod\/h9\/nope", which is not a declared network\. Attach it to an overlay of this environment\.$/],
  ['DN109', 'service through an unknown host', none, (m) => { findSvc(m, 'prod/h1/api-svc').host = 'h9'; },
    'prod/h1/api-svc', /^Service "api-svc" is created through host "h9", which is not declared in this environment\./],
  ['DN111', 'service created on a worker', none, (m) => { findSvc(m, 'prod/h1/api-svc').host = 'h2'; },
    'prod/h1/api-svc', /^Service "api-svc" is created through host "h2", which is not a swarm manager \(docker: "This node is not a swarm manager"\)\. Create it with addService on a manager\.$/],
  ['DN200', 'host bits set in a subnet', none, (m) => { findNet(m, 'prod/h1/backend').ipv4!.subnet = '10.10.1.5/24'; },
    'prod/h1/backend', /^ipv4 subnet: "10\.10\.1\.5\/24" has host bits set\. Did you mean "10\.10\.1\.0\/24"/],
  ['DN200', 'IPv6 value in ipv4 settings', none, (m) => { findNet(m, 'prod/h1/backend').ipv4!.gateway = 'fd00::1'; },
    'prod/h1/backend', /^ipv4 gateway is "fd00::1", an IPv6 value, where an IPv4 one is expected\. Move it to the ipv6 settings\.$/],
  ['DN201', 'two bridges of one host', (m) => m.networks.push(net('h2', 'other', { ipv4: v4('10.10.3.0/24') })),
    (m) => m.networks.push(net('h1', 'other', { ipv4: v4('10.10.1.128/25') })),
    'prod/h1/other', /^Network "other" \(10\.10\.1\.128\/25\) overlaps network "backend" \(10\.10\.1\.0\/24\) on host h1; docker refuses overlapping subnets on one host\. Give one of them another subnet\.$/],
  ['DN201', 'overlay over a member\'s bridge', none, (m) => m.networks.push(net('h2', 'local', { ipv4: v4('10.20.0.128/25') })),
    'prod/h1/mesh', /^Overlay "mesh" \(10\.20\.0\.0\/24\) overlaps network "local" on h2 \(10\.20\.0\.128\/25\); overlays reach every swarm member/],
  ['DN202', 'overlays overlap', (m) => m.networks.push(net('h1', 'mesh2', { driver: 'overlay', ipv4: v4('10.20.1.0/24') })),
    (m) => m.networks.push(net('h1', 'mesh2', { driver: 'overlay', ipv4: v4('10.20.0.128/25') })),
    'prod/h1/mesh2', /^Overlay "mesh2" \(10\.20\.0\.128\/25\) overlaps overlay "mesh" \(10\.20\.0\.0\/24\) in environment "prod"; overlays share one address space\./],
  ['DN203', 'bridge on the LAN', none, (m) => m.networks.push(net('h1', 'oops', { ipv4: v4('192.168.1.0/25') })),
    'prod/h1/oops', /^Network "oops" \(192\.168\.1\.0\/25\) overlaps (the subnet 192\.168\.1\.0\/24 of interface eth0|LAN segment "office" \(192\.168\.1\.0\/24\)) of host h1; .*Choose a subnet outside the LAN\.$/],
  ['DN203', 'overlay on a member\'s LAN', none, (m) => m.networks.push(net('h1', 'ov', { driver: 'overlay', ipv4: v4('192.168.1.0/26') })),
    'prod/h1/ov', /^Overlay "ov" \(192\.168\.1\.0\/26\) overlaps .* of swarm members? h1/],
  ['DN204', 'bridge on bip', none, (m) => m.networks.push(net('h1', 'oops', { ipv4: v4('172.17.5.0/24') })),
    'prod/h1/oops', /^Network "oops" \(172\.17\.5\.0\/24\) overlaps daemon bip \(172\.17\.0\.1\/16\) of host h1; docker0 and the network would share addresses\./],
  ['DN205', 'bridge in default-address-pools', none, (m) => m.networks.push(net('h1', 'oops', { ipv4: v4('172.18.1.0/24') })),
    'prod/h1/oops', /^Network "oops" \(172\.18\.1\.0\/24\) overlaps daemon default-address-pools\[0\] \(172\.18\.0\.0\/15\) of host h1; networks docker allocates itself/],
  ['DN205', 'bridge in the swarm pool', none, (m) => m.networks.push(net('h2', 'oops', { ipv4: v4('10.20.5.0/24') })),
    'prod/h2/oops', /^Network "oops" \(10\.20\.5\.0\/24\) overlaps swarm default-addr-pool \(10\.20\.0\.0\/16\) on host h2; overlays allocated from the pool later may land on it\./],
  ['DN206', 'gateway outside subnet', none, (m) => { findNet(m, 'prod/h1/backend').ipv4!.gateway = '10.10.2.1'; },
    'prod/h1/backend', /^Gateway 10\.10\.2\.1 of network "backend" lies outside its ipv4 subnet 10\.10\.1\.0\/24\. Use an address inside it, usually 10\.10\.1\.1\.$/],
  ['DN206', 'gateway = broadcast', none, (m) => { findNet(m, 'prod/h1/backend').ipv4!.gateway = '10.10.1.255'; },
    'prod/h1/backend', /^Gateway 10\.10\.1\.255 of network "backend" is the broadcast address of 10\.10\.1\.0\/24\./],
  ['DN206', 'gateway = network address', none, (m) => { findNet(m, 'prod/h1/backend').ipv4!.gateway = '10.10.1.0'; },
    'prod/h1/backend', /is the network address of 10\.10\.1\.0\/24\. Use a host address, usually 10\.10\.1\.1\.$/],
  ['DN207', 'ip_range outside subnet', (m) => { findNet(m, 'prod/h1/backend').ipv4!.ipRange = '10.10.1.128/25'; },
    (m) => { findNet(m, 'prod/h1/backend').ipv4!.ipRange = '10.10.9.0/26'; },
    'prod/h1/backend', /^ip_range 10\.10\.9\.0\/26 of network "backend" is not inside its ipv4 subnet 10\.10\.1\.0\/24\. Use a block inside 10\.10\.1\.0\/24\.$/],
  ['DN208', 'static address outside subnet', none, (m) => { findCtr(m, 'prod/h1/web').attachments[0].ipv4Address = '10.10.9.10'; },
    'prod/h1/web', /^Container "web" asks for 10\.10\.9\.10 on network "backend", outside its subnet 10\.10\.1\.0\/24\. Use an address inside 10\.10\.1\.0\/24\.$/],
  ['DN209', 'macvlan address outside ip_range', none, (m) => { findCtr(m, 'prod/h1/printer-proxy').attachments[0].ipv4Address = '192.168.1.100'; },
    'prod/h1/printer-proxy', /^Container "printer-proxy" asks for 192\.168\.1\.100 on macvlan network "lan", outside the host's ip_range 192\.168\.1\.32\/27; .*Use an address inside 192\.168\.1\.32\/27\.$/],
  ['DN210', 'static address = gateway', none, (m) => { findCtr(m, 'prod/h1/web').attachments[0].ipv4Address = '10.10.1.1'; },
    'prod/h1/web', /^Container "web" asks for 10\.10\.1\.1 on network "backend", which is its gateway\. Use another address of 10\.10\.1\.0\/24\.$/],
  ['DN210', 'static address = docker\'s default gateway', none, (m) => { findCtr(m, 'prod/h2/api').attachments[0].ipv4Address = '10.10.1.1'; },
    'prod/h2/api', /which is the gateway docker picks when none is set \(the subnet's first address\)\./],
  ['DN210', 'static address = broadcast', none, (m) => { findCtr(m, 'prod/h1/web').attachments[0].ipv4Address = '10.10.1.255'; },
    'prod/h1/web', /which is the broadcast address\./],
  ['DN211', 'same address twice on one overlay', none, (m) => { findCtr(m, 'prod/h2/api').attachments[1].ipv4Address = '10.20.0.10'; },
    'prod/h2/api', /^Containers "api" and "web" both ask for 10\.20\.0\.10 on network "mesh" \(an overlay spans hosts: the address is unique across the swarm\)\. Give one of them another address\.$/],
  ['DN212', 'same macvlan address on two hosts of one LAN', (m) => { findCtr(m, 'prod/h2/scanner-proxy').attachments[0].ipv4Address = '192.168.1.71'; },
    (m) => { findNet(m, 'prod/h2/lan').ipv4!.ipRange = undefined; findNet(m, 'prod/h1/lan').ipv4!.ipRange = undefined; findCtr(m, 'prod/h2/scanner-proxy').attachments[0].ipv4Address = '192.168.1.40'; },
    'prod/h2/scanner-proxy', /^Container "scanner-proxy" \(macvlan "lan" on h2\) and "printer-proxy" \(macvlan "lan" on h1\) both ask for 192\.168\.1\.40 on LAN "office"\./],
  ['DN213', 'two hosts\' ip_ranges overlap', none, (m) => { findNet(m, 'prod/h2/lan').ipv4!.ipRange = '192.168.1.32/27'; findCtr(m, 'prod/h2/scanner-proxy').attachments[0].ipv4Address = '192.168.1.50'; },
    'prod/h2/lan', /^On LAN "office" the ip_range 192\.168\.1\.32\/27 of network "lan" on h2 overlaps the ip_range 192\.168\.1\.32\/27 of network "lan" on h1; .*Give each host a disjoint ip_range/],
  ['DN213', 'ip_range over the DHCP pool', none, (m) => { findNet(m, 'prod/h1/lan').ipv4!.ipRange = '192.168.1.128/27'; findCtr(m, 'prod/h1/printer-proxy').attachments[0].ipv4Address = '192.168.1.130'; },
    'prod/h1/lan', /^The ip_range 192\.168\.1\.128\/27 of network "lan" on h1 contains reserved range "DHCP" \(192\.168\.1\.128\/26\) of LAN segment "office"; containers would take that address\./],
  ['DN213', 'segment host ranges overlap', none, (m) => { m.lanSegments[0].hostRanges[1].ipRange = '192.168.1.32/28'; },
    'lan office', /^On LAN segment "office" the ip_range 192\.168\.1\.32\/28 of host h2 overlaps the ip_range 192\.168\.1\.32\/27 of host h1;/],
  ['DN214', 'IPv6 subnet without enable_ipv6', none, (m) => { findNet(m, 'prod/h1/v6').enableIpv6 = false; },
    'prod/h1/v6', /^Network "v6" declares IPv6 subnet fd00:10::\/64 but enable_ipv6 is off, so docker ignores it\. Set enableIpv6: true or remove the IPv6 settings\.$/],
  ['DN214', 'IPv6 address on a v4-only network', none, (m) => { findCtr(m, 'prod/h1/web').attachments[0].ipv6Address = 'fd00::5'; },
    'prod/h1/web', /^Container "web" asks for IPv6 address fd00::5 on network "backend", which has enable_ipv6 off\./],
  ['DN215', 'overlay larger than /24', none, (m) => { findNet(m, 'prod/h1/mesh').ipv4!.subnet = '10.20.0.0/22'; },
    'prod/h1/mesh', /^Overlay "mesh" has subnet 10\.20\.0\.0\/22 \(1024 addresses\); docker advises \/24 for overlays, which become unstable around 1000 containers\./],
  ['DN216', 'aux address outside subnet', (m) => { findNet(m, 'prod/h1/backend').ipv4!.auxAddresses = { nas: '10.10.1.200' }; },
    (m) => { findNet(m, 'prod/h1/backend').ipv4!.auxAddresses = { nas: '10.10.9.9' }; },
    'prod/h1/backend', /^Aux address "nas" 10\.10\.9\.9 of network "backend" lies outside its subnet 10\.10\.1\.0\/24\./],
  ['DN301', 'macvlan without parent', (m) => { const n = findNet(m, 'prod/h1/lan'); n.parent = undefined; n.internal = true; },
    (m) => { findNet(m, 'prod/h1/lan').parent = undefined; },
    'prod/h1/lan', /^macvlan network "lan" has no parent, so docker creates a dummy interface and the network cannot reach the LAN\./],
  ['DN302', 'undeclared parent', (m) => { findNet(m, 'prod/h1/lan').parent = 'eth0.50'; },
    (m) => { findNet(m, 'prod/h1/lan').parent = 'eth1'; },
    'prod/h1/lan', /^Parent "eth1" of macvlan network "lan" is not an interface host h1 declares; declared: eth0\. Declare the interface on the host or fix the parent\.$/],
  ['DN304', 'two ipvlan on one parent',
    (m) => m.networks.push(net('h1', 'iv1', { driver: 'ipvlan', parent: 'eth0.20' }), net('h1', 'iv2', { driver: 'ipvlan', parent: 'eth0.21' })),
    (m) => m.networks.push(net('h1', 'iv1', { driver: 'ipvlan', parent: 'eth0.20' }), net('h1', 'iv2', { driver: 'ipvlan', parent: 'eth0.20' })),
    'prod/h1/iv2', /^ipvlan network "iv2" uses parent eth0\.20 on h1, which network prod\/h1\/iv1 already uses; docker allows one macvlan\/ipvlan network per parent/],
  // Issue 11: two macvlan networks on one parent were accepted (ipvlan's equivalent was refused).
  ['DN304', 'two macvlan on one parent',
    (m) => m.networks.push(net('h1', 'mv2', { driver: 'macvlan', parent: 'eth0.30', mode: 'bridge', ipv4: v4('10.30.0.0/24') })),
    (m) => m.networks.push(net('h1', 'mv2', { driver: 'macvlan', parent: 'eth0', mode: 'bridge', ipv4: v4('10.30.0.0/24') })),
    'prod/h1/mv2', /^macvlan network "mv2" uses parent eth0 on h1, which network prod\/h1\/lan already uses;/],
  // Issue 11: no member declares interfaces: 1500 assumed and said so (mtu 9000 used to become driver MTU 9050).
  ['DN305', 'overlay MTU with no declared underlay',
    (m) => { for (const h of m.hosts) h.interfaces = []; findNet(m, 'prod/h1/mesh').mtu = 1450; },
    (m) => { for (const h of m.hosts) h.interfaces = []; findNet(m, 'prod/h1/mesh').mtu = 9000; },
    'prod/h1/mesh', /^MTU 9000 of overlay "mesh" is above 1450: no swarm member declares interfaces, so docknet assumes a 1500 underlay, and VXLAN takes 50 bytes\. Set mtu to at most 1450, or declare the members' interfaces/],
  ['DN305', 'overlay MTU on a small worker underlay', (m) => { m.hosts[1].interfaces[0].mtu = 1400; findNet(m, 'prod/h1/mesh').mtu = 1350; },
    (m) => { m.hosts[1].interfaces[0].mtu = 1400; findNet(m, 'prod/h1/mesh').mtu = 1450; },
    'prod/h1/mesh', /^MTU 1450 of overlay "mesh" is above 1350: the smallest underlay MTU among swarm members is 1400 \(h2\)/],
  ['DN308', 'MTU below 1280 with IPv6', (m) => { findNet(m, 'prod/h1/v6').mtu = 1280; }, (m) => { findNet(m, 'prod/h1/v6').mtu = 1200; },
    'prod/h1/v6', /^MTU 1200 of bridge network "v6" is below 1280, the IPv6 minimum, but the network has IPv6;/],
  ['DN305', 'encrypted overlay MTU', (m) => { const n = findNet(m, 'prod/h1/mesh'); n.encrypted = true; n.mtu = 1424; },
    (m) => { const n = findNet(m, 'prod/h1/mesh'); n.encrypted = true; n.mtu = 1450; },
    'prod/h1/mesh', /^MTU 1450 of overlay "mesh" is above 1424: the smallest underlay MTU among swarm members is 1500 \(h1\) and VXLAN takes 50 bytes, IPsec 26 more, rounded down to a multiple of 4\. Set mtu to at most 1424\.$/],
  ['DN305', 'macvlan MTU above parent', (m) => { findNet(m, 'prod/h1/lan').mtu = 1500; }, (m) => { findNet(m, 'prod/h1/lan').mtu = 9000; },
    'prod/h1/lan', /^MTU 9000 of macvlan network "lan" exceeds the MTU 1500 of its parent eth0 on h1\. Use at most 1500\.$/],
  ['DN305', 'bridge MTU above underlay', (m) => { findNet(m, 'prod/h1/backend').mtu = 1500; }, (m) => { findNet(m, 'prod/h1/backend').mtu = 9000; },
    'prod/h1/backend', /^MTU 9000 of bridge network "backend" exceeds the underlay MTU 1500 of host h1;/],
  ['DN307', 'unknown mode', (m) => { findNet(m, 'prod/h1/lan').mode = 'vepa'; }, (m) => { findNet(m, 'prod/h1/lan').mode = 'l2'; },
    'prod/h1/lan', /^macvlan_mode "l2" of network "lan" is not one of bridge, vepa, private, passthru\. Use one of those\.$/],
  ['DN401', 'two networks with one name', none, (m) => m.networks.push(net('h1', 'backend', { path: 'prod/h1/backend2', ipv4: v4('10.10.3.0/24') })),
    'prod/h1/backend2', /^Network name "backend" is used twice on host h1; docker and the provider look networks up by name\. Rename one\.$/],
  ['DN401', 'local network named like an overlay', none, (m) => m.networks.push(net('h2', 'mesh', { ipv4: v4('10.10.3.0/24') })),
    'prod/h2/mesh', /^Network "mesh" on swarm member h2 has the name of an overlay/],
  ['DN402', 'two containers with one name', (m) => m.containers.push(ctr('h2', 'web')), (m) => m.containers.push(ctr('h1', 'web', { path: 'prod/h1/web2' })),
    'prod/h1/web2', /^Container name "web" is used twice on host h1; docker refuses the second/],
  ['DN109', 'interface on an undeclared LAN segment', none, (m) => { m.hosts[1].interfaces[0].lan = 'ofice'; },
    'prod/h2', /^Interface eth0 of host h2 is on LAN segment "ofice", which is not declared in this environment \(declared: office\)\./],
  ['DN112', 'swarm member without an address to advertise', (m) => { m.hosts[1].interfaces = []; m.hosts[1].advertiseAddress = '10.0.0.12'; },
    (m) => { m.hosts[1].interfaces = []; },
    'prod/h2', /^Swarm worker h2 has no address to advertise: .*advertise address must be a non-zero IP address or network interface.*set swarmAdvertiseAddress\.$/],
  ['DN113', 'one host port published by two containers', (m) => m.containers.push(ctr('h1', 'web2', { ports: [{ internal: 80, external: 8080, protocol: 'udp', hostIp: '0.0.0.0' }] })),
    (m) => m.containers.push(ctr('h1', 'web2', { ports: [{ internal: 81, external: 8080, protocol: 'tcp', hostIp: '127.0.0.1' }] })),
    'prod/h1/web2', /^Host port 8080\/tcp on h1 is bound twice: containers "web2" and "web" both publish it \(host addresses 0\.0\.0\.0 and 127\.0\.0\.1\); docker refuses the second binding/],
  ['DN113', 'one container publishing a host port twice', (m) => { findCtr(m, 'prod/h1/web').ports.push({ internal: 443, external: 8443, protocol: 'tcp', hostIp: '0.0.0.0' }); },
    (m) => { findCtr(m, 'prod/h1/web').ports.push({ internal: 443, external: 8080, protocol: 'tcp', hostIp: '0.0.0.0' }); },
    'prod/h1/web', /^Host port 8080\/tcp on h1 is bound twice: Container "web" publishes it twice/],
  ['DN113', 'a container port also published by a service (routing mesh)', (m) => { findSvc(m, 'prod/h1/api-svc').ports[0].published = 8082; },
    (m) => { findSvc(m, 'prod/h1/api-svc').ports[0].published = 8080; },
    'prod/h1/web', /^Host port 8080\/tcp on swarm member h1 is published by container "web" and by service "api-svc"/],
  // Found by the differential e2e's second plan (seed 1111, cases 39 and 78): Docker binds nothing, the provider reads that back.
  ['DN116', 'published ports on a container only on macvlan', (m) => { const c = findCtr(m, 'prod/h1/printer-proxy'); c.attachments.push({ network: 'prod/h1/backend', aliases: [] }); c.ports.push({ internal: 631, external: 8631, protocol: 'tcp', hostIp: '0.0.0.0' }); },
    (m) => { findCtr(m, 'prod/h1/printer-proxy').ports.push({ internal: 631, external: 8631, protocol: 'tcp', hostIp: '0.0.0.0' }); },
    'prod/h1/printer-proxy', /^Container "printer-proxy" publishes 1 port\(s\), but every network it is attached to \(macvlan "lan"\) is one Docker publishes no ports on: .*every plan would replace the container\. Attach it to a bridge that is not internal \(or an overlay\) as well, or remove the ports\.$/],
  // Found by the differential e2e's second plan (seed 7, case 135): Docker reported the two bindings in the other order.
  ['DN117', 'one container port published twice', (m) => { findCtr(m, 'prod/h1/web').ports.push({ internal: 443, external: 8443, protocol: 'tcp', hostIp: '0.0.0.0' }); },
    (m) => { const web = findCtr(m, 'prod/h1/web'); web.ports.push({ ...web.ports[0], external: 9080 }); },
    'prod/h1/web', /^Container "web" publishes its port 80\/tcp more than once; Docker reports the bindings in its own order, .*Publish each container port once/],
  ['DN204', "a bridge in Docker's default docker0 on a host without bip", (m) => { m.hosts[0].daemonRanges = m.hosts[0].daemonRanges.filter((r) => r.label !== 'bip'); m.networks.push(net('h1', 'b2', { ipv4: v4('10.40.0.0/24') })); },
    (m) => { m.hosts[0].daemonRanges = m.hosts[0].daemonRanges.filter((r) => r.label !== 'bip'); m.networks.push(net('h1', 'b2', { ipv4: v4('172.17.5.0/24') })); },
    'prod/h1/b2', /overlaps Docker's default docker0 \(172\.17\.0\.0\/16; the host declares no bip\) of host h1/],
  // Found by __tests__/e2e/differential.test.ts (seed 7, case 398): Docker refuses a macvlan inside docker0's
  // default 172.17.0.0/16 too ("Pool overlaps with other one on this address space").
  ['DN204', "a macvlan in Docker's default docker0 on a host without bip", (m) => { m.hosts[0].daemonRanges = m.hosts[0].daemonRanges.filter((r) => r.label !== 'bip'); m.networks.push(net('h1', 'mv2', { driver: 'macvlan', parent: 'eth0.40', ipv4: v4('10.40.0.0/24') })); },
    (m) => { m.hosts[0].daemonRanges = m.hosts[0].daemonRanges.filter((r) => r.label !== 'bip'); m.networks.push(net('h1', 'mv2', { driver: 'macvlan', parent: 'eth0.40', ipv4: v4('172.17.5.0/24') })); },
    'prod/h1/mv2', /^Network "mv2" \(172\.17\.5\.0\/24\) overlaps Docker's default docker0/],
  // Found by the differential test (seed 2026, case 91): a network without a subnet drew a block of
  // Docker's default pools, and a network with an explicit subnet in those pools was refused.
  ['DN218', 'a subnet in the pools a subnet-less network draws from', (m) => { m.networks.push(net('h1', 'auto'), net('h1', 'b2', { ipv4: v4('10.40.0.0/24') })); },
    (m) => { m.hosts[0].daemonRanges = []; m.networks.push(net('h1', 'auto'), net('h1', 'b2', { ipv4: v4('172.20.0.0/24') })); },
    'prod/h1/b2', /^Network "b2" \(172\.20\.0\.0\/24\) lies in Docker's default address pool 172\.20\.0\.0\/14 .* from which Docker draws a block for network prod\/h1\/auto, which has no subnet;/],
  ['DN205', "a bridge in Docker's default pools on a host without default-address-pools", (m) => { m.hosts[0].daemonRanges = []; m.networks.push(net('h1', 'b2', { ipv4: v4('10.40.0.0/24') })); },
    (m) => { m.hosts[0].daemonRanges = []; m.networks.push(net('h1', 'b2', { ipv4: v4('172.20.1.0/24') })); },
    'prod/h1/b2', /overlaps Docker's default address pool 172\.20\.0\.0\/14 \(the host declares no default-address-pools\) of host h1/],
  // Issue 11: the LAN implied by the hosts' interfaces being in one subnet (no segment declared).
  ['DN212', 'same macvlan address on two hosts of an inferred LAN',
    (m) => { for (const h of m.hosts) h.interfaces[0].lan = undefined; m.lanSegments = []; for (const n of ['prod/h1/lan', 'prod/h2/lan']) findNet(m, n).lan = undefined; },
    (m) => { for (const h of m.hosts) h.interfaces[0].lan = undefined; m.lanSegments = []; for (const n of ['prod/h1/lan', 'prod/h2/lan']) { findNet(m, n).lan = undefined; findNet(m, n).ipv4!.ipRange = undefined; } findCtr(m, 'prod/h2/scanner-proxy').attachments[0].ipv4Address = '192.168.1.40'; },
    'prod/h2/scanner-proxy', /both ask for 192\.168\.1\.40 on LAN "subnet 192\.168\.1\.0\/24"\./],
  ['DN217', "a host's own address inside an explicit macvlan ip_range", (m) => { findNet(m, 'prod/h1/lan').ipv4!.auxAddresses = {}; },
    (m) => { findNet(m, 'prod/h1/lan').ipv4!.ipRange = '192.168.1.0/27'; findCtr(m, 'prod/h1/printer-proxy').attachments[0].ipv4Address = '192.168.1.20'; },
    'prod/h1/lan', /^ip_range 192\.168\.1\.0\/27 of macvlan network "lan" on h1 contains 192\.168\.1\.11, the address of host h1 \(eth0\) on that LAN; docker may give it to a container\./],
  // The shim's rule runs in the engine with every other rule (it used to be a hosts-stack check).
  ['DN522', 'a macvlan shim inside a container range', (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.250' }]; },
    (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.70' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan": its address 192\.168\.1\.70 lies in the container range 192\.168\.1\.64\/27 of "lan" on h2;/],
  ['DN522', 'a macvlan shim off the subnet', none, (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '10.1.2.3' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan": its address 10\.1\.2\.3 is not on the network's subnet 192\.168\.1\.0\/24;/],
  // A new user's review: a shim on the router's, a host's or another shim's address passed synth.
  ['DN523', "a macvlan shim on the LAN's gateway", (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.250' }]; },
    (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.1' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan" on h1: its address 192\.168\.1\.1 is the gateway of "lan" \(the LAN's router\) on LAN "office"; the shim would answer for that address on the LAN as well \(an ARP conflict.*Give the shim a spare address of 192\.168\.1\.0\/24 that nothing else uses, reserved in the LAN segment/],
  ['DN523', "a macvlan shim on its own host's LAN address", none, (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.11' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan" on h1: its address 192\.168\.1\.11 is this host's own address \(eth0, 192\.168\.1\.11\/24\) on LAN "office";/],
  ['DN523', "a macvlan shim on another host's LAN address", none, (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.12' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan" on h1: its address 192\.168\.1\.12 is the address of host h2 \(eth0, 192\.168\.1\.12\/24\) on LAN "office";/],
  ['DN523', 'two hosts\' shims on one LAN address', (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.250' }]; m.hosts[1].shims = [{ name: 'dn-lan', network: 'prod/h2/lan', address: '192.168.1.251' }]; },
    (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.250' }]; m.hosts[1].shims = [{ name: 'dn-lan', network: 'prod/h2/lan', address: '192.168.1.250' }]; },
    'prod/h2', /^macvlan shim "dn-lan" for "lan" on h2: its address 192\.168\.1\.250 is the address of macvlan shim "dn-lan" of host h1 on LAN "office";/],
  // DN522 also fires (the address is in the container range); DN523 names the container that holds it.
  ['DN523', "a macvlan shim on a container's static address", none, (m) => { m.hosts[0].shims = [{ name: 'dn-lan', network: 'prod/h1/lan', address: '192.168.1.70' }]; },
    'prod/h1', /^macvlan shim "dn-lan" for "lan" on h1: its address 192\.168\.1\.70 is the static address container "scanner-proxy" asks for on macvlan "lan" on h2 on LAN "office";/],
  ['DN404', 'two hosts with one name', none, (m) => m.hosts.push(host('h1', { path: 'prod/h1b' })),
    'prod/h1b', /^Host name "h1" is used by two hosts;/],
];

describe.each(cases)('%s %s', (code, _name, pass, fail, construct, message) => {
  test('passing case has no ' + code, () => {
    expect(run(pass).filter((p) => p.code === code)).toEqual([]);
  });
  test('failing case reports ' + code, () => {
    const problems = run(fail).filter((p) => p.code === code);
    const hit = problems.find((p) => message.test(p.message));
    if (!hit) throw new Error(`no ${code} matching ${message}; got:\n${problems.map((p) => p.message).join('\n') || '(none)'}`);
    expect(hit.constructs[0]).toBe(construct);
    expect(hit.severity).toBe(RULES.find((r) => r.code === code)!.severity);
  });
});

describe('DN523: a macvlan shim on an address someone else has on the LAN', () => {
  const shim = (address: string, network = 'prod/h1/lan') => [{ name: 'dn-lan', network, address }];
  const dn523 = (mutate: Mutate) => run(mutate).filter((p) => p.code === 'DN523');

  test("a host known only by its endpoint's address (no interface declared) is still found", () => {
    const p = dn523((m) => { m.hosts[1].interfaces = []; m.hosts[1].advertiseAddress = '10.0.0.12'; m.hosts[0].shims = shim('192.168.1.12'); });
    expect(p).toHaveLength(1);
    expect(p[0].message).toMatch(/its address 192\.168\.1\.12 is the address of host h2 \(endpoint ssh:\/\/ops@192\.168\.1\.12\)/);
    expect(p[0].constructs).toEqual(['prod/h1', 'prod/h2']);
  });

  test("a swarm advertise address counts as the host's", () => {
    const p = dn523((m) => { m.hosts[1].advertiseAddress = '192.168.1.99'; m.hosts[0].shims = shim('192.168.1.99'); });
    expect(p.map((x) => x.message)).toEqual([expect.stringMatching(/is the address of host h2 \(swarm advertise address\)/)]);
  });

  test("Docker's assumed gateway, the network and the broadcast address", () => {
    expect(dn523((m) => { findNet(m, 'prod/h1/lan').ipv4!.gateway = undefined; m.hosts[0].shims = shim('192.168.1.1'); })[0].message)
      .toMatch(/is the gateway Docker assumes for "lan" \(the subnet's first address; the network declares none\)/);
    expect(dn523((m) => { m.hosts[0].shims = shim('192.168.1.0'); })[0].message).toMatch(/is the network address of 192\.168\.1\.0\/24/);
    expect(dn523((m) => { m.hosts[0].shims = shim('192.168.1.255'); })[0].message).toMatch(/is the broadcast address of 192\.168\.1\.0\/24/);
  });

  test('two shims of one host on one address are one address handed out twice too', () => {
    const p = dn523((m) => { m.hosts[0].shims = [...shim('192.168.1.250'), { name: 'dn-lan2', network: 'prod/h1/lan', address: '192.168.1.250' }]; });
    expect(p.map((x) => x.message)).toEqual([expect.stringMatching(/^macvlan shim "dn-lan2" for "lan" on h1: its address 192\.168\.1\.250 is the address of macvlan shim "dn-lan" of host h1/)]);
    expect(p[0].constructs).toEqual(['prod/h1']);
  });

  test('every collision of one shim in one message, next to the other problems of the model', () => {
    const p = run((m) => {
      m.hosts[1].advertiseAddress = '192.168.1.1';
      m.hosts[0].shims = shim('192.168.1.1');
      findNet(m, 'prod/h1/backend').ipv4!.subnet = 'not-a-cidr';
    });
    expect(p.map((x) => x.code)).toEqual(['DN200', 'DN523']);
    expect(p[1].message).toMatch(/its address 192\.168\.1\.1 is the gateway of "lan" \(the LAN's router\), and the address of host h2 \(swarm advertise address\) on LAN "office";/);
    expect(p[1].constructs).toEqual(['prod/h1', 'prod/h2']);
  });

  test("the same shim address on another L2 domain (a second site with the same subnet) is not a collision", () => {
    const twoSites = (site3: string) => dn523((m) => {
      m.hosts.push(host('h3', { interfaces: [{ name: 'eth0', address: '192.168.1.13/24', mtu: 1500, lan: site3 }] }));
      m.networks.push(net('h3', 'lan', { driver: 'macvlan', parent: 'eth0', mode: 'bridge', lan: site3, ipv4: v4('192.168.1.0/24', { gateway: '192.168.1.1', ipRange: '192.168.1.96/27' }) }));
      m.hosts[0].shims = shim('192.168.1.250');
      m.hosts[2].shims = [{ name: 'dn-lan', network: 'prod/h3/lan', address: '192.168.1.250' }];
    });
    expect(twoSites('office').map((x) => x.message)).toEqual([expect.stringMatching(/on h3: its address 192\.168\.1\.250 is the address of macvlan shim "dn-lan" of host h1 on LAN "office"/)]);
    expect(twoSites('branch')).toEqual([]);
  });

  test('a malformed shim address is DN200 only, not a collision', () => {
    const p = run((m) => { m.hosts[0].shims = shim('192.168.1.300'); });
    expect(p.map((x) => x.code)).toEqual(['DN200']);
  });
});

test('every rule code of the engine has a case here', () => {
  const tested = new Set(cases.map((c) => c[0]));
  // DN27x: __tests__/address/pool.test.ts; DN5xx: the daemon and bootstrap tests; constructor codes: their construct's tests.
  // DN114 (managers in two shards) is the sharded environment's own check: __tests__/environment/sharding.test.ts.
  // DN600 (sshOpts around the host key) and DN601 (a private key in a TLS field) are HostConnection's: __tests__/host/.
  const elsewhere = new Set(['DN100', 'DN114', 'DN115', 'DN303', 'DN403', 'DN405', 'DN600', 'DN601']);
  const bootstrapInEngine = new Set(['DN522', 'DN523']);
  const engineCodes = RULES.filter((r) => !('retired' in r)).map((r) => r.code).filter((c) => !c.startsWith('DN27') && (!c.startsWith('DN5') || bootstrapInEngine.has(c)) && !elsewhere.has(c));
  expect(engineCodes.filter((c) => !tested.has(c))).toEqual([]);
});

test('problems come sorted (errors first, then code, constructs, message) and deduplicated', () => {
  const a = warning('DN215', ['b'], 'x');
  const b = error('DN302', ['a'], 'y');
  const c = error('DN201', ['z'], 'm');
  expect(sortProblems([a, b, c, { ...c }])).toEqual([c, b, a]);
  const p = run((m) => {
    findNet(m, 'prod/h1/mesh').ipv4!.subnet = '10.20.0.0/22';
    m.networks.push(net('h1', 'oops', { ipv4: v4('172.17.5.0/24') }));
  });
  expect(p.map((x) => x.severity)).toEqual([Severity.ERROR, Severity.WARNING]);
});

test('a malformed address is reported once, not as a cascade', () => {
  const p = run((m) => { findNet(m, 'prod/h1/backend').ipv4!.subnet = 'not-a-cidr'; });
  expect(p.map((x) => x.code)).toEqual(['DN200']);
});
