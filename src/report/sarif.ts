// The report as SARIF 2.1.0 for code-scanning tools: techniques as rules, findings as results at their binding's source line.

import { isAbsolute, relative, sep } from 'node:path';
import type { Technique } from '../analysis/technique.js';
import { TECHNIQUES } from '../analysis/techniques/index.js';
import { ZERO_LENGTH_TECHNIQUES, type Severity } from '../graph/schema.js';
import type { SourceRef } from '../snapshot/types.js';
import { reportFindings, type Finding, type Report } from './build.js';
import { isRealObject } from './remediation.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
export const FINGERPRINT_KEY = 'rbacgraphFindingId/v1';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub's scale: critical above 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** Rules for findings that are not one technique's step. */
export const FINDING_RULES = [
  {
    id: 'EXPOSED_SECRET', title: 'Secret readable beyond cluster-admins', severity: 'high' as Severity,
    rationale: 'Subjects that are not cluster-admins can obtain this secret\'s contents, directly or through a chain of techniques. The result names a shortest such path; `rbacgraph secret-access` lists every reader.',
  },
  {
    id: 'DANGEROUS_GRANT', title: 'Binding on many escalation paths', severity: 'high' as Severity,
    rationale: 'This binding is evidence in many of the shortest paths to cluster-admin or root on a node: removing or narrowing it breaks all of them at once.',
  },
] as const;

export interface SarifOptions {
  techniques?: readonly Technique[];
  /** The tool version for `tool.driver.version`. */
  version?: string;
  /** Base URL of the rbacgraph docs; helpUri is `<base>/docs/techniques/<ID>.md` (default: that path, relative). */
  docsBaseUri?: string;
  /** Absolute source paths under this folder become relative URIs (with `%SRCROOT%`). */
  baseDir?: string;
  /** Where each object came from (`snapshot.sources`). */
  sources: ReadonlyMap<string, SourceRef>;
}

const pascal = (id: string): string => id.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

function helpUri(base: string | undefined, id: string): string {
  const path = `docs/techniques/${id}.md`;
  return base ? `${base.replace(/\/+$/, '')}/${path}` : path;
}

/** A source path as a SARIF artifact URI: relative (forward slashes) when it can be, else a file: URI. */
export function artifactUri(file: string, baseDir?: string): { uri: string; uriBaseId?: string } {
  let p = file;
  if (isAbsolute(p) && baseDir) {
    const rel = relative(baseDir, p);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) p = rel;
  }
  const slashed = p.split(sep).join('/');
  const enc = slashed.split('/').map(encodeURIComponent).join('/');
  if (isAbsolute(p)) return { uri: `file://${enc.startsWith('/') ? '' : '/'}${enc}` };
  return { uri: enc.replace(/^\.\//, ''), uriBaseId: '%SRCROOT%' };
}

/** The rule a finding reports under: a path's first counted step's technique; finding-level rules otherwise. */
export function ruleIdOf(f: Finding): string {
  if (f.kind === 'path') return (f.steps.find((s) => !ZERO_LENGTH_TECHNIQUES.has(s.technique)) ?? f.steps[0]).technique;
  return f.kind === 'secret' ? 'EXPOSED_SECRET' : 'DANGEROUS_GRANT';
}

/** The object a finding points at: the first real binding of its path, else the first evidence with a known source. */
function anchorOf(f: Finding, sources: ReadonlyMap<string, SourceRef>): string | null {
  if (f.kind === 'grant') return f.binding;
  const steps = f.kind === 'path' ? f.steps : f.example?.steps ?? [];
  const evidence = steps.flatMap((s) => s.evidence).filter(isRealObject);
  return evidence.find((e) => e.startsWith('RoleBinding:') || e.startsWith('ClusterRoleBinding:'))
    ?? evidence.find((e) => sources.has(e))
    ?? evidence[0]
    ?? (f.kind === 'secret' ? f.secret : null);
}

function messageOf(f: Finding): string {
  const fix = f.remediations[0];
  const fixText = fix ? ` Fix: ${fix.summary}${fix.commands.length > 0 ? ` Command: ${fix.commands[0]}` : ''}` : '';
  if (f.kind === 'path') {
    const chain = f.steps.map((s) => ` -[${s.technique}]-> ${s.to}`).join('');
    return `${f.title}: ${f.start}${chain}.${fixText}`;
  }
  if (f.kind === 'secret') {
    return `${f.title}.${f.example ? ` Example: ${f.example.from} via ${f.example.steps.map((s) => s.technique).join(' → ')}.` : ''}${fixText}`;
  }
  return `${f.title} (${f.techniques.join(', ')}).${fixText}`;
}

export function buildSarif(report: Report, opts: SarifOptions): Record<string, unknown> {
  const techniques = [...(opts.techniques ?? TECHNIQUES)].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (id: string, title: string, rationale: string, severity: Severity, mitre: string | null, help: string | null): void => {
    ruleIndex.set(id, rules.length);
    const rule: Record<string, unknown> = {
      id,
      name: pascal(id),
      shortDescription: { text: title },
      fullDescription: { text: rationale },
    };
    if (help) rule.helpUri = help;
    rule.help = { text: rationale };
    rule.defaultConfiguration = { level: sarifLevel(severity) };
    rule.properties = {
      'security-severity': SECURITY_SEVERITY[severity],
      severity,
      tags: ['security', 'kubernetes', 'rbac', ...(mitre ? [`external/mitre-attack/${mitre}`] : [])],
      precision: 'high',
    };
    rules.push(rule);
  };
  for (const t of techniques) addRule(t.meta.id, t.meta.title, t.meta.rationale, t.meta.severity, t.meta.mitre, helpUri(opts.docsBaseUri, t.meta.id));
  for (const r of FINDING_RULES) addRule(r.id, r.title, r.rationale, r.severity, null, null);

  const results = reportFindings(report).map((f) => {
    let ruleId = ruleIdOf(f);
    if (!ruleIndex.has(ruleId)) {
      // A technique outside the catalogue given (a custom run): report it under a rule of its own.
      addRule(ruleId, ruleId, `Attack technique ${ruleId}.`, f.severity, null, null);
    }
    ruleId = ruleId as string;
    const anchor = anchorOf(f, opts.sources);
    const src = anchor ? opts.sources.get(anchor) : undefined;
    const location: Record<string, unknown> = {};
    if (src) {
      const phys: Record<string, unknown> = { artifactLocation: artifactUri(src.file, opts.baseDir) };
      if (src.line !== null && src.line >= 1) phys.region = { startLine: src.line };
      location.physicalLocation = phys;
    }
    if (anchor) location.logicalLocations = [{ fullyQualifiedName: anchor, kind: 'resource' }];
    const result: Record<string, unknown> = {
      ruleId,
      ruleIndex: ruleIndex.get(ruleId),
      level: sarifLevel(f.severity),
      message: { text: messageOf(f) },
      locations: Object.keys(location).length > 0 ? [location] : [],
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      properties: {
        findingId: f.id,
        kind: f.kind,
        severity: f.severity,
        'security-severity': SECURITY_SEVERITY[f.severity],
      },
    };
    return result;
  });

  const driver: Record<string, unknown> = { name: 'rbacgraph' };
  if (opts.version) driver.version = opts.version;
  if (opts.docsBaseUri) driver.informationUri = opts.docsBaseUri;
  driver.rules = rules;
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [{
      tool: { driver },
      results,
      properties: { snapshot: report.snapshot, summary: report.summary },
    }],
  };
}

export function renderSarif(report: Report, opts: SarifOptions): string {
  return `${JSON.stringify(buildSarif(report, opts), null, 2)}\n`;
}
