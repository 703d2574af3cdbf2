// File ingest (interface.md section 2): files and folders, document shapes, workloads, namespaces, YAML 1.1, duplicates, stdin.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RbacgraphError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/files.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { ingestYaml } from '../support/snapshot.js';

const root = mkdtempSync(join(tmpdir(), 'rbacgraph-ingest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

/** A fresh folder holding these files (relative path → text). */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${dirCount++}`);
  for (const [rel, text] of Object.entries(files)) {
    const full = join(dir, rel);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

const sa = (name: string, ns?: string): string =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}`;

const ids = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id);
const codes = (ws: readonly { code: string }[]): string[] => ws.map((w) => w.code);

describe('files and folders', () => {
  it('reads a folder recursively, taking *.yaml, *.yml and *.json only', () => {
    const dir = folder({
      'a.yaml': sa('a', 'ns'),
      'sub/b.yml': sa('b', 'ns'),
      'sub/deeper/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'c', namespace: 'ns' } }),
      'sub/d.txt': sa('d', 'ns'),
      'e.yaml.bak': sa('e', 'ns'),
      'README.md': sa('f', 'ns'),
      'kustomization': sa('g', 'ns'),
    });
    const r = ingestPaths([dir]);
    expect(ids(r.snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/a', 'ServiceAccount:ns/b', 'ServiceAccount:ns/c']);
    expect(r.stats.files).toBe(3);
    expect(r.warnings).toEqual([]);
  });

  it('reads a single file given directly, whatever its extension', () => {
    const dir = folder({ 'dump.txt': sa('x', 'ns') });
    expect(ids(ingestPaths([join(dir, 'dump.txt')]).snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/x']);
  });

  it('reads symlinked files in a folder, and skips hidden folders (a mounted ConfigMap has both)', () => {
    const dir = folder({ '..2024_01_01/roles.yaml': sa('linked', 'ns'), '.git/x.yaml': sa('hidden', 'ns') });
    symlinkSync(join(dir, '..2024_01_01/roles.yaml'), join(dir, 'roles.yaml'));
    const r = ingestPaths([dir]);
    expect(ids(r.snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/linked']);
    expect(codes(r.warnings)).toEqual([]);
  });

  it('combines several --input paths into one snapshot', () => {
    const a = folder({ 'a.yaml': sa('a', 'ns') });
    const b = folder({ 'b.yaml': sa('b', 'ns') });
    expect(ids(ingestPaths([a, join(b, 'b.yaml')]).snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/a', 'ServiceAccount:ns/b']);
  });

  it('throws INPUT_NOT_FOUND for a missing path (a usage error, exit 2)', () => {
    expect(() => ingestPaths([join(root, 'nope')])).toThrow(RbacgraphError);
    try {
      ingestPaths([join(root, 'nope')]);
    } catch (e) {
      expect((e as RbacgraphError).code).toBe('INPUT_NOT_FOUND');
    }
  });

  it('warns INPUT_EMPTY when the input holds no objects (an empty folder, an empty file)', () => {
    expect(codes(ingestPaths([folder({ 'x.txt': 'nothing' })]).warnings)).toEqual(['INPUT_EMPTY']);
    expect(codes(ingestPaths([join(folder({ 'empty.yaml': '' }), 'empty.yaml')]).warnings)).toEqual(['INPUT_EMPTY']);
  });

  it('reads standard input for `-`', () => {
    const r = ingestPaths(['-'], { stdin: () => `${sa('from-stdin', 'ns')}---\n${sa('other', 'ns')}` });
    expect(ids(r.snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/from-stdin', 'ServiceAccount:ns/other']);
    expect(r.snapshot.sources.get('ServiceAccount:ns/from-stdin')!.file).toBe('<stdin>');
  });

  it('reads JSON from standard input too', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' } }] };
    expect(ids(ingestPaths(['-'], { stdin: () => JSON.stringify(list) }).snapshot.namespaces)).toEqual(['Namespace:n1']);
  });
});

describe('document shapes', () => {
  it('reads multi-document YAML, skipping empty documents and comments', () => {
    const { snapshot, warnings } = ingestYaml(`# leading comment\n---\n${sa('a', 'ns')}---\n---\n# only a comment\n---\n${sa('b', 'ns')}...\n`);
    expect(ids(snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/a', 'ServiceAccount:ns/b']);
    expect(warnings).toEqual([]);
  });

  it('reads a single object', () => {
    expect(ids(ingestYaml(sa('only', 'ns')).snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns/only']);
  });

  it('reads a kind: List as kubectl get -o yaml prints it', () => {
    const { snapshot } = ingestYaml(`
apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: n1}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: reader}
  rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`);
    expect(ids(snapshot.namespaces)).toEqual(['Namespace:n1']);
    expect(ids(snapshot.roles)).toEqual(['ClusterRole:reader']);
  });

  it.each([
    ['RoleList', 'roles', 'Role:n1/r0', { metadata: { name: 'r0', namespace: 'n1' }, rules: [] }],
    ['PodList', 'pods', 'Pod:n1/p0', { metadata: { name: 'p0', namespace: 'n1' }, spec: { containers: [{ name: 'c', image: 'x' }] } }],
    ['ServiceAccountList', 'serviceAccounts', 'ServiceAccount:n1/s0', { metadata: { name: 's0', namespace: 'n1' } }],
    ['ClusterRoleBindingList', 'bindings', 'ClusterRoleBinding:b0', { metadata: { name: 'b0' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [] }],
    ['DeploymentList', 'workloads', 'Deployment:n1/d0', { metadata: { name: 'd0', namespace: 'n1' }, spec: { template: { spec: { containers: [] } } } }],
  ] as const)('gives items of a %s without a kind the list kind', (listKind, collection, id, item) => {
    const apiVersion = listKind.startsWith('Role') || listKind.startsWith('Cluster') ? 'rbac.authorization.k8s.io/v1' : listKind === 'DeploymentList' ? 'apps/v1' : 'v1';
    const { snapshot, warnings } = ingestYaml(JSON.stringify({ apiVersion, kind: listKind, items: [item] }));
    expect(ids(snapshot[collection] as { id: string }[])).toEqual([id]);
    expect(warnings).toEqual([]);
  });

  it('keeps the kind an item names in a typed list', () => {
    const { snapshot } = ingestYaml(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's', namespace: 'ns1' } }] }));
    expect(ids(snapshot.serviceAccounts)).toEqual(['ServiceAccount:ns1/s']);
    expect(snapshot.pods).toEqual([]);
  });

  it('reads a `kubectl get ... -A -o json` dump of several kinds', () => {
    const dump = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'u1', resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' }, spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-a' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'team-a' }, spec: { nodeName: 'worker-1', serviceAccountName: 'default', containers: [{ name: 'web', image: 'nginx' }] }, status: { phase: 'Running' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'team-a' }, type: 'kubernetes.io/tls' },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ordinary', namespace: 'team-a' }, data: { a: 'b' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team-a' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr' }, rules: [] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' }, subjects: [{ kind: 'Group', name: 'devs' }] },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } } },
        { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { hostPath: { path: '/data' } } },
        { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'mw' }, webhooks: [{ name: 'a.b.c' }] },
      ],
    };
    const text = JSON.stringify(dump, null, 2);
    const dir = folder({ 'dump.json': text });
    const r = ingestPaths([dir]);
    const s = r.snapshot;
    expect(ids(s.namespaces)).toEqual(['Namespace:team-a']);
    expect(ids(s.nodes)).toEqual(['Node:worker-1']);
    expect(ids(s.serviceAccounts)).toEqual(['ServiceAccount:team-a/default']);
    expect(ids(s.pods)).toEqual(['Pod:team-a/web-0']);
    expect(s.pods[0].spec.nodeName).toBe('worker-1');
    expect(ids(s.secrets)).toEqual(['Secret:team-a/tls']);
    expect(ids(s.roles)).toEqual(['ClusterRole:cr', 'Role:team-a/r']);
    expect(ids(s.bindings)).toEqual(['ClusterRoleBinding:crb', 'RoleBinding:team-a/rb']);
    expect(ids(s.workloads)).toEqual(['Deployment:team-a/web']);
    expect(ids(s.persistentVolumes)).toEqual(['PersistentVolume:pv1']);
    expect(ids(s.webhookConfigurations)).toEqual(['MutatingWebhookConfiguration:mw']);
    expect(r.stats.objects).toBe(12);
    expect(r.stats.ignored).toBe(2); // the ordinary ConfigMap and the Service
    expect(r.warnings).toEqual([]);
    // Sources point at the line where each item starts (the `{` two lines above its kind).
    const podKindLine = text.split('\n').findIndex((l) => l.includes('"kind": "Pod"')) + 1;
    expect(s.sources.get('Pod:team-a/web-0')).toEqual({ file: join(dir, 'dump.json'), line: podKindLine - 2 });
  });

  it('reads a JSON list written on one line', () => {
    const { snapshot } = ingestYaml(JSON.stringify({ kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }] }), {}, 'one-line.json');
    expect(ids(snapshot.namespaces)).toEqual(['Namespace:a', 'Namespace:b']);
  });

  it('ignores kinds of another API group that reuse a built-in kind name', () => {
    const { snapshot, warnings } = ingestYaml('apiVersion: example.com/v1\nkind: Role\nmetadata: {name: x, namespace: ns1}\nrules: []\n');
    expect(snapshot.roles).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['INPUT_EMPTY']);
  });
});

describe('workload kinds count through their pod template', () => {
  const template = {
    metadata: { labels: { app: 'x' } },
    spec: { serviceAccountName: 'builder', containers: [{ name: 'main', image: 'busybox', securityContext: { privileged: true } }] },
  };
  const cases: [kind: string, apiVersion: string, spec: Record<string, unknown>][] = [
    ['Deployment', 'apps/v1', { replicas: 1, template }],
    ['DaemonSet', 'apps/v1', { template }],
    ['StatefulSet', 'apps/v1', { serviceName: 'x', template }],
    ['ReplicaSet', 'apps/v1', { template }],
    ['Job', 'batch/v1', { template }],
    ['ReplicationController', 'v1', { template }],
    ['CronJob', 'batch/v1', { schedule: '* * * * *', jobTemplate: { spec: { template } } }],
  ];

  it.each(cases)('%s', (kind, apiVersion, spec) => {
    const { snapshot, warnings } = ingestYaml(JSON.stringify({ apiVersion, kind, metadata: { name: 'w', namespace: 'build' }, spec }));
    expect(warnings).toEqual([]);
    expect(snapshot.workloads).toHaveLength(1);
    const w = snapshot.workloads[0];
    expect(w.id).toBe(`${kind}:build/w`);
    expect(w.kind).toBe(kind);
    expect(w.template.serviceAccountName).toBe('builder');
    expect(w.template.containers.map((c) => [c.name, c.privileged])).toEqual([['main', true]]);
  });

  it('reads a CronJob written in YAML', () => {
    const { snapshot } = ingestYaml(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: backup
          restartPolicy: OnFailure
          containers: [{name: b, image: x}]
`);
    expect(snapshot.workloads.map((w) => [w.id, w.template.serviceAccountName])).toEqual([['CronJob:ops/nightly', 'backup']]);
  });

  it('a workload without a pod template is an invalid object', () => {
    const { snapshot, warnings } = ingestYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns1}\nspec: {replicas: 1}\n');
    expect(snapshot.workloads).toEqual([]);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([['INPUT_INVALID_OBJECT', 4], ['INPUT_EMPTY', null]]);
  });

  it('a pod without a service account name runs as default; serviceAccount is the deprecated alias', () => {
    const { snapshot } = ingestYaml(`
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns1}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: ns1}
spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
`);
    expect(snapshot.pods.map((p) => [p.id, p.spec.serviceAccountName, p.spec.nodeName])).toEqual([
      ['Pod:ns1/a', 'default', null],
      ['Pod:ns1/b', 'legacy', null],
    ]);
  });
});

describe('namespaces', () => {
  const text = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: no-ns}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: with-ns, namespace: explicit}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: implicit}
- {kind: ServiceAccount, name: elsewhere, namespace: other}
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: sa, namespace: kept}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns-object}
---
apiVersion: v1
kind: Node
metadata: {name: node-object}
`;

  it('puts namespaced objects without a namespace into `default`', () => {
    const s = ingestYaml(text).snapshot;
    expect(ids(s.serviceAccounts)).toEqual(['ServiceAccount:default/no-ns', 'ServiceAccount:explicit/with-ns']);
    expect(ids(s.bindings)).toEqual(['ClusterRoleBinding:crb', 'RoleBinding:default/rb']);
  });

  it('puts them into --default-namespace NS, as kubectl apply -n NS would', () => {
    const s = ingestYaml(text, { defaultNamespace: 'team' }).snapshot;
    expect(ids(s.serviceAccounts)).toEqual(['ServiceAccount:explicit/with-ns', 'ServiceAccount:team/no-ns']);
    expect(ids(s.bindings)).toEqual(['ClusterRoleBinding:crb', 'RoleBinding:team/rb']);
    // Cluster-scoped objects have no namespace whatever the default.
    expect(ids(s.namespaces)).toEqual(['Namespace:ns-object']);
    expect(ids(s.nodes)).toEqual(['Node:node-object']);
    expect(ids(s.roles)).toEqual(['ClusterRole:view']);
  });

  it('keeps binding subjects as written: a named namespace stays, a missing one is resolved at match time', () => {
    const s = ingestYaml(text, { defaultNamespace: 'team' }).snapshot;
    const rb = s.bindings.find((b) => b.id === 'RoleBinding:team/rb')!;
    expect(rb.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'implicit', namespace: null },
      { kind: 'ServiceAccount', name: 'elsewhere', namespace: 'other' },
      { kind: 'User', name: 'alice', namespace: null },
    ]);
    expect(s.bindings.find((b) => b.id === 'ClusterRoleBinding:crb')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sa', namespace: 'kept' }]);
  });
});

describe('YAML is read as Kubernetes reads it (YAML 1.1)', () => {
  it.each(['yes', 'Yes', 'on', 'true', 'y'])('privileged: %s is true', (v) => {
    const { snapshot } = ingestYaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns1}\nspec:\n  hostPID: ${v}\n  containers:\n  - name: c\n    image: x\n    securityContext: {privileged: ${v}}\n`);
    expect(snapshot.pods[0].spec.containers[0].privileged).toBe(true);
    expect(snapshot.pods[0].spec.hostPID).toBe(true);
  });

  it.each(['no', 'off', 'false', '"yes"'])('privileged: %s is not true', (v) => {
    const { snapshot } = ingestYaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns1}\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext: {privileged: ${v}}\n`);
    expect(snapshot.pods[0].spec.containers[0].privileged).toBe(false);
  });

  it('automountServiceAccountToken: no is false', () => {
    const { snapshot } = ingestYaml('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, namespace: ns1}\nautomountServiceAccountToken: no\n');
    expect(snapshot.serviceAccounts[0].automountServiceAccountToken).toBe(false);
  });

  it('resolves anchors and merge keys', () => {
    const { snapshot } = ingestYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: anchors}
rules:
- &read {apiGroups: [""], resources: [pods], verbs: [get, list]}
- <<: *read
  resources: [services]
`);
    expect(snapshot.roles[0].rules.map((r) => [r.resources, r.verbs])).toEqual([[['pods'], ['get', 'list']], [['services'], ['get', 'list']]]);
  });
});

describe('duplicate IDs', () => {
  const role = (verb: string): string => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns1}\nrules: [{apiGroups: [""], resources: [pods], verbs: [${verb}]}]\n`;
  const verbsOf = (s: Snapshot): string[] => s.roles[0].rules[0].verbs;

  it('the later input wins, with DUPLICATE_OBJECT naming the later one and where the first was', () => {
    const a = folder({ 'a.yaml': role('get') });
    const b = folder({ 'b.yaml': `${sa('x', 'ns1')}---\n${role('delete')}` });
    const r = ingestPaths([a, b]);
    expect(verbsOf(r.snapshot)).toEqual(['delete']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'DUPLICATE_OBJECT', file: join(b, 'b.yaml'), line: 7 });
    expect(r.warnings[0].message).toContain('Role:ns1/r');
    expect(r.warnings[0].message).toContain(join(a, 'a.yaml'));
    expect(verbsOf(ingestPaths([b, a]).snapshot)).toEqual(['get']);
  });

  it('within a folder, files are read in name order, so the last name wins', () => {
    const dir = folder({ '10-first.yaml': role('get'), '20-second.yaml': role('list'), 'sub/00.yaml': role('watch') });
    const r = ingestPaths([dir]);
    // 10-first.yaml, 20-second.yaml, then sub/ (entries sorted by name: digits before letters).
    expect(verbsOf(r.snapshot)).toEqual(['watch']);
    expect(codes(r.warnings)).toEqual(['DUPLICATE_OBJECT', 'DUPLICATE_OBJECT']);
  });

  it('within one file, the later document wins', () => {
    const { snapshot, warnings } = ingestYaml(`${role('get')}---\n${role('create')}`);
    expect(verbsOf(snapshot)).toEqual(['create']);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([['DUPLICATE_OBJECT', 6]]);
  });

  it('objects of different kinds with the same name are not duplicates', () => {
    const { warnings } = ingestYaml(`${role('get')}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r, namespace: ns1}\nroleRef: {kind: Role, name: r}\n`);
    expect(warnings).toEqual([]);
  });
});
