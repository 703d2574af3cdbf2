// The snapshot file (`scan --out`): one JSON document that `--input` reads back like any dump.

import type { Normalized } from './normalize.js';
import type { Snapshot, SnapshotObjects } from './types.js';
import { OBJECT_COLLECTIONS } from './types.js';

export const SNAPSHOT_KIND = 'RbacgraphSnapshot';
export const SNAPSHOT_API_VERSION = 'rbacgraph.dev/v1';

export interface SnapshotFile {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: typeof SNAPSHOT_KIND;
  hash: string;
  kubernetesVersion: string | null;
  coverage: Snapshot['coverage'];
  objects: SnapshotObjects;
}

export function toSnapshotFile(s: Snapshot): SnapshotFile {
  const objects = { awsAuth: s.awsAuth } as SnapshotObjects;
  for (const c of OBJECT_COLLECTIONS) (objects as unknown as Record<string, unknown>)[c] = s[c];
  return { apiVersion: SNAPSHOT_API_VERSION, kind: SNAPSHOT_KIND, hash: s.hash, kubernetesVersion: s.kubernetesVersion, coverage: s.coverage, objects };
}

export function isSnapshotFile(doc: unknown): doc is SnapshotFile {
  return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === SNAPSHOT_KIND;
}

/** The objects of a snapshot file, in the form the builder takes. */
export function* normalizedFromSnapshotFile(f: SnapshotFile): Generator<Normalized> {
  for (const c of OBJECT_COLLECTIONS) {
    const arr = (f.objects as unknown as Record<string, unknown[]>)[c];
    if (!Array.isArray(arr)) continue;
    for (const o of arr) yield { collection: c, object: o } as Normalized;
  }
  if (f.objects.awsAuth) yield { collection: 'awsAuth', object: f.objects.awsAuth };
}
