// What techniques read: the snapshot, the RBAC index, prebuilt lookups, and the aggregate nodes they may target.

import { ANY_NODE, nodeId, saId, secretId } from '../ids.js';
import type { Grant, RbacIndex } from '../rbac/authorizer.js';
import { SA_TOKEN_TYPE } from '../snapshot/normalize.js';
import type { Pod, PodSpec, Secret, ServiceAccount, Snapshot, Workload } from '../snapshot/types.js';

export const PSA_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const LEGACY_TOKEN_INVALID_LABEL = 'kubernetes.io/legacy-token-invalid-since';

/** Lookups over one snapshot, built once. */
export class SnapshotIndex {
  readonly namespaces = new Set<string>();
  readonly serviceAccounts = new Map<string, ServiceAccount>();
  /** SA IDs per namespace: SA objects, SAs pods run as, and SAs bindings name. */
  readonly saByNamespace = new Map<string, Set<string>>();
  readonly podsByNamespace = new Map<string, Pod[]>();
  readonly podsByNode = new Map<string, Pod[]>();
  readonly workloadsByNamespace = new Map<string, Workload[]>();
  readonly secretsByNamespace = new Map<string, Secret[]>();
  readonly secretIds = new Set<string>();
  /** By namespace and name, made on first use (only rules limited by resourceNames ask). */
  private secretsByName: Map<string, Map<string, Secret>> | null = null;
  private podsByName: Map<string, Map<string, Pod>> | null = null;
  /** Secret ID → the SA whose valid legacy token it holds. */
  readonly tokenHolder = new Map<string, string>();
  readonly nodes = new Set<string>();
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly saIdInterner = new IdInterner(saId);
  private readonly secretIdInterner = new IdInterner(secretId);
  private readonly hostPathClaims = new Set<string>();

  constructor(readonly snapshot: Snapshot) {
    for (const n of snapshot.namespaces) {
      this.namespaces.add(n.name);
      this.nsLabels.set(n.name, n.labels);
    }
    for (const sa of snapshot.serviceAccounts) {
      this.serviceAccounts.set(sa.id, sa);
      this.addSa(sa.namespace, sa.id);
    }
    for (const n of snapshot.nodes) this.nodes.add(n.id);
    for (const p of snapshot.pods) {
      push(this.podsByNamespace, p.namespace, p);
      this.namespaces.add(p.namespace);
      this.addSa(p.namespace, saId(p.namespace, p.spec.serviceAccountName));
      if (p.spec.nodeName) {
        push(this.podsByNode, nodeId(p.spec.nodeName), p);
        this.nodes.add(nodeId(p.spec.nodeName));
      }
    }
    for (const w of snapshot.workloads) {
      push(this.workloadsByNamespace, w.namespace, w);
      this.namespaces.add(w.namespace);
      this.addSa(w.namespace, saId(w.namespace, w.template.serviceAccountName));
    }
    for (const s of snapshot.secrets) {
      push(this.secretsByNamespace, s.namespace, s);
      this.secretIds.add(s.id);
      this.namespaces.add(s.namespace);
      const holder = tokenHolderOf(s);
      if (holder) this.tokenHolder.set(s.id, holder);
    }
    for (const b of snapshot.bindings) {
      if (b.namespace) this.namespaces.add(b.namespace);
      for (const s of b.subjects) {
        const ns = s.namespace ?? (b.kind === 'RoleBinding' ? b.namespace : null);
        if (s.kind === 'ServiceAccount' && ns) this.addSa(ns, saId(ns, s.name));
      }
    }
    for (const r of snapshot.roles) if (r.namespace) this.namespaces.add(r.namespace);
    const pvHostPath = new Map(snapshot.persistentVolumes.filter((p) => p.hostPath !== null).map((p) => [p.name, p]));
    for (const pv of pvHostPath.values()) if (pv.claimRef) this.hostPathClaims.add(pv.claimRef);
    for (const c of snapshot.persistentVolumeClaims) {
      if (c.volumeName && pvHostPath.has(c.volumeName)) this.hostPathClaims.add(`${c.namespace}/${c.name}`);
    }
  }

  private addSa(ns: string, id: string): void {
    this.namespaces.add(ns);
    let s = this.saByNamespace.get(ns);
    if (!s) this.saByNamespace.set(ns, (s = new Set()));
    s.add(id);
  }

  /** Pod Security admission enforces baseline or restricted: new privileged/host pods are refused. */
  /**
   * Does Pod Security admission reject host access (privileged, hostPID, hostPath, ...) in the
   * namespace? Any enforce level but `privileged` does: a value the admission plugin cannot parse
   * ("Baseline", "strict") is enforced as `restricted` (pod-security-admission PolicyToEvaluate).
   * No label: the cluster default, assumed privileged.
   */
  psaForbidsHostAccess(ns: string): boolean {
    const level = this.nsLabels.get(ns)?.[PSA_ENFORCE_LABEL];
    return level !== undefined && level !== 'privileged';
  }

  /**
   * `saId(ns, name)`, one string per ID. Techniques emit hundreds of thousands of edges to the same
   * few service accounts and secrets: a string the graph has seen before is looked up without
   * being copied and hashed again.
   */
  saIdOf(ns: string, name: string): string {
    return this.saIdInterner.get(ns, name);
  }

  /** `secretId(ns, name)`, one string per ID (see saIdOf). */
  secretIdOf(ns: string, name: string): string {
    return this.secretIdInterner.get(ns, name);
  }

  /** The pod of that name in the namespace, if the input has it. */
  pod(ns: string, name: string): Pod | undefined {
    this.podsByName ??= byNamespaceAndName(this.podsByNamespace);
    return this.podsByName.get(ns)?.get(name);
  }

  /** The secret of that name in the namespace, if the input has it. */
  secret(ns: string, name: string): Secret | undefined {
    this.secretsByName ??= byNamespaceAndName(this.secretsByNamespace);
    return this.secretsByName.get(ns)?.get(name);
  }

  psaLevel(ns: string): string | null {
    return this.nsLabels.get(ns)?.[PSA_ENFORCE_LABEL] ?? null;
  }

  /** A claim in the namespace bound to a hostPath PersistentVolume (admission checks the pod, not the PV). */
  hostPathClaimsIn(ns: string): string[] {
    return [...this.hostPathClaims].filter((c) => c.startsWith(`${ns}/`)).sort();
  }

  isHostPathClaim(ns: string, claim: string): boolean {
    return this.hostPathClaims.has(`${ns}/${claim}`);
  }

  /**
   * Is the SA's token mounted in a pod with this spec? The pod's setting wins, then the SA's; default
   * yes. Pass the pod's owner: a static (mirror) pod, owned by its Node, cannot use service accounts.
   */
  tokenMounted(ns: string, spec: PodSpec, owner: string | null = null): boolean {
    if (isStaticPodOwner(owner)) return false;
    if (spec.automountServiceAccountToken !== null) return spec.automountServiceAccountToken;
    const sa = this.serviceAccounts.get(this.saIdOf(ns, spec.serviceAccountName));
    return sa?.automountServiceAccountToken ?? true;
  }

  /** The node a pod escapes to: its node, or `Node:*` ("whichever node it lands on") when unscheduled. */
  nodeOf(spec: PodSpec): string {
    return spec.nodeName ? nodeId(spec.nodeName) : ANY_NODE;
  }

  private sortedNs: readonly string[] | null = null;

  /** Every namespace, sorted (worked out once: techniques ask per grant). */
  sortedNamespaces(): readonly string[] {
    this.sortedNs ??= [...this.namespaces].sort();
    return this.sortedNs;
  }
}

/** Static pods appear in the API as mirror pods owned by their Node; they cannot reference API objects. */
export function isStaticPodOwner(owner: string | null): boolean {
  return owner !== null && owner.startsWith('Node:');
}

/** A valid legacy token: type service-account-token, annotated with its SA, not marked invalid. */
export function tokenHolderOf(s: Secret): string | null {
  if (s.type !== SA_TOKEN_TYPE) return null;
  const name = s.annotations[SA_NAME_ANNOTATION];
  if (!name) return null;
  if (s.labels[LEGACY_TOKEN_INVALID_LABEL] !== undefined) return null;
  return saId(s.namespace, name);
}

/**
 * One string per (namespace, name) ID; the last namespace's table is kept at hand (callers go
 * namespace by namespace). With `max`, forgets everything once it holds that many.
 */
class IdInterner {
  private readonly byNs = new Map<string, Map<string, string>>();
  private lastNs: string | null = null;
  private last = new Map<string, string>();
  private size = 0;

  constructor(private readonly make: (ns: string, name: string) => string, private readonly max = Infinity) {}

  get(ns: string, name: string): string {
    if (ns !== this.lastNs) {
      this.last = byName(this.byNs, ns);
      this.lastNs = ns;
    }
    let id = this.last.get(name);
    if (id === undefined) {
      if (this.size >= this.max) {
        this.byNs.clear();
        this.size = 0;
        this.last = byName(this.byNs, ns);
      }
      this.last.set(name, (id = this.make(ns, name)));
      this.size++;
    }
    return id;
  }
}

/**
 * One string per aggregate ID. Techniques name the same few thousand aggregates hundreds of
 * thousands of times: the graph builder then looks up a string it has seen (hash kept, compared by
 * reference) instead of a new one. Shared by every analysis in the process, so bounded: a long
 * watch sees namespaces come and go.
 */
const AGG_IDS = new IdInterner((kind, arg) => `Agg:${kind}:${arg}`, 100_000);
const aggId = (kind: string, scope: string | null): string => AGG_IDS.get(kind, scope ?? '*');

/** Aggregate nodes: "every X of namespace N" as one node, expanded to its members by the graph builder. */
export const Agg = {
  /** Every service account of a namespace (null: of every namespace). */
  identities: (scope: string | null): string => aggId('identities', scope),
  /** Every secret of a namespace, and the SAs whose legacy tokens they hold. */
  secrets: (scope: string | null): string => aggId('secrets', scope),
  /** Every pod of a namespace. */
  pods: (scope: string | null): string => aggId('pods', scope),
  /** The service accounts of the pods of a namespace whose token is mounted. */
  podIdentities: (scope: string | null): string => aggId('pod-identities', scope),
  /** Root on every node (a new pod can name any node in spec.nodeName). */
  nodes: (): string => 'Agg:nodes',
  /** The pods running on a node (null: on every node). */
  nodePods: (node: string | null): string => aggId('node-pods', node),
  /** Every user the input names. */
  users: (): string => 'Agg:users',
  /** Every user, group (but system:masters) and service account. */
  allIdentities: (): string => 'Agg:all-identities',
  /** Pods whose controller will recreate them wherever the scheduler puts them. */
  attractablePods: (): string => 'Agg:attractable-pods',
} as const;

export interface AnalysisContext {
  readonly snapshot: Snapshot;
  readonly rbac: RbacIndex;
  readonly index: SnapshotIndex;
  /**
   * Grants (binding × rule) allowing any of `verbs` on group/resource[/sub], resourceNames included
   * (check them with `namesAllow`). The authorizer's own matcher decides: never a second one.
   */
  grants(verbs: readonly string[], apiGroup: string, resource: string, subresource?: string): Grant[];
  /** After the main techniques ran (for `late` techniques): can this subject reach root on some node? */
  reachesNode(subject: string): boolean;
}

/**
 * The objects a rule limited by resourceNames names, looked up by name: in the grant's namespace,
 * or in every namespace when it is cluster-wide (namespaces and names in sorted order, each once).
 * A cluster-wide grant to a few names must not walk every object.
 */
export function namedInScope<T>(ctx: AnalysisContext, g: Grant, lookup: (ns: string, name: string) => T | undefined): T[] {
  const names = [...new Set(g.rule.resourceNames)].sort();
  const out: T[] = [];
  for (const ns of g.scope === null ? ctx.index.sortedNamespaces() : [g.scope]) {
    for (const name of names) {
      const x = lookup(ns, name);
      if (x !== undefined) out.push(x);
    }
  }
  return out;
}

/** Does the grant's rule allow the object name? (No resourceNames: every name.) */
export function namesAllow(g: Grant, name: string): boolean {
  return g.rule.resourceNames.length === 0 || g.rule.resourceNames.includes(name);
}

/** Evidence of a grant: the binding and the role. */
export function grantEvidence(g: Grant): string[] {
  return [g.binding.binding.id, g.roleId];
}

export function scopeText(scope: string | null): string {
  return scope === null ? 'every namespace' : scope;
}

function byNamespaceAndName<V extends { name: string }>(lists: ReadonlyMap<string, readonly V[]>): Map<string, Map<string, V>> {
  const m = new Map<string, Map<string, V>>();
  for (const [ns, l] of lists) m.set(ns, new Map(l.map((x) => [x.name, x])));
  return m;
}

function byName<V>(m: Map<string, Map<string, V>>, ns: string): Map<string, V> {
  let l = m.get(ns);
  if (!l) m.set(ns, (l = new Map()));
  return l;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
