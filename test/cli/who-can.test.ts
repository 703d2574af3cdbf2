// `rbacgraph who-can` as interface.md sections 3 and 5 specify it (fixture: test/cli/fixtures/cluster.yaml).
import { describe, expect, it } from 'vitest';
import { runCli, subjectIds, whoCan } from '../support/cli.js';

const IN = ['--input', 'test/cli/fixtures/cluster.yaml'];
const MASTERS = 'Group:system:masters';

describe('who-can: the JSON answer', () => {
  it('has query, subjects (sorted by ID, with via), partial and warnings', async () => {
    const r = await whoCan(['get', 'secrets', '-n', 'ns1', ...IN]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(Object.keys(r.json)).toEqual(['query', 'subjects', 'partial', 'warnings']);
    expect(r.json.query).toEqual({ verb: 'get', resource: 'secrets', apiGroup: '', namespace: 'ns1', name: null });
    expect(r.json.subjects).toEqual([
      { subject: MASTERS, via: [{ binding: null, role: null, note: expect.any(String) }] },
      { subject: 'Group:team-a', via: [{ binding: 'RoleBinding:ns1/read-secrets', role: 'ClusterRole:secret-reader' }] },
      { subject: 'ServiceAccount:ns1/reader', via: [{ binding: 'RoleBinding:ns1/read-secrets', role: 'ClusterRole:secret-reader' }] },
      { subject: 'User:bob', via: [{ binding: 'RoleBinding:ns1/read-secrets', role: 'ClusterRole:secret-reader' }] },
      { subject: 'User:carol', via: [{ binding: 'ClusterRoleBinding:read-all-secrets', role: 'ClusterRole:secret-reader' }] },
    ]);
    expect(r.json.partial).toEqual([{ subject: 'User:dave', resourceNames: ['app-config'] }]);
    expect(r.json.warnings).toEqual([]);
  });

  it('lists subjects as the bindings name them: a Group stays a Group, a service account subject takes the binding namespace', async () => {
    const ids = subjectIds((await whoCan(['list', 'secrets', '-n', 'ns1', ...IN])).json);
    expect(ids).toContain('Group:team-a');
    expect(ids).toContain('ServiceAccount:ns1/reader');
    expect(ids).not.toContain('User:dave'); // get only, and only for a named secret
  });

  it('always lists Group:system:masters, even when nothing else is allowed', async () => {
    const r = await whoCan(['delete', 'nodes', ...IN]);
    expect(subjectIds(r.json)).toEqual([MASTERS]);
  });

  it('sorts subjects by ID with a plain code-unit comparison', async () => {
    const ids = subjectIds((await whoCan(['get', 'secrets', '-A', ...IN])).json);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('who-can: NAME', () => {
  it('a named request matches rules limited to that name, and partial disappears', async () => {
    const r = await whoCan(['get', 'secrets', 'app-config', '-n', 'ns1', ...IN]);
    expect(r.json.query.name).toBe('app-config');
    expect(subjectIds(r.json)).toContain('User:dave');
    expect(r.json.partial).toBeUndefined();
    expect(subjectIds((await whoCan(['get', 'secrets', 'other', '-n', 'ns1', ...IN])).json)).not.toContain('User:dave');
  });

  it('a create on a subresource carries the parent name (serviceaccounts/token NAME)', async () => {
    expect(subjectIds((await whoCan(['create', 'serviceaccounts/token', 'ci', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS, 'User:tina']);
    expect(subjectIds((await whoCan(['create', 'serviceaccounts/token', 'other', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS]);
    const unnamed = await whoCan(['create', 'serviceaccounts/token', '-n', 'ns2', ...IN]);
    expect(subjectIds(unnamed.json)).toEqual([MASTERS]);
    expect(unnamed.json.partial).toEqual([{ subject: 'User:tina', resourceNames: ['ci'] }]);
  });

  it('get namespaces foo is evaluated in namespace foo', async () => {
    const r = await whoCan(['get', 'namespaces', 'foo', ...IN]);
    expect(r.json.query).toMatchObject({ resource: 'namespaces', namespace: 'foo', name: 'foo' });
    expect(subjectIds(r.json)).toEqual([MASTERS, 'User:gina']);
    expect(subjectIds((await whoCan(['get', 'namespaces', 'ns1', ...IN])).json)).toEqual([MASTERS]);
    expect(subjectIds((await whoCan(['get', 'ns', 'foo', ...IN])).json)).toEqual([MASTERS, 'User:gina']);
  });

  it('-n does not change a request on namespace NAME (with a warning when it names another)', async () => {
    const same = await whoCan(['get', 'namespaces', 'foo', '-n', 'foo', ...IN]);
    expect(subjectIds(same.json)).toEqual([MASTERS, 'User:gina']);
    expect(same.json.warnings).toEqual([]);
    const other = await whoCan(['get', 'namespaces', 'foo', '-n', 'ns1', ...IN]);
    expect(other.json.query).toMatchObject({ namespace: 'foo', name: 'foo' });
    expect(subjectIds(other.json)).toEqual([MASTERS, 'User:gina']);
    expect(other.json.warnings.map((w) => w.code)).toEqual(['UNKNOWN_RESOURCE']);
  });

  it('a request on namespaces without a name (list, create) has no namespace, whatever -n says', async () => {
    for (const verb of ['get', 'list', 'create']) {
      const r = await whoCan([verb, 'namespaces', '-n', 'foo', ...IN]);
      expect(r.json.query.namespace).toBeNull();
      expect(subjectIds(r.json)).toEqual([MASTERS]);
      expect(r.json.warnings.map((w) => w.code)).toEqual(['UNKNOWN_RESOURCE']);
    }
  });
});

describe('who-can: RESOURCE forms', () => {
  it.each([
    ['pods', 'pods', ''],
    ['pods/exec', 'pods/exec', ''],
    ['deployments', 'deployments', 'apps'],
    ['deployments.apps', 'deployments', 'apps'],
    ['deployments.apps/scale', 'deployments/scale', 'apps'],
    ['deployments/scale', 'deployments/scale', 'apps'],
    ['cronjobs', 'cronjobs', 'batch'],
    ['clusterroles', 'clusterroles', 'rbac.authorization.k8s.io'],
    ['ingresses.networking.k8s.io', 'ingresses', 'networking.k8s.io'],
    ['widgets.example.com', 'widgets', 'example.com'],
  ])('%s → resource %s in group "%s"', async (arg, resource, apiGroup) => {
    const r = await whoCan(['get', arg, ...IN]);
    expect(r.json.query).toMatchObject({ resource, apiGroup });
    expect(r.json.warnings).toEqual([]);
  });

  it.each([
    ['po', 'pods', ''], ['deploy', 'deployments', 'apps'], ['svc', 'services', ''], ['sa', 'serviceaccounts', ''],
    ['cm', 'configmaps', ''], ['ns', 'namespaces', ''], ['no', 'nodes', ''], ['ds', 'daemonsets', 'apps'],
    ['sts', 'statefulsets', 'apps'], ['rs', 'replicasets', 'apps'], ['rc', 'replicationcontrollers', ''],
    ['cj', 'cronjobs', 'batch'], ['pv', 'persistentvolumes', ''], ['pvc', 'persistentvolumeclaims', ''],
    ['netpol', 'networkpolicies', 'networking.k8s.io'], ['csr', 'certificatesigningrequests', 'certificates.k8s.io'],
  ])('short name %s → %s in group "%s"', async (arg, resource, apiGroup) => {
    const r = await whoCan(['list', arg, ...IN]);
    expect(r.json.query).toMatchObject({ resource, apiGroup });
  });

  it('an unknown bare name stays in the core group, with UNKNOWN_RESOURCE', async () => {
    const r = await whoCan(['get', 'widgets', '-n', 'ns1', ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.query).toMatchObject({ resource: 'widgets', apiGroup: '' });
    expect(r.json.warnings.map((w) => w.code)).toEqual(['UNKNOWN_RESOURCE']);
    expect(r.stderr).toContain('widgets');
  });

  it('deployments is matched in apps, not in the core group', async () => {
    expect(subjectIds((await whoCan(['create', 'deployments', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS, 'ServiceAccount:ns1/builder', 'ServiceAccount:ns2/ci']);
    expect(subjectIds((await whoCan(['create', 'deployments.extensions', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS]);
    expect(subjectIds((await whoCan(['update', 'deployments.apps/scale', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS, 'ServiceAccount:ns1/builder', 'ServiceAccount:ns2/ci']);
    expect(subjectIds((await whoCan(['create', 'cj', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS, 'ServiceAccount:ns1/builder', 'ServiceAccount:ns2/ci']);
  });
});

describe('who-can: scope', () => {
  it('without -n the request is cluster-scoped: RoleBindings do not apply', async () => {
    const r = await whoCan(['get', 'secrets', ...IN]);
    expect(r.json.query.namespace).toBeNull();
    expect(subjectIds(r.json)).toEqual([MASTERS, 'User:carol']);
  });

  it('-n NS applies the RoleBindings of NS only', async () => {
    expect(subjectIds((await whoCan(['get', 'secrets', '-n', 'ns2', ...IN])).json)).toEqual([MASTERS, 'User:bob', 'User:carol']);
    expect(subjectIds((await whoCan(['get', 'secrets', '--namespace', 'foo', ...IN])).json)).toEqual([MASTERS, 'User:carol']);
  });

  it('-A gives each subject its namespaces, ["*"] when granted cluster-wide', async () => {
    const r = await whoCan(['get', 'secrets', '-A', ...IN]);
    expect(r.json.query.namespace).toBe('*');
    expect(r.json.subjects.map((s) => [s.subject, s.namespaces])).toEqual([
      [MASTERS, ['*']],
      ['Group:team-a', ['ns1']],
      ['ServiceAccount:ns1/reader', ['ns1']],
      ['User:bob', ['ns1', 'ns2']],
      ['User:carol', ['*']],
    ]);
    expect(r.json.subjects.find((s) => s.subject === 'User:bob')!.via.map((v) => v.binding)).toEqual(['RoleBinding:ns1/read-secrets', 'RoleBinding:ns2/read-secrets']);
    expect((await whoCan(['get', 'secrets', '--all-namespaces', ...IN])).stdout).toBe(r.stdout);
  });

  it('-A on a cluster-scoped resource counts no RoleBinding', async () => {
    const r = await whoCan(['get', 'nodes', '-A', ...IN]);
    expect(subjectIds(r.json)).toEqual([MASTERS, 'Group:system:nodes']);
  });

  it('-n on a cluster-scoped resource is ignored with a warning', async () => {
    const r = await whoCan(['list', 'nodes', '-n', 'ns1', ...IN]);
    expect(r.json.query.namespace).toBeNull();
    expect(subjectIds(r.json)).toEqual([MASTERS, 'Group:system:nodes']);
    expect(r.json.warnings).toHaveLength(1);
  });
});

describe('who-can: --non-resource-url', () => {
  it('matches exact URLs and trailing-* prefixes, through ClusterRoleBindings only', async () => {
    const r = await whoCan(['get', '--non-resource-url', '/metrics', ...IN]);
    expect(r.json.query).toEqual({ verb: 'get', nonResourceURL: '/metrics' });
    expect(subjectIds(r.json)).toEqual(['Group:monitoring', MASTERS]);
    expect(r.json.partial).toBeUndefined();
    expect(subjectIds((await whoCan(['get', '--non-resource-url', '/logs/kube-apiserver.log', ...IN])).json)).toEqual(['Group:monitoring', MASTERS]);
    expect(subjectIds((await whoCan(['get', '--non-resource-url', '/logs', ...IN])).json)).toEqual([MASTERS]);
    expect(subjectIds((await whoCan(['get', '--non-resource-url', '/version', ...IN])).json)).toEqual(['Group:system:authenticated', MASTERS]);
    expect(subjectIds((await whoCan(['post', '--non-resource-url', '/metrics', ...IN])).json)).toEqual([MASTERS]);
  });
});

describe('who-can: pods/exec and the cluster version', () => {
  it('before 1.35 (or unknown) a get on pods/exec counts for create', async () => {
    const r = await whoCan(['create', 'pods/exec', '-n', 'ns1', ...IN]);
    expect(r.json.subjects.map((s) => [s.subject, s.via.map((v) => v.verb ?? 'create')])).toEqual([
      [MASTERS, ['create']],
      ['User:erin', ['create']],
      ['User:frank', ['get']],
    ]);
    expect(subjectIds((await whoCan(['create', 'pods/exec', '-n', 'ns1', '--kubernetes-version', '1.34', ...IN])).json)).toContain('User:frank');
  });

  it.each(['1.35', 'v1.35.0', '1.36'])('from %s on it does not', async (v) => {
    expect(subjectIds((await whoCan(['create', 'pods/exec', '-n', 'ns1', '--kubernetes-version', v, ...IN])).json)).toEqual([MASTERS, 'User:erin']);
  });
});

describe('who-can: table and markdown', () => {
  it('the default output is a table, also when stdout is not a terminal', async () => {
    const r = await runCli(['who-can', 'get', 'secrets', '-n', 'ns1', ...IN]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^SUBJECT\s+BINDING\s+ROLE$/);
    expect(lines[1]).toMatch(/^Group:system:masters\s+\(always allowed\)/);
    expect(lines[2]).toMatch(/^Group:team-a\s+RoleBinding:ns1\/read-secrets\s+ClusterRole:secret-reader$/);
    expect(r.stdout).toContain('User:dave  app-config');
    expect((await runCli(['who-can', 'get', 'secrets', '-n', 'ns1', ...IN], { isTTY: true })).stdout).toBe(r.stdout);
    expect((await runCli(['who-can', 'get', 'secrets', '-n', 'ns1', '-o', 'table', ...IN])).stdout).toBe(r.stdout);
  });

  it('-A adds a NAMESPACES column', async () => {
    const r = await runCli(['who-can', 'get', 'secrets', '-A', ...IN]);
    expect(r.stdout.split('\n')[0]).toMatch(/^SUBJECT\s+NAMESPACES\s+BINDING\s+ROLE$/);
    expect(r.stdout).toMatch(/User:bob\s+ns1,ns2\s+RoleBinding:ns1\/read-secrets/);
  });

  it('markdown is a Markdown table', async () => {
    const r = await runCli(['who-can', 'get', 'secrets', '-n', 'ns1', '-o', 'markdown', ...IN]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('| SUBJECT | BINDING | ROLE |');
    expect(lines[1]).toBe('|---|---|---|');
    expect(lines).toContain('| User:carol | ClusterRoleBinding:read-all-secrets | ClusterRole:secret-reader |');
    expect(lines).toContain('| User:dave | app-config |');
  });
});
