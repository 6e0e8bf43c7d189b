/**
 * DN1xx: combinations the core refuses that only the whole tree can see (the other container, the
 * network's host, swarm roles), plus references to things that are not declared.
 */
import { error } from '../problem';
import { ValidationContext } from '../context';

export function checkTopology(ctx: ValidationContext): void {
  checkServices(ctx);
  checkHosts(ctx);
  checkPublishedPorts(ctx);
  for (const n of ctx.model.networks) {
    if (!ctx.hosts.has(n.host)) {
      ctx.report(error('DN109', [n.path], `Network "${n.name}" belongs to host "${n.host}", which is not declared in this environment. Declare the host or fix the name.`));
    } else if (n.driver === 'overlay' && !ctx.swarmManagers.has(n.host)) {
      ctx.report(
        error('DN107', [n.path, n.host],
          `Overlay "${n.name}" is created through host "${n.host}", which is not a swarm manager (docker: "Cannot create a multi-host network from a worker node"). Create it on a manager.`),
      );
    }
  }

  // Indexed loops over containers and their attachments: on a cold first call (interpreted code) a
  // for-of allocates an iterator result per step, tens of thousands per pass over a fleet.
  const containers = ctx.model.containers;
  for (let ci = 0; ci < containers.length; ci++) {
    const c = containers[ci];
    if (!ctx.hosts.has(c.host)) {
      ctx.report(error('DN109', [c.path], `Container "${c.name}" runs on host "${c.host}", which is not declared in this environment. Declare the host or fix the name.`));
    }
    if (c.mode !== 'bridge') {
      const mode = c.mode === 'container' ? 'container:<other>' : c.mode;
      if (c.ports.length) {
        ctx.report(
          error('DN101', [c.path],
            `Container "${c.name}" publishes ${c.ports.length} port(s) in ${mode} network mode, where docker cannot publish ports (${c.mode === 'host' ? 'the process binds host ports directly' : 'the namespace is not its own'}). Remove the ports or use bridge mode.`),
        );
      }
      if (c.attachments.length) {
        ctx.report(
          error('DN102', [c.path],
            `Container "${c.name}" is in ${mode} network mode and also attached to ${c.attachments.length} network(s); docker refuses both. Remove the attachments or use bridge mode.`),
        );
      }
    }
    if (c.mode === 'container') {
      const other = c.sharesWith ? ctx.containers.get(c.sharesWith) : undefined;
      if (!other) {
        ctx.report(error('DN109', [c.path], `Container "${c.name}" shares the network namespace of "${c.sharesWith ?? '(none)'}", which is not a declared container. Point it at a container of this environment.`));
      } else if (other.host !== c.host) {
        ctx.report(
          error('DN108', [c.path, other.path],
            `Container "${c.name}" on ${c.host} uses container:${other.name} mode, but "${other.name}" runs on ${other.host}; a namespace can only be shared on one host. Put both on the same host.`),
        );
      }
    }

    const atts = c.attachments;
    for (let i = 0; i < atts.length; i++) {
      const a = atts[i];
      const net = ctx.networks.get(a.network);
      if (!net) {
        ctx.report(error('DN109', [c.path, a.network], `Container "${c.name}" is attached to "${a.network}", which is not a declared network. Attach it to a network of this environment.`));
        continue;
      }
      const n = net.model;
      // Containers have a handful of attachments: a backward scan beats building a Set for each.
      for (let j = 0; j < i; j++) {
        if (atts[j].network === a.network) {
          ctx.report(error('DN110', [c.path, n.path], `Container "${c.name}" is attached twice to network "${n.name}"; docker allows one endpoint per network. Merge the two attachments.`));
          break;
        }
      }
      if (n.driver === 'overlay') {
        if (!n.attachable) {
          ctx.report(
            error('DN105', [c.path, n.path],
              `Standalone container "${c.name}" is attached to overlay "${n.name}", which is not attachable (only swarm services may join it). Set attachable: true on the overlay.`),
          );
        }
        if (!ctx.swarmMembers.has(c.host)) {
          ctx.report(
            error('DN106', [c.path, n.path],
              `Container "${c.name}" on ${c.host} is attached to overlay "${n.name}", but ${c.host} is not a swarm member. Join ${c.host} to the swarm or use a local network.`),
          );
        }
      } else if (n.host !== c.host) {
        ctx.report(
          error('DN104', [c.path, n.path],
            `Container "${c.name}" on ${c.host} is attached to ${n.driver} network "${n.name}" of host ${n.host}; local networks exist on one host only. Use a network of ${c.host}, or an attachable overlay.`),
        );
      }
      if (a.ipv4Address && !n.ipv4?.subnet) noSubnet(ctx, c.path, c.name, n.path, n.name, 'IPv4', a.ipv4Address);
      if (a.ipv6Address && !n.ipv6?.subnet) noSubnet(ctx, c.path, c.name, n.path, n.name, 'IPv6', a.ipv6Address);
    }
  }
}

function checkServices(ctx: ValidationContext): void {
  for (const s of ctx.model.services ?? []) {
    if (!ctx.hosts.has(s.host)) {
      ctx.report(error('DN109', [s.path], `Service "${s.name}" is created through host "${s.host}", which is not declared in this environment. Declare the host or fix the name.`));
    } else if (!ctx.swarmManagers.has(s.host)) {
      ctx.report(
        error('DN111', [s.path, s.host],
          `Service "${s.name}" is created through host "${s.host}", which is not a swarm manager (docker: "This node is not a swarm manager"). Create it with addService on a manager.`),
      );
    }
    for (const a of s.attachments) {
      if (!ctx.networks.has(a.network)) {
        ctx.report(error('DN109', [s.path, a.network], `Service "${s.name}" is attached to "${a.network}", which is not a declared network. Attach it to an overlay of this environment.`));
      }
    }
  }
}

function noSubnet(ctx: ValidationContext, path: string, name: string, netPath: string, netName: string, fam: string, addr: string): void {
  ctx.report(
    error('DN103', [path, netPath],
      `Container "${name}" asks for static ${fam} address ${addr} on network "${netName}", which has no ${fam} subnet (docker: "user specified IP address is supported only when connecting to networks with user configured subnets"). Give the network a subnet or drop the address.`),
  );
}

/** DN109 for an interface on an undeclared LAN segment; DN112 for a swarm member with nothing to advertise. */
function checkHosts(ctx: ValidationContext): void {
  const segments = new Set(ctx.model.lanSegments.map((l) => l.name));
  for (const h of ctx.model.hosts) {
    for (const itf of h.interfaces) {
      if (itf.lan !== undefined && !segments.has(itf.lan)) {
        const known = [...segments].sort();
        ctx.report(error('DN109', [h.path], `Interface ${itf.name} of host ${h.name} is on LAN segment "${itf.lan}", which is not declared in this environment (declared: ${known.length ? known.join(', ') : 'none'}). Declare it with addLanSegment("${itf.lan}", { subnet, gateway }) or fix the name.`));
      }
    }
    if (ctx.swarmMembers.has(h.name) && !h.advertiseAddress && !h.interfaces.some((i) => i.address)) {
      ctx.report(
        error('DN112', [h.path],
          `Swarm ${ctx.swarmManagers.has(h.name) ? 'manager' : 'worker'} ${h.name} has no address to advertise: it declares no interface address and no swarmAdvertiseAddress, so swarm init/join would advertise the ssh host name, which dockerd refuses ("advertise address must be a non-zero IP address or network interface"). Declare interfaces: { eth0: { address: "10.0.0.11/24" } } or set swarmAdvertiseAddress.`),
      );
    }
  }
}

/**
 * DN113: two bindings of one host port. Docker binds each published port on the host; a second
 * binding of the same port and protocol on the same or a wildcard address fails at start
 * ("port is already allocated" / "address already in use").
 */
function checkPublishedPorts(ctx: ValidationContext): void {
  const seen = new Map<string, { path: string; name: string; hostIp: string }[]>();
  const containers = ctx.model.containers;
  for (let ci = 0; ci < containers.length; ci++) {
    const c = containers[ci];
    if (c.mode !== 'bridge' || !c.ports.length) continue; // DN101
    checkPortsReachable(ctx, c);
    checkPortPublishedOnce(ctx, c);
    for (const p of c.ports) {
      if (p.external === undefined) continue; // Docker picks a free port
      const key = `${c.host}\0${p.protocol}\0${p.external}`;
      const list = seen.get(key) ?? [];
      const clash = list.find((o) => o.hostIp === p.hostIp || isWildcard(o.hostIp) || isWildcard(p.hostIp));
      if (clash) {
        const who = clash.path === c.path ? `Container "${c.name}" publishes it twice` : `containers "${c.name}" and "${clash.name}" both publish it`;
        ctx.report(
          error('DN113', clash.path === c.path ? [c.path] : [c.path, clash.path],
            `Host port ${p.external}/${p.protocol} on ${c.host} is bound twice: ${who} (host addresses ${clash.hostIp} and ${p.hostIp}); docker refuses the second binding ("port is already allocated"). Use another host port, or distinct specific host addresses.`),
        );
      } else list.push({ path: c.path, name: c.name, hostIp: p.hostIp });
      seen.set(key, list);
    }
  }
  // The routing mesh listens on a service's published port on every swarm member, on every address.
  for (const s of ctx.model.services ?? []) {
    for (const p of s.ports) {
      if (p.published === undefined) continue;
      for (const member of [...ctx.swarmMembers].sort()) {
        const clash = seen.get(`${member}\0${p.protocol}\0${p.published}`)?.[0];
        if (!clash) continue;
        ctx.report(
          error('DN113', [clash.path, s.path],
            `Host port ${p.published}/${p.protocol} on swarm member ${member} is published by container "${clash.name}" and by service "${s.name}", whose routing mesh listens on that port on every member; one of them cannot bind it. Use another port for one of them.`),
        );
      }
    }
  }
}

/**
 * DN116: Docker publishes a container's ports through its gateway network: docker0, a user bridge or
 * an overlay (docker_gwbridge). On a container attached only to internal bridges, macvlan or ipvlan
 * it accepts the ports and binds nothing, so NetworkSettings.Ports is empty; provider 3.6.2 reads
 * ports back from it (ForceNew), and the plan after every apply would replace the container. Found
 * by the lab's differential test with the second plan (seed 1111, cases 39 and 78).
 */
function checkPortsReachable(ctx: ValidationContext, c: ValidationContext['model']['containers'][number]): void {
  if (!c.ports.length || !c.attachments.length) return;
  const nets = c.attachments.map((a) => ctx.networks.get(a.network)?.model);
  if (nets.some((n) => n === undefined)) return; // DN109
  const blocked = nets.filter((n) => n!.internal || n!.driver === 'macvlan' || n!.driver === 'ipvlan');
  if (blocked.length !== nets.length) return;
  ctx.report(
    error('DN116', [c.path, ...blocked.map((n) => n!.path)],
      `Container "${c.name}" publishes ${c.ports.length} port(s), but every network it is attached to (${blocked.map((n) => `${n!.internal ? 'internal ' : ''}${n!.driver} "${n!.name}"`).join(', ')}) is one Docker publishes no ports on: Docker accepts the ports and binds nothing, provider 3.6.2 reads the missing bindings back, and every plan would replace the container. Attach it to a bridge that is not internal (or an overlay) as well, or remove the ports.`),
  );
}

/**
 * DN117: one container port and protocol published on two host ports. Provider 3.6.2 reads ports
 * back from NetworkSettings.Ports in Docker's order of the bindings, its ports DiffSuppressFunc pairs
 * ports by container port only, and `ports` is a ForceNew list: on the lab (seed 7, case 135) Docker
 * reported 81/udp on 18082 before 18080 and every plan would replace the container.
 */
function checkPortPublishedOnce(ctx: ValidationContext, c: ValidationContext['model']['containers'][number]): void {
  const seen = new Set<string>();
  for (const p of c.ports) {
    const key = `${p.internal}/${p.protocol}`;
    if (seen.has(key)) {
      ctx.report(
        error('DN117', [c.path],
          `Container "${c.name}" publishes its port ${key} more than once; Docker reports the bindings in its own order, provider 3.6.2 compares ports by position, and every plan would replace the container. Publish each container port once (bind it to 0.0.0.0 to reach it on every address).`),
      );
      return;
    }
    seen.add(key);
  }
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '';
}
