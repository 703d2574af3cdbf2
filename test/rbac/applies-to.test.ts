// Subject matching: rule_test.go TestAppliesTo row by row, then identities (serviceaccount/util.go, user.go) and --as forms.
import { describe, expect, it } from 'vitest';
import { resourceRequest } from '../../src/rbac/request.js';
import {
  canonicalSubjectId, identityOf, splitSaUsername, subjectIdOf, subjectMatches, withExplicitGroups, type UserInfo,
} from '../../src/rbac/subjects.js';
import type { Subject } from '../../src/snapshot/types.js';
import { clusterRole, clusterRoleBinding, load, rule } from './helpers.js';

const S = (kind: string, name: string, namespace: string | null = null): Subject => ({ kind, name, namespace });

/** rule.go appliesTo: the index of the first subject that applies, or -1 (Go returns (0, false)). */
function appliesTo(user: UserInfo, subjects: Subject[], namespace: string): number {
  return subjects.findIndex((s) => subjectMatches(user, s, namespace || null));
}

const u = (name: string, groups: string[] = []): UserInfo => ({ name, groups });

// pkg/registry/rbac/validation/rule_test.go at commit fde22c3f9aacfd260225a9741de123a41157b7c0 (rows carry the matching index).
describe('rule_test.go TestAppliesTo (pkg/registry/rbac/validation)', () => {
  it.each([
    { testCase: 'single subject that matches username', subjects: [S('User', 'foobar')], user: u('foobar'), namespace: '', appliesTo: true, index: 0 },
    { testCase: 'multiple subjects, one that matches username', subjects: [S('User', 'barfoo'), S('User', 'foobar')], user: u('foobar'), namespace: '', appliesTo: true, index: 1 },
    { testCase: 'multiple subjects, none that match username', subjects: [S('User', 'barfoo'), S('User', 'foobar')], user: u('zimzam'), namespace: '', appliesTo: false, index: 0 },
    { testCase: 'multiple subjects, one that match group', subjects: [S('User', 'barfoo'), S('Group', 'foobar')], user: u('zimzam', ['foobar']), namespace: '', appliesTo: true, index: 1 },
    { testCase: 'multiple subjects, one that match group, should ignore namespace', subjects: [S('User', 'barfoo'), S('Group', 'foobar')], user: u('zimzam', ['foobar']), namespace: 'namespace1', appliesTo: true, index: 1 },
    {
      testCase: 'multiple subjects with a service account that matches',
      subjects: [S('User', 'barfoo'), S('Group', 'foobar'), S('ServiceAccount', 'default', 'kube-system')],
      user: u('system:serviceaccount:kube-system:default'), namespace: 'default', appliesTo: true, index: 2,
    },
    { testCase: "* user subject name doesn't match all users", subjects: [S('User', '*')], user: u('foobar'), namespace: 'default', appliesTo: false, index: 0 },
    {
      testCase: 'binding to all authenticated and unauthenticated subjects matches authenticated user',
      subjects: [S('Group', 'system:authenticated'), S('Group', 'system:unauthenticated')],
      user: u('foobar', ['system:authenticated']), namespace: 'default', appliesTo: true, index: 0,
    },
    {
      testCase: 'binding to all authenticated and unauthenticated subjects matches anonymous user',
      subjects: [S('Group', 'system:authenticated'), S('Group', 'system:unauthenticated')],
      user: u('system:anonymous', ['system:unauthenticated']), namespace: 'default', appliesTo: true, index: 1,
    },
  ])('$testCase', ({ subjects, user, namespace, appliesTo: want, index }) => {
    const got = appliesTo(user, subjects, namespace);
    expect(got >= 0).toBe(want);
    expect(want ? got : 0).toBe(index);
  });
});

// appliesToUser's other branches, not in the Go table.
describe('rule.go appliesToUser: the remaining branches', () => {
  it.each([
    { name: 'ServiceAccount without namespace takes the RoleBinding namespace', s: S('ServiceAccount', 'builder'), user: u('system:serviceaccount:ci:builder'), ns: 'ci', want: true },
    { name: 'ServiceAccount without namespace, RoleBinding elsewhere', s: S('ServiceAccount', 'builder'), user: u('system:serviceaccount:ci:builder'), ns: 'prod', want: false },
    { name: 'ServiceAccount without namespace in a ClusterRoleBinding matches nobody', s: S('ServiceAccount', 'builder'), user: u('system:serviceaccount:ci:builder'), ns: '', want: false },
    { name: 'ServiceAccount namespace wins over the binding namespace', s: S('ServiceAccount', 'builder', 'ci'), user: u('system:serviceaccount:ci:builder'), ns: 'prod', want: true },
    { name: 'ServiceAccount name must match exactly', s: S('ServiceAccount', 'build', 'ci'), user: u('system:serviceaccount:ci:builder'), ns: '', want: false },
    { name: 'ServiceAccount does not match a prefix of the namespace', s: S('ServiceAccount', 'builder', 'c'), user: u('system:serviceaccount:ci:builder'), ns: '', want: false },
    { name: 'ServiceAccount subject does not match a plain user of the same name', s: S('ServiceAccount', 'builder', 'ci'), user: u('builder'), ns: 'ci', want: false },
    { name: 'User subject spelled as the SA username matches the SA', s: S('User', 'system:serviceaccount:ci:builder'), user: u('system:serviceaccount:ci:builder'), ns: '', want: true },
    { name: 'User names are case-sensitive', s: S('User', 'Alice'), user: u('alice'), ns: '', want: false },
    { name: 'Group "*" matches no group', s: S('Group', '*'), user: u('alice', ['dev']), ns: '', want: false },
    { name: 'Group subject does not match a user of that name', s: S('Group', 'alice'), user: u('alice', []), ns: '', want: false },
    { name: 'User subject does not match a group of that name', s: S('User', 'dev'), user: u('alice', ['dev']), ns: '', want: false },
    { name: 'unknown kind matches nobody', s: S('Node', 'alice'), user: u('alice'), ns: '', want: false },
    { name: 'kind is case-sensitive', s: S('user', 'alice'), user: u('alice'), ns: '', want: false },
  ])('$name', ({ s, user, ns, want }) => {
    expect(subjectMatches(user, s, ns || null)).toBe(want);
  });

  it('subject IDs: a SA without namespace has none in a ClusterRoleBinding, and unknown kinds have none', () => {
    expect(subjectIdOf(S('ServiceAccount', 'x'), 'ns1')).toBe('ServiceAccount:ns1/x');
    expect(subjectIdOf(S('ServiceAccount', 'x'), null)).toBeNull();
    expect(subjectIdOf(S('User', 'system:serviceaccount:a:b'), null)).toBe('User:system:serviceaccount:a:b');
    expect(subjectIdOf(S('Group', 'g'), 'ns1')).toBe('Group:g');
    expect(subjectIdOf(S('Node', 'n'), null)).toBeNull();
  });

  it('the subject apiGroup is ignored: a User written with apiGroup "" (or another group) still matches', () => {
    const { index } = load([
      clusterRole('r', [rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })]),
      clusterRoleBinding('r', [{ kind: 'User', apiGroup: '', name: 'a' }, { kind: 'User', apiGroup: 'example.com', name: 'b' }, { kind: 'Group', name: 'c' }]),
    ]);
    const req = resourceRequest('get', '', 'pods', { namespace: 'x', name: 'p' });
    expect(index.authorize(identityOf('User:a'), req).allowed).toBe(true);
    expect(index.authorize(identityOf('User:b'), req).allowed).toBe(true);
    expect(index.authorize(identityOf('Group:c'), req).allowed).toBe(true);
  });
});

describe('identities (k8s.io/apiserver serviceaccount/util.go, authentication/user/user.go)', () => {
  it.each([
    { id: 'ServiceAccount:ns1/builder', name: 'system:serviceaccount:ns1:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] },
    { id: 'User:alice', name: 'alice', groups: ['system:authenticated'] },
    { id: 'User:system:anonymous', name: 'system:anonymous', groups: ['system:unauthenticated'] },
    { id: 'Node:worker-1', name: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] },
    { id: 'Group:dev', name: '', groups: ['dev', 'system:authenticated'] },
    { id: 'Group:system:authenticated', name: '', groups: ['system:authenticated'] },
    { id: 'Group:system:unauthenticated', name: '', groups: ['system:unauthenticated'] },
    { id: 'User:system:serviceaccount:ns1:builder', name: 'system:serviceaccount:ns1:builder', groups: ['system:authenticated'] },
  ])('identityOf($id)', ({ id, name, groups }) => {
    expect(identityOf(id)).toEqual({ name, groups });
  });

  it.each(['Pod:ns/x', 'nonsense', 'ServiceAccount:noslash'])('identityOf(%s) is a USAGE error', (id) => {
    expect(() => identityOf(id)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it.each([
    { user: 'system:serviceaccount:ns:sa', want: ['ns', 'sa'] },
    { user: 'system:serviceaccount:ns', want: null },
    { user: 'system:serviceaccount::sa', want: null },
    { user: 'system:serviceaccount:ns:', want: null },
    { user: 'system:serviceaccount:ns:sa:extra', want: null },
    { user: 'system:serviceaccounts:ns', want: null },
    { user: 'alice', want: null },
  ])('splitSaUsername($user)', ({ user, want }) => {
    expect(splitSaUsername(user)).toEqual(want);
  });

  it.each([
    { as: 'system:serviceaccount:ns1:builder', want: 'ServiceAccount:ns1/builder' },
    { as: 'alice', want: 'User:alice' },
    { as: 'system:kube-scheduler', want: 'User:system:kube-scheduler' },
    { as: 'User:bob', want: 'User:bob' },
    { as: 'Group:dev', want: 'Group:dev' },
    { as: 'Node:n1', want: 'Node:n1' },
    { as: 'ServiceAccount:ns/sa', want: 'ServiceAccount:ns/sa' },
  ])('--as $as is $want', ({ as, want }) => {
    expect(canonicalSubjectId(as)).toBe(want);
  });

  it.each([
    { name: 'explicit groups replace a SA\'s implicit groups, plus system:authenticated', user: identityOf('ServiceAccount:ns/sa'), groups: ['dev'], want: ['dev', 'system:authenticated'] },
    { name: 'system:authenticated is not doubled', user: identityOf('User:a'), groups: ['system:authenticated', 'x'], want: ['system:authenticated', 'x'] },
    { name: 'system:unauthenticated listed: system:authenticated is not added', user: identityOf('User:a'), groups: ['system:unauthenticated'], want: ['system:unauthenticated'] },
    { name: 'anonymous gets system:unauthenticated, never system:authenticated', user: identityOf('User:system:anonymous'), groups: ['x'], want: ['x', 'system:unauthenticated'] },
  ])('--as-group: $name', ({ user, groups, want }) => {
    expect(withExplicitGroups(user, groups).groups).toEqual(want);
  });
});
