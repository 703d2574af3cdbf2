// RBAC: a direct grant of every verb on every resource of every group, cluster-wide (or system:masters).

import { CLUSTER_ADMIN, groupId } from '../../ids.js';
import { rulesAreClusterAdmin } from '../../rbac/covers.js';
import { MASTERS } from '../../rbac/subjects.js';
import { defineTechnique } from '../technique.js';

export default defineTechnique({
  meta: {
    id: 'RBAC',
    title: 'Direct cluster-admin grant',
    severity: 'critical',
    mitre: 'T1078.004',
    rationale:
      'A ClusterRoleBinding to a role whose rules allow verb `*` on resource `*` in API group `*` gives full control ' +
      'of the cluster, whatever the role is called; members of system:masters are allowed everything by an ' +
      'authorizer that runs before RBAC and skips the escalation checks.',
  },
  reads: ['roles', 'bindings', 'awsAuth'],
  *derive(ctx) {
    const adminRoles = new Map<string, boolean>();
    for (const rb of ctx.rbac.resolvedBindings) {
      if (rb.scope !== null) continue; // a RoleBinding only ever grants inside its namespace
      let admin = adminRoles.get(rb.roleId);
      if (admin === undefined) adminRoles.set(rb.roleId, (admin = rulesAreClusterAdmin(ctx.rbac.rulesOf(rb.roleId) ?? [])));
      if (!admin) continue;
      for (const s of rb.subjects) {
        yield { from: s, to: CLUSTER_ADMIN, evidence: [rb.binding.id, rb.roleId], explanation: 'bound to a role that allows every verb on every resource' };
      }
    }
    // system:masters is allowed everything before RBAC is asked (rbac-semantics.md, "Subjects"). The group is
    // entered only through the input (a binding naming it, an impersonation grant, an aws-auth mapping): with
    // no binding and no aws-auth there is no way in, and the edge would start from a node nothing reaches.
    if (ctx.snapshot.bindings.length > 0 || ctx.snapshot.awsAuth !== null) {
      yield { from: groupId(MASTERS), to: CLUSTER_ADMIN, evidence: [], explanation: 'system:masters is allowed everything by an authorizer that runs before RBAC' };
    }
  },
});
