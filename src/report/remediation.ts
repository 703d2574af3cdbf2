// Concrete fixes for a path step: the binding, rule, pod spec field or namespace label to change, as kubectl commands.

import type { Analysis } from '../analysis/analyze.js';
import type { PathStep } from '../analysis/paths.js';
import { PSA_ENFORCE_LABEL } from '../analysis/context.js';
import { escapeReasons } from '../analysis/techniques/node-escape.js';
import { POD_MAKERS } from '../analysis/techniques/pod-create.js';
import { compareIds, parseId } from '../ids.js';
import { selectorMatches } from '../rbac/aggregate.js';
import { rulesAreClusterAdmin } from '../rbac/covers.js';
import type { ResolvedBinding } from '../rbac/authorizer.js';
import { ruleAllowsIgnoringNames } from '../rbac/match.js';
import { resourceRequest, type ResourceRequest } from '../rbac/request.js';
import { subjectIdOf } from '../rbac/subjects.js';
import type { Binding, Pod, PodSpec, PolicyRule, Role, Workload } from '../snapshot/types.js';

export type RemediationAction =
  | 'delete-binding'
  | 'remove-subject'
  | 'narrow-rules'
  | 'edit-pod-spec'
  | 'disable-token-automount'
  | 'enforce-pod-security'
  | 'manual';

export interface Remediation {
  action: RemediationAction;
  /** The object to change (canonical ID). */
  object: string;
  /** The technique whose step this change breaks. */
  technique: string;
  /** One sentence: what to change and what else it affects. */
  summary: string;
  /** kubectl commands to run, in order (empty when the change is a manifest edit). */
  commands: string[];
  /** The manifest change as YAML, when a command cannot express it exactly. */
  patch: string | null;
}

/**
 * For each technique that an RBAC grant makes possible: the permissions whose removal alone breaks
 * it (interface.md section 4). Narrowing removes exactly these and keeps the rest of each rule.
 */
const P = (verbs: string[], group: string, resources: string[]): ResourceRequest[] =>
  resources.flatMap((r) => {
    const [resource, sub] = r.split('/');
    return verbs.map((v) => resourceRequest(v, group, resource, { subresource: sub ?? '' }));
  });

const WORKLOADS: ReadonlyArray<[string, string]> = POD_MAKERS.filter(([, r]) => r !== 'pods');

export const TECHNIQUE_PERMISSIONS: Readonly<Record<string, readonly ResourceRequest[]>> = {
  CSR_APPROVE: [...P(['update', 'patch'], 'certificates.k8s.io', ['certificatesigningrequests/approval']), ...P(['approve'], 'certificates.k8s.io', ['signers'])],
  EPHEMERAL_CONTAINER: P(['update', 'patch'], '', ['pods/ephemeralcontainers']),
  IMPERSONATE: [...P(['impersonate'], '', ['users', 'groups', 'serviceaccounts']), ...P(['impersonate'], 'authentication.k8s.io', ['uids', 'userextras'])],
  NAMESPACE_PATCH: P(['update', 'patch'], '', ['namespaces']),
  NODES_PROXY: P(['get', 'create'], '', ['nodes/proxy']),
  NODE_PATCH: P(['update', 'patch'], '', ['nodes']),
  POD_CREATE: POD_MAKERS.flatMap(([g, r]) => P(['create'], g, [r])),
  POD_EXEC: P(['create', 'get'], '', ['pods/exec', 'pods/attach']),
  PV_CREATE: P(['create'], '', ['persistentvolumes']),
  ROLE_BIND: P(['bind'], 'rbac.authorization.k8s.io', ['roles', 'clusterroles']),
  ROLE_ESCALATE: P(['escalate'], 'rbac.authorization.k8s.io', ['roles', 'clusterroles']),
  SECRET_READ: P(['get', 'list', 'watch', 'update', 'patch'], '', ['secrets']),
  TOKEN_REQUEST: P(['create'], '', ['serviceaccounts/token']),
  TOKEN_SECRET_CREATE: P(['create'], '', ['secrets']),
  WEBHOOK_CONTROL: P(['create', 'update', 'patch'], 'admissionregistration.k8s.io', ['mutatingwebhookconfigurations']),
  WORKLOAD_PATCH: [...P(['update', 'patch'], '', ['pods']), ...WORKLOADS.flatMap(([g, r]) => P(['update', 'patch'], g, [r]))],
};

/** What `*` is narrowed to: the standard verbs (special ones like bind, escalate, impersonate are dropped). */
export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
const KUBECTL_KIND: Record<string, string> = {
  ClusterRole: 'clusterrole', Role: 'role', ClusterRoleBinding: 'clusterrolebinding', RoleBinding: 'rolebinding',
  CronJob: 'cronjob', DaemonSet: 'daemonset', Deployment: 'deployment', Job: 'job', ReplicaSet: 'replicaset',
  ReplicationController: 'replicationcontroller', StatefulSet: 'statefulset', Pod: 'pod', Namespace: 'namespace',
};

/** Single-quote for a POSIX shell. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The analysis' own devices (a binding a subject could create, the hub's every-permission role): nothing to delete. */
export function isRealObject(id: string): boolean {
  return parseId(id) !== null && !id.includes('(') && !id.startsWith('Grant:') && !id.startsWith('Agg:');
}

function kubectl(verb: string, id: string, rest: string[] = []): string {
  const p = parseId(id)!;
  const ns = p.namespace ? ['-n', shQuote(p.namespace)] : [];
  return ['kubectl', ...ns, verb, KUBECTL_KIND[p.kind] ?? p.kind.toLowerCase(), shQuote(p.name), ...rest].join(' ');
}

function jsonPatch(id: string, ops: unknown[]): string {
  return kubectl('patch', id, ['--type=json', '-p', shQuote(JSON.stringify(ops))]);
}

function mergePatch(id: string, patch: unknown): string {
  return kubectl('patch', id, ['-p', shQuote(JSON.stringify(patch))]);
}

/** A rule as kubectl writes it (key order apiGroups, resources, resourceNames, verbs; empty lists left out). */
function ruleJson(r: PolicyRule): Record<string, string[]> {
  const o: Record<string, string[]> = {};
  if (r.nonResourceURLs.length > 0) o.nonResourceURLs = r.nonResourceURLs;
  else {
    o.apiGroups = r.apiGroups;
    o.resources = r.resources;
    if (r.resourceNames.length > 0) o.resourceNames = r.resourceNames;
  }
  o.verbs = r.verbs;
  return o;
}

const sameRule = (a: PolicyRule, b: PolicyRule): boolean => JSON.stringify(ruleJson(a)) === JSON.stringify(ruleJson(b));

/**
 * The rule with the technique's permissions taken out, as the fewest rules that keep everything
 * else; `null` when the rule cannot be narrowed mechanically (it allows every resource). Each
 * (verb, resource) pair of the rule is tested with the authorizer's own matcher.
 */
export function narrowRule(rule: PolicyRule, danger: readonly ResourceRequest[]): { removed: string[]; rest: PolicyRule[] | null } {
  if (rule.nonResourceURLs.length > 0) return { removed: [], rest: [rule] };
  const pairAllows = (verb: string, resource: string): boolean => {
    const one: PolicyRule = { verbs: [verb], apiGroups: rule.apiGroups, resources: [resource], resourceNames: [], nonResourceURLs: [] };
    return danger.some((d) => ruleAllowsIgnoringNames(one, d));
  };
  // What the rule grants that the technique needs, as "verb resource" pairs in the rule's own words.
  const removed: string[] = [];
  const concrete = rule.verbs.includes('*') ? [...new Set([...danger.map((d) => d.verb), ...STANDARD_VERBS])] : rule.verbs;
  for (const r of rule.resources) {
    const vs = concrete.filter((v) => pairAllows(v, r));
    if (vs.length > 0) removed.push(`${vs.join('/')} on ${r === '*' ? 'every resource' : r}`);
  }
  if (removed.length === 0) return { removed, rest: [rule] };
  if (rule.resources.some((r) => (r === '*' || r.startsWith('*/')) && rule.verbs.some((v) => pairAllows(v, r)))) return { removed, rest: null };
  const verbs = rule.verbs.includes('*') ? STANDARD_VERBS : rule.verbs;
  // Resources that keep the same verbs share one rule, in the rule's own order.
  const byVerbs = new Map<string, { verbs: string[]; resources: string[] }>();
  for (const r of rule.resources) {
    const keep = verbs.filter((v) => !pairAllows(v, r));
    if (keep.length === 0) continue;
    const k = keep.join(',');
    const e = byVerbs.get(k);
    if (e) e.resources.push(r);
    else byVerbs.set(k, { verbs: keep, resources: [r] });
  }
  const rest = [...byVerbs.values()].map((e) => ({ verbs: e.verbs, apiGroups: rule.apiGroups, resources: e.resources, resourceNames: rule.resourceNames, nonResourceURLs: [] }));
  return { removed, rest };
}

/** Remediations of one step, memoized per analysis (many paths share their steps). */
export class RemediationPlanner {
  private readonly bindings = new Map<string, Binding>();
  private readonly roles = new Map<string, Role>();
  private readonly workloads = new Map<string, Workload>();
  private readonly pods = new Map<string, Pod>();
  private readonly memo = new Map<string, Remediation[]>();
  private readonly adminRoles = new Map<string, boolean>();
  private readonly narrowMemo = new Map<string, Remediation[]>();
  private openNamespaces: string[] | null = null;
  private readonly grantsByTechnique = new Map<string, Map<string, { id: string; scope: string | null }[]>>();

  constructor(private readonly analysis: Analysis) {
    const s = analysis.snapshot;
    for (const b of s.bindings) this.bindings.set(b.id, b);
    for (const r of s.roles) this.roles.set(r.id, r);
    for (const w of s.workloads) this.workloads.set(w.id, w);
    for (const p of s.pods) this.pods.set(p.id, p);
  }

  forStep(step: PathStep): Remediation[] {
    const key = `${step.technique}\u0000${step.from}\u0000${step.to}\u0000${step.evidence.join('\u0001')}`;
    let r = this.memo.get(key);
    if (!r) this.memo.set(key, (r = this.compute(step)));
    return r;
  }

  /** Every fix for a path, step by step, without repeats: any one of them breaks this path. */
  forSteps(steps: readonly PathStep[]): Remediation[] {
    const out: Remediation[] = [];
    const seen = new Set<string>();
    for (const s of steps) {
      for (const r of this.forStep(s)) {
        const k = `${r.action}\u0000${r.object}\u0000${r.commands.join('\n')}\u0000${r.patch ?? ''}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(r);
      }
    }
    return out;
  }

  /** Fixes for a binding as such (the grants section): delete it, or narrow its role for each technique it feeds. */
  forBinding(bindingId: string, roleId: string, techniques: readonly string[]): Remediation[] {
    const out: Remediation[] = [];
    const b = this.bindings.get(bindingId);
    if (!b || techniques.length === 0) return out;
    out.push(this.deleteBinding(b, techniques[0]));
    // A cluster-admin grant is the finding itself: narrowing one technique out of it changes nothing.
    if (!this.isAdminRole(roleId)) for (const t of techniques) out.push(...this.narrowRole(roleId, t));
    return out;
  }

  private compute(step: PathStep): Remediation[] {
    switch (step.technique) {
      case 'MEMBER_OF':
      case 'NODE_CREDENTIALS':
      case 'SECRET_MOUNT':
        // Nothing to remove here: the way into the pod or node is the step to fix.
        return [];
      case 'RUNS_AS':
        return this.tokenAutomount(step);
      case 'NODE_ESCAPE':
        return this.podSpecFix(step);
      case 'CLOUD_IDENTITY':
        return [{
          action: 'manual', object: step.from, technique: step.technique,
          summary: `Remove the cloud identity mapping of ${step.from} (service account annotation or aws-auth entry) unless its pods need ${step.to}.`,
          commands: [], patch: null,
        }];
      default:
        return this.rbacFix(step);
    }
  }

  /** A step made true by a binding: remove the subject (or the binding), or narrow the role's rules. */
  private rbacFix(step: PathStep): Remediation[] {
    const out: Remediation[] = [];
    const bindingIds = step.evidence.filter((e) => (e.startsWith('RoleBinding:') || e.startsWith('ClusterRoleBinding:')) && isRealObject(e));
    for (const bid of bindingIds) {
      const b = this.bindings.get(bid);
      if (!b) continue;
      // The graph keeps one piece of evidence per step: name the other bindings that grant the same.
      const others = this.otherGrants(step, b);
      const also = others.length > 0 ? ` ${step.from} also holds this through ${others.join(', ')}: change those too, or the step remains.` : '';
      const withNote = (r: Remediation): Remediation => (also ? { ...r, summary: r.summary + also } : r);
      out.push(withNote(this.subjectOrBindingFix(b, step)));
      if (step.technique === 'RBAC') continue; // the role (often cluster-admin itself) is right for others; the binding is the finding
      const roleId = roleIdOf(b);
      // Through a cluster-admin role, narrowing or a namespace label cannot hold (it can undo both).
      if (this.isAdminRole(roleId)) continue;
      out.push(...this.narrowRole(roleId, step.technique).map(withNote));
      if (step.technique === 'POD_CREATE' && step.to.startsWith('Node:')) out.push(...this.podSecurityFix(b, step));
    }
    return out;
  }

  /**
   * Other real bindings that give `step.from` (as named in them) the technique's key permission
   * where the evidence binding does: ClusterRoleBindings, and RoleBindings of the same namespace.
   */
  private otherGrants(step: PathStep, b: Binding): string[] {
    const bySubject = this.grantIndex(step.technique);
    if (!bySubject) return [];
    const scope = b.kind === 'RoleBinding' ? b.namespace : null;
    const out = new Set<string>();
    for (const g of bySubject.get(step.from) ?? []) {
      if (g.id === b.id || !(g.scope === null || g.scope === scope)) continue;
      out.add(g.id);
    }
    return [...out].sort(compareIds);
  }

  /** Subject → the real bindings that give it the technique's key permission (RBAC: a cluster-admin role, cluster-wide). Built once per technique. */
  private grantIndex(technique: string): Map<string, { id: string; scope: string | null }[]> | null {
    const danger = TECHNIQUE_PERMISSIONS[technique];
    if (!danger && technique !== 'RBAC') return null;
    const cached = this.grantsByTechnique.get(technique);
    if (cached) return cached;
    const index = new Map<string, { id: string; scope: string | null }[]>();
    const seen = new Set<string>();
    const add = (rb: ResolvedBinding): void => {
      const id = rb.binding.id;
      if (!isRealObject(id)) return;
      for (const s of rb.subjects) {
        const k = `${s}\u0000${id}`;
        if (seen.has(k)) continue;
        seen.add(k);
        let l = index.get(s);
        if (!l) index.set(s, (l = []));
        l.push({ id, scope: rb.scope });
      }
    };
    if (technique === 'RBAC') {
      for (const rb of this.analysis.rbac.resolvedBindings) if (rb.scope === null && this.isAdminRole(rb.roleId)) add(rb);
    } else {
      for (const d of danger!) {
        for (const g of this.analysis.rbac.grants(d.verb, d.apiGroup, d.resource, d.subresource)) if (g.rule.resourceNames.length === 0) add(g.binding);
      }
    }
    this.grantsByTechnique.set(technique, index);
    return index;
  }

  private isAdminRole(roleId: string): boolean {
    let v = this.adminRoles.get(roleId);
    if (v === undefined) this.adminRoles.set(roleId, (v = rulesAreClusterAdmin(this.analysis.rbac.rulesOf(roleId) ?? [])));
    return v;
  }

  private subjectOrBindingFix(b: Binding, step: PathStep): Remediation {
    const scope = b.kind === 'RoleBinding' ? b.namespace : null;
    const idx = b.subjects.findIndex((s) => subjectIdOf(s, scope) === step.from);
    const others = b.subjects.length - 1;
    if (idx < 0 || others === 0) return this.deleteBinding(b, step.technique);
    const s = b.subjects[idx];
    const ops = [{ op: 'test', path: `/subjects/${idx}/name`, value: s.name }, { op: 'remove', path: `/subjects/${idx}` }];
    return {
      action: 'remove-subject', object: b.id, technique: step.technique,
      summary: `Remove ${step.from} from ${b.id} (its ${others} other subject${others === 1 ? '' : 's'} keep${others === 1 ? 's' : ''} ${roleIdOf(b)})${this.bootstrapNote(b.labels)}.`,
      commands: [jsonPatch(b.id, ops)], patch: null,
    };
  }

  private deleteBinding(b: Binding, technique: string): Remediation {
    const who = b.subjects.map((s) => subjectIdOf(s, b.kind === 'RoleBinding' ? b.namespace : null)).filter((x): x is string => x !== null);
    return {
      action: 'delete-binding', object: b.id, technique,
      summary: `Delete ${b.id}, which binds ${roleIdOf(b)} to ${who.length === 0 ? 'no valid subject' : who.join(', ')}${this.bootstrapNote(b.labels)}.`,
      commands: [kubectl('delete', b.id)], patch: null,
    };
  }

  private bootstrapNote(labels: Record<string, string>): string {
    return labels[BOOTSTRAP_LABEL] === 'rbac-defaults' ? '; it is a bootstrap default that the API server recreates on restart unless annotated rbac.authorization.kubernetes.io/autoupdate=false' : '';
  }

  /** JSON patches that take the technique's permissions out of a role (or, for an aggregated role, out of its sources). */
  private narrowRole(roleId: string, technique: string): Remediation[] {
    const key = `${roleId}\u0000${technique}`;
    let r = this.narrowMemo.get(key);
    if (!r) this.narrowMemo.set(key, (r = this.narrowRoleUncached(roleId, technique)));
    return r;
  }

  private narrowRoleUncached(roleId: string, technique: string): Remediation[] {
    const danger = TECHNIQUE_PERMISSIONS[technique];
    const role = this.roles.get(roleId);
    if (!danger || !role) return [];
    const sources = role.aggregationSelectors !== null && !sameRules(this.analysis.rbac.rulesOf(roleId) ?? [], role.rules)
      ? this.aggregationSources(role)
      : [role];
    const out: Remediation[] = [];
    for (const src of sources) {
      const r = this.narrowOne(src, technique, danger);
      if (r) {
        if (src !== role) r.summary += ` ${roleId} aggregates it, so its rules follow.`;
        out.push(r);
      }
    }
    return out;
  }

  private narrowOne(role: Role, technique: string, danger: readonly ResourceRequest[]): Remediation | null {
    const ops: unknown[] = [];
    const manual: string[] = [];
    const changed: string[] = [];
    // Highest index first, so that earlier indexes in the same patch stay valid.
    for (let i = role.rules.length - 1; i >= 0; i--) {
      const rule = role.rules[i];
      const n = narrowRule(rule, danger);
      if (n.removed.length === 0) continue;
      const groups = rule.apiGroups.map((g) => (g === '' ? 'the core group' : g === '*' ? 'every group' : g)).join(', ');
      if (n.rest === null) {
        manual.unshift(`rules[${i}] (${n.removed.join(', ')} in ${groups})`);
        continue;
      }
      const star = rule.verbs.includes('*') ? '; `*` becomes the standard verbs' : '';
      changed.unshift(n.rest.length === 0 ? `remove rules[${i}] (${n.removed.join(', ')} in ${groups})` : `take ${n.removed.join(', ')} out of rules[${i}] (${groups}) and keep the rest${star}`);
      const written = ruleJson(rule);
      ops.push({ op: 'test', path: `/rules/${i}/verbs`, value: written.verbs });
      ops.push({ op: 'test', path: `/rules/${i}/resources`, value: written.resources });
      ops.push({ op: 'remove', path: `/rules/${i}` });
      n.rest.forEach((nr, k) => ops.push({ op: 'add', path: `/rules/${i + k}`, value: ruleJson(nr) }));
    }
    if (changed.length === 0 && manual.length === 0) return null;
    const boundBy = this.analysis.rbac.bindingsOf(role.id).filter((rb) => isRealObject(rb.binding.id)).length;
    const shared = boundBy > 1 ? ` The role is bound ${boundBy} times: every subject of those bindings loses this too.` : '';
    if (role.labels[BOOTSTRAP_LABEL] === 'rbac-defaults') {
      return {
        action: 'manual', object: role.id, technique,
        summary: `${role.id} is a bootstrap default that the API server reconciles on start: bind a narrower role instead of editing it (${[...changed, ...manual].join('; ')}).`,
        commands: [], patch: null,
      };
    }
    const parts: string[] = [];
    if (changed.length > 0) parts.push(`Narrow ${role.id} for ${technique}: ${changed.join('; ')}.`);
    if (manual.length > 0) {
      parts.push(`${manual.join('; ')} of ${role.id} grant${manual.length === 1 ? 's' : ''} ${technique} through a resource wildcard: list the resources the role needs instead of \`*\`.`);
    }
    return {
      action: changed.length > 0 ? 'narrow-rules' : 'manual', object: role.id, technique, summary: parts.join(' ') + shared,
      commands: changed.length > 0 ? [jsonPatch(role.id, ops)] : [], patch: null,
    };
  }

  /** The ClusterRoles an aggregated role draws its rules from (following nested aggregation), sorted by ID. */
  private aggregationSources(role: Role): Role[] {
    const clusterRoles = this.analysis.snapshot.roles.filter((r) => r.kind === 'ClusterRole');
    const out = new Map<string, Role>();
    const seen = new Set<string>([role.id]);
    const stack = [role];
    while (stack.length > 0) {
      const a = stack.pop()!;
      for (const c of clusterRoles) {
        if (seen.has(c.id) || !a.aggregationSelectors!.some((sel) => selectorMatches(sel, c.labels))) continue;
        seen.add(c.id);
        if (c.aggregationSelectors !== null) stack.push(c);
        else out.set(c.id, c);
      }
    }
    return [...out.values()].sort((x, y) => compareIds(x.id, y.id));
  }

  /** A pod-creation step that reaches a node: enforce Pod Security baseline where the grant applies. */
  private podSecurityFix(b: Binding, step: PathStep): Remediation[] {
    const ix = this.analysis.built.index;
    const label = `${PSA_ENFORCE_LABEL}=baseline`;
    if (b.kind === 'RoleBinding') {
      const ns = b.namespace!;
      if (ix.psaForbidsHostAccess(ns)) {
        const claims = ix.hostPathClaimsIn(ns);
        return [{
          action: 'manual', object: `Namespace:${ns}`, technique: step.technique,
          summary: `Pod Security already applies in ${ns}, but claim${claims.length === 1 ? '' : 's'} ${claims.join(', ')} bind${claims.length === 1 ? 's' : ''} a hostPath PersistentVolume that a new pod can mount: delete the PersistentVolume or move it out of reach.`,
          commands: [], patch: null,
        }];
      }
      return [{
        action: 'enforce-pod-security', object: `Namespace:${ns}`, technique: step.technique,
        summary: `Enforce Pod Security baseline in ${ns} (no privileged or host-access pods), unless its workloads need them.`,
        commands: [`kubectl label namespace ${shQuote(ns)} ${label}`], patch: null,
      }];
    }
    const open = (this.openNamespaces ??= this.analysis.snapshot.namespaces.filter((n) => !ix.psaForbidsHostAccess(n.name)).map((n) => n.name).sort(compareIds));
    return [{
      action: 'enforce-pod-security', object: 'Namespace:*', technique: step.technique,
      summary: open.length > 0
        ? `Enforce Pod Security baseline in the namespaces that lack it (${open.length}); leave out those that must run privileged pods (often kube-system) and narrow the grant there instead.`
        : `Enforce Pod Security baseline in every namespace (the input lists none), except those that must run privileged pods.`,
      commands: open.length > 0 ? [`kubectl label namespace ${open.map(shQuote).join(' ')} ${label}`] : [],
      patch: null,
    }];
  }

  /** The object to edit for a pod: its top-level controller when the input has it, else the pod. */
  private ownerOf(id: string): { id: string; spec: PodSpec; namespace: string; specPath: string[] } | null {
    const pod = this.pods.get(id);
    let owner: string | null;
    if (pod) owner = pod.owner;
    else {
      const w = this.workloads.get(id);
      if (!w) return null;
      owner = w.owner;
      if (!owner || !this.workloads.has(owner)) return { id: w.id, spec: w.template, namespace: w.namespace, specPath: templatePath(w.kind) };
    }
    let top: Workload | null = null;
    for (let hops = 0; owner && hops < 5; hops++) {
      const w = this.workloads.get(owner);
      if (!w) break;
      top = w;
      owner = w.owner;
    }
    if (top) return { id: top.id, spec: top.template, namespace: top.namespace, specPath: templatePath(top.kind) };
    if (pod) return { id: pod.id, spec: pod.spec, namespace: pod.namespace, specPath: ['spec'] };
    return null;
  }

  private tokenAutomount(step: PathStep): Remediation[] {
    const o = this.ownerOf(step.from);
    if (!o) return [];
    const patch = nest(o.specPath, { automountServiceAccountToken: false });
    const isPod = o.id.startsWith('Pod:');
    return [{
      action: 'disable-token-automount', object: o.id, technique: step.technique,
      summary: `Stop mounting the token of ${step.to} in ${o.id} (automountServiceAccountToken: false), if its containers do not call the API.${isPod ? ' A pod cannot be changed in place: edit its manifest and recreate it.' : ''}`,
      commands: isPod ? [] : [mergePatch(o.id, patch)],
      patch: yamlOf(patch),
    }];
  }

  /** NODE_ESCAPE: the pod spec fields that make the escape possible, each with its safe value. */
  private podSpecFix(step: PathStep): Remediation[] {
    const o = this.ownerOf(step.from);
    if (!o) return [];
    const reasons = escapeReasons(o.spec, o.namespace, this.analysis.built.index);
    const fields: string[] = [];
    const containers = new Map<string, { kind: string; securityContext: Record<string, unknown> }>();
    const sc = (name: string): Record<string, unknown> => {
      const c = o.spec.containers.find((x) => x.name === name);
      let e = containers.get(name);
      if (!e) containers.set(name, (e = { kind: c?.kind ?? 'container', securityContext: {} }));
      return e.securityContext;
    };
    let mergeable = true;
    for (const why of reasons) {
      let m: RegExpExecArray | null;
      if ((m = /^container (\S+) is privileged$/.exec(why))) {
        sc(m[1]).privileged = false;
        fields.push(`containers[${m[1]}].securityContext.privileged: false`);
      } else if ((m = /^container (\S+) adds (?:capability )?(\S+)/.exec(why))) {
        mergeable = false;
        fields.push(`remove ${m[2]} from containers[${m[1]}].securityContext.capabilities.add${/hostPID/.test(why) ? ' (or set hostPID: false)' : ''}`);
      } else if ((m = /^claim (\S+) is bound/.exec(why))) {
        mergeable = false;
        fields.push(`stop mounting claim ${m[1]} (bound to a hostPath PersistentVolume), or delete that PersistentVolume`);
      } else if ((m = /hostPath (\S+)/.exec(why))) {
        mergeable = false;
        const v = o.spec.volumes.find((x) => x.hostPath && normalize(x.hostPath.path) === m![1]);
        fields.push(`remove volume ${v ? v.name : `with hostPath ${m[1]}`} (hostPath ${m[1]}) and its volumeMounts`);
      } else {
        mergeable = false;
        fields.push(why);
      }
    }
    if (fields.length === 0) return [];
    const isPod = o.id.startsWith('Pod:');
    const list = (kind: string): unknown[] => [...containers].filter(([, e]) => e.kind === kind).map(([name, e]) => ({ name, securityContext: e.securityContext }));
    const specPatch: Record<string, unknown> = {};
    if (list('initContainer').length > 0) specPatch.initContainers = list('initContainer');
    if (list('container').length > 0) specPatch.containers = list('container');
    const patch = Object.keys(specPatch).length > 0 ? nest(o.specPath, specPatch) : null;
    return [{
      action: 'edit-pod-spec', object: o.id, technique: step.technique,
      summary: `Change the pod spec of ${o.id}: ${fields.join('; ')}.${isPod ? ' A pod cannot be changed in place: edit its manifest and recreate it.' : ''}`,
      commands: !isPod && mergeable && patch ? [mergePatch(o.id, patch)] : [],
      patch: patch ? yamlOf(patch) : null,
    }];
  }
}

/** The role a binding refers to, as an ID (a RoleBinding's Role lives in its namespace). */
export function roleIdOf(b: Binding): string {
  return b.roleRef.kind === 'Role' ? `Role:${b.namespace}/${b.roleRef.name}` : `ClusterRole:${b.roleRef.name}`;
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((r, i) => sameRule(r, b[i]));
}

function templatePath(kind: string): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
}

function nest(path: readonly string[], leaf: unknown): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]]: v };
  return v as Record<string, unknown>;
}

function normalize(p: string): string {
  return `/${p.split('/').filter((x) => x && x !== '.').join('/')}`;
}

/** Minimal YAML for the small patch objects built here (maps, lists of maps, scalars). */
export function yamlOf(v: unknown, indent = ''): string {
  const scalar = (x: unknown): string => (typeof x === 'string' ? (/^[A-Za-z0-9_./-]+$/.test(x) && !/^(true|false|yes|no|on|off|null|~|\d.*)$/i.test(x) ? x : JSON.stringify(x)) : String(x));
  if (Array.isArray(v)) {
    return v.map((item) => {
      if (item !== null && typeof item === 'object') {
        const body = yamlOf(item, `${indent}  `);
        return `${indent}- ${body.slice(indent.length + 2)}`;
      }
      return `${indent}- ${scalar(item)}\n`;
    }).join('');
  }
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      if (x !== null && typeof x === 'object') return `${indent}${k}:\n${yamlOf(x, `${indent}  `)}`;
      return `${indent}${k}: ${scalar(x)}\n`;
    }).join('');
  }
  return `${indent}${scalar(v)}\n`;
}
