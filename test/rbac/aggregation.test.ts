// ClusterRole aggregation: clusterroleaggregation_controller_test.go TestSyncClusterRole row by row, then selectors and fixed points.
import { describe, expect, it } from 'vitest';
import { aggregateClusterRoles, selectorMatches } from '../../src/rbac/aggregate.js';
import { resourceRequest } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';
import type { PolicyRule, Role } from '../../src/snapshot/types.js';
import { clusterRole, load, policyRule, role, roleBinding, rule, type Obj } from './helpers.js';

const hammerRules = (): Obj[] => [rule({ verbs: ['hammer'], resources: ['nails'] }), rule({ verbs: ['hammer'], resources: ['wedges'] })];
const chiselRules = (): Obj[] => [rule({ verbs: ['chisel'], resources: ['mortises'] })];
const sawRules = (): Obj[] => [rule({ verbs: ['saw'], resources: ['boards'] })];

/** The test's `role(name, labels, rules)`. */
const tool = (name: string, labels: Record<string, string>, rules: Obj[]): Obj => clusterRole(name, rules, { labels });
/** The test's `combinedRole(selectors, rules...)`: ClusterRole "combined" with matchLabels selectors. */
const combinedRole = (selectors: Record<string, string>[], ...rules: Obj[][]): Obj =>
  clusterRole('combined', rules.flat(), { selectors: selectors.map((matchLabels) => ({ matchLabels })) });

/** What the ingest turns a YAML rule into, for comparing with aggregated rules. */
const asPolicy = (rs: Obj[]): PolicyRule[] => rs.map((r) => policyRule(r as Partial<PolicyRule>));

function clusterRolesOf(objects: Obj[]): Role[] {
  return load(objects).snapshot.roles.filter((r) => r.kind === 'ClusterRole');
}

// pkg/controller/clusterroleaggregation/clusterroleaggregation_controller_test.go at commit 04791b4906602ffda5ccf9bc4c84d3329f1d7080;
// the expected rules are those of expectedClusterRole (the apply and update variants of the Go test expect the same rules).
describe('clusterroleaggregation_controller_test.go TestSyncClusterRole (pkg/controller/clusterroleaggregation)', () => {
  it.each([
    {
      name: 'remove dead rules',
      startingClusterRoles: [tool('hammer', { foo: 'bar' }, hammerRules()), combinedRole([{ foo: 'bar' }], sawRules())],
      expected: hammerRules(),
    },
    {
      name: 'select properly and put in order',
      startingClusterRoles: [
        tool('hammer', { foo: 'bar' }, hammerRules()),
        tool('chisel', { foo: 'bar' }, chiselRules()),
        tool('saw', { foo: 'not-bar' }, sawRules()),
        combinedRole([{ foo: 'bar' }]),
      ],
      expected: [...chiselRules(), ...hammerRules()],
    },
    {
      name: 'select properly with multiple selectors',
      startingClusterRoles: [
        tool('hammer', { foo: 'bar' }, hammerRules()),
        tool('chisel', { foo: 'bar' }, chiselRules()),
        tool('saw', { foo: 'not-bar' }, sawRules()),
        combinedRole([{ foo: 'bar' }, { foo: 'not-bar' }]),
      ],
      expected: [...chiselRules(), ...hammerRules(), ...sawRules()],
    },
    {
      name: 'select properly remove duplicates',
      startingClusterRoles: [
        tool('hammer', { foo: 'bar' }, hammerRules()),
        tool('chisel', { foo: 'bar' }, chiselRules()),
        tool('saw', { foo: 'bar' }, sawRules()),
        tool('other-saw', { foo: 'not-bar' }, sawRules()),
        combinedRole([{ foo: 'bar' }, { foo: 'not-bar' }]),
      ],
      expected: [...chiselRules(), ...hammerRules(), ...sawRules()],
    },
    {
      name: 'no diff skip',
      startingClusterRoles: [tool('hammer', { foo: 'bar' }, hammerRules()), combinedRole([{ foo: 'bar' }], hammerRules())],
      expected: hammerRules(),
    },
  ])('$name', ({ startingClusterRoles, expected }) => {
    const got = aggregateClusterRoles(clusterRolesOf(startingClusterRoles));
    expect(got.rules.get('combined')).toEqual(asPolicy(expected));
    expect(load(startingClusterRoles).index.rulesOf('ClusterRole:combined')).toEqual(asPolicy(expected));
  });

  // Row "strip rules": the controller empties `combined` (no ClusterRole has foo=bar). rbacgraph departs on
  // purpose (aggregate.ts): with no matching ClusterRole in the input, the written rules are kept, since a
  // dump of one aggregated role alone holds what the controller computed. The departure is reported.
  it('strip rules (documented departure: written rules are kept and reported in keptWritten)', () => {
    const objects = [tool('hammer', { foo: 'not-bar' }, hammerRules()), combinedRole([{ foo: 'bar' }], hammerRules())];
    const got = aggregateClusterRoles(clusterRolesOf(objects));
    expect(got.keptWritten).toEqual(['combined']);
    expect(got.rules.get('combined')).toEqual(asPolicy(hammerRules()));
  });
});

describe('clusterroleaggregation_controller.go syncClusterRole: beyond the Go table', () => {
  it('orders rules selector by selector, each selector\'s roles by name (as the controller appends them)', () => {
    const objects = [
      tool('alpha', { tier: 'second' }, sawRules()),
      tool('zeta', { tier: 'first' }, chiselRules()),
      combinedRole([{ tier: 'first' }, { tier: 'second' }]),
    ];
    expect(aggregateClusterRoles(clusterRolesOf(objects)).rules.get('combined')).toEqual(asPolicy([...chiselRules(), ...sawRules()]));
  });

  it('`rules: null` on an aggregated role: the union is computed, not taken as "no rules"', () => {
    const objects = [
      tool('pods-reader', { agg: 'yes' }, [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      clusterRole('combined', null, { selectors: [{ matchLabels: { agg: 'yes' } }] }),
      roleBinding('ns1', 'combined', 'ClusterRole', ['User:alice']),
    ];
    const { index } = load(objects);
    expect(index.authorize(identityOf('User:alice'), resourceRequest('get', '', 'pods', { namespace: 'ns1', name: 'p' })).allowed).toBe(true);
  });

  it('an aggregated role never aggregates itself, even when its labels match its own selector', () => {
    const objects = [
      clusterRole('combined', [rule({ verbs: ['hand-written'], resources: ['x'] })], { labels: { agg: 'yes' }, selectors: [{ matchLabels: { agg: 'yes' } }] }),
      tool('other', { agg: 'yes' }, sawRules()),
    ];
    expect(aggregateClusterRoles(clusterRolesOf(objects)).rules.get('combined')).toEqual(asPolicy(sawRules()));
  });

  it('only ClusterRoles are aggregated, never namespaced Roles with the same labels', () => {
    const objects = [
      { ...role('ns1', 'sneaky', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })]), metadata: { name: 'sneaky', namespace: 'ns1', labels: { agg: 'yes' } } },
      tool('legit', { agg: 'yes' }, sawRules()),
      clusterRole('combined', null, { selectors: [{ matchLabels: { agg: 'yes' } }] }),
    ];
    expect(load(objects).index.rulesOf('ClusterRole:combined')).toEqual(asPolicy(sawRules()));
  });

  it('aggregation is computed to a fixed point whatever the input order (c feeds b feeds a)', () => {
    const objects = [
      clusterRole('a', null, { selectors: [{ matchLabels: { 'to-a': 'true' } }] }),
      clusterRole('b', null, { labels: { 'to-a': 'true' }, selectors: [{ matchLabels: { 'to-b': 'true' } }] }),
      clusterRole('c', null, { labels: { 'to-b': 'true' }, selectors: [{ matchLabels: { 'to-c': 'true' } }] }),
      tool('leaf', { 'to-c': 'true' }, hammerRules()),
    ];
    const rules = aggregateClusterRoles(clusterRolesOf(objects)).rules;
    expect(rules.get('a')).toEqual(asPolicy(hammerRules()));
    expect(rules.get('b')).toEqual(asPolicy(hammerRules()));
    expect(rules.get('c')).toEqual(asPolicy(hammerRules()));
  });

  it('two aggregated roles selecting each other settle on the same union (no endless loop)', () => {
    const objects = [
      clusterRole('a', null, { labels: { x: '1' }, selectors: [{ matchLabels: { y: '1' } }] }),
      clusterRole('b', null, { labels: { y: '1' }, selectors: [{ matchLabels: { x: '1' } }] }),
      tool('c', { x: '1' }, sawRules()),
    ];
    const rules = aggregateClusterRoles(clusterRolesOf(objects)).rules;
    expect(rules.get('a')).toEqual(asPolicy(sawRules()));
    expect(rules.get('b')).toEqual(asPolicy(sawRules()));
  });

  it('an empty selector ({}) selects every other ClusterRole (metav1.LabelSelectorAsSelector → Everything)', () => {
    const objects = [tool('h', {}, hammerRules()), tool('s', { any: 'thing' }, sawRules()), clusterRole('combined', null, { selectors: [{}] })];
    expect(aggregateClusterRoles(clusterRolesOf(objects)).rules.get('combined')).toEqual(asPolicy([...hammerRules(), ...sawRules()]));
  });
});

describe('label selectors (metav1.LabelSelectorAsSelector semantics)', () => {
  const sel = (matchLabels: Record<string, string>, matchExpressions: { key: string; operator: string; values?: string[] }[] = []) => ({
    matchLabels,
    matchExpressions: matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  });
  it.each([
    { name: 'matchLabels equal', s: sel({ a: '1' }), labels: { a: '1', b: '2' }, want: true },
    { name: 'matchLabels different value', s: sel({ a: '1' }), labels: { a: '2' }, want: false },
    { name: 'matchLabels missing key', s: sel({ a: '1' }), labels: {}, want: false },
    { name: 'all matchLabels must hold', s: sel({ a: '1', b: '2' }), labels: { a: '1' }, want: false },
    { name: 'In', s: sel({}, [{ key: 'a', operator: 'In', values: ['1', '2'] }]), labels: { a: '2' }, want: true },
    { name: 'In, absent key', s: sel({}, [{ key: 'a', operator: 'In', values: ['1'] }]), labels: {}, want: false },
    { name: 'NotIn, absent key', s: sel({}, [{ key: 'a', operator: 'NotIn', values: ['1'] }]), labels: {}, want: true },
    { name: 'NotIn, listed value', s: sel({}, [{ key: 'a', operator: 'NotIn', values: ['1'] }]), labels: { a: '1' }, want: false },
    { name: 'Exists', s: sel({}, [{ key: 'a', operator: 'Exists' }]), labels: { a: '' }, want: true },
    { name: 'DoesNotExist', s: sel({}, [{ key: 'a', operator: 'DoesNotExist' }]), labels: { a: 'x' }, want: false },
    { name: 'matchLabels AND matchExpressions', s: sel({ a: '1' }, [{ key: 'b', operator: 'Exists' }]), labels: { a: '1' }, want: false },
    { name: 'unknown operator selects nothing', s: sel({}, [{ key: 'a', operator: 'Like', values: ['1'] }]), labels: { a: '1' }, want: false },
    { name: 'empty selector selects everything', s: sel({}), labels: {}, want: true },
  ] as { name: string; s: ReturnType<typeof sel>; labels: Record<string, string>; want: boolean }[])('$name', ({ s, labels, want }) => {
    expect(selectorMatches(s, labels)).toBe(want);
  });
});
