// The identity an impersonating request acts as (k8s.io/apiserver pkg/endpoints/filters/impersonation.go).

import { resourceRequest, type ResourceRequest } from './request.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, saGroup, splitSaUsername, type UserInfo } from './subjects.js';

export interface ImpersonationHeaders {
  user?: string;
  groups?: string[];
  extras?: Record<string, string[]>;
  uid?: string;
}

export type ImpersonationOutcome =
  | { ok: true; checks: ResourceRequest[]; identity: UserInfo }
  | { ok: false; reason: string; checks: ResourceRequest[] };

/**
 * The authorization checks an impersonating request needs and the identity that results. Groups,
 * extras or a uid without `Impersonate-User` are rejected. A service account impersonated without
 * groups gets its fixed groups; `system:authenticated` is added unless the user is anonymous or
 * `system:authenticated`/`system:unauthenticated` was asked for; anonymous gets `system:unauthenticated`.
 */
export function impersonate(h: ImpersonationHeaders): ImpersonationOutcome {
  const checks: ResourceRequest[] = [];
  const groupsSpecified = (h.groups?.length ?? 0) > 0;
  if (!h.user) {
    if (groupsSpecified || h.extras || h.uid) {
      return { ok: false, reason: 'requested impersonation of groups, extras or uid without impersonating a user', checks };
    }
    return { ok: false, reason: 'no impersonation requested', checks };
  }
  let groups: string[] = [];
  const sa = splitSaUsername(h.user);
  if (sa) {
    checks.push(resourceRequest('impersonate', '', 'serviceaccounts', { name: sa[1], namespace: sa[0] }));
    if (!groupsSpecified) groups = [ALL_SERVICE_ACCOUNTS, saGroup(sa[0])];
  } else {
    checks.push(resourceRequest('impersonate', '', 'users', { name: h.user }));
  }
  for (const g of h.groups ?? []) {
    checks.push(resourceRequest('impersonate', '', 'groups', { name: g }));
    groups.push(g);
  }
  for (const [key, values] of Object.entries(h.extras ?? {})) {
    for (const v of values) checks.push(resourceRequest('impersonate', 'authentication.k8s.io', 'userextras', { subresource: key, name: v }));
  }
  if (h.uid) checks.push(resourceRequest('impersonate', 'authentication.k8s.io', 'uids', { name: h.uid }));
  if (h.user === ANONYMOUS) {
    if (!groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_UNAUTHENTICATED);
  } else if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_AUTHENTICATED);
  }
  return { ok: true, checks, identity: { name: h.user, groups } };
}
