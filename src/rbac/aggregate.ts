// ClusterRole aggregation as pkg/controller/clusterroleaggregation computes it, to a fixed point.

import type { LabelSelector, PolicyRule, Role } from '../snapshot/types.js';

/** Does a label selector select these labels? (metav1.LabelSelectorAsSelector semantics.) */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // an invalid operator selects nothing
    }
  }
  return true;
}

function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
}

export interface AggregationResult {
  /** Effective rules of every ClusterRole by name (aggregated ones replaced by their union). */
  rules: Map<string, PolicyRule[]>;
  /** Aggregated roles whose written rules were kept because no ClusterRole in the input matched. */
  keptWritten: string[];
}

/**
 * An aggregated ClusterRole's rules are the union (duplicates dropped) of the rules of every other
 * ClusterRole any selector matches; rules written by hand are overwritten. Aggregated roles feed
 * each other (`view` → `edit` → `admin`), so this iterates to a fixed point.
 *
 * One departure for partial offline inputs: when no ClusterRole in the input matches any selector,
 * the role's written rules are kept (a dump of `admin` alone still says what `admin` allows).
 */
export function aggregateClusterRoles(clusterRoles: readonly Role[]): AggregationResult {
  const rules = new Map<string, PolicyRule[]>();
  for (const r of clusterRoles) rules.set(r.name, r.rules);
  const aggregated = clusterRoles.filter((r) => r.aggregationSelectors !== null);
  const keptWritten: string[] = [];
  const selected = new Map<string, Role[]>();
  for (const a of aggregated) {
    // syncClusterRole walks the selectors in order and, for each, the matching roles sorted by name,
    // so a role's rules land where the controller puts them (pkg/controller/clusterroleaggregation/
    // clusterroleaggregation_controller.go); a `via.rule` index then points at the live object's rule.
    const byName = [...clusterRoles].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const matched: Role[] = [];
    for (const sel of a.aggregationSelectors!) {
      for (const c of byName) if (c.name !== a.name && selectorMatches(sel, c.labels)) matched.push(c);
    }
    if (matched.length === 0 && a.rules.length > 0) keptWritten.push(a.name);
    else selected.set(a.name, matched);
  }
  // Each pass recomputes every aggregated role from the current rules; a chain of length k settles in k passes.
  for (let pass = 0; pass <= aggregated.length + 1; pass++) {
    let changed = false;
    for (const [name, matched] of selected) {
      const seen = new Set<string>();
      const union: PolicyRule[] = [];
      for (const m of matched) {
        for (const r of rules.get(m.name) ?? []) {
          const k = ruleKey(r);
          if (!seen.has(k)) {
            seen.add(k);
            union.push(r);
          }
        }
      }
      const before = rules.get(name)!;
      if (before.length !== union.length || before.some((r, i) => ruleKey(r) !== ruleKey(union[i]))) {
        rules.set(name, union);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { rules, keptWritten };
}
