// RuleAllows vectors: plugin/pkg/auth/authorizer/rbac/rbac_test.go TestRuleMatches row by row, then evaluation_helpers.go edge cases.
import { describe, expect, it } from 'vitest';
import {
  apiGroupMatches, nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows, ruleAllowsIgnoringNames, verbMatches,
} from '../../src/rbac/match.js';
import { nonResourceRequest, resourceRequest, type RequestAttributes } from '../../src/rbac/request.js';
import type { PolicyRule } from '../../src/snapshot/types.js';
import { policyRule } from './helpers.js';

/** `resourceRequest(verb).Group(g).Resource(r)[.Subresource(s)].New()` */
const rr = (verb: string, group: string, resource: string, subresource = ''): RequestAttributes =>
  resourceRequest(verb, group, resource, { subresource });
/** `nonresourceRequest(verb).URL(u).New()` */
const nr = (verb: string, url: string): RequestAttributes => nonResourceRequest(verb, url);

interface Table {
  name: string;
  rule: PolicyRule;
  requests: [RequestAttributes, boolean][];
}

// rbacv1helpers.NewRule(...).Groups(...).Resources(...)/URLs(...).RuleOrDie() for each case; translated from
// kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/rbac_test.go at commit 90d6cfcf171c057ad95e62eff091e3d13d3bfed5.
const TABLES: Table[] = [
  {
    name: 'star verb, exact match other',
    rule: policyRule({ verbs: ['*'], apiGroups: ['group1'], resources: ['resource1'] }),
    requests: [
      [rr('verb1', 'group1', 'resource1'), true],
      [rr('verb1', 'group2', 'resource1'), false],
      [rr('verb1', 'group1', 'resource2'), false],
      [rr('verb1', 'group2', 'resource2'), false],
      [rr('verb2', 'group1', 'resource1'), true],
      [rr('verb2', 'group2', 'resource1'), false],
      [rr('verb2', 'group1', 'resource2'), false],
      [rr('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'star group, exact match other',
    rule: policyRule({ verbs: ['verb1'], apiGroups: ['*'], resources: ['resource1'] }),
    requests: [
      [rr('verb1', 'group1', 'resource1'), true],
      [rr('verb1', 'group2', 'resource1'), true],
      [rr('verb1', 'group1', 'resource2'), false],
      [rr('verb1', 'group2', 'resource2'), false],
      [rr('verb2', 'group1', 'resource1'), false],
      [rr('verb2', 'group2', 'resource1'), false],
      [rr('verb2', 'group1', 'resource2'), false],
      [rr('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'star resource, exact match other',
    rule: policyRule({ verbs: ['verb1'], apiGroups: ['group1'], resources: ['*'] }),
    requests: [
      [rr('verb1', 'group1', 'resource1'), true],
      [rr('verb1', 'group2', 'resource1'), false],
      [rr('verb1', 'group1', 'resource2'), true],
      [rr('verb1', 'group2', 'resource2'), false],
      [rr('verb2', 'group1', 'resource1'), false],
      [rr('verb2', 'group2', 'resource1'), false],
      [rr('verb2', 'group1', 'resource2'), false],
      [rr('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'tuple expansion',
    rule: policyRule({ verbs: ['verb1', 'verb2'], apiGroups: ['group1', 'group2'], resources: ['resource1', 'resource2'] }),
    requests: [
      [rr('verb1', 'group1', 'resource1'), true],
      [rr('verb1', 'group2', 'resource1'), true],
      [rr('verb1', 'group1', 'resource2'), true],
      [rr('verb1', 'group2', 'resource2'), true],
      [rr('verb2', 'group1', 'resource1'), true],
      [rr('verb2', 'group2', 'resource1'), true],
      [rr('verb2', 'group1', 'resource2'), true],
      [rr('verb2', 'group2', 'resource2'), true],
    ],
  },
  {
    name: 'subresource expansion',
    rule: policyRule({ verbs: ['*'], apiGroups: ['*'], resources: ['resource1/subresource1'] }),
    requests: [
      [rr('verb1', 'group1', 'resource1', 'subresource1'), true],
      [rr('verb1', 'group2', 'resource1', 'subresource2'), false],
      [rr('verb1', 'group1', 'resource2', 'subresource1'), false],
      [rr('verb1', 'group2', 'resource2', 'subresource1'), false],
      [rr('verb2', 'group1', 'resource1', 'subresource1'), true],
      [rr('verb2', 'group2', 'resource1', 'subresource2'), false],
      [rr('verb2', 'group1', 'resource2', 'subresource1'), false],
      [rr('verb2', 'group2', 'resource2', 'subresource1'), false],
    ],
  },
  {
    name: 'star nonresource, exact match other',
    rule: policyRule({ verbs: ['verb1'], nonResourceURLs: ['*'] }),
    requests: [
      [nr('verb1', '/foo'), true],
      [nr('verb1', '/foo/bar'), true],
      [nr('verb1', '/foo/baz'), true],
      [nr('verb1', '/foo/bar/one'), true],
      [nr('verb1', '/foo/baz/one'), true],
      [nr('verb2', '/foo'), false],
      [nr('verb2', '/foo/bar'), false],
      [nr('verb2', '/foo/baz'), false],
      [nr('verb2', '/foo/bar/one'), false],
      [nr('verb2', '/foo/baz/one'), false],
    ],
  },
  {
    name: 'star nonresource subpath',
    rule: policyRule({ verbs: ['verb1'], nonResourceURLs: ['/foo/*'] }),
    requests: [
      [nr('verb1', '/foo'), false],
      [nr('verb1', '/foo/bar'), true],
      [nr('verb1', '/foo/baz'), true],
      [nr('verb1', '/foo/bar/one'), true],
      [nr('verb1', '/foo/baz/one'), true],
      [nr('verb1', '/notfoo'), false],
      [nr('verb1', '/notfoo/bar'), false],
      [nr('verb1', '/notfoo/baz'), false],
      [nr('verb1', '/notfoo/bar/one'), false],
      [nr('verb1', '/notfoo/baz/one'), false],
    ],
  },
  {
    name: 'star verb, exact nonresource',
    rule: policyRule({ verbs: ['*'], nonResourceURLs: ['/foo', '/foo/bar/one'] }),
    requests: [
      [nr('verb1', '/foo'), true],
      [nr('verb1', '/foo/bar'), false],
      [nr('verb1', '/foo/baz'), false],
      [nr('verb1', '/foo/bar/one'), true],
      [nr('verb1', '/foo/baz/one'), false],
      [nr('verb2', '/foo'), true],
      [nr('verb2', '/foo/bar'), false],
      [nr('verb2', '/foo/baz'), false],
      [nr('verb2', '/foo/bar/one'), true],
      [nr('verb2', '/foo/baz/one'), false],
    ],
  },
];

const describeReq = (r: RequestAttributes): string =>
  r.kind === 'resource'
    ? `${r.verb} ${r.apiGroup || '""'}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.name !== null ? ` name=${r.name}` : ''}`
    : `${r.verb} ${r.path}`;

describe('rbac_test.go TestRuleMatches (plugin/pkg/auth/authorizer/rbac)', () => {
  for (const t of TABLES) {
    describe(t.name, () => {
      it.each(t.requests.map(([req, want]) => ({ req, want, label: describeReq(req) })))('$label → $want', ({ req, want }) => {
        expect(ruleAllows(t.rule, req)).toBe(want);
      });
    });
  }
});

// Beyond the Go table: each helper of pkg/apis/rbac/v1/evaluation_helpers.go on its edge cases.
describe('evaluation_helpers.go VerbMatches: exact, case-sensitive, `*` is every verb', () => {
  it.each([
    { verbs: ['get'], verb: 'get', want: true },
    { verbs: ['get'], verb: 'GET', want: false },
    { verbs: ['GET'], verb: 'get', want: false },
    { verbs: ['get'], verb: 'list', want: false },
    { verbs: ['list', 'watch'], verb: 'watch', want: true },
    { verbs: ['*'], verb: 'bind', want: true },
    { verbs: ['*'], verb: 'escalate', want: true },
    { verbs: ['*'], verb: 'impersonate', want: true },
    { verbs: ['*'], verb: 'approve', want: true },
    { verbs: ['*'], verb: 'sign', want: true },
    { verbs: ['*'], verb: 'attest', want: true },
    { verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], verb: 'escalate', want: false },
    { verbs: ['g*'], verb: 'get', want: false },
    { verbs: [], verb: 'get', want: false },
  ])('verbs $verbs, verb $verb → $want', ({ verbs, verb, want }) => {
    expect(verbMatches(policyRule({ verbs }), verb)).toBe(want);
  });
});

describe('evaluation_helpers.go APIGroupMatches: exact, "" is the core group only, `*` every group', () => {
  it.each([
    { groups: [''], group: '', want: true },
    { groups: [''], group: 'apps', want: false },
    { groups: ['core'], group: '', want: false },
    { groups: ['v1'], group: '', want: false },
    { groups: ['apps'], group: 'apps', want: true },
    { groups: ['apps'], group: 'extensions', want: false },
    { groups: ['*'], group: '', want: true },
    { groups: ['*'], group: 'rbac.authorization.k8s.io', want: true },
    { groups: ['*.k8s.io'], group: 'networking.k8s.io', want: false },
    { groups: [], group: '', want: false },
  ])('apiGroups $groups, group "$group" → $want', ({ groups, group, want }) => {
    expect(apiGroupMatches(policyRule({ apiGroups: groups }), group)).toBe(want);
  });
});

describe('evaluation_helpers.go ResourceMatches: `*`, exact `resource[/sub]`, `*/sub`; nothing else', () => {
  it.each([
    { resources: ['pods'], combined: 'pods', sub: '', want: true },
    { resources: ['pods'], combined: 'pods/log', sub: 'log', want: false },
    { resources: ['pods/log'], combined: 'pods', sub: '', want: false },
    { resources: ['pods/log'], combined: 'pods/log', sub: 'log', want: true },
    { resources: ['*'], combined: 'pods/exec', sub: 'exec', want: true },
    { resources: ['*'], combined: 'anything', sub: '', want: true },
    { resources: ['*/exec'], combined: 'pods/exec', sub: 'exec', want: true },
    { resources: ['*/exec'], combined: 'pods', sub: '', want: false },
    { resources: ['*/exec'], combined: 'pods/attach', sub: 'attach', want: false },
    { resources: ['*/ex'], combined: 'pods/exec', sub: 'exec', want: false },
    { resources: ['*/xexec'], combined: 'pods/exec', sub: 'exec', want: false },
    { resources: ['**/exec'], combined: 'pods/exec', sub: 'exec', want: false },
    { resources: ['pods/*'], combined: 'pods/exec', sub: 'exec', want: false },
    { resources: ['pods/*'], combined: 'pods', sub: '', want: false },
    { resources: ['*/*'], combined: 'pods/exec', sub: 'exec', want: false },
    { resources: ['*/*'], combined: 'pods', sub: '', want: false },
    { resources: ['po*'], combined: 'pods', sub: '', want: false },
    { resources: ['Pods'], combined: 'pods', sub: '', want: false },
    { resources: ['secrets', 'pods/exec'], combined: 'pods/exec', sub: 'exec', want: true },
  ])('resources $resources, request $combined → $want', ({ resources, combined, sub, want }) => {
    expect(resourceMatches(policyRule({ resources }), combined, sub)).toBe(want);
  });
});

describe('evaluation_helpers.go ResourceNameMatches: empty is any name; otherwise listed, and no name never matches', () => {
  it.each([
    { names: [], name: 'x', want: true },
    { names: [], name: null, want: true },
    { names: ['x'], name: 'x', want: true },
    { names: ['x', 'y'], name: 'y', want: true },
    { names: ['x'], name: 'z', want: false },
    { names: ['x'], name: null, want: false },
    { names: ['X'], name: 'x', want: false },
    { names: ['x*'], name: 'xy', want: false },
  ])('resourceNames $names, name $name → $want', ({ names, name, want }) => {
    expect(resourceNameMatches(policyRule({ resourceNames: names }), name)).toBe(want);
  });
});

describe('evaluation_helpers.go NonResourceURLMatches: `*`, trailing-`*` prefix, else exact', () => {
  it.each([
    { urls: ['*'], path: '/', want: true },
    { urls: ['*'], path: '/anything/at/all', want: true },
    { urls: ['/healthz'], path: '/healthz', want: true },
    { urls: ['/healthz'], path: '/healthz/etcd', want: false },
    { urls: ['/healthz'], path: '/healthz/', want: false },
    { urls: ['/healthz/*'], path: '/healthz/etcd', want: true },
    { urls: ['/healthz/*'], path: '/healthz/', want: true },
    { urls: ['/healthz/*'], path: '/healthz', want: false },
    { urls: ['/api/*'], path: '/api', want: false },
    { urls: ['/api*'], path: '/apis', want: true },
    { urls: ['/api*'], path: '/api', want: true },
    { urls: ['/api/**'], path: '/api/v1', want: true },
    { urls: ['/*/v1'], path: '/api/v1', want: false },
    { urls: ['/api/*/foo'], path: '/api/v1/foo', want: false },
    { urls: ['/metrics'], path: '/Metrics', want: false },
  ])('nonResourceURLs $urls, path $path → $want', ({ urls, path, want }) => {
    expect(nonResourceURLMatches(policyRule({ nonResourceURLs: urls }), path)).toBe(want);
  });
});

describe('RuleAllows: a resource request needs verb+group+resource+name, a non-resource request verb+URL', () => {
  const podsReader = policyRule({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] });
  const urlReader = policyRule({ verbs: ['get'], nonResourceURLs: ['/pods'] });
  it.each([
    { r: podsReader, req: resourceRequest('get', '', 'pods', { name: 'web', namespace: 'ns' }), want: true },
    { r: podsReader, req: resourceRequest('get', '', 'pods', { name: 'db', namespace: 'ns' }), want: false },
    { r: podsReader, req: resourceRequest('list', '', 'pods', { namespace: 'ns' }), want: false },
    { r: podsReader, req: resourceRequest('get', 'apps', 'pods', { name: 'web' }), want: false },
    { r: podsReader, req: nonResourceRequest('get', '/pods'), want: false },
    { r: urlReader, req: nonResourceRequest('get', '/pods'), want: true },
    { r: urlReader, req: resourceRequest('get', '', 'pods', { name: 'web' }), want: false },
    { r: urlReader, req: nonResourceRequest('post', '/pods'), want: false },
  ].map((c) => ({ ...c, label: describeReq(c.req) })))('$label → $want', ({ r, req, want }) => {
    expect(ruleAllows(r, req)).toBe(want);
  });

  it('ruleAllowsIgnoringNames finds the named-only grant that an unnamed request does not get', () => {
    const req = resourceRequest('get', '', 'pods', { namespace: 'ns' });
    expect(ruleAllows(podsReader, req)).toBe(false);
    expect(ruleAllowsIgnoringNames(podsReader, req)).toBe(true);
    expect(ruleAllowsIgnoringNames(urlReader, nonResourceRequest('get', '/pods'))).toBe(false);
  });
});
