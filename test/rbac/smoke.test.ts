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
