import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: v1
kind: Namespace
metadata: {name: locked, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: Node
metadata: {name: worker-1}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: dev}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: dev}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-sa, namespace: locked}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: deployer, namespace: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: locked-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: admin-sa, namespace: locked}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: dev}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects: [{kind: ServiceAccount, name: ci, namespace: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy-maker, namespace: locked}
rules: [{apiGroups: ["apps"], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-deploys, namespace: locked}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy-maker}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: masters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: Group, name: system:masters}]
`;

describe('paths to cluster-admin', () => {
  const a = analyze(snapshotFromYaml(CLUSTER));

  it('gives a direct grant a one-step RBAC path with its evidence', () => {
    const p = a.paths({ from: ['ServiceAccount:dev/deployer'] }).paths;
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ from: 'ServiceAccount:dev/deployer', to: 'cluster-admin', length: 1 });
    expect(p[0].steps[0]).toMatchObject({ technique: 'RBAC', evidence: ['ClusterRoleBinding:deployer-admin', 'ClusterRole:everything'] });
  });

  it('finds POD_CREATE to a cluster-admin service account of the same namespace (2 steps)', () => {
    const p = a.paths({ from: ['ServiceAccount:dev/ci'] }).paths;
    expect(p).toHaveLength(1);
    expect(p[0].length).toBe(2);
    expect(p[0].steps.map((s) => [s.technique, s.to])).toEqual([
      ['POD_CREATE', 'ServiceAccount:dev/deployer'],
      ['RBAC', 'cluster-admin'],
    ]);
    expect(p[0].steps[0].evidence).toEqual(['RoleBinding:dev/ci', 'Role:dev/pod-creator']);
  });

  it('counts create deployments in the apps group as pod creation, even in a restricted namespace', () => {
    const p = a.paths({ from: ['User:bob'] }).paths;
    expect(p.map((x) => x.steps.map((s) => s.technique))).toEqual([['POD_CREATE', 'RBAC']]);
  });

  it('does not lead from pod creation in a restricted namespace to the nodes', () => {
    // bob reaches a node only through the cluster-admin service account he can run as (2 steps), never directly.
    const bob = a.paths({ from: ['User:bob'], to: 'nodes', limit: 10 }).paths;
    expect(bob.length).toBeGreaterThan(0);
    for (const p of bob) expect(p.steps[0]).toMatchObject({ technique: 'POD_CREATE', to: 'ServiceAccount:locked/admin-sa' });
    const dev = a.paths({ from: ['ServiceAccount:dev/ci'], to: 'nodes' }).paths;
    expect(dev.map((x) => x.to)).toEqual(['Node:worker-1']);
  });

  it('lists every non-system subject by default, shortest first, and leaves out system:masters', () => {
    const froms = a.paths({}).paths.map((x) => `${x.length} ${x.from}`);
    expect(froms).toEqual([
      '1 ServiceAccount:dev/deployer',
      '1 ServiceAccount:locked/admin-sa',
      '2 ServiceAccount:dev/ci',
      '2 User:bob',
    ]);
    expect(a.paths({ includeSystem: true }).paths.map((x) => x.from)).toContain('Group:system:masters');
  });

  it('honours --max-hops', () => {
    expect(a.paths({ from: ['ServiceAccount:dev/ci'], maxHops: 1 }).paths).toEqual([]);
  });

  it('returns the same bytes on every run', () => {
    const again = analyze(snapshotFromYaml(CLUSTER));
    expect(JSON.stringify(again.paths({ limit: 3 }))).toBe(JSON.stringify(a.paths({ limit: 3 })));
  });

  it('finds more than one path per start with --limit, shortest first', () => {
    const p = a.paths({ from: ['ServiceAccount:dev/ci'], limit: 5 }).paths;
    expect(p.length).toBeGreaterThan(1);
    for (let i = 1; i < p.length; i++) expect(p[i].length).toBeGreaterThanOrEqual(p[i - 1].length);
  });

  it('rejects a malformed target', () => {
    expect(() => a.paths({ to: 'Pod:dev/x' })).toThrow(/malformed target/);
  });
});
