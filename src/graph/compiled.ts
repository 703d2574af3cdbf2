// A compact array form of the attack graph for searches: integer node IDs, CSR adjacency both ways.

import type { MultiDirectedGraph } from 'graphology';
import type { EdgeAttributes, NodeAttributes } from './schema.js';

export class CompiledGraph {
  readonly ids: string[];
  readonly indexOf = new Map<string, number>();
  /** Per edge: source, target, weight, attributes. */
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
  readonly edgeWeight: Uint8Array;
  readonly edgeAttrs: EdgeAttributes[];
  /** Out-edges of node i: outEdges[outStart[i] .. outStart[i+1]), sorted by target ID. */
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  readonly inStart: Int32Array;
  readonly inEdges: Int32Array;

  constructor(graph: MultiDirectedGraph<NodeAttributes, EdgeAttributes>) {
    this.ids = graph.nodes().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.ids.forEach((id, i) => this.indexOf.set(id, i));
    const m = graph.size;
    this.edgeSrc = new Int32Array(m);
    this.edgeDst = new Int32Array(m);
    this.edgeWeight = new Uint8Array(m);
    this.edgeAttrs = new Array<EdgeAttributes>(m);
    let e = 0;
    graph.forEachEdge((_key, attrs, source, target) => {
      this.edgeSrc[e] = this.indexOf.get(source)!;
      this.edgeDst[e] = this.indexOf.get(target)!;
      this.edgeWeight[e] = attrs.weight;
      this.edgeAttrs[e] = attrs;
      e++;
    });
    const n = this.ids.length;
    [this.outStart, this.outEdges] = csr(n, this.edgeSrc, this.edgeDst, this.edgeAttrs);
    [this.inStart, this.inEdges] = csr(n, this.edgeDst, this.edgeSrc, this.edgeAttrs);
  }

  get nodeCount(): number {
    return this.ids.length;
  }

  /**
   * 0-1 BFS backwards from the targets: dist[i] = fewest counted steps from node i to any target
   * (-1: unreachable). Edges of weight 0 (MEMBER_OF, RUNS_AS, aggregate expansions) cost nothing.
   */
  distancesTo(targets: readonly number[], maxHops = Infinity): Int32Array {
    const n = this.ids.length;
    const dist = new Int32Array(n).fill(-1);
    const done = new Uint8Array(n);
    // Level by level: weight-0 edges stay on the current level, weight-1 edges feed the next.
    let level: number[] = [];
    for (const t of targets) {
      if (dist[t] !== 0) {
        dist[t] = 0;
        level.push(t);
      }
    }
    for (let d = 0; level.length > 0; d++) {
      const next: number[] = [];
      while (level.length > 0) {
        const v = level.pop()!;
        if (done[v] || dist[v] !== d) continue;
        done[v] = 1;
        for (let k = this.inStart[v]; k < this.inStart[v + 1]; k++) {
          const e = this.inEdges[k];
          const u = this.edgeSrc[e];
          if (done[u]) continue;
          const nd = d + this.edgeWeight[e];
          if (nd > maxHops) continue;
          if (dist[u] === -1 || nd < dist[u]) {
            dist[u] = nd;
            (nd === d ? level : next).push(u);
          }
        }
      }
      level = next;
    }
    return dist;
  }
}

function csr(n: number, from: Int32Array, to: Int32Array, attrs: EdgeAttributes[]): [Int32Array, Int32Array] {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const edges = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) edges[fill[from[e]]++] = e;
  // Sort each node's edges by the other end's ID (node indexes are in ID order), then technique,
  // so that searches meet equal-length alternatives in a fixed order.
  for (let i = 0; i < n; i++) {
    const s = start[i];
    const t = start[i + 1];
    if (t - s < 2) continue;
    const slice = Array.from(edges.subarray(s, t));
    slice.sort((a, b) => to[a] - to[b] || (attrs[a].kind < attrs[b].kind ? -1 : attrs[a].kind > attrs[b].kind ? 1 : 0));
    edges.set(slice, s);
  }
  return [start, edges];
}
