// The covers check: component-helpers policy_comparator_test.go TestCovers* and TestNonResourceURLCovers row by row.
import { describe, expect, it } from 'vitest';
import { breakdownRule, covers, nonResourceURLCovers, rulesAreClusterAdmin } from '../../src/rbac/covers.js';
import type { PolicyRule } from '../../src/snapshot/types.js';
import { policyRule as R } from './helpers.js';

interface EscalationTest {
  name: string;
  ownerRules: PolicyRule[];
  servantRules: PolicyRule[];
  expectedCovered: boolean;
  expectedUncoveredRules: PolicyRule[];
}

// k8s.io/component-helpers auth/rbac/validation/policy_comparator_test.go (kubernetes/kubernetes staging, commit
// d7ce957d8a8729e0e9c2e365288277d742491a5b), one entry per TestCovers* function, in file order.
const ESCALATION_TESTS: EscalationTest[] = [
  {
    name: 'TestCoversExactMatch',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversSubresourceWildcard',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*/scale'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['foo/scale'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversMultipleRulesCoveringSingleRule',
    ownerRules: [
      R({ apiGroups: ['v1'], verbs: ['delete'], resources: ['deployments'] }),
      R({ apiGroups: ['v1'], verbs: ['delete'], resources: ['builds'] }),
      R({ apiGroups: ['v1'], verbs: ['update'], resources: ['builds', 'deployments'] }),
    ],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversMultipleAPIGroupsCoveringSingleRule',
    ownerRules: [
      R({ apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] }),
      R({ apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] }),
      R({ apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] }),
      R({ apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] }),
      R({ apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] }),
      R({ apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] }),
    ],
    servantRules: [R({ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversSingleAPIGroupsCoveringMultiple',
    ownerRules: [R({ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] })],
    servantRules: [
      R({ apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] }),
      R({ apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] }),
      R({ apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] }),
      R({ apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] }),
      R({ apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] }),
      R({ apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] }),
    ],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversMultipleRulesMissingSingleVerbResourceCombination',
    ownerRules: [
      R({ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }),
      R({ apiGroups: ['v1'], verbs: ['delete'], resources: ['pods'] }),
    ],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments', 'pods'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ apiGroups: ['v1'], verbs: ['update'], resources: ['pods'] })],
  },
  {
    name: 'TestCoversAPIGroupStarCoveringMultiple',
    ownerRules: [R({ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['group1', 'group2'], verbs: ['get'], resources: ['roles'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversEnumerationNotCoveringAPIGroupStar',
    ownerRules: [R({ apiGroups: ['dummy-group'], verbs: ['get'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] })],
  },
  {
    name: 'TestCoversAPIGroupStarCoveringStar',
    ownerRules: [R({ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversVerbStarCoveringMultiple',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['watch', 'list'], resources: ['roles'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversEnumerationNotCoveringVerbStar',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] })],
  },
  {
    name: 'TestCoversVerbStarCoveringStar',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversResourceStarCoveringMultiple',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['resourcegroup:deployments'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversEnumerationNotCoveringResourceStar',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['roles', 'resourcegroup:deployments'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] })],
  },
  {
    name: 'TestCoversResourceStarCoveringStar',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversResourceNameEmptyCoveringMultiple',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversEnumerationNotCoveringResourceNameEmpty',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'] })],
  },
  {
    name: 'TestCoversNonResourceURLs',
    ownerRules: [R({ nonResourceURLs: ['/apis'], verbs: ['*'] })],
    servantRules: [R({ nonResourceURLs: ['/apis'], verbs: ['*'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversNonResourceURLsStar',
    ownerRules: [R({ nonResourceURLs: ['*'], verbs: ['*'] })],
    servantRules: [R({ nonResourceURLs: ['/apis', '/apis/v1', '/'], verbs: ['*'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversNonResourceURLsStarAfterPrefixDoesntCover',
    ownerRules: [R({ nonResourceURLs: ['/apis/*'], verbs: ['*'] })],
    servantRules: [R({ nonResourceURLs: ['/apis', '/apis/v1'], verbs: ['get'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ nonResourceURLs: ['/apis'], verbs: ['get'] })],
  },
  {
    name: 'TestCoversNonResourceURLsStarAfterPrefix',
    ownerRules: [R({ nonResourceURLs: ['/apis/*'], verbs: ['*'] })],
    servantRules: [R({ nonResourceURLs: ['/apis/v1/foo', '/apis/v1'], verbs: ['get'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversNonResourceURLsWithOtherFields',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] })],
    expectedCovered: true,
    expectedUncoveredRules: [],
  },
  {
    name: 'TestCoversNonResourceURLsWithOtherFieldsFailure',
    ownerRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] })],
    servantRules: [R({ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] })],
    expectedCovered: false,
    expectedUncoveredRules: [R({ nonResourceURLs: ['/apis'], verbs: ['get'] })],
  },
];

/** rulesMatch: same length, and every expected rule present (order-free). */
function sameRules(actual: PolicyRule[], expected: PolicyRule[]): void {
  const key = (r: PolicyRule) => JSON.stringify(r);
  expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
}

describe('policy_comparator_test.go TestCovers* (k8s.io/component-helpers auth/rbac/validation)', () => {
  it.each(ESCALATION_TESTS)('$name', ({ ownerRules, servantRules, expectedCovered, expectedUncoveredRules }) => {
    const got = covers(ownerRules, servantRules);
    expect(got.covers).toBe(expectedCovered);
    sameRules(got.uncovered, expectedUncoveredRules);
  });
});

describe('policy_comparator_test.go TestNonResourceURLCovers', () => {
  it.each([
    { owner: '*', requested: '', want: true },
    { owner: '*', requested: '/', want: true },
    { owner: '*', requested: '/api', want: true },
    { owner: '/*', requested: '', want: false },
    { owner: '/*', requested: '/', want: true },
    { owner: '/*', requested: '/foo', want: true },
    { owner: '/api', requested: '/api', want: true },
    { owner: '/apis', requested: '/api', want: false },
    { owner: '/api/v1', requested: '/api', want: false },
    { owner: '/api/v1', requested: '/api/v1', want: true },
    { owner: '/api/*', requested: '/api/v1', want: true },
    { owner: '/api/*', requested: '/api', want: false },
    { owner: '/api/*/*', requested: '/api/v1', want: false },
    { owner: '/*/v1/*', requested: '/api/v1', want: false },
  ])('nonResourceURLCovers("$owner", "$requested") = $want', ({ owner, requested, want }) => {
    expect(nonResourceURLCovers(owner, requested)).toBe(want);
  });
});

describe('policy_comparator.go BreakdownRule and ruleCovers, beyond the Go tests', () => {
  it('BreakdownRule splits into (group, resource, verb[, name]) and (url, verb) atoms, in Go\'s loop order', () => {
    const atoms = breakdownRule(R({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['a'], nonResourceURLs: ['/x'] }));
    expect(atoms).toEqual([
      R({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
      R({ verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
      R({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }),
      R({ verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }),
      R({ verbs: ['get'], nonResourceURLs: ['/x'] }),
      R({ verbs: ['list'], nonResourceURLs: ['/x'] }),
    ]);
  });

  it.each([
    { name: '`*/exec` covers pods/exec', owner: R({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }), servant: R({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }), want: true },
    { name: '`pods/*` does not cover pods/exec (literal)', owner: R({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }), servant: R({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }), want: false },
    { name: '`pods` does not cover pods/exec', owner: R({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }), servant: R({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }), want: false },
    { name: '`*/exec` does not cover `*` (a wildcard is covered only by a wildcard)', owner: R({ verbs: ['get'], apiGroups: [''], resources: ['*/exec'] }), servant: R({ verbs: ['get'], apiGroups: [''], resources: ['*'] }), want: false },
    { name: 'a name list covers a subset of names', owner: R({ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['a', 'b'] }), servant: R({ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['b'] }), want: true },
    { name: 'a name list does not cover another name', owner: R({ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['a'] }), servant: R({ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['c'] }), want: false },
    { name: 'core group does not cover apps', owner: R({ verbs: ['create'], apiGroups: [''], resources: ['deployments'] }), servant: R({ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }), want: false },
    { name: 'verbs are compared exactly (GET ≠ get)', owner: R({ verbs: ['GET'], apiGroups: [''], resources: ['pods'] }), servant: R({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }), want: false },
    { name: 'a resource rule does not cover a URL', owner: R({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), servant: R({ verbs: ['get'], nonResourceURLs: ['/metrics'] }), want: false },
    { name: 'a servant rule with verbs but no group, resource or URL has no atoms: anything covers it', owner: R({}), servant: R({ verbs: ['get'] }), want: true },
  ])('$name', ({ owner, servant, want }) => {
    expect(covers([owner], [servant]).covers).toBe(want);
  });

  it.each([
    { name: '(*, *, *) is cluster-admin', rules: [R({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })], want: true },
    { name: '(*, *, *) limited to names is not', rules: [R({ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['x'] })], want: false },
    { name: 'every verb spelled out is not', rules: [R({ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'bind', 'escalate', 'impersonate'], apiGroups: ['*'], resources: ['*'] })], want: false },
    { name: 'all core resources is not', rules: [R({ verbs: ['*'], apiGroups: [''], resources: ['*'] })], want: false },
    { name: 'nonResourceURL * alone is not', rules: [R({ verbs: ['*'], nonResourceURLs: ['*'] })], want: false },
  ])('rulesAreClusterAdmin: $name', ({ rules, want }) => {
    expect(rulesAreClusterAdmin(rules)).toBe(want);
  });
});
