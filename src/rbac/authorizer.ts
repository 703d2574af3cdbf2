// The RBAC authorizer over a snapshot: indexes built once, then can(identity, request) and whoCan(request).

import { ErrorCode, warning, type Warning } from '../errors.js';
import { compareIds, groupId, parseId } from '../ids.js';
import type { Binding, PolicyRule, Snapshot } from '../snapshot/types.js';
import { aggregateClusterRoles } from './aggregate.js';
import { rulesAreClusterAdmin } from './covers.js';
import { combinedResource, resourceNameMatches, ruleAllows, ruleAllowsIgnoringNames } from './match.js';
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
  /** The role's number (RbacIndex.roleNumbers). */
  roleNo: number;
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
  /** By subject ID: the bindings that name it, and a number for the subject (in the order met). */
  private readonly bindingsBySubject = new Map<string, { no: number; bindings: ResolvedBinding[] }>();
  readonly resolvedBindings: ResolvedBinding[] = [];
  private readonly ruleIndex = new Map<string, RuleRef[]>();
  private readonly nonResourceRules: RuleRef[] = [];
  private readonly kubernetesVersion: string | null;
  /** A number per role ID, in the order roles were added: whoCan's tables are arrays by role number. */
  private readonly roleNumbers = new Map<string, number>();
  /** Parallel to resolvedBindings: the role's number; and all their subjects' numbers, in order. */
  private readonly resolvedRoleNo: number[] = [];
  private readonly resolvedSubjectNo: number[] = [];
  /** whoCan's tables: built by prepareWhoCan or the first whoCan, dropped by a virtual role or grant. */
  private whoCanTables: WhoCanTables | null = null;

  constructor(private readonly snapshot: Snapshot, opts: AuthorizeOptions = {}) {
    this.kubernetesVersion = opts.kubernetesVersion ?? snapshot.kubernetesVersion;
    const clusterRoles = snapshot.roles.filter((r) => r.kind === 'ClusterRole');
    const agg = aggregateClusterRoles(clusterRoles);
    for (const r of snapshot.roles) {
      const rules = r.kind === 'ClusterRole' ? agg.rules.get(r.name) ?? r.rules : r.rules;
      this.roleRules.set(r.id, rules);
      const roleNo = this.roleNumber(r.id);
      rules.forEach((rule, index) => this.indexRule({ roleId: r.id, roleNo, index, rule }));
    }
    for (const b of snapshot.bindings) this.resolveBinding(b);
    this.realBindings = this.resolvedBindings.length;
    this.realSubjectRefs = this.resolvedSubjectNo.length;
  }

  /** How many of the resolved bindings (and their subject numbers) come from the snapshot; virtual grants follow. */
  private readonly realBindings: number;
  private readonly realSubjectRefs: number;

  private roleNumber(roleId: string): number {
    let n = this.roleNumbers.get(roleId);
    if (n === undefined) this.roleNumbers.set(roleId, (n = this.roleNumbers.size));
    return n;
  }

  private addResolved(rb: ResolvedBinding, roleNo: number): void {
    this.resolvedBindings.push(rb);
    this.resolvedRoleNo.push(roleNo);
    push(this.bindingsByRole, rb.roleId, rb);
    for (const id of rb.subjects) {
      let e = this.bindingsBySubject.get(id);
      if (!e) this.bindingsBySubject.set(id, (e = { no: this.bindingsBySubject.size, bindings: [] }));
      e.bindings.push(rb);
      this.resolvedSubjectNo.push(e.no);
    }
  }

  /** Where an object came from, looked up only when a warning names it. */
  private where(id: string): [string | null, number | null] {
    const s = this.snapshot.sources.get(id);
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
    let roleId: string;
    if (b.roleRef.kind === 'ClusterRole') roleId = `ClusterRole:${b.roleRef.name}`;
    else if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding') roleId = `Role:${b.namespace}/${b.roleRef.name}`;
    else {
      const why = b.roleRef.kind === 'Role' ? 'a ClusterRoleBinding cannot refer to a Role' : `roleRef.kind ${b.roleRef.kind} is not Role or ClusterRole`;
      this.warnings.push(warning(ErrorCode.INVALID_BINDING, `${b.id}: ${why}; it grants nothing`, ...this.where(b.id)));
      return;
    }
    const roleNo = this.roleNumbers.get(roleId);
    if (roleNo === undefined) {
      this.warnings.push(warning(ErrorCode.ROLE_NOT_FOUND,
        `${b.id} refers to ${roleId}, which does not exist: it grants nothing now and becomes live the moment that role is created`, ...this.where(b.id)));
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
        this.warnings.push(warning(ErrorCode.INVALID_BINDING, `${b.id}: ${why}`, ...this.where(b.id)));
        continue;
      }
      if (!subjects.includes(id)) subjects.push(id);
    }
    this.addResolved({ binding: b, roleId, scope, subjects }, roleNo);
  }

  /**
   * Analysis only: a role that does not exist but could (ROLE_ESCALATE rewrites a role to anything).
   * Only virtual grants bind it, and who-can and can-i never see those.
   */
  addVirtualRole(roleId: string, rules: PolicyRule[]): void {
    if (this.roleRules.has(roleId)) return;
    this.roleRules.set(roleId, rules);
    const roleNo = this.roleNumber(roleId);
    rules.forEach((rule, index) => this.indexRule({ roleId, roleNo, index, rule }));
    this.whoCanTables = null;
  }

  /**
   * Analysis only: a binding that does not exist but that some subject could create, naming a
   * pseudo-identity (`Grant:...`, or `cluster-admin` itself) as its only subject. Techniques see
   * it through grants(); who-can answers from the snapshot's bindings only, and no identity can
   * authorize as a pseudo-identity, so the index keeps answering as the API server does.
   */
  addVirtualGrant(subjectId: string, roleId: string, scope: string | null): void {
    const roleNo = this.roleNumbers.get(roleId);
    if (roleNo === undefined) return;
    const kind = scope === null ? 'ClusterRoleBinding' : 'RoleBinding';
    const id = scope === null ? `${kind}:(new binding)` : `${kind}:${scope}/(new binding)`;
    const binding: Binding = { id, kind, name: '(new binding)', namespace: scope, labels: {}, roleRef: { kind: roleId.slice(0, roleId.indexOf(':')), name: parseId(roleId)?.name ?? roleId }, subjects: [] };
    this.addResolved({ binding, roleId, scope, subjects: [subjectId] }, roleNo);
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
    return this.bindingsBySubject.get(subjectId)?.bindings ?? [];
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
      for (const rb of this.bindingsBySubject.get(k)?.bindings ?? []) {
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
    const t = (this.whoCanTables ??= this.buildWhoCanTables());
    const allNs = opts.allNamespaces === true && req.kind === 'resource';
    const alternatives = this.verbAlternatives(req);
    const nAlt = alternatives.length;
    // A grant is one number that sorts as compareVia does (binding ID, role ID, rule index), then by
    // alternative (the request's own verb first, as the grants are found): key * span + rule * nAlt + alt.
    const span = t.ruleSpan * nAlt;
    const g = t.scratch;
    g.n = 0;
    g.nPartial = 0;
    for (let a = 0; a < nAlt; a++) {
      const req2 = alternatives[a][0];
      const resource = req2.kind === 'resource';
      // Which RoleBindings apply: with -A all of them, except for built-in cluster-scoped resources;
      // otherwise those of the request's namespace.
      const everyNamespace = allNs && resource && !knownClusterScoped(req2);
      const namespace = resource && !allNs ? req2.namespace : null;
      const unnamed = resource && req2.name === null;
      const refs = resource ? this.candidates(req2) : this.nonResourceRules;
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        // The candidates match the request's verb, group and resource by construction: only the names are left.
        const full = resource ? resourceNameMatches(ref.rule, req2.name) : ruleAllows(ref.rule, req2);
        if (!full && !unnamed) continue;
        // The role's cluster-wide grants, then (with -A) all the others or those in the namespace.
        const r = ref.roleNo;
        const start = t.roleStart[r];
        const end = everyNamespace ? t.roleEnd[r] : t.roleClusterEnd[r];
        const inNamespace = namespace === null ? undefined : namespaceRange(t, r, namespace);
        if (full) {
          const base = ref.index * nAlt + a;
          addGrants(t, start, end, base, span);
          if (inNamespace) addGrants(t, inNamespace.start, inNamespace.end, base, span);
        } else {
          addPartialGrants(t, start, end, ref.rule.resourceNames);
          if (inNamespace) addPartialGrants(t, inNamespace.start, inNamespace.end, ref.rule.resourceNames);
        }
      }
    }
    bucketBySubject(g);
    return { subjects: subjectsOf(t, span, alternatives, allNs), partial: g.nPartial > 0 ? partialOf(t) : [] };
  }

  /**
   * Build whoCan's tables now (they are built on the first whoCan otherwise): one pass over the
   * bindings that a server answering who-can does at load, so that no query pays for it.
   */
  prepareWhoCan(): void {
    this.whoCanTables ??= this.buildWhoCanTables();
  }

  /** whoCan's tables for the snapshot's bindings (not the virtual grants) and the roles as they are now. */
  private buildWhoCanTables(): WhoCanTables {
    return buildWhoCanTables(
      this.resolvedBindings.slice(0, this.realBindings),
      this.resolvedRoleNo.slice(0, this.realBindings),
      this.resolvedSubjectNo.slice(0, this.realSubjectRefs),
      [...this.bindingsBySubject.keys()],
      [...this.roleNumbers.keys()],
      this.roleRules,
    );
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

const EMPTY: readonly string[] = [];

/** One whoCan call's grants, in arrays kept between calls (whoCan is synchronous). */
class WhoCanScratch {
  /** Grants allowed outright: subject number and grant number. */
  n = 0;
  subject = new Int32Array(1024);
  code = new Float64Array(1024);
  /** The grant numbers by subject (see bucketBySubject). */
  sorted = new Float64Array(1024);
  /** One subject's namespaces (ranks), as subjectOf collects them. */
  scopes = new Int32Array(1024);
  /** Grants for named objects only: subject number and the rule's resourceNames. */
  nPartial = 0;
  partialSubject = new Int32Array(1024);
  partialNames: (readonly string[])[] = new Array<readonly string[]>(1024).fill(EMPTY);
  /** Per subject number: first a count, then where its grants end in `sorted`. */
  readonly ends: Int32Array;

  constructor(subjects: number) {
    this.ends = new Int32Array(subjects);
  }

  /** Room for `min` grants and `min` partial grants, keeping what is there. */
  grow(min: number): void {
    let size = this.subject.length;
    while (size < min) size *= 2;
    if (size === this.subject.length) return;
    const subject = new Int32Array(size);
    subject.set(this.subject);
    const code = new Float64Array(size);
    code.set(this.code);
    const partialSubject = new Int32Array(size);
    partialSubject.set(this.partialSubject);
    this.subject = subject;
    this.code = code;
    this.partialSubject = partialSubject;
    this.sorted = new Float64Array(size);
    this.scopes = new Int32Array(size);
    for (let i = this.partialNames.length; i < size; i++) this.partialNames.push(EMPTY);
  }
}

/** What whoCan needs besides the rule index, computed once per index. */
interface WhoCanTables {
  /** Every subject ID a binding names, and system:masters, sorted by compareIds: a subject's number is its place here. */
  subjectIds: string[];
  masters: number;
  /**
   * One entry per subject of each resolved binding: the subject's number and the binding's key,
   * grouped by role. Role number r has its cluster-wide entries at roleStart[r] .. roleClusterEnd[r],
   * then the others up to roleEnd[r], grouped by namespace: roleNamespaces[r] is undefined when there
   * are none, the namespace when they are all in one, or else the range of each namespace.
   */
  entrySubject: Int32Array;
  entryKey: Int32Array;
  roleStart: Int32Array;
  roleClusterEnd: Int32Array;
  roleEnd: Int32Array;
  roleNamespaces: (string | Map<string, Range> | undefined)[];
  /** By key: the binding ID, role ID and namespace (rank in `namespaces`, -1: cluster-wide). */
  keyBinding: string[];
  keyRole: string[];
  keyScope: Int32Array;
  /** Every binding namespace, sorted by compareIds. */
  namespaces: string[];
  /** One more than the largest rule index of any role. */
  ruleSpan: number;
  scratch: WhoCanScratch;
}

interface Range {
  start: number;
  end: number;
}

/** compareVia order of two resolved bindings: binding ID, then role ID. */
const compareResolved = (a: ResolvedBinding, b: ResolvedBinding): number => compareIds(a.binding.id, b.binding.id) || compareIds(a.roleId, b.roleId);

/**
 * whoCan's tables for the resolved bindings. `resolvedRoleNo` is parallel to `resolved`, and
 * `resolvedSubjectNo` holds their subjects' numbers one after the other; `subjectIds` and `roleIds`
 * are by number.
 */
function buildWhoCanTables(
  resolved: readonly ResolvedBinding[],
  resolvedRoleNo: readonly number[],
  resolvedSubjectNo: readonly number[],
  subjectIds: string[],
  roleIds: readonly string[],
  roleRules: ReadonlyMap<string, PolicyRule[]>,
): WhoCanTables {
  const nb = resolved.length;
  const indexes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  // Subjects are numbered anew, in compareIds order; system:masters is always one.
  const masters = groupId(MASTERS);
  if (!subjectIds.includes(masters)) subjectIds.push(masters);
  const bySubjectId = indexes(subjectIds.length).sort((a, b) => compareIds(subjectIds[a], subjectIds[b]));
  const subjectRank = new Int32Array(subjectIds.length);
  bySubjectId.forEach((s, rank) => (subjectRank[s] = rank));
  const subjectStart = new Int32Array(nb + 1);
  for (let i = 0; i < nb; i++) subjectStart[i + 1] = subjectStart[i] + resolved[i].subjects.length;

  // Namespaces, ranked; bindings come grouped by namespace, so a binding mostly has the previous one's.
  const nsSet = new Set<string>();
  let prevNs: string | null = null;
  for (const rb of resolved) if (rb.scope !== null && rb.scope !== prevNs) nsSet.add((prevNs = rb.scope));
  const namespaces = [...nsSet].sort(compareIds);
  const nsRank = new Map<string, number>();
  namespaces.forEach((ns, i) => nsRank.set(ns, i));
  const scopeRank = new Int32Array(nb);
  prevNs = null;
  for (let i = 0, rank = -1; i < nb; i++) {
    const ns = resolved[i].scope;
    if (ns !== prevNs) {
      prevNs = ns;
      rank = ns === null ? -1 : nsRank.get(ns)!;
    }
    scopeRank[i] = rank;
  }

  // Keys: (binding ID, role ID) in compareVia order. Snapshots list bindings sorted by ID already.
  const byBinding = indexes(nb);
  const newKey = new Uint8Array(nb);
  for (let p = 0; p < nb; p++) {
    const c = p === 0 ? -1 : compareResolved(resolved[byBinding[p - 1]], resolved[byBinding[p]]);
    if (c > 0) {
      byBinding.sort((a, b) => compareResolved(resolved[a], resolved[b]));
      p = -1;
    } else newKey[p] = c < 0 ? 1 : 0;
  }
  const keyOf = new Int32Array(nb);
  const keyBindingIds: string[] = [];
  const keyRoleNo: number[] = [];
  const keyScope: number[] = [];
  for (let p = 0; p < nb; p++) {
    const i = byBinding[p];
    if (newKey[p]) {
      keyBindingIds.push(resolved[i].binding.id);
      keyRoleNo.push(resolvedRoleNo[i]);
      keyScope.push(scopeRank[i]);
    }
    keyOf[i] = keyBindingIds.length - 1;
  }

  // Bindings by role (a counting sort), each role's cluster-wide bindings first, then by namespace.
  const nRoles = roleIds.length;
  const roleStart = new Int32Array(nRoles);
  const roleClusterEnd = new Int32Array(nRoles);
  const roleEnd = new Int32Array(nRoles);
  for (let i = 0; i < nb; i++) roleEnd[resolvedRoleNo[i]]++;
  for (let r = 0, acc = 0; r < nRoles; r++) {
    roleStart[r] = acc;
    acc += roleEnd[r];
    roleEnd[r] = roleStart[r];
  }
  const byRole = new Int32Array(nb);
  for (const i of byBinding) byRole[roleEnd[resolvedRoleNo[i]]++] = i;
  for (let r = 0; r < nRoles; r++) {
    for (let p = roleStart[r] + 1; p < roleEnd[r]; p++) {
      if (scopeRank[byRole[p - 1]] > scopeRank[byRole[p]]) {
        byRole.subarray(roleStart[r], roleEnd[r]).sort((a, b) => scopeRank[a] - scopeRank[b]);
        break;
      }
    }
  }

  // Entries: the bindings' subjects, in byRole order; the role ranges become entry positions.
  const entrySubject = new Int32Array(subjectStart[nb]);
  const entryKey = new Int32Array(subjectStart[nb]);
  const roleNamespaces = new Array<string | Map<string, Range> | undefined>(nRoles).fill(undefined);
  let e = 0;
  let p = 0;
  for (let r = 0; r < nRoles; r++) {
    const end = roleEnd[r];
    roleStart[r] = e;
    let ranges: [string, Range][] | null = null;
    let ns = -1;
    let nsStart = 0;
    for (; p <= end; p++) {
      const sc = p < end ? scopeRank[byRole[p]] : -2;
      if (sc !== ns) {
        if (ns === -1) roleClusterEnd[r] = e;
        else (ranges ??= []).push([namespaces[ns], { start: nsStart, end: e }]);
        ns = sc;
        nsStart = e;
      }
      if (p === end) break;
      const i = byRole[p];
      for (let k = subjectStart[i]; k < subjectStart[i + 1]; k++) {
        entrySubject[e] = subjectRank[resolvedSubjectNo[k]];
        entryKey[e++] = keyOf[i];
      }
    }
    roleEnd[r] = e;
    if (ranges?.length === 1) roleNamespaces[r] = ranges[0][0];
    else if (ranges) roleNamespaces[r] = new Map(ranges);
  }

  let ruleSpan = 1;
  for (const rules of roleRules.values()) ruleSpan = Math.max(ruleSpan, rules.length);
  // Grant numbers (key * ruleSpan * alternatives + ...) must stay exact in a double.
  if (keyBindingIds.length * ruleSpan * 4 > Number.MAX_SAFE_INTEGER) throw new Error('too many bindings and rules for who-can');
  const fresh = copiedTogether([bySubjectId.map((s) => subjectIds[s]), keyBindingIds, roleIds, namespaces]);
  return {
    subjectIds: fresh[0], masters: subjectRank[subjectIds.indexOf(masters)], entrySubject, entryKey, roleStart, roleClusterEnd, roleEnd, roleNamespaces,
    keyBinding: fresh[1], keyRole: keyRoleNo.map((r) => fresh[2][r]), keyScope: Int32Array.from(keyScope), namespaces: fresh[3], ruleSpan,
    scratch: new WhoCanScratch(subjectIds.length),
  };
}

/**
 * Copies of the strings an answer holds, made in one go so that they sit together in memory: that
 * makes JSON.stringify of a large answer about twice as fast as with the snapshot's scattered strings.
 */
function copiedTogether(lists: (readonly string[])[]): string[][] {
  return JSON.parse(JSON.stringify(lists)) as string[][];
}

/** The entries of role r's RoleBindings in one namespace. */
function namespaceRange(t: WhoCanTables, r: number, namespace: string): Range | undefined {
  const ns = t.roleNamespaces[r];
  if (ns === undefined) return undefined;
  if (typeof ns === 'string') return ns === namespace ? { start: t.roleClusterEnd[r], end: t.roleEnd[r] } : undefined;
  return ns.get(namespace);
}

/** The grant `base` (rule * alternatives + alternative) for the entries from .. to (see WhoCanTables). */
function addGrants(t: WhoCanTables, from: number, to: number, base: number, span: number): void {
  const g = t.scratch;
  let n = g.n;
  if (n + to - from > g.subject.length) g.grow(n + to - from);
  const { entrySubject, entryKey } = t;
  const { subject, code } = g;
  for (let i = from; i < to; i++) {
    subject[n] = entrySubject[i];
    code[n++] = entryKey[i] * span + base;
  }
  g.n = n;
}

/** As addGrants, for a rule that allows the request for named objects only. */
function addPartialGrants(t: WhoCanTables, from: number, to: number, names: readonly string[]): void {
  const g = t.scratch;
  let n = g.nPartial;
  if (n + to - from > g.subject.length) g.grow(n + to - from);
  for (let i = from; i < to; i++) {
    g.partialSubject[n] = t.entrySubject[i];
    g.partialNames[n++] = names;
  }
  g.nPartial = n;
}

/** A counting sort of the grant numbers by subject: subject s's grants are sorted[ends[s - 1] .. ends[s]). */
function bucketBySubject(g: WhoCanScratch): void {
  const { ends, subject, code, sorted, n } = g;
  ends.fill(0);
  for (let i = 0; i < n; i++) ends[subject[i]]++;
  for (let s = 0, acc = 0; s < ends.length; s++) {
    const c = ends[s];
    ends[s] = acc;
    acc += c;
  }
  for (let i = 0; i < n; i++) sorted[ends[subject[i]]++] = code[i];
}

/** The answer's subjects, in subject number (so compareIds) order, system:masters always among them. */
function subjectsOf(t: WhoCanTables, span: number, alternatives: readonly [RequestAttributes, string | undefined][], allNs: boolean): WhoCanSubject[] {
  const { ends } = t.scratch;
  const out: WhoCanSubject[] = [];
  for (let s = 0, start = 0; s < ends.length; start = ends[s++]) {
    const end = ends[s];
    if (end > start) out.push(subjectOf(t, t.subjectIds[s], start, end, span, alternatives, allNs));
    else if (s === t.masters) out.push(allNs ? { subject: t.subjectIds[s], via: [MASTERS_VIA], namespaces: ['*'] } : { subject: t.subjectIds[s], via: [MASTERS_VIA] });
  }
  return out;
}

/**
 * One subject from its grant numbers sorted[start..end): the vias sorted and deduplicated (equal
 * numbers are equal vias), and with -A (`allNs`) its namespaces.
 */
function subjectOf(
  t: WhoCanTables, subject: string, start: number, end: number, span: number,
  alternatives: readonly [RequestAttributes, string | undefined][], allNs: boolean,
): WhoCanSubject {
  const { sorted, scopes } = t.scratch;
  sortRange(sorted, start, end);
  const nAlt = alternatives.length;
  const via: Via[] = [];
  let clusterWide = false;
  let nScopes = 0;
  let prev = -1;
  for (let p = start; p < end; p++) {
    const code = sorted[p];
    if (code === prev) continue;
    prev = code;
    const key = Math.floor(code / span);
    const rest = code - key * span;
    const rule = Math.floor(rest / nAlt);
    const v: Via = { binding: t.keyBinding[key], role: t.keyRole[key], rule };
    if (rest > rule * nAlt) v.verb = alternatives[rest - rule * nAlt][1];
    via.push(v);
    if (allNs) {
      const sc = t.keyScope[key];
      if (sc < 0) clusterWide = true;
      else scopes[nScopes++] = sc;
    }
  }
  if (!allNs) return { subject, via };
  return { subject, via, namespaces: clusterWide ? ['*'] : namespaceList(scopes, nScopes, t.namespaces) };
}

/** Subjects allowed the request for named objects only (not outright), with those names. */
function partialOf(t: WhoCanTables): PartialSubject[] {
  const g = t.scratch;
  const names = new Map<number, Set<string>>();
  for (let i = 0; i < g.nPartial; i++) {
    const s = g.partialSubject[i];
    if (s === t.masters || g.ends[s] > (s === 0 ? 0 : g.ends[s - 1])) continue;
    let set = names.get(s);
    if (!set) names.set(s, (set = new Set()));
    for (const name of g.partialNames[i]) set.add(name);
  }
  g.partialNames.fill(EMPTY, 0, g.nPartial);
  return [...names.keys()].sort((a, b) => a - b).map((s) => ({ subject: t.subjectIds[s], resourceNames: [...names.get(s)!].sort(compareIds) }));
}

/** Sort a[start..end) ascending: insertion sort for the short runs most subjects have. */
function sortRange(a: Float64Array, start: number, end: number): void {
  if (end - start > 24) {
    a.subarray(start, end).sort();
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= start && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

/** Namespace ranks (with repeats) to their names, sorted by compareIds. */
function namespaceList(ranks: Int32Array, n: number, names: readonly string[]): string[] {
  if (n > 24) ranks.subarray(0, n).sort();
  else {
    for (let i = 1; i < n; i++) {
      const x = ranks[i];
      let j = i - 1;
      while (j >= 0 && ranks[j] > x) {
        ranks[j + 1] = ranks[j];
        j--;
      }
      ranks[j + 1] = x;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || ranks[i] !== ranks[i - 1]) out.push(names[ranks[i]]);
  return out;
}
