// One analysis of one snapshot: the RBAC index, the attack graph, and the questions asked of them.

import type { Warning } from '../errors.js';
import { CLUSTER_ADMIN, compareIds, groupId, saId, userId } from '../ids.js';
import { buildAttackGraph, type BuiltGraph } from '../graph/build.js';
import { RbacIndex } from '../rbac/authorizer.js';
import { ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS, ALL_UNAUTHENTICATED, ANONYMOUS } from '../rbac/subjects.js';
import { OBJECT_COLLECTIONS, type Snapshot } from '../snapshot/types.js';
import { DEFAULT_MAX_HOPS, PathFinder, resolveTarget, searchPaths, type AttackPath, type PathQuery, type PathsResult, type PathStep } from './paths.js';
import { rankSecrets, type SecretExposure } from './secrets.js';
import type { Technique } from './technique.js';
import { TECHNIQUES } from './techniques/index.js';

export interface AnalyzeOptions {
  kubernetesVersion?: string | null;
  techniques?: readonly Technique[];
  /**
   * Watch mode: the analysis of the snapshot before this one. Techniques whose inputs are unchanged
   * keep their edges; only the affected ones derive again (see `changedCollections`).
   */
  previous?: Analysis;
  /** The collections that changed since `previous`; computed by `changedCollections` when omitted. */
  changed?: ReadonlySet<string>;
  /** Keep each technique's edges so that a later analysis can pass this one as `previous` (watch mode). */
  retainEdges?: boolean;
}

/**
 * Collections whose objects differ between two snapshots. Objects are compared by reference (a
 * watch keeps unchanged objects as they were), so this is O(objects) and never deep-compares.
 */
export function changedCollections(prev: Snapshot, next: Snapshot): Set<string> {
  const changed = new Set<string>();
  for (const c of OBJECT_COLLECTIONS) {
    const a = prev[c] as readonly unknown[];
    const b = next[c] as readonly unknown[];
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) changed.add(c);
  }
  if (prev.awsAuth !== next.awsAuth) changed.add('awsAuth');
  return changed;
}

export interface SecretReader {
  subject: string;
  length: number;
  steps: PathStep[];
}

/** A hub's distance field, and the nodes whose distance is not -1 (in index order). */
interface HubField {
  dist: Int32Array;
  reach: Int32Array;
}

export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

/** Distance fields kept besides the hubs' (each is 4 bytes per node). */
const RECENT_FIELDS = 8;

/** Nodes that most paths pass: cluster-admin, and root on any node (a privileged pod anywhere). */
const HUBS = [CLUSTER_ADMIN, 'Agg:nodes'];

export class Analysis {
  readonly rbac: RbacIndex;
  readonly built: BuiltGraph;
  readonly warnings: Warning[];
  private readonly systemSubjects: Set<string>;
  private readonly subjects: string[];
  /** Distance fields to the hubs (by node and hop limit): each search runs once, queries reuse it. */
  private readonly hubDist = new Map<string, HubField>();
  /** The last few other distance fields (one per target and hop limit), most recent last. */
  private readonly recentDist = new Map<string, Int32Array>();
  private readonly startsCache: [string[] | null, string[] | null] = [null, null];
  private readonly startIndexCache: [Int32Array | null, Int32Array | null] = [null, null];
  private readonly adminFinders = new Map<number, PathFinder>();

  constructor(readonly snapshot: Snapshot, opts: AnalyzeOptions = {}) {
    this.rbac = new RbacIndex(snapshot, { kubernetesVersion: opts.kubernetesVersion ?? snapshot.kubernetesVersion });
    const rbacWarnings = [...this.rbac.warnings];
    const incremental = opts.previous
      ? { previous: opts.previous.built, changed: opts.changed ?? changedCollections(opts.previous.snapshot, snapshot) }
      : undefined;
    this.built = buildAttackGraph(snapshot, this.rbac, opts.techniques ?? TECHNIQUES, incremental, { retainEdges: opts.retainEdges });
    this.warnings = [...rbacWarnings, ...this.built.warnings];
    this.systemSubjects = new Set<string>();
    for (const b of snapshot.bindings) {
      if (b.labels[BOOTSTRAP_LABEL] !== 'rbac-defaults') continue;
      for (const s of b.subjects) {
        const ns = s.namespace ?? (b.kind === 'RoleBinding' ? b.namespace : null);
        if (s.kind === 'ServiceAccount' && ns) this.systemSubjects.add(saId(ns, s.name));
      }
    }
    this.subjects = this.built.compiled.ids.filter((id) => /^(User|Group|ServiceAccount):/.test(id));
  }

  /**
   * Control-plane identities: kept in the graph, not starts unless asked (interface.md section 5).
   * Grants to everyone (system:authenticated, system:unauthenticated, anonymous,
   * system:serviceaccounts[:ns]) are never system: a grant to them is a grant to everyone.
   */
  isSystemSubject(id: string): boolean {
    if (id === groupId(ALL_AUTHENTICATED) || id === groupId(ALL_UNAUTHENTICATED) || id === userId(ANONYMOUS)) return false;
    if (id === groupId(ALL_SERVICE_ACCOUNTS) || id.startsWith(`${groupId(ALL_SERVICE_ACCOUNTS)}:`)) return false;
    if (id.startsWith('User:system:kube-') || id.startsWith('User:system:node:') || id.startsWith('Node:')) return true;
    if (id === 'Group:system:nodes' || id === 'Group:system:masters') return true;
    return this.systemSubjects.has(id);
  }

  /** The default starts: every subject in the input, control-plane identities only when asked. */
  starts(includeSystem = false): string[] {
    return [...this.defaultStarts(includeSystem)];
  }

  private defaultStarts(includeSystem: boolean): readonly string[] {
    const k = includeSystem ? 1 : 0;
    this.startsCache[k] ??= includeSystem ? [...this.subjects] : this.subjects.filter((s) => !this.isSystemSubject(s));
    return this.startsCache[k];
  }

  /** The graph's node index of each default start (same order). */
  private defaultStartIndexes(includeSystem: boolean): Int32Array {
    const k = includeSystem ? 1 : 0;
    const g = this.built.compiled;
    this.startIndexCache[k] ??= Int32Array.from(this.defaultStarts(includeSystem), (s) => g.indexOf.get(s)!);
    return this.startIndexCache[k];
  }

  /**
   * dist[i] = fewest counted steps from node i to the target (-1: none within maxHops). Most of the
   * graph reaches a secret through a few hubs (cluster-admin, "root on any node"), whose own
   * fields are cached: only the part of the graph that reaches the target without passing a hub
   * is searched, and for each hub h, dist = min(that search, dist to h + h's distance to the
   * target). Exact (a shortest path's last hub splits it into a hub's field and a hub-free
   * rest), so paths are the same as from a full search. The array is the analysis' own: read it
   * before asking for another target's field, whose computation may reuse its memory.
   */
  distanceField(to: string, maxHops: number): Int32Array | null {
    const g = this.built.compiled;
    if (to === CLUSTER_ADMIN) return this.hubField(g.indexOf.get(CLUSTER_ADMIN)!, maxHops).dist;
    const key = `${to}\u0000${maxHops}`;
    const hit = this.recentDist.get(key);
    if (hit) {
      this.recentDist.delete(key);
      this.recentDist.set(key, hit);
      return hit;
    }
    const { targets } = resolveTarget(g, to);
    if (targets.length === 0) return null;
    // The least recently used field's memory is reused (a fresh 4-byte-per-node array per query
    // would keep the collector busy on a large graph).
    let reuse: Int32Array | undefined;
    if (this.recentDist.size >= RECENT_FIELDS) {
      const [oldest, field] = this.recentDist.entries().next().value!;
      this.recentDist.delete(oldest);
      reuse = field;
    }
    const hubs = HUBS.map((h) => g.indexOf.get(h)).filter((h): h is number => h !== undefined);
    const opaque = g.borrowBytes();
    for (const h of hubs) opaque[h] = 1;
    const dist = g.distancesTo(targets, maxHops, opaque, reuse);
    for (const h of hubs) opaque[h] = 0;
    g.releaseBytes(opaque);
    for (const h of hubs) {
      const via = dist[h];
      if (via < 0) continue;
      const { dist: toHub, reach } = this.hubField(h, maxHops);
      for (let k = 0; k < reach.length; k++) {
        const i = reach[k];
        const a = toHub[i];
        if (a + via > maxHops) continue;
        if (dist[i] < 0 || a + via < dist[i]) dist[i] = a + via;
      }
    }
    this.recentDist.set(key, dist);
    return dist;
  }

  /**
   * A hub's own distance field, computed once per hop limit, with the nodes that reach the hub
   * (a fifth of the graph on the large benchmark cluster: the merge above visits only those).
   */
  private hubField(hub: number, maxHops: number): HubField {
    const key = `${hub}\u0000${maxHops}`;
    let f = this.hubDist.get(key);
    if (!f) {
      const dist = this.built.compiled.distancesTo([hub], maxHops);
      let count = 0;
      for (let i = 0; i < dist.length; i++) if (dist[i] >= 0) count++;
      const reach = new Int32Array(count);
      for (let i = 0, k = 0; i < dist.length; i++) if (dist[i] >= 0) reach[k++] = i;
      this.hubDist.set(key, (f = { dist, reach }));
    }
    return f;
  }

  hasNode(id: string): boolean {
    return this.built.compiled.indexOf.has(id);
  }

  paths(q: PathQuery = {}): PathsResult {
    const to = q.to ?? CLUSTER_ADMIN;
    const given = q.from && q.from.length > 0;
    const starts = given ? [...q.from!].sort(compareIds) : this.defaultStarts(q.includeSystem ?? false);
    const maxHops = q.maxHops ?? DEFAULT_MAX_HOPS;
    const limit = q.limit ?? 1;
    if (limit <= 1) {
      const g = this.built.compiled;
      const indexes = given ? Int32Array.from(starts, (s) => g.indexOf.get(s) ?? -1) : this.defaultStartIndexes(q.includeSystem ?? false);
      const { found, warnings } = this.shortestPaths(starts, indexes, to, maxHops, (from, length, steps): AttackPath => ({
        from,
        to: to === 'nodes' ? steps[steps.length - 1].to : to,
        length,
        steps,
      }));
      return { paths: found, warnings };
    }
    // A malformed target is a usage error here; an unknown one (no field) gets its warning from searchPaths.
    const dist = this.distanceField(to, maxHops) ?? undefined;
    return searchPaths({ graph: this.built.compiled, starts, to, maxHops, limit, dist });
  }

  /**
   * One shortest path per start (`starts` sorted by ID): the one the per-start search
   * (shortestEdgePath) gives, found with shared suffixes (PathFinder). Paths to cluster-admin
   * are kept across queries.
   */
  private shortestPaths<T>(starts: readonly string[], indexes: Int32Array, to: string, maxHops: number, make: (from: string, length: number, steps: PathStep[]) => T): { found: T[]; warnings: Warning[] } {
    const g = this.built.compiled;
    const { targets, warnings } = resolveTarget(g, to);
    if (targets.length === 0) return { found: [], warnings };
    const dist = this.distanceField(to, maxHops)!;
    const isTarget = g.borrowBytes();
    for (const t of targets) isTarget[t] = 1;
    const toAdmin = to === CLUSTER_ADMIN ? this.adminFinder(maxHops) : null;
    const scratch = toAdmin ? null : { onPath: g.borrowBytes(), slot: g.borrowInts() };
    const finder = toAdmin ?? new PathFinder(g, dist, isTarget, scratch!);
    // A path follows the distance field, so its length is the start's distance: the answer is
    // laid out by length first (starts are in ID order, one path each: comparePaths' order).
    const at = new Int32Array(maxHops + 2);
    const reaches = (si: number): boolean => si >= 0 && !isTarget[si] && dist[si] >= 0;
    for (let i = 0; i < starts.length; i++) if (reaches(indexes[i])) at[dist[indexes[i]] + 1]++;
    for (let d = 1; d < at.length; d++) at[d] += at[d - 1];
    const found = new Array<T>(at[at.length - 1]);
    for (let i = 0; i < starts.length; i++) {
      const si = indexes[i];
      if (!reaches(si)) continue;
      // The kept paths to cluster-admin are copied: answers are the caller's to keep.
      const steps = toAdmin ? toAdmin.from(si)!.steps.slice() : finder.stepsFrom(si)!;
      found[at[dist[si]]++] = make(starts[i], dist[si], steps);
    }
    for (const t of targets) isTarget[t] = 0;
    g.releaseBytes(isTarget);
    if (scratch) {
      finder.release();
      g.releaseBytes(scratch.onPath);
      g.releaseInts(scratch.slot);
    }
    return { found, warnings };
  }

  /** Shortest paths to cluster-admin, found once per node and kept for the life of the analysis. */
  private adminFinder(maxHops: number): PathFinder {
    let f = this.adminFinders.get(maxHops);
    if (!f) {
      const g = this.built.compiled;
      const isTarget = new Uint8Array(g.nodeCount);
      isTarget[g.indexOf.get(CLUSTER_ADMIN)!] = 1;
      f = new PathFinder(g, this.distanceField(CLUSTER_ADMIN, maxHops)!, isTarget);
      this.adminFinders.set(maxHops, f);
    }
    return f;
  }

  /** Every subject that can obtain the secret's contents, with its shortest path. */
  secretReaders(secretId: string, opts: { maxHops?: number; includeSystem?: boolean } = {}): SecretReader[] {
    const includeSystem = opts.includeSystem ?? false;
    const starts = this.defaultStarts(includeSystem);
    const make = (subject: string, length: number, steps: PathStep[]): SecretReader => ({ subject, length, steps });
    return this.shortestPaths(starts, this.defaultStartIndexes(includeSystem), secretId, opts.maxHops ?? DEFAULT_MAX_HOPS, make).found;
  }

  /** Secrets ranked by how many non-system subjects can reach them. */
  secretRanking(): SecretExposure[] {
    return rankSecrets(this.built, this.starts(false), this.snapshot);
  }
}

export function analyze(snapshot: Snapshot, opts: AnalyzeOptions = {}): Analysis {
  return new Analysis(snapshot, opts);
}
