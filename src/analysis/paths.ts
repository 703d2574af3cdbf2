// Shortest explained attack paths: one reverse search from the target serves every start.

import { ErrorCode, UsageError, warning, type Warning } from '../errors.js';
import { ANY_NODE, CLUSTER_ADMIN, compareIds, parseId } from '../ids.js';
import type { CompiledGraph } from '../graph/compiled.js';
import { explanationJoiner, JOINER_CONTEXT, ZERO_LENGTH_TECHNIQUES } from '../graph/schema.js';

export interface PathStep {
  from: string;
  to: string;
  technique: string;
  evidence: string[];
  explanation: string;
}

export interface AttackPath {
  from: string;
  to: string;
  length: number;
  steps: PathStep[];
}

export interface PathQuery {
  from?: string[];
  /** `cluster-admin` (default), `nodes`, a `Node:`/`Secret:` ID, or a subject ID. */
  to?: string;
  maxHops?: number;
  limit?: number;
  includeSystem?: boolean;
}

export interface PathsResult {
  paths: AttackPath[];
  warnings: Warning[];
}

export const DEFAULT_MAX_HOPS = 8;
const TARGET_KINDS = new Set(['Node', 'Secret', 'User', 'Group', 'ServiceAccount']);

/** Node indexes a target names; a usage error when it is malformed. */
export function resolveTarget(g: CompiledGraph, to: string): { targets: number[]; warnings: Warning[] } {
  if (to === CLUSTER_ADMIN) return { targets: [g.indexOf.get(CLUSTER_ADMIN)!], warnings: [] };
  if (to === 'nodes') {
    const targets = g.ids.map((id, i) => (id.startsWith('Node:') ? i : -1)).filter((i) => i >= 0);
    return { targets, warnings: [] };
  }
  const p = parseId(to);
  if (!p || !TARGET_KINDS.has(p.kind)) {
    throw new UsageError(`malformed target "${to}": use cluster-admin, nodes, Node:NAME, Secret:NS/NAME or a subject ID`);
  }
  const i = g.indexOf.get(to);
  if (i === undefined) return { targets: [], warnings: [warning(ErrorCode.UNKNOWN_SUBJECT, `${to} does not appear in the input; no path can reach it`)] };
  return { targets: [i], warnings: [] };
}

/** Turn a chain of raw edges into steps: aggregate hops fold into the step that entered them. */
export function stepsFromEdges(g: CompiledGraph, edges: readonly number[]): PathStep[] {
  const steps: PathStep[] = [];
  const agg = g.aggregates;
  let i = 0;
  while (i < edges.length) {
    const first = edges[i++];
    const from = i;
    while (i < edges.length && agg[g.edgeDst[edges[i - 1]]]) i++;
    steps.push(foldStep(g, first, edges, from, i));
  }
  return steps;
}

/**
 * One step: edge `first`, followed by the aggregate expansions rest[from..to) folded into it (its
 * target becomes the real node they lead to). The evidence array is the graph's own unless the
 * folded edges add to it: treat steps as read-only.
 */
function foldStep(g: CompiledGraph, first: number, rest: readonly number[], from: number, to: number): PathStep {
  const a = g.edgeInfo[first];
  const last = to > from ? rest[to - 1] : first;
  const step: PathStep = { from: g.ids[g.edgeSrc[first]], to: g.ids[g.edgeDst[last]], technique: g.kindOf(first), evidence: a.evidence, explanation: a.explanation };
  let copied = false;
  for (let k = from; k < to; k++) {
    const xa = g.edgeInfo[rest[k]];
    for (const ev of xa.evidence) {
      if (step.evidence.includes(ev)) continue;
      if (!copied) {
        step.evidence = [...step.evidence];
        copied = true;
      }
      step.evidence.push(ev);
    }
    if (xa.explanation) step.explanation += explanationJoiner(step.explanation) + xa.explanation;
  }
  return step;
}

export function pathLength(steps: readonly PathStep[]): number {
  let n = 0;
  for (const s of steps) if (!ZERO_LENGTH_TECHNIQUES.has(s.technique)) n++;
  return n;
}

/**
 * The shortest path from `start` along the distance field, choosing at every node the first edge
 * in (target ID, technique) order: equal-length alternatives always resolve the same way.
 */
export function shortestEdgePath(g: CompiledGraph, dist: Int32Array, isTarget: Uint8Array, start: number, scratch?: Uint8Array): number[] | null {
  if (dist[start] < 0) return null;
  const path: number[] = [];
  // Nodes on the current path; a caller searching from many starts passes one zeroed array to reuse.
  const onPath = scratch ?? new Uint8Array(g.nodeCount);
  const marked: number[] = [];
  const visit = (u: number): boolean => {
    if (isTarget[u] && path.length > 0) return true;
    onPath[u] = 1;
    marked.push(u);
    for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
      const e = g.outEdges[k];
      const v = g.edgeDst[e];
      if (onPath[v] || dist[v] < 0 || dist[v] + g.edgeWeight[e] !== dist[u]) continue;
      path.push(e);
      if (visit(v)) return true;
      path.pop();
    }
    return false;
  };
  const found = visit(start);
  for (const m of marked) onPath[m] = 0;
  return found ? path : null;
}

/** A path found by PathFinder: its first edges, then the (shared) path of the node they lead to. */
export interface Found {
  prefix: number[];
  rest: Found | null;
  steps: PathStep[];
}

/** The raw edges of a found path. */
export function foundEdges(f: Found): number[] {
  const out: number[] = [];
  for (let x: Found | null = f; x; x = x.rest) out.push(...x.prefix);
  return out;
}

/**
 * shortestEdgePath for many starts against one distance field, sharing work: the path from a node
 * entered by a counted step (or a start) is found once and reused by every start whose path
 * passes it (thousands of subjects reach a secret through the same few cluster-admins). From such
 * a node the search only moves among nodes at its distance or below, so its path does not depend
 * on how it was reached; the zero-length steps (group membership, a pod's account, aggregate
 * members) form no cycles, so the search never backtracks and each path is the one
 * shortestEdgePath gives. Paths that share a suffix share its step objects, and steps share
 * evidence arrays with the graph: treat them as read-only.
 */
export class PathFinder {
  /** Per node: 0 not searched yet, 1 searching or no path, k + 2 the path is found[k]. */
  private readonly slot: Int32Array;
  private readonly found: Found[] = [];
  private readonly touched: number[] = [];
  private readonly onPath: Uint8Array;

  /**
   * `scratch`: a zeroed byte and a zeroed int per node, to reuse across searches (default: new
   * ones). `release()` zeroes them again.
   */
  constructor(
    private readonly g: CompiledGraph,
    private readonly dist: Int32Array,
    private readonly isTarget: Uint8Array,
    scratch?: { onPath: Uint8Array; slot: Int32Array },
  ) {
    this.onPath = scratch?.onPath ?? new Uint8Array(g.nodeCount);
    this.slot = scratch?.slot ?? new Int32Array(g.nodeCount);
  }

  from(v: number): Found | null {
    if (this.dist[v] < 0) return null;
    const s = this.slot[v];
    if (s >= 2) return this.found[s - 2];
    if (s === 1) return null;
    // Marked while in progress: were the zero-length steps ever to form a cycle, the search
    // would go round it as "no path this way" instead of without end.
    this.slot[v] = 1;
    this.touched.push(v);
    const r = this.direct(v) ?? this.search(v);
    if (r) {
      this.found.push(r);
      this.slot[v] = this.found.length + 1;
    }
    return r;
  }

  /** Zero the scratch arrays again (the finder is not used afterwards). */
  release(): void {
    for (const v of this.touched) this.slot[v] = 0;
    this.touched.length = 0;
    this.found.length = 0;
  }

  /**
   * The common case without a search: the first edge that keeps to the distance field leads to a
   * target, or to a node whose own path is then reused. Its path does not depend on how it was
   * reached, as the zero-length steps form no cycles (see the class comment). An aggregate's
   * members fold into the step that entered it. Anything unusual is searched.
   */
  private direct(v: number): Found | null {
    const steps = this.directSteps(v);
    return steps ? { prefix: [this.lastEdge], rest: this.lastRest, steps } : null;
  }

  /**
   * The steps of a start's path. A start's own path is seldom passed by another, so the common
   * case is not kept (a search result is, by `from`): thousands of starts per query cost one
   * array each.
   */
  stepsFrom(v: number): PathStep[] | null {
    const s = this.slot[v];
    if (s >= 2) return this.found[s - 2].steps;
    if (s === 1 || this.dist[v] < 0) return null;
    return this.directSteps(v) ?? this.from(v)?.steps ?? null;
  }

  /** The first edge and the rest of the last path directSteps found (no object per path). */
  private lastEdge = -1;
  private lastRest: Found | null = null;

  private directSteps(v: number): PathStep[] | null {
    const { g, dist, isTarget } = this;
    const agg = g.aggregates;
    if (agg[v]) return null;
    for (let k = g.outStart[v]; k < g.outStart[v + 1]; k++) {
      const e = g.outEdges[k];
      const x = g.edgeDst[e];
      if (dist[x] < 0 || dist[x] + g.edgeWeight[e] !== dist[v]) continue;
      if (isTarget[x]) {
        this.lastEdge = e;
        this.lastRest = null;
        return [foldStep(g, e, NO_EDGES, 0, 0)];
      }
      const rest = this.from(x);
      if (!rest) return null;
      const skip = agg[x] ? 1 : 0;
      const steps = new Array<PathStep>(rest.steps.length + 1 - skip);
      steps[0] = agg[x] ? this.aggregateChain(x, rest).fold(e) : foldStep(g, e, NO_EDGES, 0, 0);
      for (let i = skip; i < rest.steps.length; i++) steps[i + 1 - skip] = rest.steps[i];
      this.lastEdge = e;
      this.lastRest = rest;
      return steps;
    }
    return null;
  }

  private readonly chains = new Map<number, AggregateChain>();

  /** The edges from aggregate x through nested aggregates to the first real node of its path. */
  private aggregateChain(x: number, found: Found): AggregateChain {
    let c = this.chains.get(x);
    if (!c) {
      const edges: number[] = [];
      for (const e of foundEdges(found)) {
        if (!this.g.aggregates[this.g.edgeSrc[e]]) break;
        edges.push(e);
      }
      this.chains.set(x, (c = new AggregateChain(this.g, edges)));
    }
    return c;
  }

  private search(start: number): Found | null {
    const { g, dist, isTarget, onPath } = this;
    const prefix: number[] = [];
    const marked: number[] = [];
    const visit = (u: number): Found | null => {
      if (isTarget[u] && prefix.length > 0) return { prefix: [...prefix], rest: null, steps: stepsFromEdges(g, prefix) };
      onPath[u] = 1;
      marked.push(u);
      for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
        const e = g.outEdges[k];
        const x = g.edgeDst[e];
        if (onPath[x] || dist[x] < 0 || dist[x] + g.edgeWeight[e] !== dist[u]) continue;
        prefix.push(e);
        if (g.edgeWeight[e] === 1 && !isTarget[x]) {
          // A counted step leaves this distance: the rest is x's own (shared) path.
          const rest = this.from(x);
          if (rest) {
            const steps = g.aggregates[x] ? stepsFromEdges(g, prefix.concat(foundEdges(rest))) : stepsFromEdges(g, prefix).concat(rest.steps);
            return { prefix: [...prefix], rest, steps };
          }
        } else {
          const r = visit(x);
          if (r) return r;
        }
        prefix.pop();
      }
      return null;
    };
    const found = visit(start);
    for (const m of marked) onPath[m] = 0;
    return found;
  }
}

const NO_EDGES: readonly number[] = [];

/**
 * The expansions from an aggregate to a real node, folded once for every step that enters the
 * aggregate: fold(e) equals foldStep(g, e, edges, 0, edges.length).
 */
class AggregateChain {
  /** The explanations the expansions append, joined (null: fold step by step). */
  private readonly tail: string | null;
  private readonly evidence: string[] = [];

  constructor(private readonly g: CompiledGraph, private readonly edges: readonly number[]) {
    const texts: string[] = [];
    for (const e of edges) {
      const info = g.edgeInfo[e];
      for (const ev of info.evidence) if (!this.evidence.includes(ev)) this.evidence.push(ev);
      if (info.explanation) texts.push(info.explanation);
    }
    // A separator depends only on the end of what precedes it; with texts this long, that end is
    // the previous text's own.
    let tail: string | null = texts.length > 0 ? texts[0] : '';
    for (let i = 1; i < texts.length && tail !== null; i++) tail = texts[i - 1].length < JOINER_CONTEXT ? null : tail + explanationJoiner(texts[i - 1]) + texts[i];
    this.tail = tail;
    // The tail with each separator in front: a fold then joins two strings, once.
    this.runOnTail = tail ? ` ${tail}` : '';
    this.colonTail = tail ? `: ${tail}` : '';
    this.to = edges.length > 0 ? g.ids[g.edgeDst[edges[edges.length - 1]]] : null;
  }

  private readonly runOnTail: string;
  private readonly colonTail: string;
  /** The real node the chain ends at (null: no expansions, the step's own target). */
  private readonly to: string | null;

  fold(e: number): PathStep {
    const { g } = this;
    if (this.tail === null) return foldStep(g, e, this.edges, 0, this.edges.length);
    const a = g.edgeInfo[e];
    let evidence = a.evidence;
    for (const ev of this.evidence) {
      if (evidence.includes(ev)) continue;
      if (evidence === a.evidence) evidence = [...a.evidence];
      evidence.push(ev);
    }
    const explanation = this.tail ? a.explanation + (g.joinsWithSpace[e] ? this.runOnTail : this.colonTail) : a.explanation;
    return { from: g.ids[g.edgeSrc[e]], to: this.to ?? g.ids[g.edgeDst[e]], technique: g.kindOf(e), evidence, explanation };
  }
}

/** Up to `limit` simple paths from start, shortest first (best-first with the exact distance as heuristic). */
export function kShortestEdgePaths(g: CompiledGraph, dist: Int32Array, isTarget: Uint8Array, start: number, limit: number, maxHops: number, scratch?: Uint8Array): number[][] {
  if (dist[start] < 0) return [];
  if (limit <= 1) {
    const p = shortestEdgePath(g, dist, isTarget, start, scratch);
    return p ? [p] : [];
  }
  interface Partial { edges: number[]; node: number; cost: number; key: string }
  const out: number[][] = [];
  const heap: Partial[] = [{ edges: [], node: start, cost: 0, key: '' }];
  const less = (a: Partial, b: Partial): boolean => {
    const fa = a.cost + dist[a.node];
    const fb = b.cost + dist[b.node];
    return fa !== fb ? fa < fb : a.key < b.key;
  };
  const pushH = (p: Partial): void => {
    heap.push(p);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const popH = (): Partial => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  let budget = 20_000 * limit;
  while (heap.length > 0 && out.length < limit && budget-- > 0) {
    const p = popH();
    if (isTarget[p.node] && p.edges.length > 0) {
      out.push(p.edges);
      continue;
    }
    const visited = new Set<number>([start]);
    for (const e of p.edges) visited.add(g.edgeDst[e]);
    for (let k = g.outStart[p.node]; k < g.outStart[p.node + 1]; k++) {
      const e = g.outEdges[k];
      const v = g.edgeDst[e];
      if (visited.has(v) || dist[v] < 0) continue;
      const cost = p.cost + g.edgeWeight[e];
      if (cost + dist[v] > maxHops) continue;
      pushH({ edges: [...p.edges, e], node: v, cost, key: `${p.key}\u0001${g.ids[v]}\u0002${g.kindOf(e)}` });
    }
  }
  return out;
}

export interface SearchInput {
  graph: CompiledGraph;
  starts: readonly string[];
  to: string;
  maxHops: number;
  limit: number;
  /** The distance field to the target, when the caller has it (see Analysis.distanceField). */
  dist?: Int32Array;
}

/**
 * Up to `limit` shortest paths per start, each start searched on its own along one reverse
 * distance field; ordered by length, from, to, then step IDs. Analysis.paths answers one path
 * per start with work shared between starts, and must give what this gives.
 */
export function searchPaths(input: SearchInput): PathsResult {
  const { graph: g, maxHops, limit } = input;
  const { targets, warnings } = resolveTarget(g, input.to);
  const paths: AttackPath[] = [];
  if (targets.length === 0) return { paths, warnings };
  const dist = input.dist ?? g.distancesTo(targets, maxHops);
  const isTarget = g.borrowBytes();
  for (const t of targets) isTarget[t] = 1;
  const scratch = g.borrowBytes();
  for (const s of input.starts) {
    const si = g.indexOf.get(s);
    if (si === undefined || isTarget[si]) continue;
    for (const edges of kShortestEdgePaths(g, dist, isTarget, si, limit, maxHops, scratch)) {
      const steps = stepsFromEdges(g, edges);
      paths.push({ from: s, to: input.to === 'nodes' ? steps[steps.length - 1].to : input.to, length: pathLength(steps), steps });
    }
  }
  // Searches leave their marks cleared; after an exception the arrays are simply not reused.
  for (const t of targets) isTarget[t] = 0;
  g.releaseBytes(isTarget);
  g.releaseBytes(scratch);
  paths.sort(comparePaths);
  return { paths, warnings };
}

export function comparePaths(a: AttackPath, b: AttackPath): number {
  if (a.length !== b.length) return a.length - b.length;
  const c = compareIds(a.from, b.from) || compareIds(a.to, b.to);
  if (c !== 0) return c;
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const d = compareIds(a.steps[i].to, b.steps[i].to) || compareIds(a.steps[i].technique, b.steps[i].technique);
    if (d !== 0) return d;
  }
  return a.steps.length - b.steps.length;
}

export { ANY_NODE };
