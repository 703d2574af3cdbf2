// The built snapshot: frozen, its hash computed on first read, its sources a read-only map.
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../src/snapshot/builder.js';
import { snapshotHash } from '../../src/snapshot/hash.js';
import { OBJECT_COLLECTIONS } from '../../src/snapshot/types.js';

describe('the built snapshot', () => {
  const build = (): ReturnType<SnapshotBuilder['build']> => {
    const b = new SnapshotBuilder();
    b.add({ collection: 'namespaces', object: { id: 'Namespace:b', name: 'b', labels: {} } }, { file: 'f', line: 2 });
    b.add({ collection: 'namespaces', object: { id: 'Namespace:a', name: 'a', labels: {} } }, { file: 'f', line: 1 });
    b.addCoverageGap({ kind: 'Secret', status: 'forbidden', message: 'm' });
    return b.build();
  };

  it('has the content hash of its objects, the same on every read', () => {
    const s = build();
    const objects = Object.fromEntries([...OBJECT_COLLECTIONS.map((c) => [c, s[c]]), ['awsAuth', s.awsAuth]]) as never;
    expect(s.hash).toBe(snapshotHash(objects, s.coverage));
    expect(s.hash).toBe(s.hash);
    expect(build().hash).toBe(s.hash);
  });

  it('is frozen, and its hash reads as a plain field', () => {
    const s = build();
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.coverage)).toBe(true);
    expect(() => {
      (s as { hash: string }).hash = 'x';
    }).toThrow(TypeError);
    expect(Object.keys(s).slice(-4)).toEqual(['coverage', 'sources', 'kubernetesVersion', 'hash']);
    const json = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    expect(json.hash).toBe(s.hash);
    expect({ ...s }.hash).toBe(s.hash);
  });

  it('knows where each object came from', () => {
    const { sources } = build();
    expect(sources.get('Namespace:a')).toEqual({ file: 'f', line: 1 });
    expect(sources.get('Namespace:c')).toBeUndefined();
    expect([...sources.keys()]).toEqual(['Namespace:b', 'Namespace:a']);
  });
});
