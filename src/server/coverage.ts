// Watch mode's input warnings: the coverage gaps of the current snapshot, worded as a scan words them.

import type { Warning } from '../errors.js';
import { coverageWarning } from '../ingest/kube.js';
import { LIVE_RESOURCES } from '../ingest/kube-resources.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * The warnings a scan of this snapshot would have given for its coverage gaps (watch mode has no
 * other input warnings to report: object problems are printed on stderr as they arrive).
 */
export function coverageWarnings(snapshot: Snapshot): Warning[] {
  const out: Warning[] = [];
  for (const gap of snapshot.coverage) {
    if (gap.status === 'skipped') continue;
    const r = LIVE_RESOURCES.find((x) => x.coverageKind === gap.kind);
    if (r) out.push(coverageWarning(gap, r));
  }
  return out;
}
