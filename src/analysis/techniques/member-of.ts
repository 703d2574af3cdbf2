// MEMBER_OF: the groups every identity of a kind is in, whether or not a binding names them.

import { groupId, parseId, userId } from '../../ids.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, NODES_GROUP, saGroup } from '../../rbac/subjects.js';
import { defineTechnique } from '../technique.js';

export default defineTechnique({
  meta: {
    id: 'MEMBER_OF',
    title: 'Implicit group membership',
    severity: 'info',
    mitre: 'T1078',
    rationale:
      'The API server adds groups to every request: a service account is in system:serviceaccounts, ' +
      'system:serviceaccounts:<namespace> and system:authenticated; every authenticated user is in ' +
      'system:authenticated; anonymous requests are in system:unauthenticated; kubelets are in system:nodes. ' +
      'A grant to one of these groups is a grant to every such identity.',
  },
  reads: ['serviceAccounts', 'pods', 'workloads', 'bindings', 'roles'],
  *derive(ctx) {
    const authenticated = groupId(ALL_AUTHENTICATED);
    for (const [ns, sas] of ctx.index.saByNamespace) {
      for (const sa of sas) {
        yield { from: sa, to: groupId(ALL_SERVICE_ACCOUNTS), evidence: [], explanation: 'every service account is in system:serviceaccounts' };
        yield { from: sa, to: groupId(saGroup(ns)), evidence: [], explanation: `every service account of ${ns} is in ${saGroup(ns)}` };
        yield { from: sa, to: authenticated, evidence: [], explanation: 'every authenticated identity is in system:authenticated' };
      }
    }
    const users = new Set<string>();
    for (const rb of ctx.rbac.resolvedBindings) for (const s of rb.subjects) if (s.startsWith('User:')) users.add(s);
    users.add(userId(ANONYMOUS));
    for (const u of users) {
      if (u === userId(ANONYMOUS)) {
        yield { from: u, to: groupId(ALL_UNAUTHENTICATED), evidence: [], explanation: 'anonymous requests are in system:unauthenticated' };
        continue;
      }
      yield { from: u, to: authenticated, evidence: [], explanation: 'every authenticated identity is in system:authenticated' };
      const name = parseId(u)!.name;
      if (name.startsWith('system:node:')) yield { from: u, to: groupId(NODES_GROUP), evidence: [], explanation: 'kubelets are in system:nodes' };
    }
  },
});
