// ROLE_ESCALATE: rewrite a role bound to oneself to allow everything (verb `escalate` skips the covers check).

import { ALL_RULES_ROLE } from '../../graph/build.js';
import { CLUSTER_ADMIN, compareIds } from '../../ids.js';
import type { Grant, ResolvedBinding } from '../../rbac/authorizer.js';
import { selectorMatches } from '../../rbac/aggregate.js';
import { rulesAreClusterAdmin } from '../../rbac/covers.js';
import type { LabelSelector, PolicyRule } from '../../snapshot/types.js';
import { subjectIdOf } from '../../rbac/subjects.js';
import { namesAllow, type AnalysisContext } from '../context.js';
import { jointEvidence, jointReach, type Reach } from '../holders.js';
import { couldCombineWith, memoReach, narrowRequirements } from '../joint-requirements.js';
import { defineTechnique, type AttackEdge } from '../technique.js';
import { grantId, heldRules, liveGrants, onlyHub, parseGrantId, RBAC_GROUP, type GrantLookup } from './role-bind.js';

type RoleResource = 'roles' | 'clusterroles';

const EVERY_PERMISSION: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: ['*'] }];
const NO_RULE: PolicyRule = { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [] };

const roleText = (roleId: string): string => roleId.replace(':', ' ');
const resourceOf = (roleId: string): RoleResource => (roleId.startsWith('Role:') ? 'roles' : 'clusterroles');
/** The role's name (a ClusterRole's may contain `:`, as in system:controller:...). */
const nameOf = (roleId: string): string => roleId.slice(roleId.indexOf(roleId.startsWith('Role:') ? '/' : ':') + 1);
const namespaceOf = (roleId: string): string | null => (roleId.startsWith('Role:') ? roleId.slice('Role:'.length, roleId.indexOf('/')) : null);

/** Can some labels satisfy the selector? (The attacker writes the labels of the role it rewrites.) */
function satisfiable(sel: LabelSelector): boolean {
  const labels: Record<string, string> = { ...sel.matchLabels };
  for (const e of sel.matchExpressions) {
    if (e.key in labels) continue;
    if (e.operator === 'In' && e.values.length > 0) labels[e.key] = e.values[0];
    else if (e.operator === 'Exists') labels[e.key] = 'x';
  }
  return selectorMatches(sel, labels);
}

/**
 * "Being bound to role R" as a requirement of `jointReach`: one pseudo-grant per binding, so that a
 * role bound to a subject's implicit group counts for the subject as a permission would.
 */
function boundAs(rb: ResolvedBinding): Grant {
  return { binding: rb, roleId: rb.roleId, ruleIndex: -1, rule: NO_RULE, scope: rb.scope };
}

const dangling = new WeakMap<AnalysisContext, ResolvedBinding[]>();

/**
 * Bindings whose role does not exist (the authorizer resolves none of them): they grant nothing
 * until someone creates the role. Found once per analysis.
 */
function danglingBindings(ctx: AnalysisContext): ResolvedBinding[] {
  let out = dangling.get(ctx);
  if (out) return out;
  out = [];
  const resolved = new Set(ctx.rbac.resolvedBindings.map((rb) => rb.binding));
  for (const b of ctx.snapshot.bindings) {
    if (resolved.has(b)) continue;
    const roleId = b.roleRef.kind === 'ClusterRole' ? `ClusterRole:${b.roleRef.name}` : b.roleRef.kind === 'Role' && b.kind === 'RoleBinding' ? `Role:${b.namespace}/${b.roleRef.name}` : null;
    if (roleId === null || ctx.rbac.rulesOf(roleId) !== undefined) continue;
    const scope = b.kind === 'RoleBinding' ? b.namespace : null;
    const subjects = [...new Set(b.subjects.map((x) => subjectIdOf(x, scope)).filter((x): x is string => x !== null))];
    out.push({ binding: b, roleId, scope, subjects });
  }
  dangling.set(ctx, out);
  return out;
}

interface Rewrite {
  escalate: Grant;
  write: Grant;
  /** How: rewrite R itself, create R (a binding refers to it but it does not exist), or relabel another ClusterRole into R's aggregation. */
  via: 'update' | 'create' | 'aggregation';
  /** The ClusterRole rewritten into the aggregation. */
  member?: string;
}

function* escalateEdges(ctx: AnalysisContext, lookup: GrantLookup): Iterable<AttackEdge> {
  const escTag = new Map<Grant, RoleResource>();
  const escalates: Grant[] = [];
  const writeTag = new Map<Grant, { resource: RoleResource; create: boolean }>();
  const writes: Grant[] = [];
  for (const resource of ['roles', 'clusterroles'] as const) {
    for (const g of lookup(['escalate'], RBAC_GROUP, resource)) {
      // ClusterRoles are cluster-scoped: a RoleBinding's grant never applies to them.
      if ((resource === 'clusterroles' && g.scope !== null) || onlyHub(g)) continue;
      escTag.set(g, resource);
      escalates.push(g);
    }
    for (const create of [false, true]) {
      for (const g of lookup(create ? ['create'] : ['update', 'patch'], RBAC_GROUP, resource)) {
        if ((resource === 'clusterroles' && g.scope !== null) || onlyHub(g)) continue;
        // A create carries no name: a rule limited by resourceNames never allows it.
        if (create && g.rule.resourceNames.length > 0) continue;
        writeTag.set(g, { resource, create });
        writes.push(g);
      }
    }
  }
  if (escalates.length === 0 || writes.length === 0) return;

  const clusterRoles = ctx.snapshot.roles.filter((r) => r.kind === 'ClusterRole').map((r) => r.name).sort(compareIds);
  const aggregates = new Set(
    ctx.snapshot.roles.filter((r) => r.aggregationSelectors !== null && r.aggregationSelectors.some(satisfiable)).map((r) => r.id),
  );

  const clusterRoleNames = new Set(clusterRoles);
  /** An existing ClusterRole other than `roleId` that both grants allow by name. */
  const memberFor = (roleId: string, e: Grant, w: Grant): string | null => {
    const en = e.rule.resourceNames;
    const wn = w.rule.resourceNames;
    const names = en.length === 0 && wn.length === 0 ? clusterRoles : [...(en.length > 0 ? en : wn)].sort(compareIds);
    const n = names.find((x) => clusterRoleNames.has(x) && `ClusterRole:${x}` !== roleId && namesAllow(e, x) && namesAllow(w, x));
    return n === undefined ? null : `ClusterRole:${n}`;
  };

  // Grants by scope ('' cluster-wide), per list: the prefilter asks about every role of the input.
  const byScope = new WeakMap<readonly Grant[], Map<string, Grant[]>>();
  /** The first grant of the list, cluster-wide or in `ns`, that passes the test. */
  const findIn = (list: readonly Grant[], ns: string | null, test: (g: Grant) => boolean): Grant | undefined => {
    let m = byScope.get(list);
    if (!m) {
      byScope.set(list, (m = new Map()));
      for (const g of list) {
        const k = g.scope ?? '';
        const l = m.get(k);
        if (l) l.push(g);
        else m.set(k, [g]);
      }
    }
    return m.get('')?.find(test) ?? (ns === null ? undefined : m.get(ns)?.find(test));
  };

  /** Which of (escalate, write) grants let one make role R allow everything. */
  const rewriteOf = (roleId: string, missing: boolean, es: readonly Grant[], ws: readonly Grant[]): Rewrite | null => {
    const resource = resourceOf(roleId);
    const ns = namespaceOf(roleId);
    const name = nameOf(roleId);
    // The escalate check uses the request's resource, namespace and name (RoleEscalationAuthorized);
    // a create has no name, so only an escalate rule without resourceNames allows it. Grants apply
    // cluster-wide or in the role's namespace (a ClusterRole has none: cluster-wide only).
    const e = findIn(es, ns, (x) => escTag.get(x) === resource && (missing ? x.rule.resourceNames.length === 0 : namesAllow(x, name)));
    const w = e && findIn(ws, ns, (x) => {
      const t = writeTag.get(x)!;
      return t.resource === resource && t.create === missing && (missing || namesAllow(x, name));
    });
    if (e && w) return { escalate: e, write: w, via: missing ? 'create' : 'update' };
    if (missing || !aggregates.has(roleId)) return null;
    // An aggregated ClusterRole takes the rules of every ClusterRole its selectors match: with escalate,
    // update of any existing ClusterRole can give it matching labels and every permission.
    for (const ce of es) {
      if (escTag.get(ce) !== 'clusterroles') continue;
      for (const cw of ws) {
        const t = writeTag.get(cw)!;
        if (t.resource !== 'clusterroles' || t.create) continue;
        const member = memberFor(roleId, ce, cw);
        if (member) return { escalate: ce, write: cw, via: 'aggregation', member };
      }
    }
    return null;
  };

  // Bindings whose role someone can rewrite: those of the input, the pseudo-identities ROLE_BIND
  // added (binding a role one can then rewrite), and bindings of roles that do not exist yet.
  const bound: Grant[] = [];
  const missing = new Set<Grant>();
  const rewritable = new Map<string, boolean>();
  const mayEscalate = couldCombineWith(escalates);
  for (const rb of ctx.rbac.resolvedBindings) {
    if (!rb.subjects.some(mayEscalate)) continue;
    let ok = rewritable.get(rb.roleId);
    if (ok === undefined) {
      ok = rb.roleId !== ALL_RULES_ROLE && !rulesAreClusterAdmin(ctx.rbac.rulesOf(rb.roleId) ?? []) && rewriteOf(rb.roleId, false, escalates, writes) !== null;
      rewritable.set(rb.roleId, ok);
    }
    if (ok) bound.push(boundAs(rb));
  }
  const mayCreate = escalates.some((g) => g.rule.resourceNames.length === 0) && writes.some((g) => writeTag.get(g)!.create);
  for (const d of mayCreate ? danglingBindings(ctx) : []) {
    if (!d.subjects.some(mayEscalate) || !rewriteOf(d.roleId, true, escalates, writes)) continue;
    const g = boundAs(d);
    missing.add(g);
    bound.push(g);
  }
  if (bound.length === 0) return;

  const reach = ([es, ws, bs]: Grant[][]): Reach[] => {
    const out = new Map<string, Reach>();
    for (const b of bs) {
      const r = rewriteOf(b.roleId, missing.has(b), es, ws);
      if (!r) continue;
      const to = b.scope === null ? CLUSTER_ADMIN : grantId(b.scope, '*');
      if (out.has(to)) continue;
      const evidence = jointEvidence(r.escalate, r.write, b);
      if (r.member) evidence.push(r.member);
      const gives = b.scope === null ? 'every verb on every resource, cluster-wide' : `every verb on every resource in ${b.scope}`;
      const what =
        r.via === 'update' ? `can update ${roleText(b.roleId)} with verb escalate (no covers check), which ${b.binding.binding.id} binds to it, and rewrite it to allow ${gives}`
        : r.via === 'create' ? `can create ${roleText(b.roleId)}, which does not exist but ${b.binding.binding.id} already binds to it, with verb escalate letting it allow ${gives}`
        : `can update ${roleText(r.member!)} with verb escalate and label it into the aggregation of ${roleText(b.roleId)}, which ${b.binding.binding.id} binds to it: that role then allows ${gives}`;
      out.set(to, { to, evidence, explanation: what });
    }
    const admin = out.get(CLUSTER_ADMIN);
    return admin ? [admin] : [...out.values()].sort((a, b) => compareIds(a.to, b.to));
  };

  for (const e of jointReach(narrowRequirements([escalates, writes, bound]), memoReach(reach))) {
    if (e.from === CLUSTER_ADMIN) continue;
    // Already allowed everything there: nothing to gain.
    const scope = e.to === CLUSTER_ADMIN ? null : parseGrantId(e.to)!.scope;
    if (rulesAreClusterAdmin(heldRules(ctx, e.from, scope))) continue;
    yield e;
  }
}

export default defineTechnique({
  meta: {
    id: 'ROLE_ESCALATE',
    title: 'Rewrite a role bound to oneself',
    severity: 'critical',
    mitre: 'T1098.006',
    rationale:
      'Creating or updating a Role or ClusterRole with rules the requester does not hold is refused, unless it may ' +
      'use verb `escalate` on it (`roles` or `clusterroles` in rbac.authorization.k8s.io, checked with the role\'s ' +
      'namespace and name). With update or patch of a role that is bound to it, directly or through a group, the ' +
      'requester rewrites that role to allow everything: full control when a ClusterRoleBinding binds it, every ' +
      'permission in the namespace when a RoleBinding does. An aggregated ClusterRole bound to it can be grown ' +
      'the same way by relabelling any ClusterRole it may update, and a binding to a role that does not exist ' +
      'yet by creating that role.',
  },
  // Roles and bindings, and the pseudo-identities ROLE_BIND derives from every collection: no `reads`.
  *virtualGrants(ctx) {
    ctx.rbac.addVirtualRole(ALL_RULES_ROLE, EVERY_PERMISSION);
    const seen = new Set<string>();
    for (const e of escalateEdges(ctx, liveGrants(ctx))) {
      if (e.to === CLUSTER_ADMIN || seen.has(e.to)) continue;
      seen.add(e.to);
      yield { subject: e.to, roleId: ALL_RULES_ROLE, scope: parseGrantId(e.to)!.scope };
    }
  },
  *derive(ctx) {
    for (const e of escalateEdges(ctx, (verbs, group, resource) => ctx.grants(verbs, group, resource))) {
      if (e.to !== CLUSTER_ADMIN && ctx.rbac.bindingsForSubject(e.to).length === 0) continue;
      yield e;
    }
  },
});
