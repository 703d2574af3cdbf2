// The real Kubernetes bootstrap policy (fixtures/upstream/kubernetes-bootstrap-policy): answers worked out by reading its YAML.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestPaths, ManifestReader } from '../../src/ingest/files.js';
import { RbacIndex, type WhoCanResult } from '../../src/rbac/authorizer.js';
import { impersonate } from '../../src/rbac/impersonation.js';
import { nonResourceRequest, resourceRequest, type RequestAttributes } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';
import { roleBinding, type Obj } from './helpers.js';

const DIR = 'fixtures/upstream/kubernetes-bootstrap-policy';
const loaded = ingestPaths([DIR]);
const index = new RbacIndex(loaded.snapshot);
/** The same policy on a 1.35 cluster, where a `get` on pods/exec no longer opens a session. */
const index135 = new RbacIndex(loaded.snapshot, { kubernetesVersion: 'v1.35.0' });

/** The bootstrap policy plus extra objects (e.g. a RoleBinding to `edit`), read through the real ingest. */
function bootstrapWith(extra: Obj[], kubernetesVersion: string | null = null): RbacIndex {
  const reader = new ManifestReader();
  for (const f of readdirSync(DIR).sort()) reader.readFile(join(DIR, f));
  reader.readText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: extra }), 'extra.json');
  return new RbacIndex(reader.finish().snapshot, { kubernetesVersion });
}

const subjects = (r: WhoCanResult): string[] => r.subjects.map((s) => s.subject);
const ctrl = (name: string): string => `ServiceAccount:kube-system/${name}`;
const can = (i: RbacIndex, id: string, req: RequestAttributes): boolean => i.authorize(identityOf(id), req).allowed;

describe('bootstrap policy: the input', () => {
  it('reads every file without a warning, and every binding resolves (no ROLE_NOT_FOUND, no INVALID_BINDING)', () => {
    expect(loaded.warnings).toEqual([]);
    expect(index.warnings).toEqual([]);
    expect(loaded.snapshot.roles.filter((r) => r.kind === 'ClusterRole')).toHaveLength(72);
    expect(loaded.snapshot.roles.filter((r) => r.kind === 'Role')).toHaveLength(7);
    expect(loaded.snapshot.bindings).toHaveLength(57);
  });
});

describe('bootstrap policy: who-can, exact subject lists', () => {
  it('list secrets cluster-wide: system:masters, four `*` controllers and the controller-manager user', () => {
    // cluster-admin (*); kube-controller-manager (list,watch */*); generic-garbage-collector, namespace-controller,
    // resourcequota-controller, storage-version-migrator-controller (list on */*). system:node lists secrets but
    // its ClusterRoleBinding has no subjects; edit/admin hold secrets but nothing binds them.
    const r = index.whoCan(resourceRequest('list', '', 'secrets'));
    expect(subjects(r)).toEqual([
      'Group:system:masters',
      ctrl('generic-garbage-collector'),
      ctrl('namespace-controller'),
      ctrl('resourcequota-controller'),
      ctrl('storage-version-migrator-controller'),
      'User:system:kube-controller-manager',
    ]);
    expect(r.partial).toEqual([]);
    expect(r.subjects.find((s) => s.subject === 'User:system:kube-controller-manager')!.via).toEqual([
      { binding: 'ClusterRoleBinding:system:kube-controller-manager', role: 'ClusterRole:system:kube-controller-manager', rule: 9 },
    ]);
  });

  it('list secrets in any namespace (-A) adds the kube-system RoleBindings of bootstrap-signer and token-cleaner', () => {
    const r = index.whoCan(resourceRequest('list', '', 'secrets'), { allNamespaces: true });
    expect(r.subjects.map((s) => [s.subject, s.namespaces])).toEqual([
      ['Group:system:masters', ['*']],
      [ctrl('bootstrap-signer'), ['kube-system']],
      [ctrl('generic-garbage-collector'), ['*']],
      [ctrl('namespace-controller'), ['*']],
      [ctrl('resourcequota-controller'), ['*']],
      [ctrl('storage-version-migrator-controller'), ['*']],
      [ctrl('token-cleaner'), ['kube-system']],
      ['User:system:kube-controller-manager', ['*']],
    ]);
  });

  it('create pods/exec in kube-system: before 1.35 the `get` of `*` controllers counts; from 1.35 only system:masters', () => {
    const req = resourceRequest('create', '', 'pods', { subresource: 'exec', name: 'etcd-0', namespace: 'kube-system' });
    const old = index.whoCan(req);
    expect(subjects(old)).toEqual(['Group:system:masters', ctrl('generic-garbage-collector'), ctrl('namespace-controller')]);
    expect(old.subjects[1].via.map((v) => v.verb)).toEqual(['get']);
    expect(subjects(index135.whoCan(req))).toEqual(['Group:system:masters']);
  });

  it('get the non-resource URL /version: system:authenticated, system:unauthenticated, system:masters', () => {
    const r = index.whoCan(nonResourceRequest('get', '/version'));
    expect(subjects(r)).toEqual(['Group:system:authenticated', 'Group:system:masters', 'Group:system:unauthenticated']);
    expect(r.subjects[0].via.map((v) => v.role)).toEqual(['ClusterRole:system:discovery', 'ClusterRole:system:public-info-viewer']);
  });

  it('get /metrics: only system:masters (system:monitoring is unbound in this policy version)', () => {
    expect(subjects(index.whoCan(nonResourceRequest('get', '/metrics')))).toEqual(['Group:system:masters']);
  });

  it('get /healthz/etcd: only system:masters (system:discovery lists /healthz exactly, not /healthz/*)', () => {
    expect(subjects(index.whoCan(nonResourceRequest('get', '/healthz/etcd')))).toEqual(['Group:system:masters']);
  });

  it('list configmaps in kube-system: cloud-provider by RoleBinding, kube-scheduler only for one named configmap', () => {
    const r = index.whoCan(resourceRequest('list', '', 'configmaps', { namespace: 'kube-system' }));
    expect(subjects(r)).toEqual([
      'Group:system:masters',
      ctrl('cloud-provider'),
      ctrl('generic-garbage-collector'),
      ctrl('namespace-controller'),
      ctrl('resourcequota-controller'),
      ctrl('storage-version-migrator-controller'),
      'User:system:kube-controller-manager',
    ]);
    expect(r.partial).toEqual([{ subject: 'User:system:kube-scheduler', resourceNames: ['extension-apiserver-authentication'] }]);
  });

  it('delete namespace foo: system:masters, generic-garbage-collector, namespace-controller', () => {
    expect(subjects(index.whoCan(resourceRequest('delete', '', 'namespaces', { name: 'foo' })))).toEqual([
      'Group:system:masters', ctrl('generic-garbage-collector'), ctrl('namespace-controller'),
    ]);
  });

  it('escalate clusterroles: system:masters and the clusterrole-aggregation-controller', () => {
    expect(subjects(index.whoCan(resourceRequest('escalate', 'rbac.authorization.k8s.io', 'clusterroles', { name: 'admin' })))).toEqual([
      'Group:system:masters', ctrl('clusterrole-aggregation-controller'),
    ]);
  });

  it('impersonate users: only system:masters (edit holds impersonate on serviceaccounts only, and is unbound)', () => {
    expect(subjects(index.whoCan(resourceRequest('impersonate', '', 'users', { name: 'admin' })))).toEqual(['Group:system:masters']);
  });

  it('approve signers: the certificate-controller only for kubernetes.io/kube-apiserver-client-kubelet', () => {
    const anyName = index.whoCan(resourceRequest('approve', 'certificates.k8s.io', 'signers'));
    expect(subjects(anyName)).toEqual(['Group:system:masters']);
    expect(anyName.partial).toEqual([{ subject: ctrl('certificate-controller'), resourceNames: ['kubernetes.io/kube-apiserver-client-kubelet'] }]);
    expect(subjects(index.whoCan(resourceRequest('approve', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kube-apiserver-client-kubelet' })))).toEqual([
      'Group:system:masters', ctrl('certificate-controller'),
    ]);
    expect(subjects(index.whoCan(resourceRequest('approve', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kube-apiserver-client' })))).toEqual(['Group:system:masters']);
  });

  it('create serviceaccounts/token in any namespace: system:masters and the controller-manager user', () => {
    const r = index.whoCan(resourceRequest('create', '', 'serviceaccounts', { subresource: 'token', name: 'default' }), { allNamespaces: true });
    expect(r.subjects.map((s) => [s.subject, s.namespaces])).toEqual([['Group:system:masters', ['*']], ['User:system:kube-controller-manager', ['*']]]);
  });

  it('get nodes/proxy: system:masters and the two controllers with get on `*` (kubelet-api-admin is unbound)', () => {
    expect(subjects(index.whoCan(resourceRequest('get', '', 'nodes', { subresource: 'proxy', name: 'n1' })))).toEqual([
      'Group:system:masters', ctrl('generic-garbage-collector'), ctrl('namespace-controller'),
    ]);
  });

  it('get nodes: Group:system:nodes is not listed (system:node is bound to no subject; the Node authorizer grants nodes)', () => {
    const s = subjects(index.whoCan(resourceRequest('get', '', 'nodes', { name: 'n1' })));
    expect(s).not.toContain('Group:system:nodes');
    expect(s).toContain('User:system:kube-scheduler');
    expect(s).toContain('User:system:kube-proxy');
  });
});

describe('bootstrap policy: can-i, single decisions', () => {
  it.each([
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/version'), want: true },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/version/'), want: true },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/api'), want: true },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/apis/apps/v1'), want: true },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/openapi/v3/apis/apps/v1'), want: true },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/version/extra'), want: false },
    { id: 'Group:system:authenticated', req: nonResourceRequest('post', '/version'), want: false },
    { id: 'Group:system:authenticated', req: nonResourceRequest('get', '/logs'), want: false },
    { id: 'Group:system:authenticated', req: resourceRequest('create', 'authorization.k8s.io', 'selfsubjectaccessreviews'), want: true },
    { id: 'User:alice', req: resourceRequest('create', 'authentication.k8s.io', 'selfsubjectreviews'), want: true },
    { id: 'User:alice', req: resourceRequest('list', '', 'pods', { namespace: 'default' }), want: false },
    { id: 'User:system:anonymous', req: resourceRequest('list', '', 'pods'), want: false },
    { id: 'User:system:anonymous', req: resourceRequest('list', '', 'pods', { namespace: 'default' }), want: false },
    { id: 'User:system:anonymous', req: nonResourceRequest('get', '/version'), want: true },
    { id: 'User:system:anonymous', req: nonResourceRequest('get', '/healthz'), want: true },
    { id: 'User:system:anonymous', req: nonResourceRequest('get', '/api'), want: false },
    { id: 'User:system:anonymous', req: resourceRequest('create', 'authorization.k8s.io', 'selfsubjectaccessreviews'), want: false },
    { id: 'Node:worker-1', req: resourceRequest('list', '', 'secrets'), want: false },
    { id: 'Node:worker-1', req: resourceRequest('get', '', 'nodes', { name: 'worker-1' }), want: false },
    { id: 'Node:worker-1', req: nonResourceRequest('get', '/healthz'), want: true },
    { id: 'ServiceAccount:kube-system/kube-dns', req: resourceRequest('list', '', 'services'), want: true },
    { id: 'ServiceAccount:kube-system/kube-dns', req: resourceRequest('watch', '', 'endpoints'), want: true },
    { id: 'ServiceAccount:kube-system/kube-dns', req: resourceRequest('get', '', 'services', { namespace: 'default', name: 'kubernetes' }), want: false },
    { id: 'ServiceAccount:kube-system/default', req: resourceRequest('list', '', 'services'), want: false },
    { id: 'User:system:kube-scheduler', req: resourceRequest('create', '', 'pods', { subresource: 'binding', name: 'web', namespace: 'default' }), want: true },
    { id: 'User:system:kube-scheduler', req: resourceRequest('get', '', 'configmaps', { namespace: 'kube-system', name: 'extension-apiserver-authentication' }), want: true },
    { id: 'User:system:kube-scheduler', req: resourceRequest('get', '', 'configmaps', { namespace: 'kube-system', name: 'kubeadm-config' }), want: false },
    { id: 'User:system:kube-scheduler', req: resourceRequest('get', '', 'configmaps', { namespace: 'default', name: 'extension-apiserver-authentication' }), want: false },
    { id: 'User:system:kube-scheduler', req: resourceRequest('update', 'coordination.k8s.io', 'leases', { namespace: 'default', name: 'kube-scheduler' }), want: true },
    { id: 'User:system:kube-scheduler', req: resourceRequest('update', 'coordination.k8s.io', 'leases', { namespace: 'default', name: 'other' }), want: false },
    { id: 'User:system:kube-scheduler', req: resourceRequest('update', 'coordination.k8s.io', 'leases', { namespace: 'kube-system', name: 'other' }), want: true },
    { id: 'User:system:kube-scheduler', req: resourceRequest('list', '', 'secrets'), want: false },
    { id: 'User:system:kube-proxy', req: resourceRequest('list', 'discovery.k8s.io', 'endpointslices'), want: true },
    { id: 'User:system:kube-proxy', req: resourceRequest('list', '', 'endpointslices'), want: false },
    { id: 'User:system:kube-controller-manager', req: resourceRequest('get', '', 'secrets', { namespace: 'prod', name: 'db' }), want: true },
    { id: 'User:system:kube-controller-manager', req: resourceRequest('patch', '', 'secrets', { namespace: 'prod', name: 'db' }), want: false },
    { id: ctrl('legacy-service-account-token-cleaner'), req: resourceRequest('patch', '', 'secrets', { namespace: 'prod', name: 'db' }), want: true },
    { id: ctrl('legacy-service-account-token-cleaner'), req: resourceRequest('get', '', 'secrets', { namespace: 'prod', name: 'db' }), want: false },
    { id: ctrl('legacy-service-account-token-cleaner'), req: resourceRequest('get', '', 'configmaps', { namespace: 'kube-system', name: 'kube-apiserver-legacy-service-account-token-tracking' }), want: true },
    { id: ctrl('legacy-service-account-token-cleaner'), req: resourceRequest('get', '', 'configmaps', { namespace: 'kube-system', name: 'other' }), want: false },
    { id: ctrl('certificate-controller'), req: resourceRequest('sign', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kube-apiserver-client' }), want: true },
    { id: ctrl('certificate-controller'), req: resourceRequest('approve', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kube-apiserver-client' }), want: false },
    { id: ctrl('certificate-controller'), req: resourceRequest('update', 'certificates.k8s.io', 'certificatesigningrequests', { subresource: 'approval', name: 'csr-1' }), want: true },
    { id: ctrl('disruption-controller'), req: resourceRequest('get', 'apps', 'deployments', { subresource: 'scale', namespace: 'prod', name: 'web' }), want: true },
    { id: ctrl('disruption-controller'), req: resourceRequest('update', 'apps', 'deployments', { subresource: 'scale', namespace: 'prod', name: 'web' }), want: false },
    { id: ctrl('horizontal-pod-autoscaler'), req: resourceRequest('update', 'example.com', 'widgets', { subresource: 'scale', namespace: 'prod', name: 'w' }), want: true },
    { id: ctrl('horizontal-pod-autoscaler'), req: resourceRequest('update', 'apps', 'deployments', { namespace: 'prod', name: 'web' }), want: false },
    { id: ctrl('namespace-controller'), req: resourceRequest('deletecollection', 'apps', 'deployments', { namespace: 'prod' }), want: true },
    { id: ctrl('namespace-controller'), req: resourceRequest('create', '', 'pods', { namespace: 'prod' }), want: false },
    { id: ctrl('clusterrole-aggregation-controller'), req: resourceRequest('escalate', 'rbac.authorization.k8s.io', 'clusterroles', { name: 'admin' }), want: true },
    { id: ctrl('clusterrole-aggregation-controller'), req: resourceRequest('bind', 'rbac.authorization.k8s.io', 'clusterroles', { name: 'admin' }), want: false },
    { id: ctrl('bootstrap-signer'), req: resourceRequest('get', '', 'secrets', { namespace: 'kube-system', name: 'bootstrap-token-abc' }), want: true },
    { id: ctrl('bootstrap-signer'), req: resourceRequest('get', '', 'secrets', { namespace: 'kube-public', name: 'bootstrap-token-abc' }), want: false },
    { id: ctrl('bootstrap-signer'), req: resourceRequest('update', '', 'configmaps', { namespace: 'kube-public', name: 'cluster-info' }), want: true },
    { id: ctrl('bootstrap-signer'), req: resourceRequest('update', '', 'configmaps', { namespace: 'kube-public', name: 'other' }), want: false },
  ].map((c) => ({ ...c, what: c.req.kind === 'resource' ? `${c.req.verb} ${c.req.apiGroup ? `${c.req.resource}.${c.req.apiGroup}` : c.req.resource}${c.req.subresource ? `/${c.req.subresource}` : ''} ${c.req.name ?? ''} -n ${c.req.namespace ?? '(none)'}` : `${c.req.verb} ${c.req.path}` })))(
    '$id: $what → $want',
    ({ id, req, want }) => {
      expect(can(index, id, req)).toBe(want);
    },
  );

  it('cluster-admin: system:masters is, the `*`-controllers and the controller-manager are not', () => {
    expect(index.isClusterAdmin(identityOf('Group:system:masters'))).toBe(true);
    expect(index.isClusterAdmin(identityOf(ctrl('generic-garbage-collector')))).toBe(false);
    expect(index.isClusterAdmin(identityOf(ctrl('namespace-controller')))).toBe(false);
    expect(index.isClusterAdmin(identityOf('User:system:kube-controller-manager'))).toBe(false);
  });
});

describe('bootstrap policy: the aggregated admin, edit and view roles', () => {
  const rules = (name: string) => index.rulesOf(`ClusterRole:${name}`)!;

  it('are written with `rules: null` and get their rules from aggregation', () => {
    for (const name of ['admin', 'edit', 'view']) {
      expect(loaded.snapshot.roles.find((r) => r.id === `ClusterRole:${name}`)!.rules).toEqual([]);
    }
  });

  it('view = the rules of system:aggregate-to-view (the only ClusterRole labelled aggregate-to-view)', () => {
    expect(rules('view')).toEqual(rules('system:aggregate-to-view'));
    expect(rules('view')).toHaveLength(12);
  });

  it('edit = system:aggregate-to-edit then view (sorted by name), 15 + 12 rules', () => {
    expect(rules('edit')).toEqual([...rules('system:aggregate-to-edit'), ...rules('view')]);
    expect(rules('edit')).toHaveLength(27);
  });

  it('admin = edit then system:aggregate-to-admin, 27 + 2 rules', () => {
    expect(rules('admin')).toEqual([...rules('edit'), ...rules('system:aggregate-to-admin')]);
    expect(rules('admin')).toHaveLength(29);
  });

  // A RoleBinding to each role in namespace `team`, on a 1.35 cluster so that exec needs `create` itself.
  const team = bootstrapWith([
    roleBinding('team', 'edit', 'ClusterRole', ['ServiceAccount:team/ci'], 'ci-edit'),
    roleBinding('team', 'view', 'ClusterRole', ['User:viewer'], 'viewer-view'),
    roleBinding('team', 'admin', 'ClusterRole', ['User:owner'], 'owner-admin'),
  ], 'v1.35.0');

  it.each([
    // edit: secrets read and write, exec/attach, workloads, impersonate SAs, SA tokens
    { id: 'ServiceAccount:team/ci', req: resourceRequest('get', '', 'secrets', { namespace: 'team', name: 'db' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('list', '', 'secrets', { namespace: 'team' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', '', 'secrets', { namespace: 'team' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('update', '', 'secrets', { namespace: 'team', name: 'db' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('patch', '', 'secrets', { namespace: 'team', name: 'db' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('delete', '', 'secrets', { namespace: 'team', name: 'db' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', '', 'pods', { subresource: 'exec', namespace: 'team', name: 'web' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', '', 'pods', { subresource: 'attach', namespace: 'team', name: 'web' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('impersonate', '', 'serviceaccounts', { namespace: 'team', name: 'deployer' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', '', 'serviceaccounts', { subresource: 'token', namespace: 'team', name: 'deployer' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', 'apps', 'deployments', { namespace: 'team' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('update', 'apps', 'deployments', { namespace: 'team', name: 'web' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('patch', 'apps', 'daemonsets', { namespace: 'team', name: 'agent' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', 'batch', 'cronjobs', { namespace: 'team' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('get', '', 'pods', { subresource: 'log', namespace: 'team', name: 'web' }), want: true },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('create', 'rbac.authorization.k8s.io', 'rolebindings', { namespace: 'team' }), want: false },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('get', '', 'secrets', { namespace: 'other', name: 'db' }), want: false },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('impersonate', '', 'serviceaccounts', { namespace: 'other', name: 'deployer' }), want: false },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('impersonate', '', 'users', { name: 'admin' }), want: false },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('list', '', 'nodes'), want: false },
    { id: 'ServiceAccount:team/ci', req: resourceRequest('update', '', 'namespaces', { name: 'team' }), want: false },
    // view: reads but no secrets, no exec
    { id: 'User:viewer', req: resourceRequest('get', '', 'pods', { namespace: 'team', name: 'web' }), want: true },
    { id: 'User:viewer', req: resourceRequest('get', '', 'pods', { subresource: 'log', namespace: 'team', name: 'web' }), want: true },
    { id: 'User:viewer', req: resourceRequest('get', '', 'namespaces', { name: 'team' }), want: true },
    { id: 'User:viewer', req: resourceRequest('get', '', 'namespaces', { name: 'other' }), want: false },
    { id: 'User:viewer', req: resourceRequest('get', '', 'secrets', { namespace: 'team', name: 'db' }), want: false },
    { id: 'User:viewer', req: resourceRequest('list', '', 'secrets', { namespace: 'team' }), want: false },
    { id: 'User:viewer', req: resourceRequest('create', '', 'pods', { subresource: 'exec', namespace: 'team', name: 'web' }), want: false },
    { id: 'User:viewer', req: resourceRequest('update', 'apps', 'deployments', { namespace: 'team', name: 'web' }), want: false },
    // admin: edit plus roles and rolebindings, but neither escalate nor bind
    { id: 'User:owner', req: resourceRequest('create', 'rbac.authorization.k8s.io', 'rolebindings', { namespace: 'team' }), want: true },
    { id: 'User:owner', req: resourceRequest('update', 'rbac.authorization.k8s.io', 'roles', { namespace: 'team', name: 'r' }), want: true },
    { id: 'User:owner', req: resourceRequest('create', 'authorization.k8s.io', 'localsubjectaccessreviews', { namespace: 'team' }), want: true },
    { id: 'User:owner', req: resourceRequest('get', '', 'secrets', { namespace: 'team', name: 'db' }), want: true },
    { id: 'User:owner', req: resourceRequest('escalate', 'rbac.authorization.k8s.io', 'roles', { namespace: 'team', name: 'r' }), want: false },
    { id: 'User:owner', req: resourceRequest('bind', 'rbac.authorization.k8s.io', 'clusterroles', { namespace: 'team', name: 'cluster-admin' }), want: false },
    { id: 'User:owner', req: resourceRequest('create', 'rbac.authorization.k8s.io', 'clusterrolebindings'), want: false },
  ].map((c) => ({ ...c, what: `${c.req.verb} ${c.req.apiGroup ? `${c.req.resource}.${c.req.apiGroup}` : c.req.resource}${c.req.subresource ? `/${c.req.subresource}` : ''} -n ${c.req.namespace ?? '(none)'}` })))(
    'RoleBinding in team: $id $what → $want',
    ({ id, req, want }) => {
      expect(can(team, id, req)).toBe(want);
    },
  );

  it('a RoleBinding to edit can become every service account of its namespace (impersonation passes), and only there', () => {
    const ci = identityOf('ServiceAccount:team/ci');
    for (const target of ['system:serviceaccount:team:deployer', 'system:serviceaccount:team:default']) {
      const out = impersonate({ user: target });
      expect(out.ok && out.checks.every((c) => team.authorize(ci, c).allowed)).toBe(true);
    }
    const other = impersonate({ user: 'system:serviceaccount:kube-system:default' });
    expect(other.checks.every((c) => team.authorize(ci, c).allowed)).toBe(false);
    expect(subjects(team.whoCan(resourceRequest('impersonate', '', 'serviceaccounts', { namespace: 'team', name: 'deployer' })))).toEqual([
      'Group:system:masters', 'ServiceAccount:team/ci', 'User:owner',
    ]);
  });
});
