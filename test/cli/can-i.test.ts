// `rbacgraph can-i` as interface.md sections 3 and 5 specify it: identities, implicit groups, --as-group, exit codes.
import { describe, expect, it } from 'vitest';
import { canI, runCli } from '../support/cli.js';

const IN = ['--input', 'test/cli/fixtures/cluster.yaml'];

describe('can-i: answer and exit code', () => {
  it('allowed: exit 0, JSON {allowed: true, via}', async () => {
    const r = await canI(['get', 'secrets', '-n', 'ns1', '--as', 'User:bob', ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.allowed).toBe(true);
    expect(r.json.via).toEqual([{ binding: 'RoleBinding:ns1/read-secrets', role: 'ClusterRole:secret-reader' }]);
    expect(r.json.warnings).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it('not allowed: exit 1, JSON {allowed: false, via: []}', async () => {
    const r = await canI(['get', 'secrets', '-n', 'ns2', '--as', 'User:dave', ...IN]);
    expect(r.code).toBe(1);
    expect(r.json.allowed).toBe(false);
    expect(r.json.via).toEqual([]);
  });

  it('table output prints yes/no, then the bindings that allow it', async () => {
    const yes = await runCli(['can-i', 'get', 'secrets', '-n', 'ns1', '--as', 'User:bob', ...IN]);
    expect(yes.code).toBe(0);
    expect(yes.stdout.split('\n').slice(0, 3)).toEqual(['yes', expect.stringMatching(/^BINDING\s+ROLE$/), expect.stringMatching(/^RoleBinding:ns1\/read-secrets\s+ClusterRole:secret-reader$/)]);
    const no = await runCli(['can-i', 'get', 'secrets', '-n', 'ns2', '--as', 'User:dave', ...IN]);
    expect(no).toEqual({ code: 1, stdout: 'no\n', stderr: '' });
  });

  it('markdown output prints the bindings as a Markdown table', async () => {
    const r = await runCli(['can-i', 'get', 'secrets', '-n', 'ns1', '--as', 'User:bob', '-o', 'markdown', ...IN]);
    expect(r.stdout).toBe('yes\n| BINDING | ROLE |\n|---|---|\n| RoleBinding:ns1/read-secrets | ClusterRole:secret-reader |\n');
  });

  it('a subject unknown to the input is evaluated normally (usually no, exit 1)', async () => {
    const r = await canI(['get', 'pods', '-n', 'ns1', '--as', 'User:nobody-knows-me', ...IN]);
    expect([r.code, r.json.allowed]).toEqual([1, false]);
  });

  it('a request with NAME matches rules limited to that name', async () => {
    expect((await canI(['get', 'secrets', 'app-config', '-n', 'ns1', '--as', 'User:dave', ...IN])).code).toBe(0);
    expect((await canI(['get', 'secrets', 'other', '-n', 'ns1', '--as', 'User:dave', ...IN])).code).toBe(1);
    expect((await canI(['get', 'secrets', '-n', 'ns1', '--as', 'User:dave', ...IN])).code).toBe(1);
    expect((await canI(['create', 'serviceaccounts/token', 'ci', '-n', 'ns2', '--as', 'User:tina', ...IN])).code).toBe(0);
  });

  it('resource.group, resource/subresource and short names', async () => {
    const as = ['--as', 'ServiceAccount:ns2/ci', ...IN];
    expect((await canI(['create', 'deployments.apps', '-n', 'ns2', ...as])).code).toBe(0);
    expect((await canI(['create', 'deploy', '-n', 'ns2', ...as])).code).toBe(0);
    expect((await canI(['update', 'deployments.apps/scale', '-n', 'ns2', ...as])).code).toBe(0);
    expect((await canI(['update', 'deployments/scale', '-n', 'ns2', ...as])).code).toBe(0);
    expect((await canI(['create', 'deployments.extensions', '-n', 'ns2', ...as])).code).toBe(1);
    expect((await canI(['create', 'deployments', '-n', 'ns1', ...as])).code).toBe(1);
    expect((await canI(['get', 'cm', '-n', 'ns2', ...as])).code).toBe(0);
  });

  it('get namespaces foo is evaluated in namespace foo', async () => {
    expect((await canI(['get', 'namespaces', 'foo', '--as', 'User:gina', ...IN])).code).toBe(0);
    expect((await canI(['get', 'namespaces', 'ns1', '--as', 'User:gina', ...IN])).code).toBe(1);
    expect((await canI(['get', 'namespaces', 'foo', '-n', 'ns1', '--as', 'User:gina', ...IN])).code).toBe(0);
    // Without a name the request is on the collection, which has no namespace: foo's RoleBindings do not apply.
    expect((await canI(['get', 'namespaces', '-n', 'foo', '--as', 'User:gina', ...IN])).code).toBe(1);
  });

  it('--non-resource-url', async () => {
    const r = await canI(['get', '--non-resource-url', '/metrics', '--as', 'Group:monitoring', ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.via).toEqual([{ binding: 'ClusterRoleBinding:monitoring-metrics', role: 'ClusterRole:metrics' }]);
    expect((await canI(['get', '--non-resource-url', '/metrics', '--as', 'User:bob', ...IN])).code).toBe(1);
  });

  it('pods/exec: a get grant counts for create before 1.35, not from 1.35 on', async () => {
    const before = await canI(['create', 'pods/exec', '-n', 'ns1', '--as', 'User:frank', ...IN]);
    expect(before.code).toBe(0);
    expect(before.json.via).toEqual([{ binding: 'RoleBinding:ns1/exec-get', role: 'Role:ns1/exec-get', verb: 'get' }]);
    expect((await canI(['create', 'pods/exec', '-n', 'ns1', '--as', 'User:frank', '--kubernetes-version', '1.35', ...IN])).code).toBe(1);
    expect((await canI(['create', 'pods/exec', '-n', 'ns1', '--as', 'User:erin', '--kubernetes-version', '1.35', ...IN])).code).toBe(0);
  });
});

describe('can-i --as: identities and their implicit groups', () => {
  it.each([
    ['ServiceAccount:ns1/reader'],
    ['system:serviceaccount:ns1:reader'],
  ])('%s is the service account ns1/reader', async (as) => {
    const r = await canI(['list', 'secrets', '-n', 'ns1', '--as', as, ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.via.map((v) => v.binding)).toEqual(['RoleBinding:ns1/read-secrets']);
  });

  it.each([['User:bob'], ['bob']])('%s is the user bob', async (as) => {
    expect((await canI(['get', 'secrets', '-n', 'ns2', '--as', as, ...IN])).code).toBe(0);
  });

  it('a user name may contain colons', async () => {
    const r = await canI(['get', '--non-resource-url', '/version', '--as', 'oidc:alice@example.com', ...IN]);
    expect(r.code).toBe(0);
  });

  it('a service account is in system:serviceaccounts:<ns> (and system:authenticated)', async () => {
    expect((await canI(['get', 'configmaps', '-n', 'ns2', '--as', 'ServiceAccount:ns2/ci', ...IN])).json.via).toEqual([{ binding: 'RoleBinding:ns2/ns2-sas-read-configmaps', role: 'ClusterRole:configmap-reader' }]);
    // Any service account of ns2, even one not in the input.
    expect((await canI(['get', 'configmaps', '-n', 'ns2', '--as', 'system:serviceaccount:ns2:whoever', ...IN])).code).toBe(0);
    expect((await canI(['get', 'configmaps', '-n', 'ns2', '--as', 'ServiceAccount:ns1/reader', ...IN])).code).toBe(1);
    expect((await canI(['get', '--non-resource-url', '/version', '--as', 'ServiceAccount:ns2/ci', ...IN])).code).toBe(0);
  });

  it('every user is in system:authenticated, except system:anonymous, which is in system:unauthenticated', async () => {
    expect((await canI(['get', '--non-resource-url', '/version', '--as', 'User:anyone', ...IN])).code).toBe(0);
    expect((await canI(['get', '--non-resource-url', '/healthz', '--as', 'User:anyone', ...IN])).code).toBe(1);
    expect((await canI(['get', '--non-resource-url', '/version', '--as', 'User:system:anonymous', ...IN])).code).toBe(1);
    expect((await canI(['get', '--non-resource-url', '/healthz', '--as', 'User:system:anonymous', ...IN])).code).toBe(0);
  });

  it('--as Group:G is an unnamed user in G and system:authenticated', async () => {
    expect((await canI(['get', 'secrets', '-n', 'ns1', '--as', 'Group:team-a', ...IN])).code).toBe(0);
    expect((await canI(['get', '--non-resource-url', '/version', '--as', 'Group:team-a', ...IN])).code).toBe(0);
    expect((await canI(['get', 'secrets', '-n', 'ns2', '--as', 'Group:team-a', ...IN])).code).toBe(1);
  });

  it('Group:system:masters is allowed everything', async () => {
    const r = await canI(['delete', 'nodes', '--as', 'Group:system:masters', ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.via).toEqual([{ binding: null, role: null, note: expect.any(String) }]);
  });

  it('--as Node:n is user system:node:n in system:nodes, RBAC only, with a warning', async () => {
    const r = await canI(['list', 'nodes', '--as', 'Node:worker-1', ...IN]);
    expect(r.code).toBe(0);
    expect(r.json.via.map((v) => v.binding)).toEqual(['ClusterRoleBinding:nodes-read-nodes']);
    expect(r.json.warnings.map((w) => w.code)).toEqual(['NODE_AUTHORIZER']);
    expect(r.stderr).toContain('Node:worker-1');
    // The warning is a warning: --strict makes it exit 2.
    expect((await runCli(['can-i', 'list', 'nodes', '--as', 'Node:worker-1', '--strict', ...IN])).code).toBe(2);
  });
});

describe('can-i --as-group', () => {
  it('adds groups, as kubectl --as-group does', async () => {
    expect((await canI(['get', 'configmaps', '-n', 'ns1', '--as', 'User:zoe', ...IN])).code).toBe(1);
    expect((await canI(['get', 'configmaps', '-n', 'ns1', '--as', 'User:zoe', '--as-group', 'auditors', ...IN])).code).toBe(0);
  });

  it('is repeatable', async () => {
    const r = await canI(['get', 'configmaps', '-n', 'ns1', '--as', 'User:zoe', '--as-group', 'nobody', '--as-group', 'auditors', ...IN]);
    expect(r.code).toBe(0);
  });

  it('the groups are exactly those listed plus system:authenticated: a service account loses its implicit groups', async () => {
    const as = ['--as', 'ServiceAccount:ns2/ci', '--as-group', 'auditors', ...IN];
    expect((await canI(['get', 'configmaps', '-n', 'ns2', ...as])).code).toBe(1); // system:serviceaccounts:ns2 not added
    expect((await canI(['get', 'configmaps', '-n', 'ns1', ...as])).code).toBe(0); // auditors
    expect((await canI(['get', '--non-resource-url', '/version', ...as])).code).toBe(0); // system:authenticated
    expect((await canI(['create', 'deployments', '-n', 'ns2', ...as])).code).toBe(0); // the service account's own binding
  });

  it('an explicit --as-group of the implicit group keeps it', async () => {
    const r = await canI(['get', 'configmaps', '-n', 'ns2', '--as', 'ServiceAccount:ns2/ci', '--as-group', 'system:serviceaccounts:ns2', ...IN]);
    expect(r.code).toBe(0);
  });
});
