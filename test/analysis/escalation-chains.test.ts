// Multi-step paths through the pseudo-identities ROLE_BIND and ROLE_ESCALATE create, and through cloud identities.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { expandedEdges } from '../../src/analysis/edges.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: string, ns?: string): string => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
rules: ${rules}`;
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleKind: string, roleName: string, subject: string, ns?: string): string => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects: [${subject}]`;

const RBAC = 'rbac.authorization.k8s.io';

// ci/deployer is cluster-admin; alice, viewer-binder, bob and carol each hold one RBAC-writing power.
const CLUSTER = [
  `
apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}`,
  role('ClusterRole', 'cluster-admin', '[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]'),
  binding('ClusterRoleBinding', 'deployer-admin', 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: deployer, namespace: ci}'),
  // edit here only mints tokens, so the middle step is TOKEN_REQUEST and nothing else.
  role('ClusterRole', 'edit', '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]'),
  role('ClusterRole', 'view', '[{apiGroups: [""], resources: [pods], verbs: [get, list]}]'),
  // alice: bind `edit` (by name) in RoleBindings of ci.
  role('ClusterRole', 'edit-binder', `[{apiGroups: [${RBAC}], resources: [clusterroles], verbs: [bind], resourceNames: [edit]}, {apiGroups: [${RBAC}], resources: [rolebindings], verbs: [create]}]`),
  binding('RoleBinding', 'alice-binds', 'ClusterRole', 'edit-binder', '{kind: User, name: alice}', 'ci'),
  // viewer-binder: bind only the harmless `view`, cluster-wide.
  role('ClusterRole', 'view-binder', `[{apiGroups: [${RBAC}], resources: [clusterroles], verbs: [bind], resourceNames: [view]}, {apiGroups: [${RBAC}], resources: [clusterrolebindings], verbs: [create]}]`),
  binding('ClusterRoleBinding', 'viewer-binder', 'ClusterRole', 'view-binder', '{kind: User, name: viewer-binder}'),
  // bob: escalate and patch the Role that binds him in ci.
  role('Role', 'bob-role', `[{apiGroups: [${RBAC}], resources: [roles], verbs: [escalate, patch], resourceNames: [bob-role]}]`, 'ci'),
  binding('RoleBinding', 'bob', 'Role', 'bob-role', '{kind: User, name: bob}', 'ci'),
  // carol: bind role-admin cluster-wide; role-admin may rewrite any ClusterRole.
  role('ClusterRole', 'role-admin', `[{apiGroups: [${RBAC}], resources: [clusterroles], verbs: [escalate, update]}]`),
  role('ClusterRole', 'role-admin-binder', `[{apiGroups: [${RBAC}], resources: [clusterroles], verbs: [bind], resourceNames: [role-admin]}, {apiGroups: [${RBAC}], resources: [clusterrolebindings], verbs: [create]}]`),
  binding('ClusterRoleBinding', 'carol', 'ClusterRole', 'role-admin-binder', '{kind: User, name: carol}'),
].join('\n');

describe('escalation chains through ROLE_BIND and ROLE_ESCALATE', () => {
  const a = analyze(snapshotFromYaml(CLUSTER));

  it('binds edit in a namespace, then mints a token of its cluster-admin service account (3 steps)', () => {
    const p = a.paths({ from: ['User:alice'], to: 'cluster-admin' }).paths;
    expect(p).toHaveLength(1);
    expect(p[0].length).toBe(3);
    expect(p[0].steps.map((s) => [s.from, s.technique, s.to])).toEqual([
      ['User:alice', 'ROLE_BIND', 'Grant:ci/ClusterRole:edit'],
      ['Grant:ci/ClusterRole:edit', 'TOKEN_REQUEST', 'ServiceAccount:ci/deployer'],
      ['ServiceAccount:ci/deployer', 'RBAC', 'cluster-admin'],
    ]);
    expect([...p[0].steps[0].evidence].sort()).toEqual(['ClusterRole:edit-binder', 'RoleBinding:ci/alice-binds']);
  });

  it('gives bind limited by resourceNames to a harmless role that role only, never cluster-admin', () => {
    expect(a.paths({ from: ['User:viewer-binder'], to: 'cluster-admin' }).paths).toEqual([]);
    const edges = expandedEdges(a.built.graph, { techniques: ['ROLE_BIND'] }).filter((e) => e.from === 'User:viewer-binder');
    expect(edges.map((e) => e.to)).toEqual(['Grant:*/ClusterRole:view']);
  });

  it('rewrites its own Role to everything in the namespace, then becomes the cluster-admin service account there', () => {
    const p = a.paths({ from: ['User:bob'], to: 'cluster-admin' }).paths;
    expect(p).toHaveLength(1);
    expect(p[0].length).toBe(3);
    expect(p[0].steps[0]).toMatchObject({ technique: 'ROLE_ESCALATE', to: 'Grant:ci/*' });
    expect(p[0].steps[1]).toMatchObject({ from: 'Grant:ci/*', to: 'ServiceAccount:ci/deployer' });
    expect(p[0].steps[2]).toMatchObject({ technique: 'RBAC', to: 'cluster-admin' });
  });

  it('binds a role that may rewrite ClusterRoles, then rewrites it to everything (ROLE_BIND, then ROLE_ESCALATE)', () => {
    const p = a.paths({ from: ['User:carol'], to: 'cluster-admin' }).paths;
    expect(p.map((x) => x.steps.map((s) => [s.technique, s.to]))).toEqual([[
      ['ROLE_BIND', 'Grant:*/ClusterRole:role-admin'],
      ['ROLE_ESCALATE', 'cluster-admin'],
    ]]);
  });

  it('leaves pseudo-identities out of the default starts', () => {
    expect(a.paths({}).paths.map((x) => x.from).filter((f) => f.startsWith('Grant:'))).toEqual([]);
  });

  it('returns the same bytes on every run', () => {
    const again = analyze(snapshotFromYaml(CLUSTER));
    expect(JSON.stringify(again.paths({ limit: 3 }))).toBe(JSON.stringify(a.paths({ limit: 3 })));
  });
});

describe('escalation chains through CLOUD_IDENTITY', () => {
  it('leads from an IRSA service account through aws-auth to system:masters', () => {
    const a = analyze(snapshotFromYaml(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: dev
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/team/app"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/app
      username: app-admin
      groups: [system:masters]
`));
    const p = a.paths({ from: ['ServiceAccount:dev/app'], to: 'cluster-admin' }).paths;
    expect(p.map((x) => x.steps.map((s) => [s.technique, s.to]))).toEqual([[
      ['CLOUD_IDENTITY', 'CloudIdentity:arn:aws:iam::111122223333:role/app'],
      ['CLOUD_IDENTITY', 'Group:system:masters'],
      ['RBAC', 'cluster-admin'],
    ]]);
  });
});
