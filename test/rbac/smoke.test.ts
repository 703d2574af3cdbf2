import { describe, expect, it } from 'vitest';
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

  it('a virtual grant added after a query shows in the next answer', () => {
    const idx = new RbacIndex(snap);
    idx.prepareWhoCan();
    expect(idx.whoCan(list).subjects.map((s) => s.subject)).not.toContain('Grant:test');
    idx.addVirtualRole('ClusterRole:(test)', [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: [], nonResourceURLs: [] }]);
    idx.addVirtualGrant('Grant:test', 'ClusterRole:(test)', 'ns1');
    expect(idx.whoCan(list).subjects.map((s) => s.subject)).toContain('Grant:test');
    expect(idx.whoCan(resourceRequest('list', '', 'secrets', { namespace: 'ns2' })).subjects.map((s) => s.subject)).toEqual(['Group:auditors', 'Group:system:masters']);
  });
});
