// IMPERSONATE: the `impersonate` verb on users, groups and service accounts (Impersonate-User / -Group headers).

import { groupId, userId } from '../../ids.js';
import type { Grant } from '../../rbac/authorizer.js';
import { MASTERS, splitSaUsername } from '../../rbac/subjects.js';
import { Agg, grantEvidence, namedInScope, scopeText, type AnalysisContext } from '../context.js';
import { jointEvidence, jointReach, type Reach } from '../holders.js';
import { defineTechnique, RBAC_INPUTS } from '../technique.js';

/**
 * The service accounts a grant names, where they exist: in its namespace, or in every namespace
 * for a ClusterRoleBinding. (An unknown name has no bindings and no group membership in the graph.)
 */
export function namedServiceAccounts(ctx: AnalysisContext, g: Grant): string[] {
  return namedInScope(ctx, g, (ns, name) => {
    const id = ctx.index.saIdOf(ns, name);
    return ctx.index.saByNamespace.get(ns)?.has(id) ? id : undefined;
  });
}

/**
 * A `users` rule lets one send Impersonate-User with an ordinary user name. A name of the form
 * system:serviceaccount:<ns>:<n> is checked against `serviceaccounts` instead (impersonation
 * filter, buildImpersonationRequests), so listing it under `users` grants nothing.
 */
const userNames = (g: Grant): string[] => g.rule.resourceNames.filter((n) => splitSaUsername(n) === null);
const anyUser = (g: Grant): boolean => g.rule.resourceNames.length === 0 || userNames(g).length > 0;

export default defineTechnique({
  meta: {
    id: 'IMPERSONATE',
    title: 'Impersonate a user, group or service account',
    severity: 'critical',
    mitre: 'T1078',
    rationale:
      'The API server acts as whoever the Impersonate-User and Impersonate-Group headers name when the requester ' +
      'is allowed verb `impersonate` on that user, group or service account. users and groups are cluster-scoped, ' +
      'so only ClusterRoleBindings grant them; serviceaccounts are namespaced. Groups are rejected without a user ' +
      'to go with them, so they need the right to impersonate some user or service account too; impersonating ' +
      'group system:masters is full control.',
  },
  reads: [...RBAC_INPUTS, 'serviceAccounts', 'pods', 'workloads'],
  *derive(ctx) {
    // Users: cluster-scoped, so a RoleBinding's grant is never consulted.
    const users = ctx.grants(['impersonate'], '', 'users').filter((g) => g.scope === null);
    for (const g of users) {
      const evidence = grantEvidence(g);
      if (g.rule.resourceNames.length === 0) {
        for (const s of g.binding.subjects) yield { from: s, to: Agg.users(), evidence, explanation: 'can impersonate any user (Impersonate-User), and so act as' };
        continue;
      }
      for (const name of userNames(g)) {
        for (const s of g.binding.subjects) yield { from: s, to: userId(name), evidence, explanation: `can impersonate user ${name}` };
      }
    }

    // Service accounts: namespaced; the request's namespace and name are the account's.
    const serviceAccounts = ctx.grants(['impersonate'], '', 'serviceaccounts');
    for (const g of serviceAccounts) {
      const evidence = grantEvidence(g);
      if (g.rule.resourceNames.length === 0) {
        const explanation = `can impersonate service accounts in ${scopeText(g.scope)}, and so act as`;
        for (const s of g.binding.subjects) yield { from: s, to: Agg.identities(g.scope), evidence, explanation };
        continue;
      }
      for (const sa of namedServiceAccounts(ctx, g)) {
        for (const s of g.binding.subjects) yield { from: s, to: sa, evidence, explanation: `can impersonate service account ${sa.slice('ServiceAccount:'.length)}` };
      }
    }

    // Groups: cluster-scoped, and only together with some user or service account to impersonate.
    const groups = ctx.grants(['impersonate'], '', 'groups').filter((g) => g.scope === null);
    const userGrants = new Set(users.filter(anyUser));
    const someone = [...userGrants, ...serviceAccounts];
    yield* jointReach([groups, someone], ([held, partners]) => {
      const partner = partners[0];
      const who = userGrants.has(partner) ? 'user' : 'service account';
      const out: Reach[] = [];
      for (const g of held) {
        const evidence = jointEvidence(g, partner);
        if (g.rule.resourceNames.length === 0) {
          out.push({ to: groupId(MASTERS), evidence, explanation: `can impersonate any group, system:masters included (Impersonate-Group), sent along with a ${who} it may impersonate` });
          continue;
        }
        for (const name of [...g.rule.resourceNames].sort()) {
          out.push({ to: groupId(name), evidence, explanation: `can impersonate group ${name} (Impersonate-Group), sent along with a ${who} it may impersonate` });
        }
      }
      return out;
    });
  },
});
