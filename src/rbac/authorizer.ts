// The RBAC authorizer over a snapshot: indexes built once, then can(identity, request) and whoCan(request).

import { ErrorCode, warning, type Warning } from '../errors.js';
import { compareIds, groupId, parseId } from '../ids.js';
import type { Binding, PolicyRule, Snapshot } from '../snapshot/types.js';
import { aggregateClusterRoles } from './aggregate.js';
import { rulesAreClusterAdmin } from './covers.js';
import { combinedResource, ruleAllows, ruleAllowsIgnoringNames } from './match.js';
import { execAcceptsGet, isExecLike, KNOWN_RESOURCES, type RequestAttributes, type ResourceRequest } from './request.js';
import { MASTERS, splitSaUsername, subjectIdOf, type UserInfo } from './subjects.js';

/** One reason a request is allowed: the binding and role (and rule) that grant it. */
export interface Via {
  binding: string | null;
  role: string | null;
  /** Index of the rule in the role's effective rules (aggregated roles: the computed union). */
  rule?: number;
  /** Set when the grant is for another verb the API server accepts (pods/exec `get` before 1.35). */
  verb?: string;
  /** Set for grants outside RBAC (system:masters). */
  note?: string;
}

export interface Decision {
  allowed: boolean;
  via: Via[];
}

export interface WhoCanSubject {
  subject: string;
  via: Via[];
  /** With allNamespaces: where the permission holds (`["*"]` when granted cluster-wide). */
  namespaces?: string[];
}

export interface PartialSubject {
  subject: string;
  resourceNames: string[];
}

export interface WhoCanResult {
  subjects: WhoCanSubject[];
  partial: PartialSubject[];
}

export interface AuthorizeOptions {
  /** Cluster version: before 1.35 a `get` on pods/exec|attach is accepted as well as `create`. */
  kubernetesVersion?: string | null;
}

/** A rule of a role, as the index stores it. */
interface RuleRef {
  roleId: string;
  index: number;
  rule: PolicyRule;
}

/** A binding whose role resolved: its rules apply in `scope` (null: cluster-wide). */
export interface ResolvedBinding {
  binding: Binding;
  roleId: string;
  scope: string | null;
  /** Canonical IDs of the subjects that match some identity. */
  subjects: string[];
}

/** A grant of one rule through one binding: what techniques derive edges from. */
export interface Grant {
  binding: ResolvedBinding;
  roleId: string;
  ruleIndex: number;
  rule: PolicyRule;
  scope: string | null;
}

const MASTERS_VIA: Via = { binding: null, role: null, note: 'system:masters is allowed everything by an authorizer that runs before RBAC' };
const SEP = '\u0000';

export class RbacIndex {
  readonly warnings: Warning[] = [];
  /** Effective rules by role ID (aggregation applied). */
  private readonly roleRules = new Map<string, PolicyRule[]>();
  private readonly bindingsByRole = new Map<string, ResolvedBinding[]>();
  private readonly bindingsBySubject = new Map<string, ResolvedBinding[]>();
  readonly resolvedBindings: ResolvedBinding[] = [];
  private readonly ruleIndex = new Map<string, RuleRef[]>();
  private readonly nonResourceRules: RuleRef[] = [];
  private readonly kubernetesVersion: string | null;

  constructor(private readonly snapshot: Snapshot, opts: AuthorizeOptions = {}) {
    this.kubernetesVersion = opts.kubernetesVersion ?? snapshot.kubernetesVersion;
    const clusterRoles = snapshot.roles.filter((r) => r.kind === 'ClusterRole');
    const agg = aggregateClusterRoles(clusterRoles);
    for (const r of snapshot.roles) {
      const rules = r.kind === 'ClusterRole' ? agg.rules.get(r.name) ?? r.rules : r.rules;
      this.roleRules.set(r.id, rules);
      rules.forEach((rule, index) => this.indexRule({ roleId: r.id, index, rule }));
    }
    for (const b of snapshot.bindings) this.resolveBinding(b);
  }

  private where(id: string): [string | null, number | null] {
    const s = this.snapshot.sources[id];
    return s ? [s.file, s.line] : [null, null];
  }

  private indexRule(ref: RuleRef): void {
    const { rule } = ref;
    if (rule.nonResourceURLs.length > 0) this.nonResourceRules.push(ref);
    for (const v of rule.verbs) {
      for (const g of rule.apiGroups) {
        for (const r of rule.resources) {
          const key = v + SEP + g + SEP + r;
          let list = this.ruleIndex.get(key);
          if (!list) this.ruleIndex.set(key, (list = []));
          list.push(ref);
        }
      }
    }
  }

  private resolveBinding(b: Binding): void {
    const [file, line] = this.where(b.id);
    let roleId: string;
    if (b.roleRef.kind === 'ClusterRole') roleId = `ClusterRole:${b.roleRef.name}`;
    else if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding') roleId = `Role:${b.namespace}/${b.roleRef.name}`;
    else {
      const why = b.roleRef.kind === 'Role' ? 'a ClusterRoleBinding cannot refer to a Role' : `roleRef.kind ${b.roleRef.kind} is not Role or ClusterRole`;
      this.warnings.push(warning(ErrorCode.INVALID_BINDING, `${b.id}: ${why}; it grants nothing`, file, line));
      return;
    }
    if (!this.roleRules.has(roleId)) {
      this.warnings.push(warning(ErrorCode.ROLE_NOT_FOUND,
        `${b.id} refers to ${roleId}, which does not exist: it grants nothing now and becomes live the moment that role is created`, file, line));
      return;
    }
    const scope = b.kind === 'RoleBinding' ? b.namespace : null;
    const subjects: string[] = [];
    for (const s of b.subjects) {
      const id = subjectIdOf(s, scope);
      if (id === null) {
        const why = s.kind === 'ServiceAccount'
          ? 'a ServiceAccount subject without a namespace in a ClusterRoleBinding matches nobody'
          : `subject kind ${s.kind} matches nobody`;
        this.warnings.push(warning(ErrorCode.INVALID_BINDING, `${b.id}: ${why}`, file, line));
        continue;
      }
      if (!subjects.includes(id)) subjects.push(id);
    }
    const rb: ResolvedBinding = { binding: b, roleId, scope, subjects };
    this.resolvedBindings.push(rb);
    push(this.bindingsByRole, roleId, rb);
    for (const id of subjects) push(this.bindingsBySubject, id, rb);
  }

  /**
   * Analysis only: a role that does not exist but could (ROLE_ESCALATE rewrites a role to anything).
   * Never used by who-can/can-i, which build their own index.
   */
  addVirtualRole(roleId: string, rules: PolicyRule[]): void {
    if (this.roleRules.has(roleId)) return;
    this.roleRules.set(roleId, rules);
    rules.forEach((rule, index) => this.indexRule({ roleId, index, rule }));
  }

  /**
   * Analysis only: a binding that does not exist but that some subject could create, naming a
   * pseudo-identity (`Grant:...`, or `cluster-admin` itself) as its only subject.
   */
  addVirtualGrant(subjectId: string, roleId: string, scope: string | null): void {
    if (!this.roleRules.has(roleId)) return;
    const kind = scope === null ? 'ClusterRoleBinding' : 'RoleBinding';
    const id = scope === null ? `${kind}:(new binding)` : `${kind}:${scope}/(new binding)`;
    const binding: Binding = { id, kind, name: '(new binding)', namespace: scope, labels: {}, roleRef: { kind: roleId.slice(0, roleId.indexOf(':')), name: parseId(roleId)?.name ?? roleId }, subjects: [] };
    const rb: ResolvedBinding = { binding, roleId, scope, subjects: [subjectId] };
    this.resolvedBindings.push(rb);
    push(this.bindingsByRole, roleId, rb);
    push(this.bindingsBySubject, subjectId, rb);
  }

  /** The effective rules of a role (aggregation applied); undefined when it does not exist. */
  rulesOf(roleId: string): PolicyRule[] | undefined {
    return this.roleRules.get(roleId);
  }

  bindingsOf(roleId: string): readonly ResolvedBinding[] {
    return this.bindingsByRole.get(roleId) ?? [];
  }

  /** Bindings naming exactly this subject ID (not through groups). */
  bindingsForSubject(subjectId: string): readonly ResolvedBinding[] {
    return this.bindingsBySubject.get(subjectId) ?? [];
  }

  /** Every binding that applies to the user, anywhere (group memberships included). */
  bindingsForUser(user: UserInfo): ResolvedBinding[] {
    const keys: string[] = [];
    if (user.name) keys.push(`User:${user.name}`);
    const sa = user.name ? splitSaUsername(user.name) : null;
    if (sa) keys.push(`ServiceAccount:${sa[0]}/${sa[1]}`);
    for (const g of user.groups) keys.push(groupId(g));
    const seen = new Set<ResolvedBinding>();
    const out: ResolvedBinding[] = [];
    for (const k of keys) {
      for (const rb of this.bindingsBySubject.get(k) ?? []) {
        if (!seen.has(rb)) {
          seen.add(rb);
          out.push(rb);
        }
      }
    }
    return out;
  }

  /**
   * Is the request allowed for this identity? Evaluates like the API server: `system:masters`
   * first, then every ClusterRoleBinding and the RoleBindings of the request's namespace.
   */
  authorize(user: UserInfo, req: RequestAttributes): Decision {
    if (user.groups.includes(MASTERS)) return { allowed: true, via: [MASTERS_VIA] };
    const alternatives = this.verbAlternatives(req);
    const via: Via[] = [];
    for (const rb of this.bindingsForUser(user)) {
      if (!bindingApplies(rb, req)) continue;
      const rules = this.roleRules.get(rb.roleId)!;
      for (const [req2, altVerb] of alternatives) {
        rules.forEach((rule, i) => {
          if (ruleAllows(rule, req2)) via.push(viaOf(rb, i, altVerb));
        });
      }
    }
    via.sort(compareVia);
    return { allowed: via.length > 0, via };
  }

  /** The rules the identity holds in a namespace (null: cluster-wide only), for the covers check. */
  rulesFor(user: UserInfo, namespace: string | null): PolicyRule[] {
    if (user.groups.includes(MASTERS)) return [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: ['*'] }];
    const out: PolicyRule[] = [];
    for (const rb of this.bindingsForUser(user)) {
      if (rb.scope === null || rb.scope === namespace) out.push(...this.roleRules.get(rb.roleId)!);
    }
    return out;
  }

  /** cluster-admin: system:masters, or ClusterRoleBinding rules that cover (`*`, `*`, `*`). */
  isClusterAdmin(user: UserInfo): boolean {
    if (user.groups.includes(MASTERS)) return true;
    return this.bindingsForUser(user).some((rb) => rb.scope === null && rulesAreClusterAdmin(this.roleRules.get(rb.roleId)!));
  }

  /** `[request, verb it was rewritten to]`: pods/exec create also accepts get before 1.35. */
  private verbAlternatives(req: RequestAttributes): [RequestAttributes, string | undefined][] {
    const alts: [RequestAttributes, string | undefined][] = [[req, undefined]];
    if (req.verb === 'create' && isExecLike(req) && execAcceptsGet(this.kubernetesVersion)) alts.push([{ ...req, verb: 'get' }, 'get']);
    return alts;
  }

  /** Candidate rules for a resource request, from the verb/group/resource index. */
  private candidates(req: ResourceRequest): RuleRef[] {
    const out: RuleRef[] = [];
    const resources = [combinedResource(req.resource, req.subresource), '*'];
    if (req.subresource) resources.push(`*/${req.subresource}`);
    const seen = new Set<RuleRef>();
    for (const v of req.verb === '*' ? ['*'] : [req.verb, '*']) {
      for (const g of req.apiGroup === '*' ? ['*'] : [req.apiGroup, '*']) {
        for (const r of resources) {
          for (const ref of this.ruleIndex.get(v + SEP + g + SEP + r) ?? []) {
            if (!seen.has(ref)) {
              seen.add(ref);
              out.push(ref);
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Every subject a binding names that the request is allowed for, with the bindings that allow it.
   * Direct RBAC only. `allNamespaces`: the request in any namespace (RoleBindings everywhere apply).
   * A request without a name does not match rules with resourceNames; those subjects are `partial`.
   */
  whoCan(req: RequestAttributes, opts: { allNamespaces?: boolean } = {}): WhoCanResult {
    const allNs = opts.allNamespaces === true && req.kind === 'resource';
    const found = new Map<string, { via: Via[]; namespaces: Set<string> }>();
    const partial = new Map<string, Set<string>>();
    const addFor = (rb: ResolvedBinding, v: Via): void => {
      for (const s of rb.subjects) {
        let e = found.get(s);
        if (!e) found.set(s, (e = { via: [], namespaces: new Set() }));
        e.via.push(v);
        e.namespaces.add(rb.scope ?? '*');
      }
    };
    for (const [req2, altVerb] of this.verbAlternatives(req)) {
      const refs = req2.kind === 'resource' ? this.candidates(req2) : this.nonResourceRules;
      for (const ref of refs) {
        const full = ruleAllows(ref.rule, req2);
        const named = !full && req2.kind === 'resource' && req2.name === null && ruleAllowsIgnoringNames(ref.rule, req2);
        if (!full && !named) continue;
        for (const rb of this.bindingsByRole.get(ref.roleId) ?? []) {
          if (!(allNs ? rb.scope === null || (req2.kind === 'resource' && !knownClusterScoped(req2)) : bindingApplies(rb, req2))) continue;
          if (full) addFor(rb, viaOf(rb, ref.index, altVerb));
          else {
            for (const s of rb.subjects) {
              let set = partial.get(s);
              if (!set) partial.set(s, (set = new Set()));
              for (const n of ref.rule.resourceNames) set.add(n);
            }
          }
        }
      }
    }
    const masters = groupId(MASTERS);
    if (!found.has(masters)) found.set(masters, { via: [MASTERS_VIA], namespaces: new Set(['*']) });
    const subjects: WhoCanSubject[] = [...found.entries()]
      .sort((a, b) => compareIds(a[0], b[0]))
      .map(([subject, e]) => {
        const s: WhoCanSubject = { subject, via: dedupeVia(e.via) };
        if (allNs) s.namespaces = e.namespaces.has('*') ? ['*'] : [...e.namespaces].sort(compareIds);
        return s;
      });
    const partialList = [...partial.entries()]
      .filter(([s]) => !found.has(s))
      .sort((a, b) => compareIds(a[0], b[0]))
      .map(([subject, names]) => ({ subject, resourceNames: [...names].sort(compareIds) }));
    return { subjects, partial: partialList };
  }

  /**
   * Every grant (binding × rule) that allows verb on group/resource[/sub] somewhere, including
   * rules restricted to resourceNames (the caller decides about names). Scope null: cluster-wide.
   * For techniques: "who can create pods in which namespaces" in one index lookup.
   */
  grants(verb: string, apiGroup: string, resource: string, subresource = ''): Grant[] {
    const req: ResourceRequest = { kind: 'resource', verb, apiGroup, resource, subresource, name: null, namespace: null };
    const out: Grant[] = [];
    for (const [req2] of this.verbAlternatives(req)) {
      for (const ref of this.candidates(req2 as ResourceRequest)) {
        if (!ruleAllowsIgnoringNames(ref.rule, req2)) continue;
        for (const rb of this.bindingsByRole.get(ref.roleId) ?? []) {
          out.push({ binding: rb, roleId: ref.roleId, ruleIndex: ref.index, rule: ref.rule, scope: rb.scope });
        }
      }
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/**
 * ClusterRoleBindings apply to every request; RoleBindings only to requests in their own
 * namespace (so never to cluster-scoped or non-resource requests).
 */
function bindingApplies(rb: ResolvedBinding, req: RequestAttributes): boolean {
  if (rb.scope === null) return true;
  return req.kind === 'resource' && req.namespace !== null && req.namespace === rb.scope;
}

/**
 * A built-in cluster-scoped resource (nodes, persistentvolumes, clusterroles, users, ...): its requests
 * carry no namespace, and rule.go VisitRulesFor lists RoleBindings only `if len(namespace) > 0`
 * (pkg/registry/rbac/validation/rule.go), so no RoleBinding grants them, in any namespace. `-A` must not
 * count RoleBindings for them either. Namespace objects are the exception: a request on namespace
 * `foo` has namespace `foo` (requestinfo.go), so RoleBindings in `foo` apply to it.
 */
function knownClusterScoped(req: ResourceRequest): boolean {
  if (req.apiGroup === '' && req.resource === 'namespaces') return false;
  const known = KNOWN_RESOURCES[req.resource] as (typeof KNOWN_RESOURCES)[string] | undefined;
  return known !== undefined && known.group === req.apiGroup && !known.namespaced;
}

function viaOf(rb: ResolvedBinding, rule: number, verb: string | undefined): Via {
  const v: Via = { binding: rb.binding.id, role: rb.roleId, rule };
  if (verb) v.verb = verb;
  return v;
}

function compareVia(a: Via, b: Via): number {
  return compareIds(a.binding ?? '', b.binding ?? '') || compareIds(a.role ?? '', b.role ?? '') || (a.rule ?? 0) - (b.rule ?? 0);
}

function dedupeVia(vs: Via[]): Via[] {
  const seen = new Set<string>();
  return vs.sort(compareVia).filter((v) => {
    const k = `${v.binding}|${v.role}|${v.rule}|${v.verb ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
