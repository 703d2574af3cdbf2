// The report as a value: critical paths by start, most exposed secrets, most dangerous grants, each with its fixes.

import { createHash } from 'node:crypto';
import type { Analysis } from '../analysis/analyze.js';
import { DEFAULT_MAX_HOPS, type AttackPath, type PathStep } from '../analysis/paths.js';
import type { Technique } from '../analysis/technique.js';
import { TECHNIQUES } from '../analysis/techniques/index.js';
import type { Warning } from '../errors.js';
import { SEVERITIES, severityRank, ZERO_LENGTH_TECHNIQUES, type Severity } from '../graph/schema.js';
import { CLUSTER_ADMIN, compareIds, groupId, userId } from '../ids.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS } from '../rbac/subjects.js';
import { canonicalJson } from '../snapshot/hash.js';
import { isRealObject, RemediationPlanner, type Remediation } from './remediation.js';

export type { Remediation } from './remediation.js';

/** Bumped when the JSON shape changes incompatibly. */
export const REPORT_FORMAT_VERSION = 1;
export const DEFAULT_TOP = 10;

export interface ReportOptions {
  /** How many exposed secrets and dangerous grants to list (default 10). */
  top?: number;
  maxHops?: number;
  /** Also start from control-plane identities (interface.md section 5). */
  includeSystem?: boolean;
  /** The technique catalogue that gives severities (default: the built-in one). */
  techniques?: readonly Technique[];
  /** Input warnings to carry into the report (the analysis' own are added). */
  warnings?: readonly Warning[];
}

export type PathTarget = 'cluster-admin' | 'nodes';

export interface PathFinding {
  id: string;
  kind: 'path';
  severity: Severity;
  title: string;
  start: string;
  target: PathTarget;
  /** What the path reaches: `cluster-admin`, or the `Node:` ID. */
  to: string;
  /** Only RBAC and group membership: the start holds cluster-admin outright. */
  direct: boolean;
  length: number;
  /** Techniques of the counted steps, in order. */
  techniques: string[];
  steps: PathStep[];
  /** Any one of these breaks this path (another, longer one may remain). */
  remediations: Remediation[];
}

export interface StartGroup {
  start: string;
  severity: Severity;
  findings: PathFinding[];
}

export interface SecretFinding {
  id: string;
  kind: 'secret';
  severity: Severity;
  title: string;
  secret: string;
  /** Non-system subjects that can obtain it by any chain. */
  readers: number;
  /** Of those, the ones that get it by reaching cluster-admin. */
  viaClusterAdmin: number;
  /** Readable by every identity of some kind (system:authenticated, anonymous, ...). */
  everyone: boolean;
  /** A shortest path from a reader that is not a cluster-admin (from one that is, when no other). */
  example: AttackPath | null;
  remediations: Remediation[];
}

export interface GrantFinding {
  id: string;
  kind: 'grant';
  severity: Severity;
  title: string;
  binding: string;
  role: string;
  /** How many of the report's critical paths use this binding. */
  paths: number;
  /** The starts of those paths, sorted. */
  starts: string[];
  techniques: string[];
  remediations: Remediation[];
}

export type Finding = PathFinding | SecretFinding | GrantFinding;

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

export interface ReportSummary {
  /** Subjects the paths start from. */
  starts: number;
  reachClusterAdmin: number;
  directClusterAdmin: number;
  reachNodes: number;
  secrets: number;
  /** Secrets that someone other than a cluster-admin can obtain. */
  exposedSecrets: number;
  findings: number;
  bySeverity: SeverityCounts;
  /** The highest severity of any finding; null when there is none. */
  maxSeverity: Severity | null;
}

export interface Report {
  formatVersion: number;
  snapshot: string;
  options: { top: number; maxHops: number; includeSystem: boolean };
  summary: ReportSummary;
  criticalPaths: StartGroup[];
  exposedSecrets: SecretFinding[];
  dangerousGrants: GrantFinding[];
  warnings: Warning[];
}

/** A finding's stable ID: a hash of what identifies it (never counts or wording), prefixed by its kind. */
export function findingId(kind: string, identity: unknown): string {
  return `${kind}-${createHash('sha256').update(canonicalJson([kind, identity])).digest('hex').slice(0, 16)}`;
}

const EVERYONE = new Set([groupId(ALL_AUTHENTICATED), groupId(ALL_UNAUTHENTICATED), userId(ANONYMOUS)]);

const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank(a) >= severityRank(b) ? a : b);
const reachesAdmin = (steps: readonly PathStep[]): boolean => steps.some((s) => s.to === CLUSTER_ADMIN);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function buildReport(analysis: Analysis, opts: ReportOptions = {}): Report {
  const top = opts.top ?? DEFAULT_TOP;
  const maxHops = opts.maxHops ?? DEFAULT_MAX_HOPS;
  const includeSystem = opts.includeSystem === true;
  const severityOf = new Map<string, Severity>((opts.techniques ?? TECHNIQUES).map((t) => [t.meta.id, t.meta.severity]));
  const stepsSeverity = (steps: readonly PathStep[]): Severity =>
    steps.reduce<Severity>((acc, s) => maxSeverity(acc, severityOf.get(s.technique) ?? 'medium'), 'info');
  const planner = new RemediationPlanner(analysis);
  const warnings: Warning[] = [...(opts.warnings ?? []), ...analysis.warnings];

  // (a) Critical paths: each start's shortest path to cluster-admin and to root on a node.
  const toAdmin = analysis.paths({ to: CLUSTER_ADMIN, maxHops, includeSystem });
  const toNodes = analysis.paths({ to: 'nodes', maxHops, includeSystem });
  warnings.push(...toAdmin.warnings, ...toNodes.warnings);
  const groups = new Map<string, PathFinding[]>();
  const addPath = (p: AttackPath, target: PathTarget): void => {
    const counted = p.steps.filter((s) => !ZERO_LENGTH_TECHNIQUES.has(s.technique));
    const direct = target === 'cluster-admin' && counted.every((s) => s.technique === 'RBAC');
    const f: PathFinding = {
      id: findingId('path', { start: p.from, target, steps: p.steps.map((s) => [s.technique, s.from, s.to, s.evidence]) }),
      kind: 'path',
      severity: direct ? 'critical' : stepsSeverity(p.steps),
      title: target === 'cluster-admin'
        ? `${p.from} ${direct ? 'is bound to cluster-admin' : `can reach cluster-admin in ${plural(p.length, 'step')}`}`
        : `${p.from} can get root on ${p.to === 'Node:*' ? 'a node' : p.to} in ${plural(p.length, 'step')}`,
      start: p.from,
      target,
      to: p.to,
      direct,
      length: p.length,
      techniques: counted.map((s) => s.technique),
      steps: p.steps,
      remediations: planner.forSteps(p.steps),
    };
    let l = groups.get(p.from);
    if (!l) groups.set(p.from, (l = []));
    l.push(f);
  };
  const adminStarts = new Set<string>();
  for (const p of toAdmin.paths) {
    adminStarts.add(p.from);
    addPath(p, 'cluster-admin');
  }
  let reachNodes = 0;
  for (const p of toNodes.paths) {
    reachNodes++;
    // Full control includes every node: a nodes path through cluster-admin says nothing new, nor
    // does one that only uses the bindings of a direct cluster-admin grant (removing it ends both).
    if (adminStarts.has(p.from)) {
      if (reachesAdmin(p.steps)) continue;
      const admin = groups.get(p.from)!.find((f) => f.target === 'cluster-admin');
      if (admin?.direct) {
        const own = new Set(bindingsOf(admin.steps));
        if (bindingsOf(p.steps).every((b) => own.has(b))) continue;
      }
    }
    addPath(p, 'nodes');
  }
  const criticalPaths: StartGroup[] = [...groups].map(([start, findings]) => {
    findings.sort((a, b) => (a.target === b.target ? 0 : a.target === 'cluster-admin' ? -1 : 1));
    return { start, severity: findings.reduce<Severity>((acc, f) => maxSeverity(acc, f.severity), 'info'), findings };
  });
  const groupKey = (g: StartGroup): [number, number, number] => [
    g.findings.some((f) => f.direct) ? 0 : 1,
    -severityRank(g.severity),
    Math.min(...g.findings.map((f) => f.length)),
  ];
  criticalPaths.sort((a, b) => {
    const ka = groupKey(a);
    const kb = groupKey(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || compareIds(a.start, b.start);
  });
  const pathFindings = criticalPaths.flatMap((g) => g.findings);

  // (b) Secrets someone other than a cluster-admin can obtain, most readers first.
  // The ranking's readers count every non-system start that reaches cluster-admin, without a hop
  // limit; count those the same way so that "beyond cluster-admins" subtracts exactly them.
  const isAdmin = adminReachers(analysis);
  const adminReaders = analysis.starts(false).filter(isAdmin).length;
  const ranking = analysis.secretRanking().map((s) => ({ ...s, viaClusterAdmin: Math.min(adminReaders, s.readers) }));
  const exposed = ranking.filter((s) => s.readers > s.viaClusterAdmin);
  const exposedSecrets: SecretFinding[] = exposed.slice(0, top).map((s) => {
    const r = analysis.paths({ to: s.secret, maxHops, includeSystem });
    // The example is the exposure itself: a reader that is not a cluster-admin by some other path.
    const example = r.paths.find((p) => !isAdmin(p.from)) ?? r.paths[0] ?? null;
    const everyone = r.paths.some((p) => EVERYONE.has(p.from));
    const beyond = s.readers - s.viaClusterAdmin;
    return {
      id: findingId('secret', { secret: s.secret }),
      kind: 'secret',
      severity: everyone ? 'critical' : example ? stepsSeverity(example.steps.filter((x) => x.to !== CLUSTER_ADMIN)) : 'medium',
      title: `${s.secret} can be obtained by ${plural(beyond, 'subject')} besides cluster-admins${everyone ? ', everyone of some kind included' : ''}`,
      secret: s.secret,
      readers: s.readers,
      viaClusterAdmin: s.viaClusterAdmin,
      everyone,
      example,
      remediations: example ? planner.forSteps(example.steps) : [],
    };
  });

  // (c) Bindings that the most critical paths go through.
  interface GrantAcc { binding: string; role: string; paths: number; starts: Set<string>; techniques: Set<string>; severity: Severity }
  const grants = new Map<string, GrantAcc>();
  for (const f of pathFindings) {
    const seenHere = new Set<string>();
    for (const s of f.steps) {
      for (const b of bindingsOf([s])) {
        const role = s.evidence.find((e) => (e.startsWith('Role:') || e.startsWith('ClusterRole:')) && isRealObject(e)) ?? '';
        let g = grants.get(b);
        if (!g) grants.set(b, (g = { binding: b, role, paths: 0, starts: new Set(), techniques: new Set(), severity: 'info' }));
        if (!g.role && role) g.role = role;
        g.techniques.add(s.technique);
        g.severity = maxSeverity(g.severity, s.technique === 'RBAC' && s.to === CLUSTER_ADMIN ? 'critical' : severityOf.get(s.technique) ?? 'medium');
        if (!seenHere.has(b)) {
          seenHere.add(b);
          g.paths++;
          g.starts.add(f.start);
        }
      }
    }
  }
  const dangerousGrants: GrantFinding[] = [...grants.values()]
    .sort((a, b) => b.paths - a.paths || severityRank(b.severity) - severityRank(a.severity) || compareIds(a.binding, b.binding))
    .slice(0, top)
    .map((g) => {
      const techniques = [...g.techniques].sort(compareIds);
      return {
        id: findingId('grant', { binding: g.binding, role: g.role }),
        kind: 'grant',
        severity: g.severity,
        title: `${g.binding} (${g.role}) is on ${plural(g.paths, 'critical path')} from ${plural(g.starts.size, 'subject')}`,
        binding: g.binding,
        role: g.role,
        paths: g.paths,
        starts: [...g.starts].sort(compareIds),
        techniques,
        // The most severe technique first: the deletion is reported under it.
        remediations: planner.forBinding(g.binding, g.role, [...techniques].sort((a, b) => severityRank(severityOf.get(b) ?? 'medium') - severityRank(severityOf.get(a) ?? 'medium') || compareIds(a, b))),
      };
    });

  const all: Finding[] = [...pathFindings, ...exposedSecrets, ...dangerousGrants];
  const bySeverity: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of all) bySeverity[f.severity]++;
  const highest = [...SEVERITIES].reverse().find((s) => bySeverity[s] > 0) ?? null;

  return {
    formatVersion: REPORT_FORMAT_VERSION,
    snapshot: analysis.snapshot.hash,
    options: { top, maxHops, includeSystem },
    summary: {
      starts: analysis.starts(includeSystem).length,
      reachClusterAdmin: adminStarts.size,
      directClusterAdmin: criticalPaths.filter((g) => g.findings.some((f) => f.direct)).length,
      reachNodes,
      secrets: ranking.length,
      exposedSecrets: exposed.length,
      findings: all.length,
      bySeverity,
      maxSeverity: highest,
    },
    criticalPaths,
    exposedSecrets,
    dangerousGrants,
    warnings: dedupeWarnings(warnings),
  };
}

/** Every finding of the report, in report order. */
export function reportFindings(r: Report): Finding[] {
  return [...r.criticalPaths.flatMap((g) => g.findings), ...r.exposedSecrets, ...r.dangerousGrants];
}

/** Findings at or above a severity. */
export function findingsAtOrAbove(r: Report, min: Severity): Finding[] {
  return reportFindings(r).filter((f) => severityRank(f.severity) >= severityRank(min));
}

/** The real bindings a path's steps name as evidence, in order. */
function bindingsOf(steps: readonly PathStep[]): string[] {
  return steps.flatMap((s) => s.evidence.filter((e) => (e.startsWith('RoleBinding:') || e.startsWith('ClusterRoleBinding:')) && isRealObject(e)));
}

/** Does a subject reach cluster-admin by any number of steps? (One reverse search, no hop limit.) */
function adminReachers(analysis: Analysis): (id: string) => boolean {
  const g = analysis.built.compiled;
  const admin = g.indexOf.get(CLUSTER_ADMIN);
  if (admin === undefined) return () => false;
  const dist = g.distancesTo([admin]);
  return (id) => {
    const i = g.indexOf.get(id);
    return i !== undefined && i !== admin && dist[i] >= 0;
  };
}

function dedupeWarnings(ws: readonly Warning[]): Warning[] {
  const seen = new Set<string>();
  const out: Warning[] = [];
  for (const w of ws) {
    const k = canonicalJson(w);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(w);
  }
  return out;
}
