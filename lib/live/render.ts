/** Renders a verify result: Markdown for an issue or a PR (in the diff's voice), JSON for machines. */
import { mdCode } from '../report/text';
import { renderProbeMatrix } from './probe';
import { DriftKind, Finding, HostStatus, VerifyResult, isDrift, verifyExitCode } from './types';

const MARK: Record<DriftKind, string> = {
  [DriftKind.MISSING]: '➖',
  [DriftKind.CHANGED]: '🟡',
  [DriftKind.UNEXPECTED]: '🔴',
  [DriftKind.UNMANAGED]: '⚪',
  [DriftKind.UNVERIFIED]: '⚪',
};

export function verifySummary(r: VerifyResult): string {
  const read = r.hosts.filter((h) => h.status === HostStatus.READ).length;
  const parts = [`${read} of ${r.hosts.length} host${r.hosts.length === 1 ? '' : 's'} read`];
  if (r.counts.unreachable) parts.push(`**${r.counts.unreachable} unreachable**`);
  parts.push(r.counts.drift ? `**${r.counts.drift} drift finding${r.counts.drift === 1 ? '' : 's'}**` : 'in sync with the code');
  if (r.counts.notes) parts.push(`${r.counts.notes} note${r.counts.notes === 1 ? '' : 's'}`);
  return parts.join(', ') + '.';
}

function line(f: Finding): string {
  return `- ${MARK[f.kind]} **${f.kind}** ${f.description}${f.remedy ? `\n  - remedy: ${f.remedy.text}` : ''}`;
}

export function renderVerifyMarkdown(r: VerifyResult): string {
  const lines = [`### docknet verify ${mdCode(r.env)}`, '', verifySummary(r), ''];
  const down = r.hosts.filter((h) => h.status === HostStatus.UNREACHABLE);
  if (down.length) {
    lines.push('> [!WARNING]', '> **Unreachable hosts** (not verified):');
    for (const h of down) lines.push(`> - ${mdCode(h.host)} at ${mdCode(h.endpoint)}: ${h.error}`);
    lines.push('');
  }
  for (const h of r.hosts) {
    const drift = r.findings.filter((f) => f.host === h.host && isDrift(f));
    const notes = r.findings.filter((f) => f.host === h.host && !isDrift(f));
    if (!drift.length && !notes.length) continue;
    lines.push(`**Host ${mdCode(h.host)}**${h.engine ? ` (Docker ${h.engine})` : ''}`, '');
    lines.push(...drift.map(line));
    if (notes.length) lines.push('', `<details><summary>${notes.length} note${notes.length === 1 ? '' : 's'} (not drift)</summary>`, '', ...notes.map(line), '', '</details>');
    lines.push('');
  }
  if (r.probes) lines.push(renderProbeMatrix(r.probes.outcomes, r.probes.dropped));
  return lines.join('\n').replace(/\n+$/, '\n');
}

export function renderVerifyJson(r: VerifyResult): string {
  return JSON.stringify({ summary: verifySummary(r).replace(/\*\*/g, ''), exitCode: verifyExitCode(r), ...r }, null, 2) + '\n';
}
