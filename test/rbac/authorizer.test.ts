// The RBAC authorizer over real snapshots: rbac_test.go TestAuthorizer row by row, then binding scope and decisions.
import { describe, expect, it } from 'vitest';
import type { RbacIndex } from '../../src/rbac/authorizer.js';
import { nonResourceRequest, requestForHttp, resourceRequest, type RequestAttributes } from '../../src/rbac/request.js';
import { identityOf, type UserInfo } from '../../src/rbac/subjects.js';
import { clusterRole, clusterRoleBinding, codes, load, newRule, role, roleBinding, rule, type Obj } from './helpers.js';

/** rbac_test.go defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}: groups split on ",", no name. */
function attrs(user: string, groups: string, verb: string, resource: string, subresource: string, namespace: string, apiGroup: string): { user: UserInfo; req: RequestAttributes } {
  return {
    user: { name: user, groups: groups.split(',') },
    req: { kind: 'resource', verb, apiGroup, resource, subresource, name: null, namespace: namespace || null },
  };
}

/** authorizer.AttributesRecord{User: &user.DefaultInfo{Name|Groups}, Verb, Path}: a non-resource request. */
function nonResource(user: { name?: string; groups?: string[] }, verb: string, path: string): { user: UserInfo; req: RequestAttributes } {
  return { user: { name: user.name ?? '', groups: user.groups ?? [] }, req: nonResourceRequest(verb, path) };
}

interface AuthorizerCase {
  name: string;
  objects: Obj[];
  shouldPass: { user: UserInfo; req: RequestAttributes }[];
  shouldFail: { user: UserInfo; req: RequestAttributes }[];
}

// rbac_test.go TestAuthorizer at commit 90d6cfcf171c057ad95e62eff091e3d13d3bfed5 (the version with the `*/scale` case).
const CASES: AuthorizerCase[] = [
  {
    name: 'case 0: RoleBinding in ns1 to ClusterRole admin (*,*,*,*)',
    objects: [
      clusterRole('admin', [newRule('*', '*', '*', '*')]),
      roleBinding('ns1', 'admin', 'ClusterRole', ['User:admin', 'Group:admins']),
    ],
    shouldPass: [
      attrs('admin', '', 'get', 'Pods', '', 'ns1', ''),
      attrs('admin', '', 'watch', 'Pods', '', 'ns1', ''),
      attrs('admin', 'group1', 'watch', 'Foobar', '', 'ns1', ''),
      attrs('joe', 'admins', 'watch', 'Foobar', '', 'ns1', ''),
      attrs('joe', 'group1,admins', 'watch', 'Foobar', '', 'ns1', ''),
    ],
    shouldFail: [
      attrs('admin', '', 'GET', 'Pods', '', 'ns2', ''),
      attrs('admin', '', 'GET', 'Nodes', '', '', ''),
      attrs('admin', 'admins', 'GET', 'Pods', '', 'ns2', ''),
      attrs('admin', 'admins', 'GET', 'Nodes', '', '', ''),
    ],
  },
  {
    name: 'case 1: non-resource-url tests',
    objects: [
      clusterRole('non-resource-url-getter', [newRule('get', '', '', '/apis')]),
      clusterRole('non-resource-url', [newRule('*', '', '', '/apis')]),
      clusterRole('non-resource-url-prefix', [newRule('get', '', '', '/apis/*')]),
      clusterRoleBinding('non-resource-url-getter', ['User:foo', 'Group:bar']),
      clusterRoleBinding('non-resource-url', ['User:admin', 'Group:admin']),
      clusterRoleBinding('non-resource-url-prefix', ['User:prefixed', 'Group:prefixed']),
    ],
    shouldPass: [
      nonResource({ name: 'foo' }, 'get', '/apis'),
      nonResource({ groups: ['bar'] }, 'get', '/apis'),
      nonResource({ name: 'admin' }, 'get', '/apis'),
      nonResource({ groups: ['admin'] }, 'get', '/apis'),
      nonResource({ name: 'admin' }, 'watch', '/apis'),
      nonResource({ groups: ['admin'] }, 'watch', '/apis'),
      nonResource({ name: 'prefixed' }, 'get', '/apis/v1'),
      nonResource({ groups: ['prefixed'] }, 'get', '/apis/v1'),
      nonResource({ name: 'prefixed' }, 'get', '/apis/v1/foobar'),
      nonResource({ groups: ['prefixed'] }, 'get', '/apis/v1/foorbar'),
    ],
    shouldFail: [
      // wrong verb
      nonResource({ name: 'foo' }, 'watch', '/apis'),
      nonResource({ groups: ['bar'] }, 'watch', '/apis'),
      // wrong path
      nonResource({ name: 'foo' }, 'get', '/api/v1'),
      nonResource({ groups: ['bar'] }, 'get', '/api/v1'),
      nonResource({ name: 'admin' }, 'get', '/api/v1'),
      nonResource({ groups: ['admin'] }, 'get', '/api/v1'),
      // not covered by prefix
      nonResource({ name: 'prefixed' }, 'get', '/api/v1'),
      nonResource({ groups: ['prefixed'] }, 'get', '/api/v1'),
    ],
  },
  {
    name: 'case 2: subresource resolution, rule on pods',
    objects: [
      clusterRole('admin', [newRule('*', '*', 'pods', '*')]),
      roleBinding('ns1', 'admin', 'ClusterRole', ['User:admin', 'Group:admins']),
    ],
    shouldPass: [attrs('admin', '', 'get', 'pods', '', 'ns1', '')],
    shouldFail: [attrs('admin', '', 'get', 'pods', 'status', 'ns1', '')],
  },
  {
    name: 'case 3: subresource resolution, rules on pods/status and */scale',
    objects: [
      clusterRole('admin', [newRule('*', '*', 'pods/status', '*'), newRule('*', '*', '*/scale', '*')]),
      roleBinding('ns1', 'admin', 'ClusterRole', ['User:admin', 'Group:admins']),
    ],
    shouldPass: [
      attrs('admin', '', 'get', 'pods', 'status', 'ns1', ''),
      attrs('admin', '', 'get', 'pods', 'scale', 'ns1', ''),
      attrs('admin', '', 'get', 'deployments', 'scale', 'ns1', ''),
      attrs('admin', '', 'get', 'anything', 'scale', 'ns1', ''),
    ],
    shouldFail: [attrs('admin', '', 'get', 'pods', '', 'ns1', '')],
  },
];

const label = ({ user, req }: { user: UserInfo; req: RequestAttributes }): string => {
  const who = `user=${user.name || '""'} groups=[${user.groups.join(',')}]`;
  return req.kind === 'resource'
    ? `${who} ${req.verb} ${req.resource}${req.subresource ? `/${req.subresource}` : ''} ns=${req.namespace ?? '""'}`
    : `${who} ${req.verb} ${req.path}`;
};

describe('rbac_test.go TestAuthorizer (plugin/pkg/auth/authorizer/rbac)', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const { index } = load(c.objects);
      it.each(c.shouldPass.map((a) => ({ ...a, label: label(a) })))('allows $label', ({ user, req }) => {
        expect(index.authorize(user, req).allowed).toBe(true);
      });
      it.each(c.shouldFail.map((a) => ({ ...a, label: label(a) })))('denies $label', ({ user, req }) => {
        expect(index.authorize(user, req).allowed).toBe(false);
      });
    });
  }

  it('rules mixing resources and nonResourceURLs (as newRule builds them) are read with a MIXED_RULE warning', () => {
    const { warnings } = load(CASES[0].objects);
    expect(codes(warnings)).toEqual(['MIXED_RULE']);
  });
});

/** The bindings of several namespaces, evaluated per request as rule.go VisitRulesFor does. */
describe('rule.go VisitRulesFor: which bindings apply to a request', () => {
  const { index } = load([
    clusterRole('pod-reader', [rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] })]),
    clusterRole('node-reader', [rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] }), rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] })]),
    clusterRole('ns-getter', [rule({ verbs: ['get'], apiGroups: [''], resources: ['namespaces'] })]),
    role('ns1', 'local', [rule({ verbs: ['delete'], apiGroups: [''], resources: ['pods'] })]),
    roleBinding('ns1', 'pod-reader', 'ClusterRole', ['User:alice'], 'alice-reads-pods'),
    roleBinding('ns1', 'local', 'Role', ['User:alice'], 'alice-deletes-pods'),
    roleBinding('ns1', 'node-reader', 'ClusterRole', ['User:alice'], 'alice-nodes-in-ns1'),
    roleBinding('foo', 'ns-getter', 'ClusterRole', ['User:alice'], 'alice-gets-foo'),
    clusterRoleBinding('pod-reader', ['User:bob'], { name: 'bob-reads-pods' }),
    clusterRoleBinding('node-reader', ['User:carol'], { name: 'carol-reads-nodes' }),
  ]);
  const alice = identityOf('User:alice');
  const bob = identityOf('User:bob');
  const carol = identityOf('User:carol');
  it.each([
    { who: 'alice', u: alice, req: resourceRequest('get', '', 'pods', { namespace: 'ns1', name: 'p' }), want: true },
    { who: 'alice', u: alice, req: resourceRequest('list', '', 'pods', { namespace: 'ns1' }), want: true },
    { who: 'alice', u: alice, req: resourceRequest('delete', '', 'pods', { namespace: 'ns1', name: 'p' }), want: true },
    { who: 'alice', u: alice, req: resourceRequest('get', '', 'pods', { namespace: 'ns2', name: 'p' }), want: false },
    { who: 'alice', u: alice, req: resourceRequest('delete', '', 'pods', { namespace: 'ns2', name: 'p' }), want: false },
    { who: 'alice', u: alice, req: resourceRequest('list', '', 'pods'), want: false },
    { who: 'alice', u: alice, req: resourceRequest('get', '', 'nodes', { name: 'n1' }), want: false },
    { who: 'alice', u: alice, req: nonResourceRequest('get', '/metrics'), want: false },
    { who: 'alice', u: alice, req: resourceRequest('get', '', 'namespaces', { name: 'foo' }), want: true },
    { who: 'alice', u: alice, req: resourceRequest('get', '', 'namespaces', { name: 'bar' }), want: false },
    { who: 'alice', u: alice, req: resourceRequest('list', '', 'namespaces'), want: false },
    { who: 'bob', u: bob, req: resourceRequest('list', '', 'pods'), want: true },
    { who: 'bob', u: bob, req: resourceRequest('get', '', 'pods', { namespace: 'any', name: 'p' }), want: true },
    { who: 'bob', u: bob, req: resourceRequest('delete', '', 'pods', { namespace: 'ns1', name: 'p' }), want: false },
    { who: 'carol', u: carol, req: resourceRequest('get', '', 'nodes', { name: 'n1' }), want: true },
    { who: 'carol', u: carol, req: nonResourceRequest('get', '/metrics'), want: true },
    { who: 'carol', u: carol, req: nonResourceRequest('post', '/metrics'), want: false },
  ].map((c) => ({ ...c, label: label({ user: c.u, req: c.req }) })))('$who: $label → $want', ({ u, req, want }) => {
    expect(index.authorize(u, req).allowed).toBe(want);
  });

  it('an HTTP GET of /api/v1/namespaces/foo is allowed by the RoleBinding in foo', () => {
    expect(index.authorize(alice, requestForHttp('GET', '/api/v1/namespaces/foo')).allowed).toBe(true);
    expect(index.authorize(alice, requestForHttp('GET', '/api/v1/namespaces/bar')).allowed).toBe(false);
  });

  it('names every binding and rule that allows a request (via), sorted', () => {
    const d = index.authorize(alice, resourceRequest('get', '', 'pods', { namespace: 'ns1', name: 'p' }));
    expect(d.via).toEqual([{ binding: 'RoleBinding:ns1/alice-reads-pods', role: 'ClusterRole:pod-reader', rule: 0 }]);
    expect(index.authorize(alice, resourceRequest('get', '', 'pods', { namespace: 'ns2', name: 'p' })).via).toEqual([]);
  });
});

describe('authorizer decisions beyond the Go table', () => {
  it('pods/exec: before 1.35 a `get` rule also counts for `create` (WebSocket); from 1.35 it does not', () => {
    const objects = [
      clusterRole('exec-get', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods/exec', 'pods/attach'] })]),
      roleBinding('ns1', 'exec-get', 'ClusterRole', ['User:eve']),
    ];
    const eve = identityOf('User:eve');
    const exec = resourceRequest('create', '', 'pods', { subresource: 'exec', name: 'web', namespace: 'ns1' });
    const attach = resourceRequest('create', '', 'pods', { subresource: 'attach', name: 'web', namespace: 'ns1' });
    const logs = resourceRequest('create', '', 'pods', { subresource: 'log', name: 'web', namespace: 'ns1' });
    const old = load(objects, { kubernetesVersion: 'v1.34.2' }).index;
    const unknown = load(objects).index;
    const current = load(objects, { kubernetesVersion: '1.35.0' }).index;
    expect(old.authorize(eve, exec).allowed).toBe(true);
    expect(old.authorize(eve, exec).via[0].verb).toBe('get');
    expect(old.authorize(eve, attach).allowed).toBe(true);
    expect(old.authorize(eve, logs).allowed).toBe(false);
    expect(unknown.authorize(eve, exec).allowed).toBe(true);
    expect(current.authorize(eve, exec).allowed).toBe(false);
    expect(current.authorize(eve, attach).allowed).toBe(false);
  });

  it('an identity with no bindings is allowed nothing', () => {
    const { index } = load([clusterRole('all', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })])]);
    expect(index.authorize(identityOf('User:nobody'), resourceRequest('get', '', 'pods', { namespace: 'x', name: 'y' })).allowed).toBe(false);
  });

  it('isClusterAdmin needs a ClusterRoleBinding to literal (*, *, *), not a RoleBinding or a long verb list', () => {
    const { index } = load([
      clusterRole('star', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })]),
      clusterRole('many', [rule({ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: ['*'], resources: ['*'] })]),
      clusterRoleBinding('star', ['User:root']),
      roleBinding('ns1', 'star', 'ClusterRole', ['User:local-root']),
      clusterRoleBinding('many', ['User:almost']),
    ]);
    const check = (i: RbacIndex, id: string): boolean => i.isClusterAdmin(identityOf(id));
    expect(check(index, 'User:root')).toBe(true);
    expect(check(index, 'User:local-root')).toBe(false);
    expect(check(index, 'User:almost')).toBe(false);
    expect(check(index, 'Group:system:masters')).toBe(true);
  });
});
