// Builds the attack graph from a snapshot and the technique catalogue: the compiled search form,
// and the graphology MultiDirectedGraph made from it on first use.

import type { MultiDirectedGraph } from 'graphology';
import { ErrorCode, warning, type Warning } from '../errors.js';
import { ANY_NODE, CLUSTER_ADMIN, groupId, userId } from '../ids.js';
import { Agg, type AnalysisContext, SnapshotIndex } from '../analysis/context.js';
import { LazyEdge, type AttackEdge, type Technique } from '../analysis/technique.js';
import type { Grant, RbacIndex, ResolvedBinding } from '../rbac/authorizer.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, MASTERS, saGroup } from '../rbac/subjects.js';
import type { Pod, Secret, Snapshot } from '../snapshot/types.js';
import { CompiledGraph } from './compiled.js';
import { EXPANDS, KIND_RANK, type EdgeAttributes, type NodeAttributes } from './schema.js';

export type AttackGraph = MultiDirectedGraph<NodeAttributes, EdgeAttributes>;

export interface BuiltGraph {
  /** The graphology form, made on first use (exports and the API read it; searches use `compiled`). */
  readonly graph: AttackGraph;
  compiled: CompiledGraph;
  index: SnapshotIndex;
  warnings: Warning[];
  /** The edges each technique derived, kept only when asked (watch mode), so that a later build can reuse them. */
  edgesByTechnique: Map<string, AttackEdge[]> | null;
  /** Which techniques derived their edges in this build, and which reused the previous build's. */
  stats: { derived: string[]; reused: string[] };
}

export interface IncrementalBuild {
  previous: BuiltGraph;
  /** Collections that differ from the previous snapshot. */
  changed: ReadonlySet<string>;
}

/** The role a virtual binding gives `cluster-admin` (so that full control reaches everything techniques reach). */
export const ALL_RULES_ROLE = 'ClusterRole:(every permission)';

export function buildAttackGraph(snapshot: Snapshot, rbac: RbacIndex, techniques: readonly Technique[], incremental?: IncrementalBuild, opts: { retainEdges?: boolean } = {}): BuiltGraph {
  const store = new EdgeStore();
  const index = new SnapshotIndex(snapshot);
  const warnings: Warning[] = [];
  let reachesNode: ((id: string) => boolean) | null = null;

  // cluster-admin holds every permission: a virtual binding lets every technique derive its reach.
  rbac.addVirtualRole(ALL_RULES_ROLE, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: ['*'] }]);
  rbac.addVirtualGrant(CLUSTER_ADMIN, ALL_RULES_ROLE, null);

  const grantCache = new Map<string, Grant[]>();
  const ctx: AnalysisContext = {
    snapshot,
    rbac,
    index,
    grants(verbs, apiGroup, resource, subresource = '') {
      const key = `${verbs.join(',')}|${apiGroup}|${resource}|${subresource}`;
      let g = grantCache.get(key);
      if (!g) {
        // Each (binding, rule) once across verbs. A binding names one role, so its rule's index
        // tells rules apart (no key strings: techniques ask for hundreds of thousands of grants).
        const seen = new Map<ResolvedBinding, Set<number>>();
        g = [];
        for (const v of verbs) {
          for (const gr of rbac.grants(v, apiGroup, resource, subresource)) {
            let rules = seen.get(gr.binding);
            if (!rules) seen.set(gr.binding, (rules = new Set()));
            if (rules.has(gr.ruleIndex)) continue;
            rules.add(gr.ruleIndex);
            g.push(gr);
          }
        }
        grantCache.set(key, g);
      }
      return g;
    },
    reachesNode(subject) {
      return reachesNode?.(subject) ?? false;
    },
  };

  for (const t of techniques) {
    if (!t.virtualGrants) continue;
    guard(t, warnings, () => {
      for (const v of t.virtualGrants!(ctx)) rbac.addVirtualGrant(v.subject, v.roleId, v.scope);
    });
  }
  // Answers cached while the virtual grants were being added may lack some of them.
  grantCache.clear();

  // Every subject the input names is a node (a start), with the groups everyone of its kind is in.
  addSubjectNodes(snapshot, index, rbac, (id) => store.node(id));

  const edgesByTechnique = opts.retainEdges ? new Map<string, AttackEdge[]>() : null;
  const stats = { derived: [] as string[], reused: [] as string[] };
  const runAll = (late: boolean): void => {
    for (const t of techniques) {
      if ((t.late ?? false) !== late) continue;
      let edges = reusable(t, incremental);
      if (edges) stats.reused.push(t.meta.id);
      else {
        stats.derived.push(t.meta.id);
        const fresh: AttackEdge[] = [];
        guard(t, warnings, () => {
          for (const e of t.derive(ctx)) fresh.push(e);
        });
        edges = fresh;
      }
      edgesByTechnique?.set(t.meta.id, edges);
      const rank = KIND_RANK.get(t.meta.id)!;
      for (const e of edges) store.add(rank, e);
    }
    expandAggregates(store, index);
  };
  runAll(false);
  reachesNode = store.reverseReach(store.names.filter((n) => n.startsWith('Node:')));
  runAll(true);

  const compiled = store.compile();
  let graph: AttackGraph | null = null;
  return {
    get graph(): AttackGraph {
      graph ??= compiled.toGraphology();
      return graph;
    },
    compiled,
    index,
    warnings,
    edgesByTechnique,
    stats,
  };
}

/**
 * The graph under construction: nodes by insertion, edges as they come. Duplicate edges (the
 * same technique between the same two nodes) are merged when the graph is compiled, keeping the
 * one whose evidence sorts first. The search form (CompiledGraph) and the graphology form are
 * made from it.
 */
class EdgeStore {
  readonly names: string[] = [];
  private readonly nodeIndex = new Map<string, number>();
  readonly src: number[] = [];
  readonly dst: number[] = [];
  readonly kinds: number[] = [];
  readonly edges: AttackEdge[] = [];
  /** Aggregates whose members have been added. */
  readonly expanded = new Set<string>();

  node(id: string): number {
    let i = this.nodeIndex.get(id);
    if (i === undefined) {
      i = this.names.length;
      this.nodeIndex.set(id, i);
      this.names.push(id);
    }
    return i;
  }

  /** The last edge's source: techniques emit runs of edges from one node (half the lookups). */
  private lastFrom = '';
  private lastFromIndex = -1;

  /** Adds an edge of the kind with that rank in EDGE_KINDS. */
  add(rank: number, e: AttackEdge): void {
    if (e.from === e.to) return;
    if (e.from !== this.lastFrom) {
      this.lastFromIndex = this.node(e.from);
      this.lastFrom = e.from;
    }
    this.src.push(this.lastFromIndex);
    this.dst.push(this.node(e.to));
    this.kinds.push(rank);
    this.edges.push(e);
  }

  /** Whether a node can reach any of `targets` (as the graph stands now; ask before compile()). */
  reverseReach(targets: string[]): (id: string) => boolean {
    const n = this.names.length;
    const start = new Int32Array(n + 1);
    for (const d of this.dst) start[d + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    const fill = start.slice(0, n);
    const preds = new Int32Array(this.dst.length);
    for (let e = 0; e < this.dst.length; e++) preds[fill[this.dst[e]]++] = this.src[e];
    const seen = new Uint8Array(n);
    const queue: number[] = [];
    for (const t of targets) {
      const i = this.nodeIndex.get(t);
      if (i !== undefined && !seen[i]) {
        seen[i] = 1;
        queue.push(i);
      }
    }
    while (queue.length > 0) {
      const v = queue.pop()!;
      for (let k = start[v]; k < start[v + 1]; k++) {
        const u = preds[k];
        if (!seen[u]) {
          seen[u] = 1;
          queue.push(u);
        }
      }
    }
    return (id) => {
      const i = this.nodeIndex.get(id);
      return i !== undefined && i < n && seen[i] === 1;
    };
  }

  compile(): CompiledGraph {
    // The store is done with (reverseReach's answers too): its ID index becomes the graph's.
    return CompiledGraph.fromEdges(this.names, this.nodeIndex, this.src, this.dst, this.kinds, this.edges);
  }
}

/**
 * A technique's previous edges, when nothing it reads has changed. Late techniques depend on the
 * whole graph (ctx.reachesNode) and techniques that declare no inputs depend on everything: both
 * always derive again.
 */
function reusable(t: Technique, inc: IncrementalBuild | undefined): AttackEdge[] | null {
  if (!inc || t.late || !t.reads) return null;
  const prev = inc.previous.edgesByTechnique?.get(t.meta.id);
  if (!prev) return null;
  return t.reads.some((c) => inc.changed.has(c)) ? null : prev;
}

function guard(t: Technique, warnings: Warning[], fn: () => void): void {
  try {
    fn();
  } catch (e) {
    warnings.push(warning(ErrorCode.TECHNIQUE_FAILED, `technique ${t.meta.id} failed and was skipped: ${(e as Error).message}`));
  }
}

function addSubjectNodes(snapshot: Snapshot, index: SnapshotIndex, rbac: RbacIndex, addNode: (id: string) => void): void {
  for (const rb of rbac.resolvedBindings) for (const s of rb.subjects) addNode(s);
  for (const set of index.saByNamespace.values()) for (const id of set) addNode(id);
  for (const g of [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ALL_SERVICE_ACCOUNTS]) addNode(groupId(g));
  for (const ns of index.namespaces) addNode(groupId(saGroup(ns)));
  addNode(userId(ANONYMOUS));
  addNode(groupId(MASTERS));
  addNode(CLUSTER_ADMIN);
  for (const n of index.nodes) addNode(n);
  for (const p of snapshot.pods) addNode(p.id);
  for (const s of snapshot.secrets) addNode(s.id);
}

const serviceAccountText = (sa: string): string => `service account ${sa.slice('ServiceAccount:'.length)}`;
const secretText = (s: Secret): string => `secret ${s.namespace}/${s.name}`;
const podText = (p: Pod): string => `pod ${p.namespace}/${p.name}`;
const podOnNodeText = (p: Pod, node: string): string => `pod ${p.namespace}/${p.name} on ${node.slice('Node:'.length)}`;

/** Shared by the expansions that need no evidence (edges are read-only once built). */
const NO_EVIDENCE: string[] = [];

/** Members of each aggregate node, as EXPANDS edges (weight 0), added once per aggregate. */
function expandAggregates(store: EdgeStore, index: SnapshotIndex): void {
  const done = store.expanded;
  const pending = store.names.filter((n) => n.startsWith('Agg:') && !done.has(n));
  const expandsRank = KIND_RANK.get(EXPANDS)!;
  const expand = (agg: string, to: string, explanation: string, evidence: string[] = NO_EVIDENCE): void => {
    store.add(expandsRank, { from: agg, to, evidence, explanation });
    if (to.startsWith('Agg:') && !done.has(to)) pending.push(to);
  };
  /** A member edge whose text is written when read (one per pod, secret or account: most never are). */
  const member = <A, B>(agg: string, to: string, format: (a: A, b: B) => string, a: A, b: B): void => {
    store.add(expandsRank, new LazyEdge(agg, to, NO_EVIDENCE, format, a, b));
  };
  const namespaces = index.sortedNamespaces();
  while (pending.length > 0) {
    const agg = pending.pop()!;
    if (done.has(agg)) continue;
    done.add(agg);
    const [, kind, ...rest] = agg.split(':');
    const arg = rest.join(':');
    const all = arg === '*';
    switch (kind) {
      case 'identities':
        if (all) for (const ns of namespaces) expand(agg, Agg.identities(ns), '');
        else for (const sa of [...(index.saByNamespace.get(arg) ?? [])].sort()) member(agg, sa, serviceAccountText, sa, null);
        break;
      case 'secrets':
        if (all) for (const ns of namespaces) expand(agg, Agg.secrets(ns), '');
        else {
          for (const s of index.secretsByNamespace.get(arg) ?? []) {
            member(agg, s.id, secretText, s, null);
            const holder = index.tokenHolder.get(s.id);
            if (holder) expand(agg, holder, `service account ${holder.slice('ServiceAccount:'.length)} through its legacy token secret ${s.namespace}/${s.name}`, [s.id]);
          }
        }
        break;
      case 'pods':
        if (all) for (const ns of namespaces) expand(agg, Agg.pods(ns), '');
        else for (const p of index.podsByNamespace.get(arg) ?? []) member(agg, p.id, podText, p, null);
        break;
      case 'pod-identities':
        if (all) for (const ns of namespaces) expand(agg, Agg.podIdentities(ns), '');
        else {
          const seen = new Set<string>();
          for (const p of index.podsByNamespace.get(arg) ?? []) {
            if (!index.tokenMounted(p.namespace, p.spec, p.owner)) continue;
            const sa = index.saIdOf(p.namespace, p.spec.serviceAccountName);
            if (seen.has(sa)) continue;
            seen.add(sa);
            expand(agg, sa, `service account ${sa.slice('ServiceAccount:'.length)} by swapping the image of pod ${p.namespace}/${p.name}`, [p.id]);
          }
        }
        break;
      case 'nodes': {
        const nodes = [...index.nodes].sort();
        if (nodes.length === 0) expand(agg, ANY_NODE, 'whichever node it lands on');
        for (const n of nodes) expand(agg, n, `node ${n.slice('Node:'.length)} (named in spec.nodeName)`);
        break;
      }
      case 'node-pods':
        if (all) for (const n of [...index.nodes].sort()) expand(agg, Agg.nodePods(n), '');
        else for (const p of index.podsByNode.get(arg) ?? []) member(agg, p.id, podOnNodeText, p, arg);
        break;
      case 'users':
        // Not the user form of a service account's name: the API server checks impersonating it as
        // impersonating the service account (`impersonate serviceaccounts`), and a certificate for
        // it carries no service-account groups, so the service account node already covers it.
        for (const u of store.names.filter((n) => n.startsWith('User:') && !n.startsWith('User:system:serviceaccount:')).sort()) expand(agg, u, `user ${u.slice('User:'.length)}`);
        break;
      case 'all-identities':
        expand(agg, Agg.users(), '');
        expand(agg, Agg.identities(null), '');
        for (const g of store.names.filter((n) => n.startsWith('Group:') && n !== groupId(MASTERS)).sort()) expand(agg, g, `group ${g.slice('Group:'.length)}`);
        break;
      case 'attractable-pods':
        for (const p of index.snapshot.pods) {
          if (!p.owner || p.owner.startsWith('DaemonSet:') || p.owner.startsWith('Node:')) continue;
          expand(agg, p.id, `pod ${p.namespace}/${p.name}, which ${p.owner} recreates wherever the scheduler puts it`, [p.owner]);
        }
        break;
      default:
        break;
    }
  }
}
