// MEMBER_OF: the groups every identity of a kind is in, whether or not a binding names them.

import { groupId, parseId, userId } from '../../ids.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, NODES_GROUP, nodeUsername } from '../../rbac/subjects.js';
import { implicitGroupsOf } from '../holders.js';
import { defineTechnique } from '../technique.js';

const WHY: Record<string, string> = {
  [groupId(ALL_AUTHENTICATED)]: 'every authenticated identity is in system:authenticated',
  [groupId(ALL_UNAUTHENTICATED)]: 'anonymous requests are in system:unauthenticated',
  [groupId(ALL_SERVICE_ACCOUNTS)]: 'every service account is in system:serviceaccounts',
  [groupId(NODES_GROUP)]: 'kubelets are in system:nodes',
};

export default defineTechnique({
  meta: {
    id: 'MEMBER_OF',
    title: 'Implicit group membership',
    severity: 'info',
    mitre: 'T1078',
    rationale:
      'The API server adds groups to every request: a service account is in system:serviceaccounts, ' +
      'system:serviceaccounts:<namespace> and system:authenticated; every authenticated user is in ' +
      'system:authenticated; anonymous requests are in system:unauthenticated; kubelets (and so root on a node) ' +
      'are user system:node:<name> in system:nodes. A grant to one of these groups is a grant to every such ' +
      'identity; a binding naming user system:serviceaccount:<ns>:<name> names that service account.',
  },
  reads: ['serviceAccounts', 'pods', 'workloads', 'bindings', 'roles', 'nodes'],
  *derive(ctx) {
    // A group holds only what bindings give it, so an edge into a group that no (resolved) binding names
    // leads nowhere: only named groups get members. This keeps the graph small (most per-namespace
    // service-account groups are never bound) and matches holders.ts, whose joint grants route members
    // through MEMBER_OF only to groups that bindings name.
    const named = new Set<string>();
    for (const rb of ctx.rbac.resolvedBindings) for (const s of rb.subjects) named.add(s);
    const member = function* (from: string, groups: readonly string[]) {
      for (const to of groups) {
        if (!named.has(to)) continue;
        const p = parseId(to)!;
        const why = WHY[to] ?? (p.kind === 'User' ? `it authenticates as user ${p.name}` : `every member of it is in ${p.name}`);
        yield { from, to, evidence: [], explanation: why };
      }
    };

    const subjects = new Set<string>([userId(ANONYMOUS)]);
    for (const sas of ctx.index.saByNamespace.values()) for (const sa of sas) subjects.add(sa);
    for (const s of named) subjects.add(s);
    for (const s of [...subjects].sort()) {
      const p = parseId(s);
      if (!p) continue;
      if (p.kind === 'ServiceAccount') {
        // rbac-semantics.md ("Subjects"): a service account is also user system:serviceaccount:<ns>:<name>, so a
        // binding naming that User applies to it (rule.go appliesToUser compares the user name).
        yield* member(s, [...implicitGroupsOf(s), userId(`system:serviceaccount:${p.namespace!}:${p.name}`)]);
        continue;
      }
      // Not the other way round: a user node of that name is reached only through `Agg:users`, as a
      // certificate (which carries its own groups, not the service account's) or by impersonating
      // users (which the API server checks against `serviceaccounts` for that name, not `users`).
      yield* member(s, implicitGroupsOf(s));
    }
    // Root on a node holds the kubelet's credentials: user system:node:<name> in system:nodes and
    // system:authenticated (interface.md, can-i `--as Node:n`). The pseudo-node `Node:*` is no one node.
    for (const n of [...ctx.index.nodes].sort()) {
      const name = parseId(n)!.name;
      yield* member(n, [userId(nodeUsername(name)), groupId(NODES_GROUP), groupId(ALL_AUTHENTICATED)]);
    }
  },
});
