// Techniques that need several permissions at once: which subjects hold all of them, groups included.

import { groupId, parseId } from '../ids.js';
import type { Grant } from '../rbac/authorizer.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, MASTERS, NODES_GROUP, saGroup } from '../rbac/subjects.js';
import { grantEvidence } from './context.js';
import type { AttackEdge } from './technique.js';

/** What one subject's grants reach together; `to` may be an aggregate node. */
export interface Reach {
  to: string;
  evidence: string[];
  explanation: string;
}

const AUTHENTICATED = groupId(ALL_AUTHENTICATED);
const SA_GROUPS = new Map<string, readonly string[]>();

/**
 * The groups every member of a subject is in, whatever binding names it (rbac-semantics.md,
 * "Subjects"). They form one chain per subject (a service account ⊂ system:serviceaccounts:<ns> ⊂
 * system:serviceaccounts ⊂ system:authenticated), which is what lets `jointReach` start only from
 * subjects that some binding names.
 */
export function implicitGroupsOf(subject: string): readonly string[] {
  const p = parseId(subject);
  if (!p) return [];
  const authenticated = AUTHENTICATED;
  switch (p.kind) {
    case 'ServiceAccount': {
      // One array (and so one string per group) per namespace: lookups by these IDs then find
      // strings already hashed. Bounded, as a long watch sees namespaces come and go.
      const ns = p.namespace!;
      let groups = SA_GROUPS.get(ns);
      if (!groups) {
        if (SA_GROUPS.size >= 100_000) SA_GROUPS.clear();
        SA_GROUPS.set(ns, (groups = Object.freeze([groupId(saGroup(ns)), groupId(ALL_SERVICE_ACCOUNTS), authenticated])));
      }
      return groups;
    }
    case 'User':
      if (p.name === ANONYMOUS) return [groupId(ALL_UNAUTHENTICATED)];
      return p.name.startsWith('system:node:') ? [groupId(NODES_GROUP), authenticated] : [authenticated];
    case 'Group':
      if (p.name === ALL_AUTHENTICATED || p.name === ALL_UNAUTHENTICATED || p.name === MASTERS) return [];
      if (p.name.startsWith(`${ALL_SERVICE_ACCOUNTS}:`)) return [groupId(ALL_SERVICE_ACCOUNTS), authenticated];
      return [authenticated];
    default:
      // cluster-admin and the Grant: pseudo-identities hold exactly what their own bindings say.
      return [];
  }
}

const grantKey = (g: Grant): string => `${grantEvidence(g).join('\u0000')}\u0000${String(g.ruleIndex).padStart(6, '0')}`;

/** Grants per subject the binding names, each list in a stable order (so evidence choices are deterministic). */
function bySubject(grants: readonly Grant[]): Map<string, Grant[]> {
  const m = new Map<string, Grant[]>();
  // Each key is made once, not once per comparison.
  const keyed = grants.map((g) => ({ g, key: grantKey(g) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { g } of keyed) {
    for (const s of g.binding.subjects) {
      const l = m.get(s);
      if (l) l.push(g);
      else m.set(s, [g]);
    }
  }
  return m;
}

/**
 * Edges of a technique that needs every requirement at once (`requirements[i]`: the grants that
 * satisfy requirement i). A subject holds a grant when a binding names it or one of its implicit
 * groups (a service account bound to `create secrets` whose namespace's group may read them holds
 * both). `reach` gets, per requirement, the grants one subject holds, and returns what they reach
 * together (nothing when they do not fit, e.g. different namespaces).
 *
 * A subject's edge is kept when its own bindings suffice, or when no group it is in reaches the
 * same target on its own (then the path goes through MEMBER_OF to that group instead).
 */
export function* jointReach(requirements: readonly (readonly Grant[])[], reach: (held: Grant[][]) => Reach[]): Iterable<AttackEdge> {
  const direct = requirements.map(bySubject);
  const combinedCache = new Map<string, Map<string, Reach>>();
  const held = (subject: string, withGroups: boolean): Grant[][] | null => {
    const out: Grant[][] = [];
    const owners = withGroups ? [subject, ...implicitGroupsOf(subject)] : [subject];
    for (const m of direct) {
      const l = owners.flatMap((o) => m.get(o) ?? []);
      if (l.length === 0) return null;
      out.push(l);
    }
    return out;
  };
  const reachOf = (grants: Grant[][] | null): Map<string, Reach> => {
    const m = new Map<string, Reach>();
    if (grants) for (const r of reach(grants)) if (!m.has(r.to)) m.set(r.to, r);
    return m;
  };
  const combined = (subject: string): Map<string, Reach> => {
    let m = combinedCache.get(subject);
    if (!m) combinedCache.set(subject, (m = reachOf(held(subject, true))));
    return m;
  };

  const subjects = new Set<string>();
  for (const m of direct) for (const s of m.keys()) subjects.add(s);
  for (const s of [...subjects].sort()) {
    const all = combined(s);
    if (all.size === 0) continue;
    const own = reachOf(held(s, false));
    const groups = implicitGroupsOf(s);
    for (const [to, r] of all) {
      const mine = own.get(to);
      if (mine) yield { from: s, ...mine };
      else if (!groups.some((g) => combined(g).has(to))) yield { from: s, ...r };
    }
  }
}

/** Evidence of several grants, each binding and role once, in order. */
export function jointEvidence(...grants: Grant[]): string[] {
  return [...new Set(grants.flatMap(grantEvidence))];
}
