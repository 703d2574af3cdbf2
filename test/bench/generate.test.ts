// The synthetic cluster generator behind `npm run bench`: deterministic, clean input, exact counts (no timing here).
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { benchTempDir, generateCluster, mulberry32, PRESETS, type GeneratedCounts } from '../../src/bench/generate.js';
import { ingestPaths } from '../../src/ingest/files.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const dir = benchTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fileHash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

const COLLECTIONS = ['namespaces', 'nodes', 'serviceAccounts', 'pods', 'workloads', 'secrets', 'roles', 'bindings'] as const;

function snapshotCounts(s: Snapshot): GeneratedCounts {
  return Object.fromEntries(COLLECTIONS.map((c) => [c, s[c].length])) as unknown as GeneratedCounts;
}

function presetCounts(name: keyof typeof PRESETS): GeneratedCounts {
  const p = PRESETS[name];
  return Object.fromEntries(COLLECTIONS.map((c) => [c, p[c]])) as unknown as GeneratedCounts;
}

describe('generateCluster', () => {
  it('writes the same bytes for the same seed', () => {
    const a = generateCluster({ preset: 'small', seed: 7, file: join(dir, 'a.json') });
    const b = generateCluster({ preset: 'small', seed: 7, file: join(dir, 'b.json') });
    expect(fileHash(a.file)).toBe(fileHash(b.file));
    expect(a.sha256).toBe(fileHash(a.file));
    expect(b.sha256).toBe(a.sha256);
    expect(a.bytes).toBe(readFileSync(a.file).length);
  });

  it('writes other bytes for another seed', () => {
    const a = generateCluster({ preset: 'small', seed: 7, file: join(dir, 'seed7.json') });
    const b = generateCluster({ preset: 'small', seed: 8, file: join(dir, 'seed8.json') });
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('writes a kubectl-style List that the small preset ingests without any warning, with the preset counts', () => {
    const g = generateCluster({ preset: 'small', seed: 1, file: join(dir, 'small.json') });
    const doc = JSON.parse(readFileSync(g.file, 'utf8')) as { apiVersion: string; kind: string; items: unknown[] };
    expect(doc.apiVersion).toBe('v1');
    expect(doc.kind).toBe('List');
    const r = ingestPaths([g.file]);
    expect(r.warnings).toEqual([]);
    expect(r.stats.ignored).toBe(0);
    expect(r.stats.objects).toBe(doc.items.length);
    expect(g.counts).toEqual(presetCounts('small'));
    expect(snapshotCounts(r.snapshot)).toEqual(presetCounts('small'));
  });

  it('plants escalation paths and keeps secret values out of the snapshot', () => {
    const g = generateCluster({ preset: 'small', seed: 1, file: join(dir, 'small-paths.json') });
    const { snapshot } = ingestPaths([g.file]);
    const a = analyze(snapshot);
    expect(a.warnings).toEqual([]);
    const paths = a.paths({ to: 'cluster-admin' }).paths;
    const from = new Set(paths.map((p) => p.from));
    expect(from.has('Group:platform-admins')).toBe(true);
    expect(from.has('Group:team-platform')).toBe(true);
    expect(paths.some((p) => p.length >= 3)).toBe(true);
    // Every value under a Secret's `data` in the dump is absent from the snapshot.
    const doc = JSON.parse(readFileSync(g.file, 'utf8')) as { items: { kind: string; data?: Record<string, string> }[] };
    const values = doc.items.filter((o) => o.kind === 'Secret').flatMap((o) => Object.values(o.data ?? {}));
    expect(values.length).toBeGreaterThan(0);
    const text = JSON.stringify(snapshot);
    expect(values.filter((v) => text.includes(v))).toEqual([]);
  });

  it('gives the rbac preset the size issue 2 names, object for object', () => {
    expect(PRESETS.rbac).toMatchObject({ roles: 10_000, bindings: 30_000 });
    const g = generateCluster({ preset: 'rbac', seed: 1, file: join(dir, 'rbac.json') });
    expect(g.counts).toEqual(presetCounts('rbac'));
    const doc = JSON.parse(readFileSync(g.file, 'utf8')) as { items: { kind: string }[] };
    const kinds = (...ks: string[]): number => doc.items.filter((o) => ks.includes(o.kind)).length;
    expect(kinds('Role', 'ClusterRole')).toBe(10_000);
    expect(kinds('RoleBinding', 'ClusterRoleBinding')).toBe(30_000);
  });

  it('sizes the large preset as issue 3 and architecture.md name it', () => {
    expect(PRESETS.large).toMatchObject({ pods: 100_000, serviceAccounts: 20_000, roles: 10_000, bindings: 30_000, secrets: 50_000, namespaces: 1_000, nodes: 1_000 });
  });

  it('rejects sizes too small for the fixed objects every cluster has', () => {
    expect(() => generateCluster({ preset: { ...PRESETS.small, namespaces: 3 }, seed: 1, file: join(dir, 'tiny.json') })).toThrow(/namespaces/);
  });

  it('draws the same numbers from the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
