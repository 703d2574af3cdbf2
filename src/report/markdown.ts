// The full report in Markdown: summary, critical paths by start, exposed secrets, dangerous grants, each with its fixes.

import type { PathStep } from '../analysis/paths.js';
import type { Finding, Remediation, Report } from './build.js';

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: string[], rows: string[][]): string[] {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function steps(list: readonly PathStep[]): string[] {
  return list.map((s, i) => {
    const ev = s.evidence.length > 0 ? ` (evidence: ${s.evidence.map(code).join(', ')})` : '';
    return `${i + 1}. ${code(s.technique)} ${code(s.from)} → ${code(s.to)}: ${s.explanation}${ev}`;
  });
}

function fixes(list: readonly Remediation[], lead: string): string[] {
  if (list.length === 0) return ['_No change to suggest on this path: fix the step that leads into it._', ''];
  const out = [lead, ''];
  for (const r of list) {
    out.push(`- **${r.action}** ${code(r.object)} (${code(r.technique)}): ${r.summary}`);
    if (r.commands.length > 0) out.push('', '  ```sh', ...r.commands.map((c) => `  ${c}`), '  ```');
    if (r.patch) out.push('', '  ```yaml', ...r.patch.trimEnd().split('\n').map((l) => `  ${l}`), '  ```');
  }
  out.push('');
  return out;
}

const sev = (f: Finding): string => `**${f.severity}**`;

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const out: string[] = ['# rbacgraph report', ''];
  out.push(`Snapshot ${code(report.snapshot)}; ${s.starts} subjects analysed${report.options.includeSystem ? ' (control-plane identities included)' : ''}; paths up to ${report.options.maxHops} steps.`, '');
  out.push('## Summary', '');
  out.push(...table(['critical', 'high', 'medium', 'low', 'info', 'findings'],
    [[s.bySeverity.critical, s.bySeverity.high, s.bySeverity.medium, s.bySeverity.low, s.bySeverity.info, s.findings].map(String)]), '');
  out.push(`- ${s.reachClusterAdmin} subject${s.reachClusterAdmin === 1 ? '' : 's'} can reach cluster-admin, ${s.directClusterAdmin} of them by a direct grant.`);
  out.push(`- ${s.reachNodes} subject${s.reachNodes === 1 ? '' : 's'} can get root on a node.`);
  out.push(`- ${s.exposedSecrets} of ${s.secrets} secrets can be obtained by someone other than a cluster-admin.`, '');

  out.push('## Critical paths', '');
  if (report.criticalPaths.length === 0) out.push('No subject can reach cluster-admin or root on a node.', '');
  report.criticalPaths.forEach((g, gi) => {
    out.push(`### ${gi + 1}. ${code(g.start)} (${g.severity})`, '');
    for (const f of g.findings) {
      out.push(`#### ${f.target === 'cluster-admin' ? '→ cluster-admin' : `→ root on ${code(f.to)}`}: ${f.direct ? 'direct grant' : `${f.length} step${f.length === 1 ? '' : 's'}`}, ${sev(f)} ${code(f.id)}`, '');
      out.push(...steps(f.steps), '');
      out.push(...fixes(f.remediations, 'Fix (any one breaks this path; re-run the report, a longer one may remain):'));
    }
  });

  out.push('## Most exposed secrets', '');
  if (report.exposedSecrets.length === 0) out.push('No secret can be obtained by anyone but cluster-admins.', '');
  else {
    out.push(...table(['#', 'secret', 'readers', 'via cluster-admin', 'severity', 'ID'],
      report.exposedSecrets.map((f, i) => [String(i + 1), code(f.secret), String(f.readers), String(f.viaClusterAdmin), f.severity, code(f.id)])), '');
    report.exposedSecrets.forEach((f, i) => {
      out.push(`### ${i + 1}. ${code(f.secret)} (${f.severity})`, '', `${f.title}.`, '');
      if (f.example) {
        out.push(`Example: ${code(f.example.from)} in ${f.example.length} step${f.example.length === 1 ? '' : 's'}:`, '', ...steps(f.example.steps), '');
        out.push(...fixes(f.remediations, 'Fix for this reader (others may have their own paths: `rbacgraph secret-access` lists them all):'));
      }
    });
  }

  out.push('## Most dangerous grants', '');
  if (report.dangerousGrants.length === 0) out.push('No binding is on a critical path.', '');
  else {
    out.push(...table(['#', 'binding', 'role', 'paths', 'techniques', 'severity', 'ID'],
      report.dangerousGrants.map((f, i) => [String(i + 1), code(f.binding), code(f.role), String(f.paths), f.techniques.join(', '), f.severity, code(f.id)])), '');
    report.dangerousGrants.forEach((f, i) => {
      const shown = f.starts.slice(0, 10).map(code).join(', ');
      out.push(`### ${i + 1}. ${code(f.binding)} (${f.severity})`, '', `${f.title}: ${shown}${f.starts.length > 10 ? `, and ${f.starts.length - 10} more` : ''}.`, '');
      out.push(...fixes(f.remediations, 'Fix:'));
    });
  }

  if (report.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of report.warnings) out.push(`- ${code(w.code)} ${w.file ? `${code(w.line === null ? w.file : `${w.file}:${w.line}`)} ` : ''}${w.message}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
