// Watch mode's change detector (pure): compares two analyses and names the changes that matter, as events.
//
// Events: a subject that newly reaches cluster-admin (path-added), no longer does (path-removed),
// or does by a different shortest path (path-changed); a subject that newly can read a secret
// (secret-reader-added) or no longer can (secret-reader-removed). Subjects that reach
// cluster-admin read every secret: their secret access is told by the path events, not repeated
// per secret. Secrets that appear or disappear produce no reader events (their readers are those
// of their namespace; the change is the secret, not who can read it).

import { analyze, type Analysis, type AnalyzeOptions, type SecretReader } from '../analysis/analyze.js';
import type { AttackPath } from '../analysis/paths.js';
import { CLUSTER_ADMIN, compareIds } from '../ids.js';
import type { Snapshot } from '../snapshot/types.js';

export type DriftEvent =
  | { event: 'path-added' | 'path-changed'; target: string; from: string; path: AttackPath; snapshot: string }
  | { event: 'path-removed'; target: string; from: string; path: AttackPath; snapshot: string }
  | { event: 'secret-reader-added'; secret: string; reader: string; length: number; steps: SecretReader['steps']; snapshot: string }
  | { event: 'secret-reader-removed'; secret: string; reader: string; length: number; snapshot: string };

export interface DriftOptions {
  /**
   * Up to this many secrets, every secret's readers are compared after each batch (exact). Above
   * it, only secrets whose count of readers that are not cluster-admins (the secret ranking)
   * changed are compared: a change that swaps one reader for another without changing the count
   * goes unreported.
   */
  exactSecretLimit?: number;
  maxHops?: number;
  includeSystem?: boolean;
}

export const DEFAULT_EXACT_SECRET_LIMIT = 500;

type Reader = Pick<SecretReader, 'length' | 'steps'>;

/** One analysed snapshot, with the answers drift detection compares (secret readers computed on demand). */
export class DriftState {
  readonly adminPaths: Map<string, AttackPath>;
  private readonly readers = new Map<string, Map<string, Reader>>();
  private counts: Map<string, number> | null = null;
  private otherStarts: string[] | null = null;
  readonly secretIds: Set<string>;

  constructor(readonly snapshot: Snapshot, readonly analysis: Analysis, private readonly opts: DriftOptions = {}) {
    const r = analysis.paths({ to: CLUSTER_ADMIN, maxHops: opts.maxHops, includeSystem: opts.includeSystem });
    this.adminPaths = new Map(r.paths.map((p) => [p.from, p]));
    this.secretIds = new Set(snapshot.secrets.map((s) => s.id));
  }

  /**
   * The secret's readers among the starts that do not reach cluster-admin (those read every
   * secret, which their path events tell). The analysis keeps only the last few distance fields,
   * so a watch over thousands of secrets does not hold one per secret.
   */
  readersOf(secretId: string): Map<string, Reader> {
    let m = this.readers.get(secretId);
    if (!m) {
      this.otherStarts ??= this.analysis.starts(this.opts.includeSystem).filter((s) => !this.adminPaths.has(s));
      // An empty `from` would mean every start.
      const paths = this.otherStarts.length === 0 ? [] : this.analysis.paths({ from: this.otherStarts, to: secretId, maxHops: this.opts.maxHops }).paths;
      m = new Map(paths.map((p) => [p.from, { length: p.length, steps: p.steps }]));
      this.readers.set(secretId, m);
    }
    return m;
  }

  /** Per secret, how many subjects that are not cluster-admins can reach it (any length). */
  readerCounts(): Map<string, number> {
    this.counts ??= new Map(this.analysis.secretRanking().map((x) => [x.secret, x.readers - x.viaClusterAdmin]));
    return this.counts;
  }
}

/** Analyse a snapshot, incrementally from the previous state when there is one. */
export function driftState(snapshot: Snapshot, previous: DriftState | null, opts: DriftOptions & { kubernetesVersion?: string | null } = {}): DriftState {
  const aopts: AnalyzeOptions = { kubernetesVersion: opts.kubernetesVersion ?? snapshot.kubernetesVersion, retainEdges: true };
  if (previous) aopts.previous = previous.analysis;
  return new DriftState(snapshot, analyze(snapshot, aopts), opts);
}

const samePath = (a: AttackPath, b: AttackPath): boolean => JSON.stringify(a.steps) === JSON.stringify(b.steps);

/** The meaningful changes from prev to next, in a stable order: removals, changes, additions; then by subject. */
export function driftEvents(prev: DriftState, next: DriftState, opts: DriftOptions = {}): DriftEvent[] {
  const snapshot = next.snapshot.hash;
  const removed: DriftEvent[] = [];
  const changed: DriftEvent[] = [];
  const added: DriftEvent[] = [];
  for (const [from, p] of prev.adminPaths) {
    const q = next.adminPaths.get(from);
    if (!q) removed.push({ event: 'path-removed', target: CLUSTER_ADMIN, from, path: p, snapshot });
    else if (!samePath(p, q)) changed.push({ event: 'path-changed', target: CLUSTER_ADMIN, from, path: q, snapshot });
  }
  for (const [from, q] of next.adminPaths) {
    if (!prev.adminPaths.has(from)) added.push({ event: 'path-added', target: CLUSTER_ADMIN, from, path: q, snapshot });
  }

  // Secret readers, for secrets present before and after.
  const both = [...next.secretIds].filter((id) => prev.secretIds.has(id)).sort(compareIds);
  let candidates = both;
  if (both.length > (opts.exactSecretLimit ?? DEFAULT_EXACT_SECRET_LIMIT)) {
    const a = prev.readerCounts();
    const b = next.readerCounts();
    candidates = both.filter((id) => a.get(id) !== b.get(id));
  }
  const readerRemoved: DriftEvent[] = [];
  const readerAdded: DriftEvent[] = [];
  for (const id of candidates) {
    const before = prev.readersOf(id);
    const after = next.readersOf(id);
    // Both sets leave out subjects that reach cluster-admin. A subject that gains cluster-admin
    // still reads the secret (no removal); one that loses it but still reads the secret by another
    // way is told as a new reader: after its path-removed event, this is what it can still read.
    for (const [subject, r] of before) {
      if (!after.has(subject) && !next.adminPaths.has(subject)) {
        readerRemoved.push({ event: 'secret-reader-removed', secret: id, reader: subject, length: r.length, snapshot });
      }
    }
    for (const [subject, r] of after) {
      if (!before.has(subject)) {
        readerAdded.push({ event: 'secret-reader-added', secret: id, reader: subject, length: r.length, steps: r.steps, snapshot });
      }
    }
  }
  const byFrom = (x: DriftEvent, y: DriftEvent): number => compareIds('from' in x ? x.from : '', 'from' in y ? y.from : '');
  const byReader = (x: DriftEvent, y: DriftEvent): number =>
    compareIds('secret' in x ? x.secret : '', 'secret' in y ? y.secret : '') || compareIds('reader' in x ? x.reader : '', 'reader' in y ? y.reader : '');
  return [...removed.sort(byFrom), ...changed.sort(byFrom), ...added.sort(byFrom), ...readerRemoved.sort(byReader), ...readerAdded.sort(byReader)];
}
