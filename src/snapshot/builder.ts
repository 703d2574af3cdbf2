// Collects normalized objects from any number of sources into one immutable Snapshot.

import { ErrorCode, warning, type Warning } from '../errors.js';
import { compareIds } from '../ids.js';
import { snapshotHash } from './hash.js';
import type { Normalized } from './normalize.js';
import type { AwsAuth, CoverageGap, Snapshot, SnapshotObjects, SourceRef } from './types.js';
import { OBJECT_COLLECTIONS, type ObjectCollection } from './types.js';

type Keyed = { id: string };

export class SnapshotBuilder {
  private readonly maps = new Map<ObjectCollection, Map<string, Keyed>>(OBJECT_COLLECTIONS.map((c) => [c, new Map()]));
  private awsAuth: AwsAuth | null = null;
  /** A Map, not a plain object: a large dump adds 200,000+ IDs, and a Map takes them several times faster. */
  private readonly sources = new Map<string, SourceRef>();
  private readonly coverage = new Map<string, CoverageGap>();
  readonly warnings: Warning[] = [];
  kubernetesVersion: string | null = null;
  /** Objects seen of kinds analysis does not use. */
  ignored = 0;

  /** Add one object; the same ID twice: the later one wins, with DUPLICATE_OBJECT. */
  add(n: Normalized, source: SourceRef | null): void {
    if (n.collection === 'awsAuth') {
      this.awsAuth = n.object;
      return;
    }
    const map = this.maps.get(n.collection)!;
    const id = n.object.id;
    const size = map.size;
    map.set(id, n.object);
    if (!source) return;
    if (map.size === size) {
      // Seen before (one hash lookup fewer than asking first: this runs for every object).
      const prev = this.sources.get(id);
      const where = prev ? ` (first seen at ${prev.file}${prev.line !== null ? `:${prev.line}` : ''})` : '';
      this.warnings.push(warning(ErrorCode.DUPLICATE_OBJECT, `${id} appears again; this later definition wins${where}`, source.file, source.line));
    }
    this.sources.set(id, source);
  }

  remove(collection: ObjectCollection, id: string): void {
    this.maps.get(collection)!.delete(id);
    this.sources.delete(id);
  }

  addCoverageGap(gap: CoverageGap): void {
    this.coverage.set(gap.kind, gap);
  }

  count(): number {
    let n = this.awsAuth ? 1 : 0;
    for (const m of this.maps.values()) n += m.size;
    return n;
  }

  build(): Snapshot {
    const objects = { awsAuth: this.awsAuth } as SnapshotObjects;
    for (const c of OBJECT_COLLECTIONS) {
      const arr = [...this.maps.get(c)!.values()].sort((a, b) => compareIds(a.id, b.id));
      (objects as unknown as Record<string, Keyed[]>)[c] = arr;
    }
    const coverage = [...this.coverage.values()].sort((a, b) => compareIds(a.kind, b.kind));
    // The source map is handed over, not copied (200,000+ entries on a large dump): build() is the
    // builder's last use.
    const snap = { ...objects, coverage, sources: this.sources as ReadonlyMap<string, SourceRef>, kubernetesVersion: this.kubernetesVersion } as Snapshot;
    // The hash is computed on first read, once: history, diff, scan and watch read it, analysis
    // does not (on a large dump it costs as much as normalizing every object). It stays an ordinary
    // enumerable property to readers, JSON.stringify and spreads, and the collections it covers are
    // frozen below, so it is the hash of what the snapshot holds whenever it is read.
    let hash: string | null = null;
    Object.defineProperty(snap, 'hash', {
      enumerable: true,
      configurable: false,
      get: () => (hash ??= snapshotHash(objects, coverage)),
    });
    // Freeze the snapshot and its collections (not every object: 100,000 pods deep-frozen cost
    // more than the rest of the build). Core code treats all of it as read-only by convention.
    for (const c of OBJECT_COLLECTIONS) Object.freeze(snap[c]);
    Object.freeze(coverage);
    return Object.freeze(snap);
  }
}
