// The built snapshot: frozen, its hash computed on first read, its sources read like a plain object.
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

  it('is frozen, and serializes with hash and sources as plain fields', () => {
    const s = build();
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.coverage)).toBe(true);
    expect(() => {
      (s as { hash: string }).hash = 'x';
    }).toThrow(TypeError);
    expect(Object.keys(s).slice(-4)).toEqual(['coverage', 'sources', 'kubernetesVersion', 'hash']);
    const json = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    expect(json.hash).toBe(s.hash);
    expect(json.sources).toEqual({ 'Namespace:b': { file: 'f', line: 2 }, 'Namespace:a': { file: 'f', line: 1 } });
    expect({ ...s }.hash).toBe(s.hash);
  });

  it('reads its sources like a plain object, read-only', () => {
    const { sources } = build();
    expect(sources['Namespace:a']).toEqual({ file: 'f', line: 1 });
    expect(sources['Namespace:c']).toBeUndefined();
    expect('Namespace:a' in sources).toBe(true);
    expect(Object.keys(sources)).toEqual(['Namespace:b', 'Namespace:a']);
    expect(Object.entries(sources)).toHaveLength(2);
    expect(Object.prototype.hasOwnProperty.call(sources, 'Namespace:b')).toBe(true);
    expect(() => {
      sources['Namespace:c'] = { file: 'g', line: null };
    }).toThrow(TypeError);
  });
});
