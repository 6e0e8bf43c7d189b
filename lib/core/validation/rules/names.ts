/**
 * DN401, DN402, DN404: names docker (or the provider, which looks networks up by name) cannot tell
 * apart. A name's own pattern (DN403) is a single value: the Container constructor refuses it, with
 * the pattern of lib/core/facts.
 */
import { error } from '../problem';
import { ValidationContext } from '../context';

export function checkNames(ctx: ValidationContext): void {
  const hostNames = new Map<string, string>();
  for (const h of ctx.model.hosts) {
    const prev = hostNames.get(h.name);
    if (prev) ctx.report(error('DN404', [h.path, prev], `Host name "${h.name}" is used by two hosts; networks and containers refer to hosts by name. Rename one.`));
    else hostNames.set(h.name, h.path);
  }

  const local = new Map<string, string>();
  const overlays = new Map<string, string>();
  for (const n of ctx.model.networks) {
    const scoped = n.driver === 'overlay' ? overlays : local;
    const key = n.driver === 'overlay' ? n.name : `${n.host}\0${n.name}`;
    const prev = scoped.get(key);
    if (prev) {
      const where = n.driver === 'overlay' ? 'in the swarm' : `on host ${n.host}`;
      ctx.report(error('DN401', [n.path, prev], `Network name "${n.name}" is used twice ${where}; docker and the provider look networks up by name. Rename one.`));
    } else scoped.set(key, n.path);
  }
  // An overlay shows up on every swarm member, next to that member's local networks.
  if (overlays.size) {
    for (const n of ctx.model.networks) {
      if (n.driver === 'overlay' || !ctx.swarmMembers.has(n.host)) continue;
      const ov = overlays.get(n.name);
      if (ov) {
        ctx.report(error('DN401', [n.path, ov], `Network "${n.name}" on swarm member ${n.host} has the name of an overlay, which also appears on that host; lookups by name become ambiguous. Rename one.`));
      }
    }
  }

  // host -> name -> path: nested maps avoid building a key string per container.
  const containers = new Map<string, Map<string, string>>();
  const list = ctx.model.containers;
  for (let ci = 0; ci < list.length; ci++) {
    const c = list[ci];
    let onHost = containers.get(c.host);
    if (!onHost) containers.set(c.host, (onHost = new Map()));
    const prev = onHost.get(c.name);
    if (prev) ctx.report(error('DN402', [c.path, prev], `Container name "${c.name}" is used twice on host ${c.host}; docker refuses the second ("Conflict. The container name is already in use"). Rename one.`));
    else onHost.set(c.name, c.path);
  }
}
