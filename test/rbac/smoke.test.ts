import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { RbacIndex } from '../../src/rbac/authorizer.js';
import { resourceRequest } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';
import { snapshotFromYaml } from '../support/snapshot.js';

describe('authorizer smoke', () => {
  it('grants through a RoleBinding to a ClusterRole only in the binding namespace', () => {
    const snap = snapshotFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-secrets, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: reader}]
`);
    const idx = new RbacIndex(snap);
    const sa = identityOf('ServiceAccount:ns1/reader');
    expect(idx.authorize(sa, resourceRequest('get', '', 'secrets', { namespace: 'ns1', name: 'x' })).allowed).toBe(true);
    expect(idx.authorize(sa, resourceRequest('get', '', 'secrets', { namespace: 'ns2', name: 'x' })).allowed).toBe(false);
    expect(idx.authorize(sa, resourceRequest('get', '', 'secrets', { name: 'x' })).allowed).toBe(false);
  });
});

describe('who-can tables (built lazily or by prepareWhoCan, dropped by virtual grants)', () => {
  const snap = snapshotFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-secrets, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: reader}, {kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: Group, name: auditors}]
`);
  const list = resourceRequest('list', '', 'secrets', { namespace: 'ns1' });

  it('answers the same whether the tables are prepared first or built by the first query', () => {
    const lazy = new RbacIndex(snap);
    const prepared = new RbacIndex(snap);
    prepared.prepareWhoCan();
    expect(JSON.stringify(prepared.whoCan(list))).toBe(JSON.stringify(lazy.whoCan(list)));
    expect(JSON.stringify(prepared.whoCan(list, { allNamespaces: true }))).toBe(JSON.stringify(lazy.whoCan(list, { allNamespaces: true })));
    expect(lazy.whoCan(list).subjects.map((s) => s.subject)).toEqual(['Group:auditors', 'Group:system:masters', 'ServiceAccount:ns1/reader', 'User:bob']);
  });

  it('virtual grants (the analysis\' pseudo-identities) reach techniques through grants(), never who-can', () => {
    const idx = new RbacIndex(snap);
    const before = JSON.stringify(idx.whoCan(list));
    idx.addVirtualRole('ClusterRole:(test)', [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: [], nonResourceURLs: [] }]);
    idx.addVirtualGrant('Grant:test', 'ClusterRole:(test)', 'ns1');
    expect(idx.grants('list', '', 'secrets').map((g) => g.binding.subjects[0])).toContain('Grant:test');
    expect(JSON.stringify(idx.whoCan(list))).toBe(before);
    expect(JSON.stringify(idx.whoCan(list, { allNamespaces: true }))).toBe(JSON.stringify(new RbacIndex(snap).whoCan(list, { allNamespaces: true })));
  });

  it('the analysis\' index answers who-can as a fresh index does (cluster-admin\'s virtual grant included)', () => {
    const a = analyze(snap);
    expect(a.rbac.grants('list', '', 'secrets').some((g) => g.binding.subjects[0] === 'cluster-admin')).toBe(true);
    for (const allNamespaces of [false, true]) {
      expect(JSON.stringify(a.rbac.whoCan(list, { allNamespaces }))).toBe(JSON.stringify(new RbacIndex(snap).whoCan(list, { allNamespaces })));
    }
  });
});
