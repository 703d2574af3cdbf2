// Watch mode: a later analysis re-derives only the techniques whose inputs changed, with the same answers.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { SnapshotBuilder } from '../../src/snapshot/builder.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const BASE = `
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-pods, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: User, name: dev}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop}
spec: {nodeName: n1, serviceAccountName: web, containers: [{name: c, image: nginx}]}
`;

const ADMIN_BINDING = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
`;

/** A new snapshot that keeps the previous objects (as a watch does) and adds or drops some. */
function evolve(prev: Snapshot, add: Snapshot, drop: string[] = []): Snapshot {
  const b = new SnapshotBuilder();
  const cols = ['namespaces', 'nodes', 'serviceAccounts', 'pods', 'workloads', 'secrets', 'roles', 'bindings', 'persistentVolumes', 'persistentVolumeClaims', 'webhookConfigurations', 'networkPolicies'] as const;
  for (const c of cols) {
    for (const o of prev[c]) if (!drop.includes(o.id)) b.add({ collection: c, object: o } as never, null);
    for (const o of add[c]) b.add({ collection: c, object: o } as never, null);
  }
  return b.build();
}

describe('incremental analysis (watch mode)', () => {
  const s0 = snapshotFromYaml(BASE);
  const a0 = analyze(s0, { retainEdges: true });

  it('re-derives only RBAC techniques when a binding is added, and finds the new path', () => {
    const s1 = evolve(s0, snapshotFromYaml(ADMIN_BINDING));
    const a1 = analyze(s1, { previous: a0 });
    expect(a1.built.stats.reused).toEqual(expect.arrayContaining(['RUNS_AS', 'NODE_ESCAPE', 'SECRET_MOUNT', 'NODE_CREDENTIALS']));
    expect(a1.built.stats.derived).toEqual(expect.arrayContaining(['RBAC', 'POD_CREATE']));
    expect(a0.paths({ from: ['User:dev'] }).paths).toEqual([]);
    const p = a1.paths({ from: ['User:dev'] }).paths;
    expect(p.map((x) => x.steps.map((s) => s.technique))).toEqual([['POD_CREATE', 'RBAC']]);
    // The same answers as a full analysis of the new snapshot.
    expect(JSON.stringify(a1.paths({ limit: 3 }))).toBe(JSON.stringify(analyze(s1).paths({ limit: 3 })));
  });

  it('derives everything again when the previous analysis kept no edges', () => {
    const s1 = evolve(s0, snapshotFromYaml(ADMIN_BINDING));
    const a1 = analyze(s1, { previous: analyze(s0) });
    expect(a1.built.stats.reused).toEqual([]);
    expect(JSON.stringify(a1.paths({ limit: 3 }))).toBe(JSON.stringify(analyze(s1).paths({ limit: 3 })));
  });

  it('re-derives only pod techniques when a pod changes', () => {
    const s1 = evolve(s0, snapshotFromYaml(`
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop}
spec: {nodeName: n1, serviceAccountName: web, containers: [{name: c, image: nginx, securityContext: {privileged: true}}]}
`));
    const a1 = analyze(s1, { previous: a0 });
    expect(a1.built.stats.reused).toEqual(expect.arrayContaining(['RBAC', 'POD_CREATE', 'SECRET_READ']));
    expect(a1.built.stats.derived).toEqual(expect.arrayContaining(['NODE_ESCAPE', 'RUNS_AS']));
    expect(a1.paths({ to: 'nodes', from: ['ServiceAccount:shop/web'] }).paths).toEqual([]);
    expect(JSON.stringify(a1.paths({ to: 'nodes' }))).toBe(JSON.stringify(analyze(s1).paths({ to: 'nodes' })));
  });
});
