// The report as a compact text summary for a terminal: counts, then one line per finding.

import type { Report } from './build.js';

function rows(headers: string[], body: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...body.map(line)];
}

/** `limit` caps the path rows (secrets and grants are already capped by the report's `top`). */
export function renderTableSummary(report: Report, limit = report.options.top): string {
  const s = report.summary;
  const b = s.bySeverity;
  const out: string[] = [
    `Findings: ${b.critical} critical, ${b.high} high, ${b.medium} medium, ${b.low} low, ${b.info} info  (snapshot ${report.snapshot.slice(0, 19)})`,
    `${s.reachClusterAdmin} of ${s.starts} subjects reach cluster-admin (${s.directClusterAdmin} directly), ${s.reachNodes} reach root on a node; ${s.exposedSecrets} of ${s.secrets} secrets are readable beyond cluster-admins.`,
    '',
  ];
  const paths = report.criticalPaths.flatMap((g) => g.findings);
  out.push('CRITICAL PATHS');
  if (paths.length === 0) out.push('  none');
  else {
    out.push(...rows(['SEVERITY', 'START', 'REACHES', 'STEPS', 'VIA', 'ID'],
      paths.slice(0, limit).map((f) => [f.severity, f.start, f.to, f.direct ? 'direct' : String(f.length), f.techniques.join('>'), f.id])));
    if (paths.length > limit) out.push(`... and ${paths.length - limit} more (--top N, or -o markdown for all)`);
  }
  out.push('', 'EXPOSED SECRETS');
  if (report.exposedSecrets.length === 0) out.push('  none');
  else {
    out.push(...rows(['SEVERITY', 'SECRET', 'READERS', 'VIA-ADMIN', 'ID'],
      report.exposedSecrets.map((f) => [f.severity, f.secret, String(f.readers), String(f.viaClusterAdmin), f.id])));
  }
  out.push('', 'DANGEROUS GRANTS');
  if (report.dangerousGrants.length === 0) out.push('  none');
  else {
    out.push(...rows(['SEVERITY', 'BINDING', 'ROLE', 'PATHS', 'TECHNIQUES', 'ID'],
      report.dangerousGrants.map((f) => [f.severity, f.binding, f.role, String(f.paths), f.techniques.join(','), f.id])));
  }
  out.push('', 'Remediations: rbacgraph report -o markdown (or -o json, -o sarif).');
  return `${out.join('\n')}\n`;
}
