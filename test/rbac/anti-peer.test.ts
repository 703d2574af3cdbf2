// One test (or more) per bullet of rbac-semantics.md that fails if implemented the way another tool does it (peers.md).
import { describe, expect, it } from 'vitest';
import { covers } from '../../src/rbac/covers.js';
import { impersonate } from '../../src/rbac/impersonation.js';
import { nonResourceRequest, requestForHttp, resourceRequest } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';
import { clusterRole, clusterRoleBinding, codes, load, policyRule, role, roleBinding, rule, type Obj } from './helpers.js';

const who = (l: ReturnType<typeof load>, req: Parameters<ReturnType<typeof load>['index']['whoCan']>[0], allNamespaces = false): string[] =>
  l.index.whoCan(req, { allNamespaces }).subjects.map((s) => s.subject);
const can = (l: ReturnType<typeof load>, id: string, req: Parameters<ReturnType<typeof load>['index']['authorize']>[1]): boolean =>
  l.index.authorize(identityOf(id), req).allowed;
/** One ClusterRole with the given rules, bound cluster-wide to `User:<name>`. */
const grant = (name: string, ...rules: Obj[]): Obj[] => [clusterRole(name, rules), clusterRoleBinding(name, [`User:${name}`], { name })];

describe('rbac-semantics.md "Rule matching"', () => {
  describe('verbs: exact, case-sensitive; `*` matches every verb, including bind, escalate, impersonate, approve, sign', () => {
    const l = load([
      ...grant('upper', rule({ verbs: ['GET'], apiGroups: [''], resources: ['pods'] })),
      ...grant('star', rule({ verbs: ['*'], apiGroups: ['*'], resources: ['clusterroles', 'users', 'signers'] })),
      ...grant('crud', rule({ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: ['*'], resources: ['clusterroles', 'users', 'signers'] })),
    ]);
    it('verbs are case-sensitive: GET in a rule does not allow get (guards against case-folding verbs)', () => {
      expect(can(l, 'User:upper', resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' }))).toBe(false);
    });
    it.each([
      ['bind', 'rbac.authorization.k8s.io', 'clusterroles'],
      ['escalate', 'rbac.authorization.k8s.io', 'clusterroles'],
      ['impersonate', '', 'users'],
      ['approve', 'certificates.k8s.io', 'signers'],
      ['sign', 'certificates.k8s.io', 'signers'],
    ])('`*` allows %s (guards against reading `*` as the CRUD verbs only)', (verb, group, resource) => {
      const s = who(l, resourceRequest(verb, group, resource, { name: 'x' }));
      expect(s).toContain('User:star');
      expect(s).not.toContain('User:crud');
    });
  });

  describe('apiGroups: exact; "" is the core group only; `*` is every group', () => {
    const l = load([
      ...grant('core-spelled-core', rule({ verbs: ['create'], apiGroups: ['core'], resources: ['pods'] })),
      ...grant('core', rule({ verbs: ['create'], apiGroups: [''], resources: ['pods', 'deployments'] })),
      ...grant('apps', rule({ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] })),
      ...grant('any', rule({ verbs: ['create'], apiGroups: ['*'], resources: ['deployments'] })),
    ]);
    it('apiGroups ["core"] grants nothing on core pods (guards against rbac-tool rewriting "" to "core")', () => {
      expect(who(l, resourceRequest('create', '', 'pods', { namespace: 'x' }))).toEqual(['Group:system:masters', 'User:core']);
    });
    it('apiGroups ["apps"] grants create deployments.apps (guards against KubeHound matching only "" and "*")', () => {
      expect(who(l, resourceRequest('create', 'apps', 'deployments', { namespace: 'x' }))).toEqual(['Group:system:masters', 'User:any', 'User:apps']);
    });
    it('apiGroups [""] does not grant deployments in apps (guards against ignoring the group)', () => {
      expect(can(l, 'User:core', resourceRequest('create', 'apps', 'deployments', { namespace: 'x' }))).toBe(false);
    });
  });

  describe('resources: `*`, the exact string, and `*/<sub>`; `pods/*` and `*/*` are literal; `pods` does not match `pods/log`', () => {
    const exec = resourceRequest('create', '', 'pods', { subresource: 'exec', namespace: 'x', name: 'web' });
    const l = load([
      ...grant('pods-slash-star', rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] })),
      ...grant('star-slash-star', rule({ verbs: ['create'], apiGroups: [''], resources: ['*/*'] })),
      ...grant('glob', rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/e*', 'p*', 'pods/exe?'] })),
      ...grant('pods', rule({ verbs: ['create', 'get'], apiGroups: [''], resources: ['pods'] })),
      ...grant('any-exec', rule({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] })),
      ...grant('star', rule({ verbs: ['create'], apiGroups: [''], resources: ['*'] })),
    ], { kubernetesVersion: '1.35.0' });
    it('create pods/exec: `*/exec` and `*` grant it; `pods/*`, `*/*`, globs and `pods` do not (guards against KubeHound/IceKube wildcards, fnmatch, and kubectl-who-can lacking `*/sub`)', () => {
      expect(who(l, exec)).toEqual(['Group:system:masters', 'User:any-exec', 'User:star']);
    });
    it('`pods/*` does not even grant pods itself (a literal string)', () => {
      expect(can(l, 'User:pods-slash-star', resourceRequest('create', '', 'pods', { namespace: 'x' }))).toBe(false);
    });
    it('`p*` does not grant pods (guards against fnmatch on resource names)', () => {
      expect(can(l, 'User:glob', resourceRequest('create', '', 'pods', { namespace: 'x' }))).toBe(false);
    });
    it('`pods` does not grant pods/log (guards against prefix matching of subresources)', () => {
      expect(can(l, 'User:pods', resourceRequest('get', '', 'pods', { subresource: 'log', namespace: 'x', name: 'web' }))).toBe(false);
    });
    it('covers agrees: `pods/*` does not cover pods/exec, `*/exec` does', () => {
      const atom = policyRule({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] });
      expect(covers([policyRule({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] })], [atom]).covers).toBe(false);
      expect(covers([policyRule({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] })], [atom]).covers).toBe(true);
    });
  });

  describe('resourceNames: empty means any name; otherwise listed; a request without a name never matches a rule that lists names', () => {
    const l = load([
      ...grant('named', rule({ verbs: ['get', 'list', 'create', 'deletecollection', 'update'], apiGroups: [''], resources: ['secrets', 'pods'], resourceNames: ['app-config'] })),
      ...grant('all', rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] })),
    ]);
    it('a rule for secret app-config does not allow reading secret db (guards against KubeHound/rbac-police ignoring resourceNames)', () => {
      expect(can(l, 'User:named', resourceRequest('get', '', 'secrets', { namespace: 'x', name: 'db' }))).toBe(false);
      expect(can(l, 'User:named', resourceRequest('get', '', 'secrets', { namespace: 'x', name: 'app-config' }))).toBe(true);
      expect(who(l, resourceRequest('get', '', 'secrets', { namespace: 'x', name: 'db' }))).toEqual(['Group:system:masters', 'User:all']);
    });
    it.each([
      ['list (no name selector)', resourceRequest('list', '', 'secrets', { namespace: 'x' })],
      ['create (a collection POST has no name)', resourceRequest('create', '', 'pods', { namespace: 'x' })],
      ['deletecollection', resourceRequest('deletecollection', '', 'secrets', { namespace: 'x' })],
    ])('%s never matches a rule that lists names', (_what, req) => {
      expect(can(l, 'User:named', req)).toBe(false);
    });
    it('who-can list secrets reports the named-only holder as partial, not as a subject', () => {
      const r = l.index.whoCan(resourceRequest('list', '', 'secrets', { namespace: 'x' }));
      expect(r.subjects.map((s) => s.subject)).toEqual(['Group:system:masters']);
      expect(r.partial).toEqual([{ subject: 'User:named', resourceNames: ['app-config'] }]);
    });
    it('list with fieldSelector metadata.name=app-config carries the name and matches', () => {
      expect(can(l, 'User:named', requestForHttp('GET', '/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Dapp-config'))).toBe(true);
    });
  });

  describe('nonResourceURLs: `*` matches all; a trailing `*` is a prefix match; otherwise exact; `/api/*` does not match `/api`', () => {
    const l = load([
      ...grant('healthz-star', rule({ verbs: ['get'], nonResourceURLs: ['/healthz/*'] })),
      ...grant('api-star', rule({ verbs: ['get'], nonResourceURLs: ['/api/*'] })),
      ...grant('mid-star', rule({ verbs: ['get'], nonResourceURLs: ['/*/v1'] })),
      ...grant('everything', rule({ verbs: ['get'], nonResourceURLs: ['*'] })),
    ]);
    it('/healthz/* grants /healthz/etcd (guards against kubectl-who-can exact-only URLs)', () => {
      expect(who(l, nonResourceRequest('get', '/healthz/etcd'))).toEqual(['Group:system:masters', 'User:everything', 'User:healthz-star']);
    });
    it('/api/* does not grant /api (guards against treating the trailing /* as optional)', () => {
      expect(who(l, nonResourceRequest('get', '/api'))).toEqual(['Group:system:masters', 'User:everything']);
    });
    it('a `*` in the middle is literal (guards against glob matching of URLs)', () => {
      expect(can(l, 'User:mid-star', nonResourceRequest('get', '/api/v1'))).toBe(false);
    });
  });

  describe('resource requests need verb+group+resource+name, non-resource requests verb+URL; mixed rules and Roles with URLs warn', () => {
    it('a rule mixing both is read with MIXED_RULE and each half is evaluated on its own', () => {
      const l = load(grant('mixed', rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'], nonResourceURLs: ['/metrics'] })));
      expect(codes(l.warnings)).toEqual(['MIXED_RULE']);
      expect(can(l, 'User:mixed', resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' }))).toBe(true);
      expect(can(l, 'User:mixed', nonResourceRequest('get', '/metrics'))).toBe(true);
      expect(can(l, 'User:mixed', nonResourceRequest('get', '/pods'))).toBe(false);
    });
    it('a URL rule does not grant the resource of the same name (guards against matching URLs against resources)', () => {
      const l = load(grant('url', rule({ verbs: ['get'], nonResourceURLs: ['/pods', 'pods'] })));
      expect(can(l, 'User:url', resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' }))).toBe(false);
    });
    it('a namespaced Role with nonResourceURLs warns (MIXED_RULE) and grants no URL', () => {
      const l = load([role('ns1', 'r', [rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] })]), roleBinding('ns1', 'r', 'Role', ['User:alice'])]);
      expect(codes(l.warnings)).toEqual(['MIXED_RULE']);
      expect(can(l, 'User:alice', nonResourceRequest('get', '/metrics'))).toBe(false);
    });
  });
});

describe('rbac-semantics.md "Which bindings apply"', () => {
  describe('every ClusterRoleBinding applies everywhere; RoleBindings only in their own namespace, and only to requests with one', () => {
    const l = load([
      clusterRole('secret-reader', [rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets', 'nodes', 'namespaces'] })]),
      clusterRole('impersonator', [rule({ verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] })]),
      roleBinding('ns1', 'secret-reader', 'ClusterRole', ['User:local'], 'local'),
      roleBinding('foo', 'secret-reader', 'ClusterRole', ['User:foo-reader'], 'foo-reader'),
      roleBinding('ns1', 'impersonator', 'ClusterRole', ['User:local-imp'], 'local-imp'),
      clusterRoleBinding('secret-reader', ['User:global'], { name: 'global' }),
    ]);
    it('who-can -A includes RoleBinding subjects with their namespaces (guards against kubectl-who-can -A skipping RoleBindings)', () => {
      const r = l.index.whoCan(resourceRequest('list', '', 'secrets'), { allNamespaces: true });
      expect(r.subjects.map((s) => [s.subject, s.namespaces])).toEqual([
        ['Group:system:masters', ['*']], ['User:foo-reader', ['foo']], ['User:global', ['*']], ['User:local', ['ns1']],
      ]);
    });
    it('a RoleBinding in ns1 does not grant in ns2 (guards against rbac-tool having no namespace filter)', () => {
      expect(who(l, resourceRequest('list', '', 'secrets', { namespace: 'ns2' }))).toEqual(['Group:system:masters', 'User:global']);
    });
    it('a RoleBinding does not grant a cluster-wide request', () => {
      expect(who(l, resourceRequest('list', '', 'secrets'))).toEqual(['Group:system:masters', 'User:global']);
    });
    it('a RoleBinding never grants a cluster-scoped resource, even with -A', () => {
      expect(who(l, resourceRequest('list', '', 'nodes'))).toEqual(['Group:system:masters', 'User:global']);
      expect(who(l, resourceRequest('list', '', 'nodes'), true)).toEqual(['Group:system:masters', 'User:global']);
    });
    it('impersonate users/groups is cluster-scoped: a RoleBinding cannot grant it', () => {
      expect(impersonate({ user: 'admin' }).checks.every((c) => can(l, 'User:local-imp', c))).toBe(false);
      expect(who(l, resourceRequest('impersonate', '', 'users', { name: 'admin' }), true)).toEqual(['Group:system:masters']);
    });
    it('the Namespace object foo is in namespace foo: the RoleBinding in foo grants get on it, and only on it', () => {
      expect(can(l, 'User:foo-reader', resourceRequest('get', '', 'namespaces', { name: 'foo' }))).toBe(true);
      expect(can(l, 'User:foo-reader', requestForHttp('GET', '/api/v1/namespaces/foo'))).toBe(true);
      expect(can(l, 'User:foo-reader', resourceRequest('get', '', 'namespaces', { name: 'bar' }))).toBe(false);
      expect(can(l, 'User:foo-reader', resourceRequest('list', '', 'namespaces'))).toBe(false);
      expect(who(l, resourceRequest('get', '', 'namespaces', { name: 'foo' }))).toEqual(['Group:system:masters', 'User:foo-reader', 'User:global']);
      expect(l.index.whoCan(resourceRequest('get', '', 'namespaces', { name: 'foo' }), { allNamespaces: true }).subjects.map((s) => s.subject)).toContain('User:foo-reader');
    });
  });

  it('a RoleBinding to a ClusterRole uses its rules in the binding namespace only; its nonResourceURLs are unused (guards against granting URLs through RoleBindings)', () => {
    const l = load([
      clusterRole('admin-ish', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), rule({ verbs: ['*'], nonResourceURLs: ['*'] })]),
      roleBinding('ns1', 'admin-ish', 'ClusterRole', ['User:ns-admin']),
    ]);
    expect(can(l, 'User:ns-admin', resourceRequest('delete', '', 'pods', { namespace: 'ns1', name: 'p' }))).toBe(true);
    expect(can(l, 'User:ns-admin', nonResourceRequest('get', '/metrics'))).toBe(false);
    expect(who(l, nonResourceRequest('get', '/metrics'))).toEqual(['Group:system:masters']);
    expect(l.index.isClusterAdmin(identityOf('User:ns-admin'))).toBe(false);
  });

  it('a ClusterRoleBinding to a Role is invalid (INVALID_BINDING) and grants nothing, even if such a Role exists', () => {
    const l = load([
      role('ns1', 'pod-reader', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      clusterRoleBinding('pod-reader', ['User:alice'], { roleKind: 'Role' }),
    ]);
    expect(codes(l.index.warnings)).toEqual(['INVALID_BINDING']);
    expect(can(l, 'User:alice', resourceRequest('get', '', 'pods', { namespace: 'ns1', name: 'p' }))).toBe(false);
  });

  it('a binding to a missing role warns ROLE_NOT_FOUND and grants nothing; it becomes live once the role exists (the loaded gun)', () => {
    const binding = clusterRoleBinding('future-admin', ['User:alice'], { name: 'dangling' });
    const req = resourceRequest('delete', '', 'nodes', { name: 'n1' });
    const before = load([binding]);
    expect(codes(before.index.warnings)).toEqual(['ROLE_NOT_FOUND']);
    expect(can(before, 'User:alice', req)).toBe(false);
    expect(who(before, req)).toEqual(['Group:system:masters']);
    const after = load([binding, clusterRole('future-admin', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })])]);
    expect(codes(after.index.warnings)).toEqual([]);
    expect(can(after, 'User:alice', req)).toBe(true);
  });

  it('RBAC only allows, never denies: a narrower or empty second binding takes nothing away', () => {
    const l = load([
      clusterRole('wide', [rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] })]),
      clusterRole('narrow', [rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['only-this'] })]),
      clusterRole('nothing', []),
      clusterRoleBinding('wide', ['User:alice']),
      clusterRoleBinding('narrow', ['User:alice']),
      clusterRoleBinding('nothing', ['User:alice', 'Group:system:authenticated']),
    ]);
    expect(can(l, 'User:alice', resourceRequest('get', '', 'secrets', { namespace: 'x', name: 'other' }))).toBe(true);
  });
});

describe('rbac-semantics.md "Subjects"', () => {
  it('User and Group names are exact; User "*" (and Group "*") match nobody (guards against wildcard subjects)', () => {
    const l = load([
      clusterRole('r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      clusterRoleBinding('r', ['User:*', 'Group:*', 'User:Alice']),
    ]);
    const req = resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' });
    for (const id of ['User:alice', 'User:bob', 'Group:dev', 'ServiceAccount:x/default', 'User:system:anonymous']) expect(can(l, id, req)).toBe(false);
    expect(can(l, 'User:Alice', req)).toBe(true);
  });

  describe('ServiceAccount subjects: namespace from the subject, defaulting to a RoleBinding\'s; none in a ClusterRoleBinding matches nobody', () => {
    const l = load([
      clusterRole('r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      roleBinding('ns1', 'r', 'ClusterRole', ['ServiceAccount:builder'], 'defaulted'),
      clusterRoleBinding('r', ['ServiceAccount:deployer'], { name: 'no-namespace' }),
      clusterRoleBinding('r', ['ServiceAccount:ns2/runner'], { name: 'with-namespace' }),
    ]);
    const req = (ns: string) => resourceRequest('get', '', 'pods', { namespace: ns, name: 'p' });
    it('a RoleBinding SA subject without namespace is the SA of the binding namespace', () => {
      expect(can(l, 'ServiceAccount:ns1/builder', req('ns1'))).toBe(true);
      expect(can(l, 'ServiceAccount:ns2/builder', req('ns1'))).toBe(false);
    });
    it('a ClusterRoleBinding SA subject without namespace matches nobody, with INVALID_BINDING (guards against defaulting it to "default")', () => {
      expect(codes(l.index.warnings)).toEqual(['INVALID_BINDING']);
      for (const ns of ['default', 'kube-system', 'ns1']) expect(can(l, `ServiceAccount:${ns}/deployer`, req('ns1'))).toBe(false);
      expect(who(l, req('ns1'))).toEqual(['Group:system:masters', 'ServiceAccount:ns1/builder', 'ServiceAccount:ns2/runner']);
    });
    it('an SA subject matches the user name system:serviceaccount:<ns>:<name> (what --as and impersonation send)', () => {
      expect(l.index.authorize({ name: 'system:serviceaccount:ns2:runner', groups: [] }, req('any')).allowed).toBe(true);
      expect(l.index.authorize({ name: 'runner', groups: [] }, req('any')).allowed).toBe(false);
    });
  });

  it('a service account is also in system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated (guards against forgetting implicit groups)', () => {
    const l = load([
      clusterRole('a', [rule({ verbs: ['get'], apiGroups: [''], resources: ['a'] })]),
      clusterRole('b', [rule({ verbs: ['get'], apiGroups: [''], resources: ['b'] })]),
      clusterRole('c', [rule({ verbs: ['get'], apiGroups: [''], resources: ['c'] })]),
      clusterRoleBinding('a', ['Group:system:serviceaccounts']),
      clusterRoleBinding('b', ['Group:system:serviceaccounts:ns1']),
      clusterRoleBinding('c', ['Group:system:authenticated']),
    ]);
    const get = (r: string) => resourceRequest('get', '', r, { namespace: 'x', name: 'n' });
    expect(['a', 'b', 'c'].map((r) => can(l, 'ServiceAccount:ns1/sa', get(r)))).toEqual([true, true, true]);
    expect(['a', 'b', 'c'].map((r) => can(l, 'ServiceAccount:ns2/sa', get(r)))).toEqual([true, false, true]);
    expect(['a', 'b', 'c'].map((r) => can(l, 'User:alice', get(r)))).toEqual([false, false, true]);
  });

  it('anonymous is system:anonymous in system:unauthenticated, not system:authenticated (guards against anonymous counting as authenticated)', () => {
    const l = load([
      clusterRole('authn', [rule({ verbs: ['get'], nonResourceURLs: ['/authn'] })]),
      clusterRole('unauthn', [rule({ verbs: ['get'], nonResourceURLs: ['/unauthn'] })]),
      clusterRoleBinding('authn', ['Group:system:authenticated']),
      clusterRoleBinding('unauthn', ['Group:system:unauthenticated']),
    ]);
    expect(can(l, 'User:system:anonymous', nonResourceRequest('get', '/authn'))).toBe(false);
    expect(can(l, 'User:system:anonymous', nonResourceRequest('get', '/unauthn'))).toBe(true);
    expect(can(l, 'User:alice', nonResourceRequest('get', '/authn'))).toBe(true);
    expect(can(l, 'User:alice', nonResourceRequest('get', '/unauthn'))).toBe(false);
    expect(can(l, 'Node:n1', nonResourceRequest('get', '/authn'))).toBe(true);
  });

  it('a node is user system:node:<name> in group system:nodes', () => {
    const l = load([
      clusterRole('r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['nodes'] })]),
      clusterRole('s', [rule({ verbs: ['patch'], apiGroups: [''], resources: ['nodes'] })]),
      clusterRoleBinding('r', ['Group:system:nodes']),
      clusterRoleBinding('s', ['User:system:node:n1']),
    ]);
    const patch = resourceRequest('patch', '', 'nodes', { name: 'n1' });
    expect(can(l, 'Node:n1', resourceRequest('get', '', 'nodes', { name: 'n2' }))).toBe(true);
    expect(can(l, 'Node:n1', patch)).toBe(true);
    expect(can(l, 'Node:n2', patch)).toBe(false);
    expect(can(l, 'User:n1', patch)).toBe(false);
  });

  describe('system:masters is allowed everything by an authorizer before RBAC, and skips the escalation checks', () => {
    const l = load([]);
    const masters = identityOf('Group:system:masters');
    it('allowed with no binding at all (guards against evaluating RBAC only)', () => {
      expect(l.index.authorize(masters, resourceRequest('escalate', 'rbac.authorization.k8s.io', 'clusterroles', { name: 'x' })).allowed).toBe(true);
      expect(l.index.authorize({ name: 'someone', groups: ['system:masters'] }, nonResourceRequest('delete', '/anything')).allowed).toBe(true);
      expect(l.index.authorize(masters, resourceRequest('create', '', 'pods', { namespace: 'x' })).via[0].binding).toBeNull();
    });
    it('who-can always lists Group:system:masters', () => {
      expect(who(l, resourceRequest('get', 'example.com', 'widgets', { namespace: 'x', name: 'w' }))).toEqual(['Group:system:masters']);
      expect(who(l, nonResourceRequest('get', '/metrics'))).toEqual(['Group:system:masters']);
    });
    it('its rules cover any role (no escalation check)', () => {
      const anyRole = [policyRule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), policyRule({ verbs: ['*'], nonResourceURLs: ['*'] })];
      expect(covers(l.index.rulesFor(masters, null), anyRole).covers).toBe(true);
    });
  });

  it('the subject apiGroup is ignored; unknown kinds match nobody and warn INVALID_BINDING', () => {
    const l = load([
      clusterRole('r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      clusterRoleBinding('r', [
        { kind: 'User', apiGroup: 'not.rbac', name: 'alice' },
        { kind: 'Node', name: 'n1' },
        { kind: 'user', name: 'bob' },
      ]),
    ]);
    const req = resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' });
    expect(can(l, 'User:alice', req)).toBe(true);
    expect(can(l, 'Node:n1', req)).toBe(false);
    expect(can(l, 'User:bob', req)).toBe(false);
    expect(codes(l.index.warnings)).toEqual(['INVALID_BINDING', 'INVALID_BINDING']);
  });
});

describe('rbac-semantics.md "Aggregated ClusterRoles"', () => {
  it('an aggregated role with `rules: null` gets the union of the selected roles, duplicates dropped (guards against reading null as no rules)', () => {
    const r1 = rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] });
    const l = load([
      clusterRole('part-a', [r1], { labels: { agg: 'x' } }),
      clusterRole('part-b', [r1, rule({ verbs: ['create'], apiGroups: [''], resources: ['pods'] })], { labels: { agg: 'x' } }),
      clusterRole('combined', null, { selectors: [{ matchLabels: { agg: 'x' } }] }),
      clusterRoleBinding('combined', ['User:alice']),
    ]);
    expect(l.index.rulesOf('ClusterRole:combined')).toHaveLength(2);
    expect(who(l, resourceRequest('get', '', 'secrets', { namespace: 'x', name: 's' }))).toEqual(['Group:system:masters', 'User:alice']);
  });

  it('hand-written rules of an aggregated role are overwritten by the union (guards against adding to them)', () => {
    const l = load([
      clusterRole('part', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })], { labels: { agg: 'x' } }),
      clusterRole('combined', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })], { selectors: [{ matchLabels: { agg: 'x' } }] }),
      clusterRoleBinding('combined', ['User:alice']),
    ]);
    expect(can(l, 'User:alice', resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' }))).toBe(true);
    expect(can(l, 'User:alice', resourceRequest('delete', '', 'nodes', { name: 'n' }))).toBe(false);
  });

  it('aggregation chains (view → edit → admin) resolve whatever the input order (guards against one level only)', () => {
    const l = load([
      clusterRole('admin', null, { selectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] }),
      clusterRole('edit', null, { labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }, selectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }] }),
      clusterRole('view', null, { labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, selectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] }),
      clusterRole('to-view', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })], { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }),
      roleBinding('team', 'admin', 'ClusterRole', ['User:owner']),
    ]);
    expect(can(l, 'User:owner', resourceRequest('get', '', 'pods', { subresource: 'log', namespace: 'team', name: 'p' }))).toBe(true);
  });
});
