// Identities and subject matching (rule.go appliesToUser; k8s.io/apiserver serviceaccount/util.go).

import { UsageError } from '../errors.js';
import { groupId, parseId, saId, userId } from '../ids.js';
import type { Subject } from '../snapshot/types.js';

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
export const MASTERS = 'system:masters';
export const NODES_GROUP = 'system:nodes';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
const SA_PREFIX = 'system:serviceaccount:';

/** What the authorizer sees of a requester. `name` is '' for an unnamed user (`--as Group:G`). */
export interface UserInfo {
  name: string;
  groups: string[];
}

export const saUsername = (ns: string, name: string): string => `${SA_PREFIX}${ns}:${name}`;
export const saGroup = (ns: string): string => `${ALL_SERVICE_ACCOUNTS}:${ns}`;
export const nodeUsername = (name: string): string => `system:node:${name}`;

/** `system:serviceaccount:<ns>:<name>` → [ns, name]; else null. */
export function splitSaUsername(user: string): [string, string] | null {
  if (!user.startsWith(SA_PREFIX)) return null;
  const rest = user.slice(SA_PREFIX.length);
  const i = rest.indexOf(':');
  if (i <= 0 || i === rest.length - 1) return null;
  const ns = rest.slice(0, i);
  const name = rest.slice(i + 1);
  if (name.includes(':')) return null;
  return [ns, name];
}

/**
 * Does a binding subject match the user? (appliesToUser). A ServiceAccount subject's namespace
 * defaults to the binding's namespace in a RoleBinding; in a ClusterRoleBinding (no namespace) a
 * ServiceAccount subject without one matches nobody. Unknown kinds match nobody; apiGroup is ignored.
 */
export function subjectMatches(user: UserInfo, subject: Subject, bindingNamespace: string | null): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace ?? bindingNamespace ?? '';
      if (ns === '') return false;
      return user.name === saUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

/** The canonical ID of a binding subject, or null when it matches nobody. */
export function subjectIdOf(subject: Subject, bindingNamespace: string | null): string | null {
  switch (subject.kind) {
    case 'User':
      return userId(subject.name);
    case 'Group':
      return groupId(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace ?? bindingNamespace;
      return ns ? saId(ns, subject.name) : null;
    }
    default:
      return null;
  }
}

/**
 * The identity behind a subject ID, with its implicit groups: a service account is in
 * `system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`; a node is
 * `system:node:<n>` in `system:nodes`; `User:system:anonymous` is in `system:unauthenticated`;
 * every other user in `system:authenticated`; `Group:G` is an unnamed user in G (and
 * `system:authenticated` unless G is `system:unauthenticated`).
 */
export function identityOf(subjectId: string): UserInfo {
  const p = parseId(subjectId);
  if (!p) throw new UsageError(`malformed subject ID: ${subjectId} (expected e.g. User:alice, Group:dev, ServiceAccount:ns/name, Node:n)`);
  switch (p.kind) {
    case 'User':
      if (p.name === ANONYMOUS) return { name: ANONYMOUS, groups: [ALL_UNAUTHENTICATED] };
      return { name: p.name, groups: [ALL_AUTHENTICATED] };
    case 'ServiceAccount':
      return { name: saUsername(p.namespace!, p.name), groups: [ALL_SERVICE_ACCOUNTS, saGroup(p.namespace!), ALL_AUTHENTICATED] };
    case 'Node':
      return { name: nodeUsername(p.name), groups: [NODES_GROUP, ALL_AUTHENTICATED] };
    case 'Group':
      return p.name === ALL_UNAUTHENTICATED ? { name: '', groups: [p.name] } : { name: '', groups: dedupe([p.name, ALL_AUTHENTICATED]) };
    default:
      throw new UsageError(`${subjectId} is not a subject (use User:, Group:, ServiceAccount: or Node:)`);
  }
}

/**
 * `--as` accepts canonical IDs and kubectl's forms: `system:serviceaccount:NS:NAME` is that service
 * account; any other plain name is a user. Returns the canonical subject ID.
 */
export function canonicalSubjectId(as: string): string {
  const sa = splitSaUsername(as);
  if (sa) return saId(sa[0], sa[1]);
  const p = parseId(as);
  if (p && ['User', 'Group', 'ServiceAccount', 'Node'].includes(p.kind)) return as;
  if (/^(ServiceAccount|Pod|Secret|Role|RoleBinding):/.test(as)) {
    throw new UsageError(`malformed subject ID: ${as}`);
  }
  return userId(as);
}

/**
 * `--as-group` follows the API server's impersonation rules: the groups are exactly those listed,
 * plus `system:authenticated` (unless the user is anonymous or `system:unauthenticated` is listed).
 */
export function withExplicitGroups(user: UserInfo, groups: string[]): UserInfo {
  const g = dedupe(groups);
  if (user.name === ANONYMOUS) {
    if (!g.includes(ALL_UNAUTHENTICATED)) g.push(ALL_UNAUTHENTICATED);
  } else if (!g.includes(ALL_AUTHENTICATED) && !g.includes(ALL_UNAUTHENTICATED)) {
    g.push(ALL_AUTHENTICATED);
  }
  return { name: user.name, groups: g };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
