// Builders for the RBAC test tables: Kubernetes objects as the Go tests build them, read through the real ingest.
import { RbacIndex } from '../../src/rbac/authorizer.js';
import type { Warning } from '../../src/errors.js';
import type { PolicyRule, Snapshot } from '../../src/snapshot/types.js';
import { ingestYaml } from '../support/snapshot.js';

export type Obj = Record<string, unknown>;

const RBAC = 'rbac.authorization.k8s.io/v1';

/** rbac_test.go `newRule(verbs, apiGroups, resources, nonResourceURLs)`: Go's strings.Split, so "" is [""]. */
export function newRule(verbs: string, apiGroups: string, resources: string, nonResourceURLs: string): Obj {
  return {
    verbs: verbs.split(','),
    apiGroups: apiGroups.split(','),
    resources: resources.split(','),
    nonResourceURLs: nonResourceURLs.split(','),
  };
}

/** A rule as the YAML would spell it (fields left out are absent, not empty). */
export function rule(r: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }): Obj {
  return { ...r };
}

/** A normalized PolicyRule (what match.ts and covers.ts take), every list present. */
export function policyRule(p: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...p };
}

export function clusterRole(name: string, rules: Obj[] | null, opts: { labels?: Record<string, string>; selectors?: Obj[] } = {}): Obj {
  const o: Obj = { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: opts.labels ?? {} }, rules };
  if (opts.selectors) o.aggregationRule = { clusterRoleSelectors: opts.selectors };
  return o;
}

export function role(namespace: string, name: string, rules: Obj[]): Obj {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules };
}

/**
 * A binding subject from rbac_test.go's `Kind:name` form, extended with `ServiceAccount:ns/name`
 * (and `ServiceAccount:name` for a subject without a namespace). Objects pass through unchanged.
 */
export function subject(s: string | Obj): Obj {
  if (typeof s !== 'string') return s;
  const i = s.indexOf(':');
  const kind = s.slice(0, i);
  const rest = s.slice(i + 1);
  if (kind === 'ServiceAccount') {
    const j = rest.indexOf('/');
    return j < 0 ? { kind, name: rest } : { kind, namespace: rest.slice(0, j), name: rest.slice(j + 1) };
  }
  return { kind, apiGroup: 'rbac.authorization.k8s.io', name: rest };
}

let bindingCounter = 0;

/** rbac_test.go `newClusterRoleBinding(roleName, subjects...)`; Go leaves the name empty, we number them. */
export function clusterRoleBinding(roleName: string, subjects: (string | Obj)[], opts: { name?: string; roleKind?: string } = {}): Obj {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: opts.name ?? `crb-${bindingCounter++}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: opts.roleKind ?? 'ClusterRole', name: roleName },
    subjects: subjects.map(subject),
  };
}

/** rbac_test.go `newRoleBinding(namespace, roleName, bindToRole|bindToClusterRole, subjects...)`. */
export function roleBinding(namespace: string, roleName: string, roleKind: 'Role' | 'ClusterRole', subjects: (string | Obj)[], name?: string): Obj {
  return {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: name ?? `rb-${bindingCounter++}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    subjects: subjects.map(subject),
  };
}

export interface Loaded {
  snapshot: Snapshot;
  warnings: Warning[];
  index: RbacIndex;
}

/** Ingest objects for real (as one `kind: List` JSON document) and index them. */
export function load(objects: Obj[], opts: { kubernetesVersion?: string | null } = {}): Loaded {
  const { snapshot, warnings } = ingestYaml(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const index = new RbacIndex(snapshot, { kubernetesVersion: opts.kubernetesVersion ?? null });
  return { snapshot, warnings, index };
}

/** Warning codes, sorted: tests check codes, never message text. */
export function codes(ws: readonly Warning[]): string[] {
  return ws.map((w) => w.code).sort();
}
