/** Renders a semantic diff: attribute changes in words, Markdown for PR comments, JSON, exit codes. */
import { ChangeEffect } from '../core/provider/semantics';
import { formatValue, mdCode, mdInline } from './text';
import { ChangeKind, Consequence, DiffCounts, DiffResult, HostOperations, ResourceChange, EXIT_CHANGES, EXIT_NO_CHANGES, EXIT_REPLACEMENTS, FailOn } from './diff-types';

const LEAF_WORDS: Record<string, string> = {
  ipv4_address: 'IPv4 address',
  ipv6_address: 'IPv6 address',
  aliases: 'aliases',
  subnet: 'subnet',
  gateway: 'gateway',
  ip_range: 'IP range',
  aux_address: 'aux addresses',
  network_mode: 'network mode',
  image: 'image',
  hostname: 'hostname',
  dns: 'DNS servers',
  dns_search: 'DNS search domains',
  dns_opts: 'DNS options',
  env: 'environment',
  command: 'command',
  driver: 'driver',
  internal: 'internal flag',
  attachable: 'attachable flag',
  ipv6: 'IPv6 flag',
  external: 'external port',
  ip: 'host IP',
  protocol: 'protocol',
  host: 'endpoint',
  name: 'name',
  input: 'input',
  triggers_replace: 'triggers',
};

/** "IPv4 address on network backend: 10.1.0.5 → 10.1.0.6", "port 80/tcp added (external=8080)". */
export function describe(segs: string[], before: unknown, after: unknown): string {
  const phrase = phraseOf(segs);
  if (before === undefined) return `${phrase} added: ${formatValue(after)}`;
  if (after === undefined) return `${phrase} removed (was ${formatValue(before)})`;
  return `${phrase}: ${formatValue(before)} → ${formatValue(after)}`;
}

function phraseOf(segs: string[]): string {
  const [top, key, ...rest] = segs;
  const leaf = (s: string[]) => s.map((x) => LEAF_WORDS[x] ?? x).join(' ');
  switch (top) {
    case 'networks_advanced':
      return key === undefined ? 'attachments' : rest.length ? `${leaf(rest)} on network ${mdInline(key)}` : `attachment to network ${mdInline(key)}`;
    case 'ports':
      return key === undefined ? 'ports' : rest.length ? `${leaf(rest)} of port ${key}` : `port ${key}`;
    case 'ipam_config':
      return key === undefined ? 'IPAM config' : rest.length ? `${leaf(rest)}${key === '#1' ? '' : ` (IPAM config ${key})`}` : `IPAM config ${key}`;
    case 'options':
      return key === undefined ? 'driver options' : `driver option ${mdInline(key)}`;
    case 'triggers_replace':
    case 'triggers':
      return key === undefined ? 'triggers' : `trigger ${mdInline([key, ...rest].join('.'))}`;
    case 'env':
      return key === undefined ? 'environment' : `environment variable ${mdInline(key)}`;
    case 'labels':
      return key === undefined ? 'labels' : `label ${mdInline(key)}${rest.length ? ` ${leaf(rest)}` : ''}`;
    default:
      // A service's env is a map under its task spec.
      if (segs.length >= 2 && segs[segs.length - 2] === 'env') return `environment variable ${mdInline(segs[segs.length - 1])}`;
      return segs.length ? leaf(segs.length === 1 ? segs : [segs.join('.')]) : 'value';
  }
}

/** The exit code a pipeline gates on. */
export function exitCodeFor(result: DiffResult, failOn: FailOn = FailOn.CHANGE): number {
  const { add, update, replace, remove } = result.counts;
  // A move changes nothing on a host but the code and the state's addresses do: a change to review.
  const move = result.counts.move ?? 0;
  if (failOn === FailOn.NEVER) return EXIT_NO_CHANGES;
  if (replace > 0) return EXIT_REPLACEMENTS;
  if (failOn === FailOn.REPLACE) return EXIT_NO_CHANGES;
  return add + update + remove + move > 0 ? EXIT_CHANGES : EXIT_NO_CHANGES;
}

export function summaryLine(counts: DiffCounts): string {
  const { add, update, replace, remove } = counts;
  const move = counts.move ?? 0;
  if (add + update + replace + remove + move === 0) return 'No changes.';
  return `${add} to add, ${update} to change in place, ${replace} to replace, ${remove} to remove${move ? `, ${move} to move only` : ''}.`;
}

const KIND_MARK: Record<ChangeKind, string> = {
  [ChangeKind.REPLACE]: '🔴',
  [ChangeKind.REMOVE]: '➖',
  [ChangeKind.UPDATE]: '🟡',
  [ChangeKind.ADD]: '➕',
  [ChangeKind.MOVE]: '↪️',
};

/** "replaces network `x`..." -> "**replaces** network `x`...": the verb is what a reviewer scans for. */
function boldVerb(summary: string): string {
  const space = summary.indexOf(' ');
  return space > 0 ? `**${summary.slice(0, space)}**${summary.slice(space)}` : summary;
}

/** Markdown for a PR comment: summary, replacements first, daemon and swarm changes, then per environment and host. */
export function renderDiffMarkdown(result: DiffResult, title = 'docknet diff'): string {
  const lines: string[] = [`### ${title}`, '', `**${summaryLine(result.counts)}**`, ''];
  if (result.blockers?.length) {
    lines.push('> [!CAUTION]', '> **Terraform will refuse this plan**');
    for (const b of result.blockers) lines.push(`> - ${b}`);
    lines.push('');
  }
  const replacements = result.changes.filter((c) => c.kind === ChangeKind.REPLACE);
  if (replacements.length) {
    lines.push('> [!WARNING]', `> **Replacements** (destroy and create): ${replacements.length}`);
    for (const c of replacements) lines.push(`> - ${mdCode(c.env)} · ${c.summary}`);
    lines.push('');
  }
  const operations = result.operations ?? [];
  for (const env of [...new Set([...operations.map((o) => o.env), ...result.changes.map((c) => c.env)])]) {
    const inEnv = result.changes.filter((c) => c.env === env);
    // A sharded environment is one environment; the shards named are the states the change touches.
    const shardsOf = (cs: ResourceChange[]) => [...new Set(cs.flatMap((c) => (c.shard === undefined ? [] : [c.shard])))].sort();
    const touched = shardsOf(inEnv);
    lines.push(`#### Environment ${mdCode(env)}${touched.length ? ` · shard${touched.length > 1 ? 's' : ''} ${touched.map(mdCode).join(', ')}` : ''}`, '');
    const ops = operations.find((o) => o.env === env);
    if (ops) lines.push(...renderOperations(ops));
    for (const host of [...new Set(inEnv.map((c) => c.host))]) {
      const on = shardsOf(inEnv.filter((c) => c.host === host));
      lines.push(host ? `**Host ${mdCode(host)}**${on.length ? ` (shard ${on.map(mdCode).join(', ')})` : ''}` : '**Environment-wide**', '');
      for (const c of inEnv.filter((x) => x.host === host)) {
        lines.push(`- ${KIND_MARK[c.kind]} ${boldVerb(c.summary)}`);
        for (const a of c.changes) {
          const tag = a.effect === ChangeEffect.REPLACE ? ' _(forces replacement)_' : a.effect === ChangeEffect.NONE ? ' _(not planned)_' : '';
          lines.push(`  - ${a.description}${tag}`);
        }
        const items = c.blastRadius?.items ?? [];
        for (const i of items.filter((x) => x.consequence !== Consequence.RESTARTED)) lines.push(`  - ${i.consequence}: ${i.what} on ${mdCode(i.host)}, because ${i.because}`);
        // A dockerd restart stops every container of the host: one line per host, not one per container.
        const restarted = items.filter((x) => x.consequence === Consequence.RESTARTED);
        for (const h of [...new Set(restarted.map((x) => x.host))]) {
          const on = restarted.filter((x) => x.host === h);
          lines.push(`  - restarted with dockerd on ${mdCode(h)} (${on.length}): ${on.map((x) => mdCode(x.name)).join(', ')}`);
        }
      }
      lines.push('');
    }
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

/** Daemon and swarm changes of one environment: key by key per host, the restart order, swarm membership. */
export function renderOperations(ops: HostOperations): string[] {
  const lines: string[] = [];
  if (ops.renames?.length) lines.push('**Renamed hosts** (renamedFrom)', '', ...ops.renames.map((r) => `- ${r.line}`), '');
  if (ops.daemon.length) {
    lines.push('**Daemons** (daemon.json, key by key)', '', ...ops.daemon.map((d) => `- ${d.line}`), '');
    if (ops.restartWaves.length) {
      const waves = ops.restartWaves.map((w, i) => `${i + 1}. ${w.join(', ')}`).join(' → ');
      lines.push(`Restart order (host declaration order, ${ops.waveSize} host${ops.waveSize === 1 ? '' : 's'} at a time): ${waves}`, '');
    }
  }
  if (ops.swarm.length) lines.push('**Swarm**', '', ...ops.swarm.map((s) => `- ${s.line}`), '');
  return lines;
}

/** JSON for machines: counts, exit code, every change, and the daemon, swarm and rename operations. */
export function renderDiffJson(result: DiffResult, failOn: FailOn = FailOn.CHANGE): string {
  const doc = { summary: summaryLine(result.counts), counts: result.counts, exitCode: exitCodeFor(result, failOn), blockers: result.blockers ?? [], changes: result.changes, operations: result.operations ?? [] };
  return JSON.stringify(doc, null, 2) + '\n';
}
