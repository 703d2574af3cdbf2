// Content hash of a snapshot: the same objects in any order give the same hash.

import { createHash } from 'node:crypto';
import type { CoverageGap, SnapshotObjects } from './types.js';
import { OBJECT_COLLECTIONS } from './types.js';

/** JSON with object keys sorted, so that key order in the input never changes the bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/**
 * Hash the objects (already sorted by ID by the builder) and the coverage gaps. Source locations
 * and the server version are not content: a dump and a live scan of the same objects hash equal.
 */
export function snapshotHash(objects: SnapshotObjects, coverage: CoverageGap[]): string {
  const h = createHash('sha256');
  for (const c of OBJECT_COLLECTIONS) {
    h.update(`${c}\n`);
    for (const o of objects[c]) h.update(`${canonicalJson(o)}\n`);
  }
  h.update(`awsAuth\n${canonicalJson(objects.awsAuth)}\n`);
  const cov = [...coverage].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  h.update(`coverage\n${canonicalJson(cov.map((c) => ({ kind: c.kind, status: c.status })))}\n`);
  return `sha256:${h.digest('hex')}`;
}
