// A compact array form of the attack graph for searches: integer node IDs, CSR adjacency both ways.

import { MultiDirectedGraph } from 'graphology';
import { EDGE_KINDS, EXPANDS, explanationJoiner, nodeKindOf, ZERO_LENGTH_TECHNIQUES, type EdgeAttributes, type EdgeKind, type NodeAttributes } from './schema.js';

/** What an edge says beyond its ends and kind: a technique's AttackEdge fits. */
export interface EdgeInfo {
  readonly evidence: string[];
  readonly explanation: string;
}

/** Weight by kind rank: 0 for aggregate expansions and zero-length techniques, else 1. */
const WEIGHT_OF_KIND = Uint8Array.from(EDGE_KINDS, (k) => (k === EXPANDS || ZERO_LENGTH_TECHNIQUES.has(k) ? 0 : 1));

export class CompiledGraph {
  /** Node IDs in sorted order: a node's index is its rank. */
  readonly ids: string[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Per edge: source, target, kind (a rank in EDGE_KINDS), weight, evidence and explanation. */
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
  readonly edgeKind: Uint8Array;
  readonly edgeWeight: Uint8Array;
  readonly edgeInfo: readonly EdgeInfo[];
  /** Out-edges of node i: outEdges[outStart[i] .. outStart[i+1]), sorted by target ID, then kind. */
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  /** In-edges of node i, sorted by source ID, then kind. */
  readonly inStart: Int32Array;
  readonly inEdges: Int32Array;
  /**
   * Source and weight of in-edge k (inSrc[k] = edgeSrc[inEdges[k]]): the reverse searches read
   * these in order instead of two scattered arrays per edge (a secret's search scans 130,000 edges).
   */
  readonly inSrc: Int32Array;
  readonly inWeight: Uint8Array;

  private constructor(ids: string[], indexOf: Map<string, number>, src: Int32Array, dst: Int32Array, kind: Uint8Array, info: EdgeInfo[]) {
    this.ids = ids;
    this.indexOf = indexOf;
    this.edgeSrc = src;
    this.edgeDst = dst;
    this.edgeKind = kind;
    this.edgeInfo = info;
    const m = info.length;
    this.edgeWeight = new Uint8Array(m);
    for (let e = 0; e < m; e++) this.edgeWeight[e] = WEIGHT_OF_KIND[kind[e]];
    const n = ids.length;
    // Edges arrive sorted by (source, target, kind): the out-lists are the edges in order.
    this.outStart = starts(n, src);
    this.outEdges = Int32Array.from({ length: m }, (_, i) => i);
    this.inStart = starts(n, dst);
    this.inEdges = sortedBy(n, dst, src, kind);
    this.inSrc = new Int32Array(m);
    this.inWeight = new Uint8Array(m);
    for (let k = 0; k < m; k++) {
      const e = this.inEdges[k];
      this.inSrc[k] = src[e];
      this.inWeight[k] = this.edgeWeight[e];
    }
    this.aggregates = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (ids[i].startsWith('Agg:')) this.aggregates[i] = 1;
    this.joinsWithSpace = new Uint8Array(m);
    for (let e = 0; e < m; e++) if (this.aggregates[dst[e]] && explanationJoiner(info[e].explanation) === ' ') this.joinsWithSpace[e] = 1;
  }

  /** 1 for aggregate nodes (`Agg:`), whose members fold into the step that reached them. */
  readonly aggregates: Uint8Array;

  /**
   * Per edge into an aggregate: 1 when its members' explanations follow its own after a space, 0
   * after a colon (explanationJoiner). Worked out once here: a query folding thousands of steps
   * would otherwise read the end of thousands of texts, each a string V8 first makes flat.
   */
  readonly joinsWithSpace: Uint8Array;

  kindOf(e: number): EdgeKind {
    return EDGE_KINDS[this.edgeKind[e]];
  }

  /** An edge's attributes as one object (made on each call). */
  attributes(e: number): EdgeAttributes {
    const i = this.edgeInfo[e];
    return { kind: this.kindOf(e), evidence: i.evidence, explanation: i.explanation, weight: this.edgeWeight[e] as 0 | 1 };
  }

  /**
   * From edges over nodes numbered in any order (`names[i]` is node i's ID, `kinds[e]` a rank in
   * EDGE_KINDS). Parallel edges of one kind between the same two nodes become one: the one whose
   * evidence sorts first (the first given among equals), so the result does not depend on the
   * order techniques ran in. `info` objects are kept as they are (techniques' edges are not copied).
   * `index` maps names[i] to i; it is taken over and becomes the graph's `indexOf` (its values
   * rewritten to ranks), rather than a second Map of every ID being built.
   */
  static fromEdges(names: readonly string[], index: Map<string, number>, src: readonly number[], dst: readonly number[], kinds: readonly number[], info: readonly EdgeInfo[]): CompiledGraph {
    const n = names.length;
    // The default sort compares UTF-16 code units, as `<` does (and compareIds).
    const ids = [...names].sort();
    const rank = new Int32Array(n);
    for (let r = 0; r < n; r++) rank[index.get(ids[r])!] = r;
    for (let r = 0; r < n; r++) index.set(ids[r], r);
    const m = info.length;
    const s = new Int32Array(m);
    const d = new Int32Array(m);
    const k = Uint8Array.from(kinds);
    for (let e = 0; e < m; e++) {
      s[e] = rank[src[e]];
      d[e] = rank[dst[e]];
    }
    const sorted = sortedBy(n, s, d, k);
    const keep: number[] = [];
    for (let i = 0; i < m; i++) {
      const e = sorted[i];
      const last = keep.length - 1;
      const b = last >= 0 ? keep[last] : -1;
      if (b >= 0 && s[b] === s[e] && d[b] === d[e] && k[b] === k[e]) {
        if (compareEvidence(info[e].evidence, info[b].evidence) < 0) keep[last] = e;
      } else keep.push(e);
    }
    const kept = keep.length;
    const ks = new Int32Array(kept);
    const kd = new Int32Array(kept);
    const kk = new Uint8Array(kept);
    const ki = new Array<EdgeInfo>(kept);
    for (let j = 0; j < kept; j++) {
      const e = keep[j];
      ks[j] = s[e];
      kd[j] = d[e];
      kk[j] = k[e];
      ki[j] = info[e];
    }
    return new CompiledGraph(ids, index, ks, kd, kk, ki);
  }

  /** The graphology form: one node per ID (with its kind), one edge keyed `KIND|FROM|TO` per edge. */
  toGraphology(): MultiDirectedGraph<NodeAttributes, EdgeAttributes> {
    const graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
    for (const id of this.ids) graph.addNode(id, { kind: nodeKindOf(id) });
    for (let e = 0; e < this.edgeInfo.length; e++) {
      const from = this.ids[this.edgeSrc[e]];
      const to = this.ids[this.edgeDst[e]];
      graph.addDirectedEdgeWithKey(`${this.kindOf(e)}|${from}|${to}`, from, to, this.attributes(e));
    }
    return graph;
  }

  get nodeCount(): number {
    return this.ids.length;
  }

  get edgeCount(): number {
    return this.edgeInfo.length;
  }

  /**
   * 0-1 BFS backwards from the targets: dist[i] = fewest counted steps from node i to any target
   * (-1: unreachable). Edges of weight 0 (MEMBER_OF, RUNS_AS, aggregate expansions) cost nothing.
   * A node marked in `opaque` gets its distance but is not searched through (its predecessors are
   * not reached by way of it).
   */
  distancesTo(targets: readonly number[], maxHops = Infinity, opaque?: Uint8Array, reuse?: Int32Array): Int32Array {
    const n = this.ids.length;
    const dist = reuse && reuse.length === n ? reuse.fill(-1) : new Int32Array(n).fill(-1);
    const done = this.borrowBytes();
    this.bfs01(targets, maxHops, opaque, dist, done);
    this.releaseBytes(done.fill(0));
    return dist;
  }

  private readonly bytePool: Uint8Array[] = [];

  /** A zeroed byte per node, for a search's marks; give it back zeroed with `releaseBytes`. */
  borrowBytes(): Uint8Array {
    return this.bytePool.pop() ?? new Uint8Array(this.ids.length);
  }

  releaseBytes(a: Uint8Array): void {
    if (this.bytePool.length < 4) this.bytePool.push(a);
  }

  private readonly intPool: Int32Array[] = [];

  /** A zeroed int per node; give it back zeroed with `releaseInts`. */
  borrowInts(): Int32Array {
    return this.intPool.pop() ?? new Int32Array(this.ids.length);
  }

  releaseInts(a: Int32Array): void {
    if (this.intPool.length < 2) this.intPool.push(a);
  }

  private stacks: [Int32Array, Int32Array] | null = null;

  private bfs01(targets: readonly number[], maxHops: number, opaque: Uint8Array | undefined, dist: Int32Array, done: Uint8Array): void {
    // Level by level: weight-0 edges stay on the current level, weight-1 edges feed the next.
    // Two stacks reused across searches: a node is pushed at most once per level it improves to
    // (twice at most: on the next level, then on the current one), so 2n + targets is enough.
    const size = 2 * this.ids.length + targets.length;
    if (!this.stacks || this.stacks[0].length < size) this.stacks = [new Int32Array(size), new Int32Array(size)];
    let [level, next] = this.stacks;
    let top = 0;
    for (const t of targets) {
      if (dist[t] !== 0) {
        dist[t] = 0;
        level[top++] = t;
      }
    }
    for (let d = 0; top > 0; d++) {
      let nextTop = 0;
      while (top > 0) {
        const v = level[--top];
        if (done[v] || dist[v] !== d) continue;
        done[v] = 1;
        if (opaque && opaque[v]) continue;
        for (let k = this.inStart[v]; k < this.inStart[v + 1]; k++) {
          const u = this.inSrc[k];
          if (done[u]) continue;
          const nd = d + this.inWeight[k];
          if (nd > maxHops) continue;
          if (dist[u] === -1 || nd < dist[u]) {
            dist[u] = nd;
            if (nd === d) level[top++] = u;
            else next[nextTop++] = u;
          }
        }
      }
      [level, next] = [next, level];
      top = nextTop;
    }
  }
}

/**
 * Evidence lists in the order of their texts joined by newlines, without joining them: lists
 * differ at their first unequal ID, which decides unless one of the two IDs begins the other (then
 * the joined texts are compared, as that case depends on what follows).
 */
export function compareEvidence(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (!x.startsWith(y) && !y.startsWith(x)) return x < y ? -1 : 1;
    return compareJoined(a, b);
  }
  // One list begins the other: so does its text, a shorter one (but [] and [''] are both '').
  return n === 0 ? compareJoined(a, b) : a.length - b.length;
}

function compareJoined(a: readonly string[], b: readonly string[]): number {
  const ja = a.join('\n');
  const jb = b.join('\n');
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** CSR offsets: node i's edges are at [start[i], start[i+1]) of a list sorted by `own`. */
function starts(n: number, own: Int32Array): Int32Array {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < own.length; e++) start[own[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  return start;
}

/**
 * Edge indexes sorted by (own end, other end, kind): node IDs are ranked, so by ID. Three stable
 * counting sorts (LSD radix: kind, other end, own end), linear in nodes plus edges.
 */
function sortedBy(n: number, own: Int32Array, other: Int32Array, kind: Uint8Array): Int32Array {
  let order: Int32Array = Int32Array.from({ length: own.length }, (_, i) => i);
  order = countingSort(order, kind, 256);
  order = countingSort(order, other, n);
  return countingSort(order, own, n);
}

/** Stable counting sort of `items` (edge indexes) by key[item], keys in [0, range). */
function countingSort(items: Int32Array, key: Int32Array | Uint8Array, range: number): Int32Array {
  const count = new Int32Array(range + 1);
  for (let i = 0; i < items.length; i++) count[key[items[i]] + 1]++;
  for (let k = 0; k < range; k++) count[k + 1] += count[k];
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) out[count[key[items[i]]]++] = items[i];
  return out;
}
