// Attack edges as a reader sees them: each technique edge with aggregate targets expanded to real nodes.

import { compareIds } from '../ids.js';
import type { AttackGraph } from '../graph/build.js';
import { EXPANDS } from '../graph/schema.js';

export interface ExpandedEdge {
  from: string;
  to: string;
  technique: string;
  evidence: string[];
}

/** Real nodes an aggregate stands for (following nested aggregates). */
export function aggregateMembers(graph: AttackGraph, agg: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>([agg]);
  const stack = [agg];
  while (stack.length > 0) {
    const a = stack.pop()!;
    graph.forEachOutEdge(a, (_e, attrs, _s, t) => {
      if (attrs.kind !== EXPANDS) return;
      if (t.startsWith('Agg:')) {
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
      } else out.add(t);
    });
  }
  return [...out];
}

/**
 * Every edge of the given techniques (all when omitted), aggregates expanded, sorted by
 * (technique, from, to). Edges from the `cluster-admin` hub and pseudo-identities are left out
 * unless asked: they are the analysis' own devices, not findings.
 */
export function expandedEdges(graph: AttackGraph, opts: { techniques?: string[]; includeInternal?: boolean } = {}): ExpandedEdge[] {
  const want = opts.techniques ? new Set(opts.techniques) : null;
  const out = new Map<string, ExpandedEdge>();
  graph.forEachEdge((_key, attrs, source, target) => {
    if (attrs.kind === EXPANDS) return;
    if (want && !want.has(attrs.kind)) return;
    if (!opts.includeInternal && (source === 'cluster-admin' || source.startsWith('Grant:'))) return;
    const targets = target.startsWith('Agg:') ? aggregateMembers(graph, target) : [target];
    for (const t of targets) {
      if (t === source) continue; // a namespace-wide step includes the subject itself: not an edge
      const k = `${attrs.kind}|${source}|${t}`;
      if (!out.has(k)) out.set(k, { from: source, to: t, technique: attrs.kind, evidence: [...attrs.evidence].sort(compareIds) });
    }
  });
  return [...out.values()].sort((a, b) => compareIds(a.technique, b.technique) || compareIds(a.from, b.from) || compareIds(a.to, b.to));
}
