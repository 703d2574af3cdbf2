// Secret reachability: readers of one secret, and the cluster-wide ranking.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: pay}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Secret
metadata: {name: stripe, namespace: pay}
type: Opaque
data: {key: c2VudGluZWwtdmFsdWU=}
---
apiVersion: v1
kind: Secret
metadata: {name: other, namespace: pay}
---
apiVersion: v1
kind: Secret
metadata: {name: lonely, namespace: misc}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: pay}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: pay}
spec:
  nodeName: n1
  serviceAccountName: api
  containers: [{name: c, image: x, envFrom: [{secretRef: {name: stripe}}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-one, namespace: pay}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [other]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol-one, namespace: pay}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-one}
subjects: [{kind: User, name: carol}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: pay}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}, {apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dave-exec, namespace: pay}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: User, name: dave}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}
subjects: [{kind: User, name: root}]
`;

describe('secret reachability', () => {
  const a = analyze(snapshotFromYaml(CLUSTER));

  it('lists who can obtain a secret, each with a shortest path', () => {
    const readers = a.secretReaders('Secret:pay/stripe');
    expect(readers.map((r) => r.subject)).toEqual(['User:dave', 'User:root']);
    const dave = readers.find((r) => r.subject === 'User:dave')!;
    expect(dave.length).toBe(1);
    expect(dave.steps[0]).toMatchObject({ technique: 'SECRET_READ', to: 'Secret:pay/stripe' });
  });

  it('respects resourceNames: carol reads only the secret she is named for', () => {
    expect(a.secretReaders('Secret:pay/other').map((r) => r.subject)).toEqual(['User:carol', 'User:dave', 'User:root']);
    expect(a.secretReaders('Secret:pay/stripe').map((r) => r.subject)).not.toContain('User:carol');
  });

  it('ranks secrets by how many non-system subjects reach them', () => {
    const ranking = Object.fromEntries(a.secretRanking().map((r) => [r.secret, r.readers]));
    expect(ranking).toEqual({ 'Secret:pay/other': 3, 'Secret:pay/stripe': 2, 'Secret:misc/lonely': 1 });
    expect(a.secretRanking()[0].secret).toBe('Secret:pay/other');
    // Only root reaches cluster-admin.
    expect(a.secretRanking().map((r) => r.viaClusterAdmin)).toEqual([1, 1, 1]);
  });

  it('agrees with secretReaders for every secret (ranking counts any length, readers are within 8 hops)', () => {
    for (const r of a.secretRanking()) expect(a.secretReaders(r.secret).length).toBe(r.readers);
  });

  it('never carries a secret value in any answer', () => {
    const text = JSON.stringify([a.secretRanking(), a.secretReaders('Secret:pay/stripe'), a.paths({ to: 'nodes' }), a.snapshot]);
    expect(text).not.toContain('c2VudGluZWwtdmFsdWU=');
    expect(text).not.toContain('sentinel-value');
  });
});
