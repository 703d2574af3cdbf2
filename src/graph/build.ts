// Builds the attack graph: one graphology MultiDirectedGraph from a snapshot and the technique catalogue.

import { MultiDirectedGraph } from 'graphology';
import { ErrorCode, warning, type Warning } from '../errors.js';
import { ANY_NODE, CLUSTER_ADMIN, groupId, saId, userId } from '../ids.js';
import { Agg, type AnalysisContext, SnapshotIndex } from '../analysis/context.js';
import type { AttackEdge, Technique } from '../analysis/technique.js';
import type { Grant, RbacIndex } from '../rbac/authorizer.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS, MASTERS, saGroup } from '../rbac/subjects.js';
import type { Snapshot } from '../snapshot/types.js';
import { CompiledGraph } from './compiled.js';
import { EXPANDS, nodeKindOf, ZERO_LENGTH_TECHNIQUES, type EdgeAttributes, type NodeAttributes, type TechniqueId } from './schema.js';

export type AttackGraph = MultiDirectedGraph<NodeAttributes, EdgeAttributes>;

export interface BuiltGraph {
  graph: AttackGraph;
  compiled: CompiledGraph;
  index: SnapshotIndex;
  warnings: Warning[];
  /** The edges each technique derived (kept so that a later build can reuse them). */
  edgesByTechnique: Map<string, AttackEdge[]>;
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

export function buildAttackGraph(snapshot: Snapshot, rbac: RbacIndex, techniques: readonly Technique[], incremental?: IncrementalBuild): BuiltGraph {
  const graph: AttackGraph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
  const index = new SnapshotIndex(snapshot);
  const warnings: Warning[] = [];
  let reachesNodeSet: Set<string> | null = null;

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
        const seen = new Set<string>();
        g = [];
        for (const v of verbs) {
          for (const gr of rbac.grants(v, apiGroup, resource, subresource)) {
            const k = `${gr.binding.binding.id}|${gr.roleId}|${gr.ruleIndex}`;
            if (!seen.has(k)) {
              seen.add(k);
              g.push(gr);
            }
          }
        }
        grantCache.set(key, g);
      }
      return g;
    },
    reachesNode(subject) {
      return reachesNodeSet?.has(subject) ?? false;
    },
  };

  for (const t of techniques) {
    if (!t.virtualGrants) continue;
    guard(t, warnings, () => {
      for (const v of t.virtualGrants!(ctx)) rbac.addVirtualGrant(v.subject, v.roleId, v.scope);
    });
  }

  const addNode = (id: string): void => {
    if (!graph.hasNode(id)) graph.addNode(id, { kind: nodeKindOf(id) });
  };
  const addEdge = (kind: TechniqueId | typeof EXPANDS, e: AttackEdge): void => {
    if (e.from === e.to) return;
    const key = `${kind}|${e.from}|${e.to}`;
    const evidence = [...e.evidence];
    if (graph.hasEdge(key)) {
      // Keep one edge per (technique, from, to): the one whose evidence sorts first (deterministic).
      const cur = graph.getEdgeAttributes(key);
      if (cur.evidence.join('\n') <= evidence.join('\n')) return;
      graph.mergeEdgeAttributes(key, { evidence, explanation: e.explanation });
      return;
    }
    addNode(e.from);
    addNode(e.to);
    const weight = kind === EXPANDS || ZERO_LENGTH_TECHNIQUES.has(kind) ? 0 : 1;
    graph.addDirectedEdgeWithKey(key, e.from, e.to, { kind, evidence, explanation: e.explanation, weight });
  };

  // Every subject the input names is a node (a start), with the groups everyone of its kind is in.
  addSubjectNodes(snapshot, index, rbac, addNode);

  const edgesByTechnique = new Map<string, AttackEdge[]>();
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
      edgesByTechnique.set(t.meta.id, edges);
      for (const e of edges) addEdge(t.meta.id, e);
    }
    expandAggregates(graph, index, addEdge);
  };
  runAll(false);
  reachesNodeSet = reverseReach(graph, [...graph.nodes()].filter((n) => graph.getNodeAttribute(n, 'kind') === 'Node'));
  runAll(true);

  return { graph, compiled: new CompiledGraph(graph), index, warnings, edgesByTechnique, stats };
}

/**
 * A technique's previous edges, when nothing it reads has changed. Late techniques depend on the
 * whole graph (ctx.reachesNode) and techniques that declare no inputs depend on everything: both
 * always derive again.
 */
function reusable(t: Technique, inc: IncrementalBuild | undefined): AttackEdge[] | null {
  if (!inc || t.late || !t.reads) return null;
  const prev = inc.previous.edgesByTechnique.get(t.meta.id);
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
  void saId;
}

/** Members of each aggregate node, as EXPANDS edges (weight 0), added once per aggregate. */
function expandAggregates(graph: AttackGraph, index: SnapshotIndex, addEdge: (k: typeof EXPANDS, e: AttackEdge) => void): void {
  const pending = graph.nodes().filter((n) => n.startsWith('Agg:') && graph.outDegree(n) === 0);
  const done = new Set<string>();
  const expand = (agg: string, to: string, explanation: string, evidence: string[] = []): void => {
    addEdge(EXPANDS, { from: agg, to, evidence, explanation });
    if (to.startsWith('Agg:') && !done.has(to)) pending.push(to);
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
        else for (const sa of [...(index.saByNamespace.get(arg) ?? [])].sort()) expand(agg, sa, `service account ${sa.slice('ServiceAccount:'.length)}`);
        break;
      case 'secrets':
        if (all) for (const ns of namespaces) expand(agg, Agg.secrets(ns), '');
        else {
          for (const s of index.secretsByNamespace.get(arg) ?? []) {
            expand(agg, s.id, `secret ${s.namespace}/${s.name}`);
            const holder = index.tokenHolder.get(s.id);
            if (holder) expand(agg, holder, `service account ${holder.slice('ServiceAccount:'.length)} through its legacy token secret ${s.namespace}/${s.name}`, [s.id]);
          }
        }
        break;
      case 'pods':
        if (all) for (const ns of namespaces) expand(agg, Agg.pods(ns), '');
        else for (const p of index.podsByNamespace.get(arg) ?? []) expand(agg, p.id, `pod ${p.namespace}/${p.name}`);
        break;
      case 'pod-identities':
        if (all) for (const ns of namespaces) expand(agg, Agg.podIdentities(ns), '');
        else {
          const seen = new Set<string>();
          for (const p of index.podsByNamespace.get(arg) ?? []) {
            if (!index.tokenMounted(p.namespace, p.spec, p.owner)) continue;
            const sa = saId(p.namespace, p.spec.serviceAccountName);
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
        else for (const p of index.podsByNode.get(arg) ?? []) expand(agg, p.id, `pod ${p.namespace}/${p.name} on ${arg.slice('Node:'.length)}`);
        break;
      case 'users':
        for (const u of graph.nodes().filter((n) => n.startsWith('User:')).sort()) expand(agg, u, `user ${u.slice('User:'.length)}`);
        break;
      case 'all-identities':
        expand(agg, Agg.users(), '');
        expand(agg, Agg.identities(null), '');
        for (const g of graph.nodes().filter((n) => n.startsWith('Group:') && n !== groupId(MASTERS)).sort()) expand(agg, g, `group ${g.slice('Group:'.length)}`);
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

/** Every node that can reach any of `targets` (reverse BFS over the graph). */
function reverseReach(graph: AttackGraph, targets: string[]): Set<string> {
  const seen = new Set<string>(targets);
  const queue = [...targets];
  while (queue.length > 0) {
    const n = queue.pop()!;
    graph.forEachInNeighbor(n, (m) => {
      if (!seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    });
  }
  return seen;
}
