// The covers check behind escalation prevention (k8s.io/component-helpers auth/rbac/validation/policy_comparator.go).

import type { PolicyRule } from '../snapshot/types.js';
import { API_GROUP_ALL, RESOURCE_ALL, VERB_ALL } from './match.js';

const has = (set: readonly string[], x: string): boolean => set.includes(x);
const hasAll = (set: readonly string[], xs: readonly string[]): boolean => xs.every((x) => set.includes(x));

/** Split a rule into atoms: (group, resource, verb[, name]) and (url, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames.length > 0) {
          for (const name of rule.resourceNames) {
            out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name], nonResourceURLs: [] });
          }
        } else {
          out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [], nonResourceURLs: [] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs) {
    for (const verb of rule.verbs) out.push({ verbs: [verb], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [url] });
  }
  return out;
}

function resourceCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  if (has(set, RESOURCE_ALL) || hasAll(set, covers)) return true;
  for (const path of covers) {
    if (has(set, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  if (!ownerPath.endsWith('*')) return false;
  let end = ownerPath.length;
  while (end > 0 && ownerPath[end - 1] === '*') end--;
  return subPath.startsWith(ownerPath.slice(0, end));
}

function nonResourceURLsCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  return covers.every((p) => set.some((o) => nonResourceURLCovers(o, p)));
}

export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, VERB_ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, API_GROUP_ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = sub.resourceNames.length === 0
    ? owner.resourceNames.length === 0
    : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Do the owner's rules cover every servant rule? Returns the uncovered atoms too. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): { covers: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const s of servantRules) {
    for (const atom of breakdownRule(s)) {
      if (!ownerRules.some((o) => ruleCovers(o, atom))) uncovered.push(atom);
    }
  }
  return { covers: uncovered.length === 0, uncovered };
}

/** The atom that defines cluster-admin: every verb on every resource of every API group. */
export const CLUSTER_ADMIN_ATOM: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] };

export function rulesAreClusterAdmin(rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => ruleCovers(r, CLUSTER_ADMIN_ATOM));
}
