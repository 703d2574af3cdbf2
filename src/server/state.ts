// The snapshot the API server answers from: one analysed state, replaced as a whole when a newer one is analysed.

import type { Analysis } from '../analysis/analyze.js';
import type { Warning } from '../errors.js';
import type { Loaded } from '../cli/common.js';
import type { Snapshot } from '../snapshot/types.js';

/** What a served snapshot is made of. */
export interface ServedParts {
  snapshot: Snapshot;
  analysis: Analysis;
  /** The input's warnings (files: parse problems; a cluster: coverage gaps), as the CLI reports them. */
  inputWarnings: readonly Warning[];
  /** Subjects with a path to cluster-admin (the `paths` defaults, or watch's --max-hops/--include-system). */
  pathsToClusterAdmin: number;
  /** When the analysis finished (ms since the epoch) and how long it took (s). */
  analysedAt: number;
  analysisSeconds: number;
}

/**
 * Everything a query needs, never changed once made. A request reads the current ServedSnapshot
 * once and answers from it alone, so a newer snapshot never mixes into an answer half-way.
 */
export class ServedSnapshot implements Readonly<ServedParts> {
  readonly snapshot: Snapshot;
  readonly analysis: Analysis;
  readonly inputWarnings: readonly Warning[];
  readonly pathsToClusterAdmin: number;
  readonly analysedAt: number;
  readonly analysisSeconds: number;
  private indexed: Loaded | null = null;

  constructor(p: ServedParts) {
    this.snapshot = p.snapshot;
    this.analysis = p.analysis;
    this.inputWarnings = p.inputWarnings;
    this.pathsToClusterAdmin = p.pathsToClusterAdmin;
    this.analysedAt = p.analysedAt;
    this.analysisSeconds = p.analysisSeconds;
  }

  /** The RBAC index and warnings of who-can and can-i, as the CLI's load() gives them: the analysis' own index. */
  get loaded(): Loaded {
    this.indexed ??= { snapshot: this.snapshot, index: this.analysis.rbac, warnings: [...this.inputWarnings, ...this.analysis.rbac.warnings] };
    return this.indexed;
  }
}
