// Effective rules per user and namespace: rule_test.go TestDefaultRuleResolver row by row, then bindings that resolve to nothing.
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../src/snapshot/types.js';
import { resourceRequest } from '../../src/rbac/request.js';
import { identityOf, type UserInfo } from '../../src/rbac/subjects.js';
import { clusterRole, clusterRoleBinding, codes, load, policyRule, role, roleBinding, rule } from './helpers.js';

// pkg/registry/rbac/validation/rule_test.go at commit fde22c3f9aacfd260225a9741de123a41157b7c0.
// The Go test's rules; note the upper-case verbs and "v1" as a group, copied as they are.
const ruleReadPods = policyRule({ verbs: ['GET', 'WATCH'], apiGroups: ['v1'], resources: ['pods'] });
const ruleReadServices = policyRule({ verbs: ['GET', 'WATCH'], apiGroups: ['v1'], resources: ['services'] });
const ruleWriteNodes = policyRule({ verbs: ['PUT', 'CREATE', 'UPDATE'], apiGroups: ['v1'], resources: ['nodes'] });
const ruleAdmin = policyRule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });

const asYaml = (r: PolicyRule) => rule({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources });

/** staticRoles1 */
const staticRoles1 = load([
  role('namespace1', 'readthings', [asYaml(ruleReadPods), asYaml(ruleReadServices)]),
  clusterRole('cluster-admin', [asYaml(ruleAdmin)]),
  clusterRole('write-nodes', [asYaml(ruleWriteNodes)]),
  roleBinding('namespace1', 'readthings', 'Role', ['User:foobar', 'Group:group1']),
  clusterRoleBinding('cluster-admin', ['User:admin', 'Group:admin']),
]);

const sortRules = (rs: PolicyRule[]): PolicyRule[] => [...rs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('rule_test.go TestDefaultRuleResolver (pkg/registry/rbac/validation)', () => {
  it.each([
    { n: 0, user: { name: 'foobar', groups: [] }, namespace: 'namespace1', effectiveRules: [ruleReadPods, ruleReadServices] },
    { n: 1, user: { name: 'foobar', groups: [] }, namespace: 'namespace2', effectiveRules: [] },
    // Same as above but without a namespace. Only cluster rules should apply.
    { n: 2, user: { name: 'foobar', groups: ['admin'] }, namespace: '', effectiveRules: [ruleAdmin] },
    { n: 3, user: { name: '', groups: [] }, namespace: '', effectiveRules: [] },
  ] as { n: number; user: UserInfo; namespace: string; effectiveRules: PolicyRule[] }[])('case $n: rules for $user.name in "$namespace"', ({ user, namespace, effectiveRules }) => {
    expect(sortRules(staticRoles1.index.rulesFor(user, namespace || null))).toEqual(sortRules(effectiveRules));
  });

  it('the fixture reads without warnings', () => {
    expect(codes(staticRoles1.warnings)).toEqual([]);
  });

  it('upper-case verbs in a rule match no real request (verbs are case-sensitive)', () => {
    const req = resourceRequest('get', 'v1', 'pods', { namespace: 'namespace1', name: 'p' });
    expect(staticRoles1.index.authorize({ name: 'foobar', groups: [] }, req).allowed).toBe(false);
    expect(staticRoles1.index.authorize({ name: 'foobar', groups: [] }, { ...req, verb: 'GET' }).allowed).toBe(true);
  });
});

describe('GetRoleReferenceRules: bindings whose role cannot be resolved grant nothing', () => {
  it('a ClusterRoleBinding to a Role is invalid (INVALID_BINDING) and grants nothing', () => {
    const { index, warnings } = load([
      role('ns1', 'r', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })]),
      clusterRoleBinding('r', ['User:alice'], { roleKind: 'Role' }),
    ]);
    expect(codes([...warnings, ...index.warnings])).toEqual(['INVALID_BINDING']);
    expect(index.rulesFor(identityOf('User:alice'), 'ns1')).toEqual([]);
    expect(index.authorize(identityOf('User:alice'), resourceRequest('get', '', 'pods', { namespace: 'ns1', name: 'x' })).allowed).toBe(false);
  });

  it('a roleRef kind other than Role/ClusterRole is invalid (INVALID_BINDING)', () => {
    const { index } = load([
      clusterRole('r', [rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })]),
      roleBinding('ns1', 'r', 'ClusterRole', ['User:alice']),
      { ...clusterRoleBinding('r', ['User:bob']), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'r' } },
    ]);
    expect(codes(index.warnings)).toEqual(['INVALID_BINDING']);
    expect(index.rulesFor(identityOf('User:bob'), null)).toEqual([]);
    expect(index.rulesFor(identityOf('User:alice'), 'ns1')).toHaveLength(1);
  });

  it('a RoleBinding to a Role of another namespace resolves to nothing (ROLE_NOT_FOUND): Role names are per namespace', () => {
    const { index } = load([
      role('ns1', 'r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      roleBinding('ns2', 'r', 'Role', ['User:alice']),
    ]);
    expect(codes(index.warnings)).toEqual(['ROLE_NOT_FOUND']);
    expect(index.rulesFor(identityOf('User:alice'), 'ns2')).toEqual([]);
  });

  it('RulesFor in a namespace = ClusterRoleBindings + RoleBindings of that namespace only', () => {
    const { index } = load([
      clusterRole('a', [rule({ verbs: ['get'], apiGroups: [''], resources: ['a'] })]),
      clusterRole('b', [rule({ verbs: ['get'], apiGroups: [''], resources: ['b'] })]),
      clusterRole('c', [rule({ verbs: ['get'], apiGroups: [''], resources: ['c'] })]),
      clusterRoleBinding('a', ['Group:system:authenticated']),
      roleBinding('ns1', 'b', 'ClusterRole', ['User:alice']),
      roleBinding('ns2', 'c', 'ClusterRole', ['User:alice']),
    ]);
    const resources = (ns: string | null): string[] => index.rulesFor(identityOf('User:alice'), ns).flatMap((r) => r.resources).sort();
    expect(resources(null)).toEqual(['a']);
    expect(resources('ns1')).toEqual(['a', 'b']);
    expect(resources('ns2')).toEqual(['a', 'c']);
  });
});
