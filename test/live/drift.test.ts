// Watch mode's change detector on real snapshots: which changes of the attack graph become events.
import { describe, expect, it } from 'vitest';
import { driftEvents, driftState } from '../../src/ingest/kube-drift.js';
import { snapshotFromYaml } from '../support/snapshot.js';

const BASE = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ops, namespace: tools}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: prod}
---
apiVersion: v1
kind: Secret
metadata: {name: api, namespace: prod}
`;

const OPS_ADMIN = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}
subjects: [{kind: ServiceAccount, name: ops, namespace: tools}]
`;

const OPS_READS_PROD = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-read, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: ops, namespace: tools}]
`;

const NEW_SECRET = `
---
apiVersion: v1
kind: Secret
metadata: {name: fresh, namespace: prod}
`;

type Ev = { event: string; from?: string; secret?: string; reader?: string };
const brief = (events: Ev[]): string[] => events.map((e) => `${e.event} ${e.from ?? `${e.secret} ${e.reader}`}`);

function diff(before: string, after: string, exactSecretLimit?: number): string[] {
  const a = driftState(snapshotFromYaml(before), null, { exactSecretLimit });
  const b = driftState(snapshotFromYaml(after), a, { exactSecretLimit });
  return brief(driftEvents(a, b, { exactSecretLimit }) as Ev[]);
}

describe('watch mode change detection', () => {
  it.each([
    ['nothing changed: no events', BASE, BASE, []],
    ['a cluster-admin grant: path-added, and no event per secret', BASE, BASE + OPS_ADMIN, ['path-added ServiceAccount:tools/ops']],
    ['the grant removed: path-removed', BASE + OPS_ADMIN, BASE, ['path-removed ServiceAccount:tools/ops']],
    ['a direct secret grant: one reader event per secret', BASE, BASE + OPS_READS_PROD, [
      'secret-reader-added Secret:prod/api ServiceAccount:tools/ops',
      'secret-reader-added Secret:prod/db ServiceAccount:tools/ops',
    ]],
    ['admin lost but direct reads kept: path-removed, then what it still reads', BASE + OPS_ADMIN + OPS_READS_PROD, BASE + OPS_READS_PROD, [
      'path-removed ServiceAccount:tools/ops',
      'secret-reader-added Secret:prod/api ServiceAccount:tools/ops',
      'secret-reader-added Secret:prod/db ServiceAccount:tools/ops',
    ]],
    ['admin gained on top of direct reads: path-added only', BASE + OPS_READS_PROD, BASE + OPS_ADMIN + OPS_READS_PROD, ['path-added ServiceAccount:tools/ops']],
    ['a new secret: no reader events (the change is the secret)', BASE + OPS_READS_PROD, BASE + OPS_READS_PROD + NEW_SECRET, []],
  ])('%s', (_name, before, after, expected) => {
    expect(diff(before, after)).toEqual(expected);
  });

  it('above the exact limit, secrets whose reader count changed are still compared', () => {
    expect(diff(BASE, BASE + OPS_READS_PROD, 0)).toEqual([
      'secret-reader-added Secret:prod/api ServiceAccount:tools/ops',
      'secret-reader-added Secret:prod/db ServiceAccount:tools/ops',
    ]);
  });

  it('a path-added event carries the path as `paths` prints it', () => {
    const a = driftState(snapshotFromYaml(BASE), null);
    const b = driftState(snapshotFromYaml(BASE + OPS_ADMIN), a);
    const [e] = driftEvents(a, b);
    expect(e).toMatchObject({
      event: 'path-added', target: 'cluster-admin', from: 'ServiceAccount:tools/ops', snapshot: b.snapshot.hash,
      path: { from: 'ServiceAccount:tools/ops', to: 'cluster-admin', length: 1, steps: [{ technique: 'RBAC', evidence: ['ClusterRoleBinding:ops-admin', 'ClusterRole:all'] }] },
    });
  });
});
