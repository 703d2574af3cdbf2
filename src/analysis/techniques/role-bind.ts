// ROLE_BIND: put a role the subject does not hold into a binding it may create or rewrite (verb `bind`).

import { CLUSTER_ADMIN, compareIds } from '../../ids.js';
import type { Grant, ResolvedBinding } from '../../rbac/authorizer.js';
import { breakdownRule, ruleCovers, rulesAreClusterAdmin } from '../../rbac/covers.js';
import type { PolicyRule } from '../../snapshot/types.js';
import { namesAllow, scopeText, type AnalysisContext } from '../context.js';
import { implicitGroupsOf, jointEvidence, jointReach, type Reach } from '../holders.js';
import { memoReach, narrowRequirements } from '../joint-requirements.js';
import { defineTechnique, type AttackEdge } from '../technique.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The pseudo-identity "holds this role in this scope" (null: through a ClusterRoleBinding). */
export const grantId = (scope: string | null, roleId: string): string => `Grant:${scope ?? '*'}/${roleId}`;

/** `Grant:<scope or *>/<role ID>` → its scope and role (a namespace name never contains `/`). */
export function parseGrantId(id: string): { scope: string | null; roleId: string } | null {
  if (!id.startsWith('Grant:')) return null;
  const rest = id.slice('Grant:'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const scope = rest.slice(0, slash);
  return { scope: scope === '*' ? null : scope, roleId: rest.slice(slash + 1) };
}

/** How a technique asks the authorizer for grants: `ctx.grants`, or `liveGrants` while virtual grants are collected. */
export type GrantLookup = (verbs: readonly string[], apiGroup: string, resource: string) => Grant[];

/**
 * The authorizer's grants, uncached. While the runner collects virtual grants the RBAC index is
 * still growing, and `ctx.grants` keeps each answer for the whole build: asking it then would hide
 * every virtual grant added later from whoever asks the same question in derive().
 */
export function liveGrants(ctx: AnalysisContext): GrantLookup {
  return (verbs, apiGroup, resource) => {
    const seen = new Set<string>();
    const out: Grant[] = [];
    for (const v of verbs) {
      for (const g of ctx.rbac.grants(v, apiGroup, resource)) {
        const k = `${g.binding.binding.id}|${g.roleId}|${g.ruleIndex}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(g);
      }
    }
    return out;
  };
}

/**
 * A grant of the cluster-admin hub's own virtual binding. It already holds everything, so the
 * RBAC-writing techniques leave it out from the start instead of deriving edges to drop.
 */
export const onlyHub = (g: Grant): boolean => g.binding.subjects.length === 1 && g.binding.subjects[0] === CLUSTER_ADMIN;

/** A role's rules as a binding in `scope` grants them: a RoleBinding leaves nonResourceURLs unused. */
export function rulesInScope(ctx: AnalysisContext, roleId: string, scope: string | null): PolicyRule[] {
  const rules = ctx.rbac.rulesOf(roleId) ?? [];
  if (scope === null) return rules;
  return rules.filter((r) => r.resources.length > 0).map((r) => (r.nonResourceURLs.length > 0 ? { ...r, nonResourceURLs: [] } : r));
}

/**
 * The rules a subject already holds in a scope, through bindings naming it or its implicit groups
 * (as `jointReach` counts them). Scope null: ClusterRoleBindings only.
 */
export function heldRules(ctx: AnalysisContext, subject: string, scope: string | null): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const owner of [subject, ...implicitGroupsOf(subject)]) {
    for (const rb of ctx.rbac.bindingsForSubject(owner)) {
      if (rb.scope === null || rb.scope === scope) out.push(...rulesInScope(ctx, rb.roleId, scope));
    }
  }
  return out;
}

/** The covers check of escalation prevention (covers.ts), stopping at the first atom not covered. */
export function coversAll(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): boolean {
  return servant.every((r) => breakdownRule(r).every((atom) => owner.some((o) => ruleCovers(o, atom))));
}

/** Bindings of the input (not the analysis' virtual ones), which an update may rewrite. */
export function realBindings(ctx: AnalysisContext): ResolvedBinding[] {
  const real = new Set(ctx.snapshot.bindings.map((b) => b.id));
  return ctx.rbac.resolvedBindings.filter((rb) => real.has(rb.binding.id));
}

const roleText = (roleId: string): string => roleId.replace(':', ' ');

type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';
type RoleResource = 'roles' | 'clusterroles';

interface Candidate {
  scope: string | null;
  roleId: string;
  bind: Grant;
  write: Grant;
  /** The existing binding an update rewrites (null: a new binding). */
  existing: string | null;
}

/** What is worth binding, per scope, for a `bind` rule without resourceNames; built once per analysis. */
class Catalog {
  readonly namespaces: readonly string[];
  readonly rolesByNamespace = new Map<string, string[]>();
  readonly clusterRoleBindings: ResolvedBinding[] = [];
  readonly roleBindingsByNamespace = new Map<string, ResolvedBinding[]>();
  readonly roleBindings: ResolvedBinding[] = [];
  /** ClusterRoles an unrestricted `bind` is worth trying, in a namespace and cluster-wide. */
  readonly clusterCandidates: { namespace: string[]; cluster: string[] };
  /** A ClusterRole that allows everything, if the input has one (`cluster-admin` preferred). */
  readonly adminRole: string | null;
  private readonly adminCache = new Map<string, boolean>();
  private readonly coverCache = new Map<string, boolean>();

  constructor(private readonly ctx: AnalysisContext) {
    this.namespaces = ctx.index.sortedNamespaces();
    const clusterRoles: string[] = [];
    for (const r of ctx.snapshot.roles) {
      if (r.kind === 'ClusterRole') clusterRoles.push(r.id);
      else push(this.rolesByNamespace, r.namespace!, r.id);
    }
    for (const l of this.rolesByNamespace.values()) l.sort(compareIds);
    const bound = new Set<string>();
    for (const rb of realBindings(ctx)) {
      bound.add(rb.roleId);
      if (rb.scope === null) this.clusterRoleBindings.push(rb);
      else {
        this.roleBindings.push(rb);
        push(this.roleBindingsByNamespace, rb.scope, rb);
      }
    }
    const aggregated = new Set(ctx.snapshot.roles.filter((r) => r.aggregationSelectors !== null).map((r) => r.id));
    // Whoever may bind any ClusterRole will pick the strongest: one that allows everything, else the
    // aggregated roles (admin, edit) and those the cluster already uses. Weaker ones add nothing.
    const worth = clusterRoles.filter((id) => this.isAdmin(id) || aggregated.has(id) || bound.has(id)).sort(compareIds);
    this.clusterCandidates = { namespace: this.strongest(worth, ''), cluster: this.strongest(worth, null) };
    const admins = worth.filter((id) => this.isAdmin(id));
    this.adminRole = admins.includes('ClusterRole:cluster-admin') ? 'ClusterRole:cluster-admin' : admins[0] ?? null;
  }

  isAdmin(roleId: string): boolean {
    let a = this.adminCache.get(roleId);
    if (a === undefined) this.adminCache.set(roleId, (a = rulesAreClusterAdmin(this.ctx.rbac.rulesOf(roleId) ?? [])));
    return a;
  }

  /**
   * Drop the roles another one covers in that scope (the covers check of escalation prevention): a
   * binding of the stronger gives everything the weaker would. A role that allows everything wins
   * outright. `scope` only tells a namespace ('' for any) from cluster-wide.
   */
  strongest(roleIds: readonly string[], scope: string | null): string[] {
    const ids = [...new Set(roleIds)].sort(compareIds);
    if (ids.length <= 1) return ids;
    const admins = ids.filter((id) => this.isAdmin(id));
    if (admins.length > 0) return [admins.includes('ClusterRole:cluster-admin') ? 'ClusterRole:cluster-admin' : admins[0]];
    const coversRole = (a: string, b: string): boolean => {
      const k = `${scope === null ? '*' : 'ns'}|${a}|${b}`;
      let c = this.coverCache.get(k);
      if (c === undefined) this.coverCache.set(k, (c = coversAll(rulesInScope(this.ctx, a, scope), rulesInScope(this.ctx, b, scope))));
      return c;
    };
    return ids.filter((a) => !ids.some((b) => b !== a && coversRole(b, a) && (!coversRole(a, b) || compareIds(b, a) < 0)));
  }
}

/** One catalog per analysis: what it reads (roles, the input's bindings, namespaces) is the same in both phases. */
const catalogs = new WeakMap<AnalysisContext, Catalog>();

/**
 * The edges of ROLE_BIND: per subject holding both `bind` on some role and a way to write a binding
 * of it, the strongest role it can give itself in each scope. Subjects that already hold a role's
 * rules gain nothing from binding it (the API server's other path, "the user's own rules cover the
 * role", is no escalation) and get no edge.
 */
function* bindEdges(ctx: AnalysisContext, lookup: GrantLookup): Iterable<AttackEdge> {
  const bindTag = new Map<Grant, RoleResource>();
  const binds: Grant[] = [];
  for (const resource of ['roles', 'clusterroles'] as const) {
    for (const g of lookup(['bind'], RBAC_GROUP, resource)) {
      if (onlyHub(g)) continue;
      bindTag.set(g, resource);
      binds.push(g);
    }
  }
  const writeTag = new Map<Grant, { kind: BindingKind; create: boolean }>();
  const writes: Grant[] = [];
  for (const [kind, resource] of [['RoleBinding', 'rolebindings'], ['ClusterRoleBinding', 'clusterrolebindings']] as const) {
    for (const create of [true, false]) {
      for (const g of lookup(create ? ['create'] : ['update', 'patch'], RBAC_GROUP, resource)) {
        // A create carries no name: a rule limited by resourceNames never allows it.
        if (create && g.rule.resourceNames.length > 0) continue;
        // ClusterRoleBindings are cluster-scoped: a RoleBinding's grant never applies to them.
        if ((kind === 'ClusterRoleBinding' && g.scope !== null) || onlyHub(g)) continue;
        writeTag.set(g, { kind, create });
        writes.push(g);
      }
    }
  }
  if (binds.length === 0 || writes.length === 0) return;
  let cat = catalogs.get(ctx);
  if (!cat) catalogs.set(ctx, (cat = new Catalog(ctx)));

  // The bind check runs in the binding's namespace (none for a ClusterRoleBinding), on `roles` or
  // `clusterroles` as the roleRef says, with the role's name (escalation_check.go BindingAuthorized).
  const bindsIn = (bs: Grant[], scope: string | null, resource: RoleResource): Grant[] =>
    bs.filter((b) => bindTag.get(b) === resource && (b.scope === null || b.scope === scope));
  const bindable = (b: Grant, scope: string | null): readonly string[] => {
    const names = b.rule.resourceNames;
    if (bindTag.get(b) === 'clusterroles') {
      if (names.length === 0) return scope === null ? cat.clusterCandidates.cluster : cat.clusterCandidates.namespace;
      return names.map((n) => `ClusterRole:${n}`).filter((id) => ctx.rbac.rulesOf(id) !== undefined);
    }
    if (scope === null) return []; // a ClusterRoleBinding cannot refer to a Role
    if (names.length === 0) return cat.rolesByNamespace.get(scope) ?? [];
    return names.map((n) => `Role:${scope}/${n}`).filter((id) => ctx.rbac.rulesOf(id) !== undefined);
  };

  const reach = ([bs, ws]: Grant[][]): Reach[] => {
    const cands = new Map<string, Candidate>();
    const add = (scope: string | null, roleId: string, bind: Grant, write: Grant, existing: string | null): void => {
      const k = `${scope ?? '*'}\u0000${roleId}`;
      if (!cands.has(k)) cands.set(k, { scope, roleId, bind, write, existing });
    };
    // Any ClusterRole may be bound there: the one that allows everything (if the input has one) beats all others.
    const bindsAnything = (scope: string | null): Grant | undefined =>
      cat.adminRole === null ? undefined : bindsIn(bs, scope, 'clusterroles').find((b) => b.rule.resourceNames.length === 0);
    const creates = ws.filter((w) => writeTag.get(w)!.create);
    const crbCreate = creates.find((w) => writeTag.get(w)!.kind === 'ClusterRoleBinding');
    if (crbCreate) {
      const any = bindsAnything(null);
      if (any) return [adminReach({ scope: null, roleId: cat.adminRole!, bind: any, write: crbCreate, existing: null })];
    }
    // Where a new binding can be written, rewriting an existing one gives nothing more: the same
    // `bind` grant lets the new binding refer to that role, or to a stronger one.
    const rbCreateEverywhere = creates.some((w) => writeTag.get(w)!.kind === 'RoleBinding' && w.scope === null);
    const rbCreateIn = new Set(creates.filter((w) => writeTag.get(w)!.kind === 'RoleBinding').map((w) => w.scope));
    const canCreateIn = (scope: string | null): boolean => (scope === null ? crbCreate !== undefined : rbCreateEverywhere || rbCreateIn.has(scope));
    const rewrite = (rb: ResolvedBinding, w: Grant): void => {
      // roleRef is immutable, but the subjects are not: add oneself to a binding of a role one may bind.
      if (canCreateIn(rb.scope) || !namesAllow(w, rb.binding.name)) return;
      const resource: RoleResource = rb.roleId.startsWith('Role:') ? 'roles' : 'clusterroles';
      const b = bindsIn(bs, rb.scope, resource).find((x) => namesAllow(x, rb.binding.roleRef.name));
      if (b) add(rb.scope, rb.roleId, b, w, rb.binding.id);
    };
    for (const w of ws) {
      const { kind, create } = writeTag.get(w)!;
      if (kind === 'ClusterRoleBinding') {
        if (create) for (const b of bindsIn(bs, null, 'clusterroles')) for (const r of bindable(b, null)) add(null, r, b, w, null);
        else for (const rb of cat.clusterRoleBindings) rewrite(rb, w);
        continue;
      }
      if (create) {
        // Only the namespaces this subject may create RoleBindings in: no role × namespace product.
        for (const ns of w.scope === null ? cat.namespaces : [w.scope]) {
          const any = bindsAnything(ns);
          if (any) {
            add(ns, cat.adminRole!, any, w, null);
            continue;
          }
          for (const b of [...bindsIn(bs, ns, 'clusterroles'), ...bindsIn(bs, ns, 'roles')]) for (const r of bindable(b, ns)) add(ns, r, b, w, null);
        }
      } else {
        for (const rb of w.scope === null ? cat.roleBindings : cat.roleBindingsByNamespace.get(w.scope) ?? []) rewrite(rb, w);
      }
    }
    const all = [...cands.values()];
    const admin = all.find((c) => c.scope === null && cat.isAdmin(c.roleId));
    if (admin) return [adminReach(admin)];
    const byScope = new Map<string, Candidate[]>();
    for (const c of all) push(byScope, c.scope ?? '*', c);
    const out: Reach[] = [];
    for (const [, cs] of [...byScope].sort((a, b) => compareIds(a[0], b[0]))) {
      const keep = new Set(cat.strongest(cs.map((c) => c.roleId), cs[0].scope));
      for (const c of cs) {
        if (!keep.has(c.roleId)) continue;
        out.push({ to: grantId(c.scope, c.roleId), evidence: evidenceOf(c), explanation: `${how(c)}, and so holds its permissions in ${scopeText(c.scope)}` });
      }
    }
    return out;
  };

  const held = new Map<string, PolicyRule[]>();
  const heldIn = (s: string, scope: string | null): PolicyRule[] => {
    const k = `${s}\u0000${scope ?? ''}`;
    let r = held.get(k);
    if (!r) held.set(k, (r = heldRules(ctx, s, scope)));
    return r;
  };
  for (const e of jointReach(narrowRequirements([binds, writes]), memoReach(reach))) {
    // The cluster-admin hub already holds everything.
    if (e.from === CLUSTER_ADMIN) continue;
    if (e.to === CLUSTER_ADMIN) {
      if (rulesAreClusterAdmin(heldIn(e.from, null))) continue;
    } else {
      const g = parseGrantId(e.to)!;
      if (coversAll(heldIn(e.from, g.scope), rulesInScope(ctx, g.roleId, g.scope))) continue;
    }
    yield e;
  }
}

function adminReach(c: Candidate): Reach {
  return { to: CLUSTER_ADMIN, evidence: evidenceOf(c), explanation: `${how(c)}, which allows every verb on every resource` };
}

function evidenceOf(c: Candidate): string[] {
  const ev = jointEvidence(c.bind, c.write);
  if (c.existing && !ev.includes(c.existing)) ev.push(c.existing);
  return ev;
}

function how(c: Candidate): string {
  if (c.existing) return `can add itself to the subjects of ${c.existing} (roleRef is immutable, subjects are not) and bind ${roleText(c.roleId)}`;
  const where = c.scope === null ? 'a new ClusterRoleBinding' : `a new RoleBinding in ${c.scope}`;
  return `can bind ${roleText(c.roleId)} to itself in ${where}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export default defineTechnique({
  meta: {
    id: 'ROLE_BIND',
    title: 'Bind a role to oneself',
    severity: 'critical',
    mitre: 'T1098.006',
    rationale:
      'Creating or updating a RoleBinding or ClusterRoleBinding is allowed when the requester may use verb `bind` ' +
      'on the role it refers to (`roles` or `clusterroles` in rbac.authorization.k8s.io, checked in the binding\'s ' +
      'namespace, resourceNames limiting which roles), even if it does not hold the role\'s permissions itself. ' +
      'With a way to write the binding (create, or update/patch of an existing binding of that role: roleRef is ' +
      'immutable, subjects are not), the requester gives itself the role: a ClusterRoleBinding to a role that ' +
      'allows everything is full control; anything else is that role\'s permissions in that scope.',
  },
  // The namespaces a cluster-wide binding creator can use come from every collection: no `reads`.
  *virtualGrants(ctx) {
    const seen = new Set<string>();
    for (const e of bindEdges(ctx, liveGrants(ctx))) {
      if (e.to === CLUSTER_ADMIN || seen.has(e.to)) continue;
      seen.add(e.to);
      const g = parseGrantId(e.to)!;
      yield { subject: e.to, roleId: g.roleId, scope: g.scope };
    }
  },
  *derive(ctx) {
    for (const e of bindEdges(ctx, (verbs, group, resource) => ctx.grants(verbs, group, resource))) {
      // Pseudo-identities bind too; keep only targets the runner made real in the virtualGrants phase.
      if (e.to !== CLUSTER_ADMIN && ctx.rbac.bindingsForSubject(e.to).length === 0) continue;
      yield e;
    }
  },
});
