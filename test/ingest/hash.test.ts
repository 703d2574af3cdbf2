// The snapshot's content hash depends on the objects only: not on document order, file order, key order or source lines.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ingestPaths } from '../../src/ingest/files.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const OBJECTS: Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'dev', owner: 'a' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: 'team-a', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/ci' } } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok', namespace: 'team-a', annotations: { 'kubernetes.io/service-account.name': 'ci' } }, type: 'kubernetes.io/service-account-token' },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'team-a' },
    rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }],
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'ci' }, { kind: 'User', name: 'alice' }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr', labels: { tier: 'gold' } }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a', labels: { app: 'p' } }, spec: { nodeName: 'w1', serviceAccountName: 'ci', hostPID: true, containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }], volumes: [{ name: 'v', hostPath: { path: '/' } }] } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'team-a' }, spec: { template: { spec: { serviceAccountName: 'ci', containers: [{ name: 'c', image: 'x' }] } } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1', labels: { 'kubernetes.io/hostname': 'w1' } } },
];

const yamlOf = (objs: unknown[]): string => objs.map((o) => stringify(o)).join('---\n');

/** The same value with every object's keys in another order (a permutation drawn from `seed`). */
function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shuffleKeys(x, seed + i + 1));
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>);
  let s = seed;
  for (let i = entries.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries.map(([k, x], i) => [k, shuffleKeys(x, s + i)]));
}

const BASE = snapshotFromYaml(yamlOf(OBJECTS)).hash;

describe('content hash', () => {
  it('is a sha256', () => {
    expect(BASE).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not depend on the order of the objects', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(OBJECTS, { minLength: OBJECTS.length, maxLength: OBJECTS.length }), (objs) => {
        expect(snapshotFromYaml(yamlOf(objs)).hash).toBe(BASE);
      }),
      { numRuns: 50 },
    );
  });

  it('does not depend on the order of keys in the objects', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        expect(snapshotFromYaml(yamlOf(OBJECTS.map((o, i) => shuffleKeys(o, seed + i)))).hash).toBe(BASE);
      }),
      { numRuns: 50 },
    );
  });

  it('is the same for YAML, JSON, a List and a multi-document file', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: OBJECTS };
    expect(snapshotFromYaml(JSON.stringify(list, null, 2)).hash).toBe(BASE);
    expect(snapshotFromYaml(stringify(list)).hash).toBe(BASE);
  });

  it('does not depend on the lines objects are found on, nor on extra fields analysis does not use', () => {
    const noisy = OBJECTS.map((o) => ({
      ...o,
      metadata: { ...(o.metadata as object), uid: 'x', resourceVersion: '42', creationTimestamp: '2024-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] },
      status: { phase: 'Running' },
    }));
    expect(snapshotFromYaml(`# a comment\n\n${yamlOf(noisy)}`).hash).toBe(BASE);
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbacgraph-hash-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const half = Math.ceil(OBJECTS.length / 2);
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.json');
    writeFileSync(a, yamlOf(OBJECTS.slice(0, half)));
    writeFileSync(b, JSON.stringify({ kind: 'List', items: OBJECTS.slice(half) }));

    it('does not depend on the order of --input paths', () => {
      expect(ingestPaths([a, b]).snapshot.hash).toBe(BASE);
      expect(ingestPaths([b, a]).snapshot.hash).toBe(BASE);
      expect(ingestPaths([dir]).snapshot.hash).toBe(BASE);
    });
  });

  it('changes when the content changes', () => {
    const changed = OBJECTS.map((o) => (o.kind === 'Role' ? { ...o, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } : o));
    expect(snapshotFromYaml(yamlOf(changed)).hash).not.toBe(BASE);
    expect(snapshotFromYaml(yamlOf(OBJECTS.slice(1))).hash).not.toBe(BASE);
    expect(snapshotFromYaml(yamlOf(OBJECTS), { defaultNamespace: 'other' }).hash).toBe(BASE); // every object names its namespace
  });
});
