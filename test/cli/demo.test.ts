// who-can and can-i on the demo cluster (fixtures/demo), with answers derived by reading its YAML.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/files.js';
import { canI, runCli, subjectIds, whoCan } from '../support/cli.js';

const DEMO = 'fixtures/demo';
const IN = ['--input', DEMO];
const MASTERS = 'Group:system:masters';
/** The cluster-admin identities of the demo (README.md), as who-can lists them. */
const ADMINS = ['Group:platform-admins', MASTERS, 'ServiceAccount:kube-system/legacy-admin', 'ServiceAccount:platform-operator/operator'];
const sorted = (xs: string[]): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const withAdmins = (...ids: string[]): string[] => sorted([...ADMINS, ...ids]);

describe('the demo input', () => {
  const r = ingestPaths([DEMO]);

  it('reads without an ingest warning', () => {
    expect(r.warnings.map((w) => [w.code, w.file])).toEqual([]);
    const loaded = r.snapshot;
    expect(loaded.nodes.map((n) => n.name)).toEqual(['control-plane-1', 'worker-1', 'worker-2', 'worker-3']);
    expect(loaded.namespaces.map((n) => n.name)).toEqual(
      ['cert-manager', 'ci', 'default', 'dev', 'ingress-nginx', 'kube-public', 'kube-system', 'monitoring', 'payments', 'platform-operator', 'secure', 'staging'],
    );
    expect(loaded.namespaces.find((n) => n.name === 'secure')!.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(loaded.pods.filter((p) => p.spec.nodeName === null)).toEqual([]);
    expect(loaded.awsAuth?.mapRoles.map((m) => m.arn)).toEqual(['arn:aws:iam::111122223333:role/eks-node-role', 'arn:aws:iam::111122223333:role/ci-terraform']);
    expect(loaded.secrets.filter((s) => s.type === 'kubernetes.io/service-account-token').map((s) => s.id)).toEqual([
      'Secret:kube-system/legacy-admin-token', 'Secret:platform-operator/operator-token-old',
    ]);
  });

  it('the RBAC warning is the ROLE_NOT_FOUND decoy, at its binding', async () => {
    const j = await whoCan(['get', 'pods', ...IN]);
    expect(j.json.warnings.map((w) => [w.code, w.file])).toEqual([['ROLE_NOT_FOUND', join(DEMO, '70-decoys.yaml')]]);
    const line = readFileSync(join(DEMO, '70-decoys.yaml'), 'utf8').split('\n')[j.json.warnings[0].line! - 1];
    expect(line).toBe('apiVersion: rbac.authorization.k8s.io/v1');
    expect(j.json.warnings[0].message).toContain('RoleBinding:staging/legacy-deployers');
  });

  it('plants one DANGEROUS grant per technique of interface.md section 4 (but the implicit MEMBER_OF, RUNS_AS, SECRET_MOUNT)', () => {
    const planted = new Set<string>();
    for (const f of readdirSync(DEMO).filter((x) => x.endsWith('.yaml'))) {
      for (const m of readFileSync(join(DEMO, f), 'utf8').matchAll(/^\s*# DANGEROUS: ([A-Z_]+):/gm)) planted.add(m[1]);
    }
    expect(sorted([...planted])).toEqual(sorted([
      'CLOUD_IDENTITY', 'CSR_APPROVE', 'EPHEMERAL_CONTAINER', 'IMPERSONATE', 'NAMESPACE_PATCH', 'NODES_PROXY', 'NODE_CREDENTIALS',
      'NODE_ESCAPE', 'NODE_PATCH', 'POD_CREATE', 'POD_EXEC', 'PV_CREATE', 'RBAC', 'ROLE_BIND', 'ROLE_ESCALATE', 'SECRET_READ',
      'TOKEN_REQUEST', 'TOKEN_SECRET_CREATE', 'WEBHOOK_CONTROL', 'WORKLOAD_PATCH',
    ]));
  });

  it('the README names every planted finding and decoy subject', () => {
    const readme = readFileSync(join(DEMO, 'README.md'), 'utf8');
    for (const id of ['P01', 'P23', 'P27', 'N01', 'N07', 'D01', 'D10']) expect(readme).toContain(`| ${id} |`);
    for (const s of ['User:alice', 'User:dan', 'User:quinn', 'User:rita', 'Group:legacy-deployers', 'User:sam', 'User:tom']) expect(readme).toContain(s);
  });
});

describe('who-can on the demo', () => {
  it('who can list secrets in payments', async () => {
    const r = await whoCan(['list', 'secrets', '-n', 'payments', ...IN]);
    expect(subjectIds(r.json)).toEqual(withAdmins(
      'Group:payments-team', // admin in payments (aggregated from edit)
      'ServiceAccount:ingress-nginx/ingress-nginx', // upstream: list/watch secrets everywhere
      'ServiceAccount:monitoring/kube-state-metrics', // upstream: list/watch secrets everywhere
      'ServiceAccount:monitoring/prometheus-operator', // upstream: * on secrets everywhere
      'User:system:kube-controller-manager', // bootstrap: list/watch on everything
    ));
    expect(r.json.subjects.find((s) => s.subject === 'Group:payments-team')!.via).toEqual([{ binding: 'RoleBinding:payments/payments-team-admin', role: 'ClusterRole:admin' }]);
  });

  it('who can list secrets in kube-system adds User:grace (SECRET_READ); -A shows where each may', async () => {
    expect(subjectIds((await whoCan(['list', 'secrets', '-n', 'kube-system', ...IN])).json)).toContain('User:grace');
    const all = await whoCan(['list', 'secrets', '-A', ...IN]);
    const ns = Object.fromEntries(all.json.subjects.map((s) => [s.subject, s.namespaces]));
    expect(ns['User:grace']).toEqual(['kube-system']);
    expect(ns['Group:developers']).toEqual(['dev']);
    expect(ns['Group:payments-team']).toEqual(['payments']);
    expect(ns['ServiceAccount:monitoring/kube-state-metrics']).toEqual(['*']);
  });

  it('who can get one named secret: the decoy reader tom gets ca-bundle, not the legacy token', async () => {
    expect(subjectIds((await whoCan(['get', 'secrets', 'ca-bundle', '-n', 'kube-system', ...IN])).json)).toContain('User:tom');
    expect(subjectIds((await whoCan(['get', 'secrets', 'legacy-admin-token', '-n', 'kube-system', ...IN])).json)).not.toContain('User:tom');
    const unnamed = await whoCan(['get', 'secrets', '-n', 'kube-system', ...IN]);
    expect(unnamed.json.partial).toEqual([{ subject: 'User:tom', resourceNames: ['ca-bundle'] }]);
  });

  it('who can exec into pods in platform-operator: erin, and uma only before 1.35; never rita (pods/*)', async () => {
    const r = await whoCan(['create', 'pods/exec', '-n', 'platform-operator', ...IN]);
    expect(subjectIds(r.json)).toEqual(withAdmins('User:erin', 'User:uma'));
    expect(r.json.subjects.find((s) => s.subject === 'User:uma')!.via).toEqual([{ binding: 'RoleBinding:platform-operator/uma-operator-exec-get', role: 'Role:platform-operator/operator-exec-get', verb: 'get' }]);
    expect(subjectIds((await whoCan(['create', 'pods/exec', '-n', 'platform-operator', '--kubernetes-version', '1.35', ...IN])).json)).toEqual(withAdmins('User:erin'));
  });

  it('who can exec into the node-debugger pod: dan, by name only', async () => {
    expect(subjectIds((await whoCan(['create', 'pods/exec', 'node-debugger', '-n', 'monitoring', ...IN])).json)).toEqual(withAdmins('User:dan'));
    const unnamed = await whoCan(['create', 'pods/exec', '-n', 'monitoring', ...IN]);
    expect(subjectIds(unnamed.json)).toEqual(withAdmins());
    expect(unnamed.json.partial).toEqual([{ subject: 'User:dan', resourceNames: ['node-debugger'] }]);
  });

  it('who can create deployments (apps) in platform-operator: ci/deployer', async () => {
    const r = await whoCan(['create', 'deployments', '-n', 'platform-operator', ...IN]);
    expect(r.json.query).toMatchObject({ resource: 'deployments', apiGroup: 'apps' });
    expect(subjectIds(r.json)).toEqual(withAdmins('ServiceAccount:ci/deployer'));
    expect(subjectIds((await whoCan(['patch', 'deploy', '-n', 'platform-operator', ...IN])).json)).toEqual(withAdmins('User:peggy'));
  });

  it('who can impersonate service accounts', async () => {
    expect(subjectIds((await whoCan(['impersonate', 'serviceaccounts', 'operator', '-n', 'platform-operator', ...IN])).json)).toEqual(withAdmins('Group:sre-oncall'));
    expect(subjectIds((await whoCan(['impersonate', 'sa', 'deployer', '-n', 'ci', ...IN])).json)).toEqual(withAdmins('User:alice'));
    expect(subjectIds((await whoCan(['impersonate', 'sa', 'terraform', '-n', 'ci', ...IN])).json)).toEqual(withAdmins());
    // edit (developers, in dev) includes impersonate on service accounts.
    expect(subjectIds((await whoCan(['impersonate', 'serviceaccounts', '-n', 'dev', ...IN])).json)).toEqual(withAdmins('Group:developers'));
  });

  it('who can request tokens in platform-operator: ci/token-broker', async () => {
    expect(subjectIds((await whoCan(['create', 'serviceaccounts/token', 'operator', '-n', 'platform-operator', ...IN])).json)).toEqual(withAdmins(
      'ServiceAccount:ci/token-broker',
      'User:system:kube-controller-manager', // bootstrap: create serviceaccounts/token everywhere
    ));
  });

  it('who can patch the namespace secure: nina, through a RoleBinding in secure itself', async () => {
    const r = await whoCan(['patch', 'namespaces', 'secure', ...IN]);
    expect(r.json.query).toMatchObject({ namespace: 'secure', name: 'secure' });
    expect(subjectIds(r.json)).toEqual(withAdmins('User:nina'));
    expect(subjectIds((await whoCan(['patch', 'ns', 'dev', ...IN])).json)).toEqual(withAdmins());
  });

  it('who can proxy to kubelets: judy; not zoe, whose grant is a RoleBinding', async () => {
    expect(subjectIds((await whoCan(['get', 'nodes/proxy', ...IN])).json)).toEqual(withAdmins('User:judy'));
    expect(subjectIds((await whoCan(['get', 'nodes/proxy', '-A', ...IN])).json)).toEqual(withAdmins('User:judy'));
  });

  it('who can bind cluster roles: heidi; quinn only for view', async () => {
    const r = await whoCan(['bind', 'clusterroles', ...IN]);
    expect(subjectIds(r.json)).toEqual(withAdmins('User:heidi'));
    expect(r.json.partial).toEqual([{ subject: 'User:quinn', resourceNames: ['view'] }]);
    expect(subjectIds((await whoCan(['bind', 'clusterroles', 'view', ...IN])).json)).toEqual(withAdmins('User:heidi', 'User:quinn'));
    expect(subjectIds((await whoCan(['bind', 'clusterroles', 'cluster-admin', ...IN])).json)).toEqual(withAdmins('User:heidi'));
  });

  it('who can escalate cluster roles: ivan and the decoy walt (who cannot update one)', async () => {
    expect(subjectIds((await whoCan(['escalate', 'clusterroles', ...IN])).json)).toEqual(withAdmins('User:ivan', 'User:walt'));
    expect(subjectIds((await whoCan(['update', 'clusterroles', ...IN])).json)).toEqual(withAdmins('User:ivan'));
  });

  it('who can approve for the kube-apiserver-client signer: ci/cert-bot, not xena', async () => {
    expect(subjectIds((await whoCan(['approve', 'signers.certificates.k8s.io', 'kubernetes.io/kube-apiserver-client', ...IN])).json)).toEqual(withAdmins('ServiceAccount:ci/cert-bot'));
    expect(subjectIds((await whoCan(['approve', 'signers.certificates.k8s.io', 'kubernetes.io/kubelet-serving', ...IN])).json)).toEqual(withAdmins('User:xena'));
  });

  it('who can patch mutating webhooks: the cert-manager CA injector', async () => {
    expect(subjectIds((await whoCan(['patch', 'mutatingwebhookconfigurations', ...IN])).json)).toEqual(withAdmins('ServiceAccount:cert-manager/cert-manager-cainjector'));
  });

  it('who can create persistent volumes and patch nodes', async () => {
    expect(subjectIds((await whoCan(['create', 'pv', ...IN])).json)).toEqual(withAdmins('User:kim'));
    expect(subjectIds((await whoCan(['patch', 'nodes', 'worker-2', ...IN])).json)).toEqual(withAdmins('User:leo'));
  });

  it('who can get /metrics', async () => {
    const ids = subjectIds((await whoCan(['get', '--non-resource-url', '/metrics', ...IN])).json);
    expect(ids).toContain('ServiceAccount:monitoring/prometheus-k8s');
    expect(ids).toContain('ServiceAccount:platform-operator/operator');
  });
});

describe('can-i on the demo', () => {
  it.each([
    [['create', 'deployments.apps', '-n', 'platform-operator', '--as', 'ServiceAccount:ci/deployer'], 0],
    [['create', 'deployments', '-n', 'platform-operator', '--as', 'system:serviceaccount:ci:deployer'], 0],
    [['create', 'deployments', '-n', 'ci', '--as', 'ServiceAccount:ci/deployer'], 1],
    [['list', 'secrets', '-n', 'kube-system', '--as', 'User:grace'], 0],
    [['list', 'secrets', '-n', 'payments', '--as', 'grace'], 1],
    [['get', 'secrets', 'ca-bundle', '-n', 'kube-system', '--as', 'User:tom'], 0],
    [['get', 'secrets', 'legacy-admin-token', '-n', 'kube-system', '--as', 'User:tom'], 1],
    [['create', 'pods/exec', 'operator-6d9f7c8b5-x2x9k', '-n', 'platform-operator', '--as', 'User:rita'], 1],
    [['create', 'pods/exec', 'operator-6d9f7c8b5-x2x9k', '-n', 'platform-operator', '--as', 'User:erin'], 0],
    [['create', 'pods/exec', '-n', 'platform-operator', '--as', 'User:uma'], 0],
    [['create', 'pods/exec', '-n', 'platform-operator', '--as', 'User:uma', '--kubernetes-version', '1.35'], 1],
    [['impersonate', 'serviceaccounts', 'deployer', '-n', 'ci', '--as', 'User:alice'], 0],
    [['impersonate', 'serviceaccounts', 'operator', '-n', 'platform-operator', '--as', 'User:alice'], 1],
    [['impersonate', 'serviceaccounts', 'operator', '-n', 'platform-operator', '--as', 'Group:sre-oncall'], 0],
    [['impersonate', 'serviceaccounts', 'operator', '-n', 'platform-operator', '--as', 'User:someone', '--as-group', 'sre-oncall'], 0],
    [['get', 'nodes/proxy', 'worker-2', '--as', 'User:judy'], 0],
    [['get', 'nodes/proxy', 'worker-2', '--as', 'User:zoe'], 1],
    [['patch', 'namespaces', 'secure', '--as', 'User:nina'], 0],
    [['patch', 'namespaces', 'dev', '--as', 'User:nina'], 1],
    [['escalate', 'clusterroles', '--as', 'User:walt'], 0],
    [['update', 'clusterroles', 'role-reviewer', '--as', 'User:walt'], 1],
    [['approve', 'signers.certificates.k8s.io', 'kubernetes.io/kube-apiserver-client', '--as', 'User:xena'], 1],
    [['update', 'certificatesigningrequests/approval', 'any-csr', '--as', 'ServiceAccount:ci/cert-bot'], 0],
    [['list', 'secrets', '-n', 'payments', '--as', 'Group:payments-team'], 0],
    [['create', 'rolebindings', '-n', 'staging', '--as', 'Group:legacy-deployers'], 1],
    [['delete', 'nodes', 'worker-1', '--as', 'ServiceAccount:platform-operator/operator'], 0],
    [['get', '--non-resource-url', '/metrics', '--as', 'ServiceAccount:monitoring/prometheus-k8s'], 0],
    [['get', '--non-resource-url', '/version', '--as', 'User:system:anonymous'], 0],
    [['get', '--non-resource-url', '/api', '--as', 'User:system:anonymous'], 1],
    [['get', '--non-resource-url', '/api', '--as', 'User:anyone'], 0],
    [['create', 'pods', '-n', 'secure', '--as', 'User:sam'], 0],
  ] as [string[], number][])('can-i %j → exit %i', async (argv, code) => {
    const r = await canI([...argv, ...IN]);
    expect(r.code).toBe(code);
    expect(r.json.allowed).toBe(code === 0);
  });

  it('--as Node:worker-1 is RBAC only: no, with the NODE_AUTHORIZER warning', async () => {
    const r = await canI(['get', 'secrets', 'stripe-api-key', '-n', 'payments', '--as', 'Node:worker-1', ...IN]);
    expect(r.code).toBe(1);
    expect(r.json.warnings.map((w) => w.code)).toContain('NODE_AUTHORIZER');
  });

  it('the table answer names the binding and role', async () => {
    const r = await runCli(['can-i', 'patch', 'namespaces', 'secure', '--as', 'User:nina', ...IN]);
    expect(r.stdout).toMatch(/^yes\nBINDING\s+ROLE\nRoleBinding:secure\/nina-tenant-admin\s+Role:secure\/tenant-admin\n$/);
  });
});
