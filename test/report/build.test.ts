import { describe, expect, it } from 'vitest';
import { buildReport, findingsAtOrAbove, reportFindings, type PathFinding } from '../../src/report/build.js';
import { narrowRule, RemediationPlanner } from '../../src/report/remediation.js';
import { resourceRequest } from '../../src/rbac/request.js';
import { analyzeFixture, CLEAN, CLUSTER } from './support.js';

const report = buildReport(analyzeFixture(CLUSTER));
const paths = report.criticalPaths.flatMap((g) => g.findings);
const pathOf = (start: string, target: string): PathFinding => {
  const f = paths.find((p) => p.start === start && p.target === target);
  if (!f) throw new Error(`no ${target} path from ${start}`);
  return f;
};

describe('critical paths', () => {
  it('lists direct cluster-admin grants first, then the longer paths, grouped by start', () => {
    expect(report.criticalPaths.map((g) => g.start)).toEqual([
      'Group:ops-team', 'ServiceAccount:dev/deployer', 'ServiceAccount:ops/admin-bot', 'User:alice',
      'ServiceAccount:dev/ci', 'ServiceAccount:ops/runner',
    ]);
    for (const start of ['Group:ops-team', 'ServiceAccount:dev/deployer', 'ServiceAccount:ops/admin-bot', 'User:alice']) {
      const f = pathOf(start, 'cluster-admin');
      expect(f).toMatchObject({ direct: true, severity: 'critical', length: 1, techniques: ['RBAC'] });
    }
  });

  it('finds the two-step paths with their techniques and evidence', () => {
    const ci = pathOf('ServiceAccount:dev/ci', 'cluster-admin');
    expect(ci).toMatchObject({ direct: false, severity: 'critical', length: 2, techniques: ['POD_CREATE', 'RBAC'] });
    expect(ci.steps.map((s) => [s.technique, s.to, s.evidence])).toEqual([
      ['POD_CREATE', 'ServiceAccount:dev/deployer', ['RoleBinding:dev/ci', 'Role:dev/pod-creator']],
      ['RBAC', 'cluster-admin', ['ClusterRoleBinding:deployer-admin', 'ClusterRole:everything']],
    ]);
    const runner = pathOf('ServiceAccount:ops/runner', 'cluster-admin');
    expect(runner.techniques).toEqual(['POD_CREATE', 'RBAC']);
    expect(pathOf('ServiceAccount:dev/ci', 'nodes')).toMatchObject({ to: 'Node:worker-1', severity: 'high', techniques: ['POD_CREATE'] });
  });

  it('leaves out harmless subjects and the nodes paths a direct grant already implies', () => {
    const starts = report.criticalPaths.map((g) => g.start);
    expect(starts).not.toContain('User:carol');
    expect(starts).not.toContain('User:bob');
    expect(paths.filter((p) => p.start === 'User:alice').map((p) => p.target)).toEqual(['cluster-admin']);
  });

  it('gives each finding a stable, distinct ID', () => {
    const ids = reportFindings(report).map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^(path|secret|grant)-[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(reportFindings(buildReport(analyzeFixture(CLUSTER))).map((f) => f.id)).toEqual(ids);
  });
});

describe('remediations', () => {
  it('deletes a binding with one subject and removes the subject from a shared one', () => {
    expect(pathOf('ServiceAccount:dev/deployer', 'cluster-admin').remediations).toEqual([
      expect.objectContaining({ action: 'delete-binding', object: 'ClusterRoleBinding:deployer-admin', commands: ['kubectl delete clusterrolebinding deployer-admin'] }),
    ]);
    const team = pathOf('Group:ops-team', 'cluster-admin').remediations;
    expect(team).toHaveLength(1);
    expect(team[0]).toMatchObject({ action: 'remove-subject', object: 'ClusterRoleBinding:ops-admins' });
    expect(team[0].commands[0]).toBe(
      `kubectl patch clusterrolebinding ops-admins --type=json -p '[{"op":"test","path":"/subjects/0/name","value":"ops-team"},{"op":"remove","path":"/subjects/0"}]'`,
    );
  });

  it('names the other bindings that grant the same step', () => {
    // alice is bound to cluster-admin twice; the path shows one binding, the fix names the other.
    const alice = pathOf('User:alice', 'cluster-admin').remediations;
    expect(alice).toHaveLength(1);
    expect(alice[0]).toMatchObject({ action: 'delete-binding', object: 'ClusterRoleBinding:alice-admin' });
    expect(alice[0].summary).toContain('also holds this through ClusterRoleBinding:ops-admins');
    expect(pathOf('ServiceAccount:dev/deployer', 'cluster-admin').remediations[0].summary).not.toContain('also holds');
  });

  it('narrows a rule by splitting off the dangerous verb, and names the Pod Security label', () => {
    const r = pathOf('ServiceAccount:dev/ci', 'nodes').remediations;
    expect(r.map((x) => [x.action, x.object])).toEqual([
      ['delete-binding', 'RoleBinding:dev/ci'],
      ['narrow-rules', 'Role:dev/pod-creator'],
      ['enforce-pod-security', 'Namespace:dev'],
    ]);
    expect(r[0].commands).toEqual(['kubectl -n dev delete rolebinding ci']);
    const patch = JSON.parse(/-p '(.*)'$/.exec(r[1].commands[0])![1]);
    expect(patch).toEqual([
      { op: 'test', path: '/rules/0/verbs', value: ['create', 'get', 'list'] },
      { op: 'test', path: '/rules/0/resources', value: ['pods', 'configmaps'] },
      { op: 'remove', path: '/rules/0' },
      { op: 'add', path: '/rules/0', value: { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] } },
      { op: 'add', path: '/rules/1', value: { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list'] } },
    ]);
    expect(r[2].commands).toEqual(['kubectl label namespace dev pod-security.kubernetes.io/enforce=baseline']);
  });

  it('narrows the source of an aggregated role, not the aggregate', () => {
    const r = pathOf('ServiceAccount:ops/runner', 'cluster-admin').remediations;
    const narrow = r.find((x) => x.action === 'narrow-rules')!;
    expect(narrow.object).toBe('ClusterRole:deploy-maker');
    const patch = JSON.parse(/-p '(.*)'$/.exec(narrow.commands[0])![1]);
    expect(patch.at(-1)).toEqual({ op: 'add', path: '/rules/0', value: { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'] } });
  });

  it('names the pod spec field for NODE_ESCAPE and the token mount for RUNS_AS, on the top-level controller', () => {
    const p = new RemediationPlanner(analyzeFixture(CLUSTER));
    const escape = p.forStep({ technique: 'NODE_ESCAPE', from: 'Pod:payments/api-5d9f-x1', to: 'Node:worker-1', evidence: ['Pod:payments/api-5d9f-x1'], explanation: '' });
    expect(escape).toEqual([expect.objectContaining({ action: 'edit-pod-spec', object: 'Deployment:payments/api' })]);
    expect(escape[0].commands).toEqual([
      `kubectl -n payments patch deployment api -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":false}}]}}}}'`,
    ]);
    expect(escape[0].patch).toContain('privileged: false');
    const token = p.forStep({ technique: 'RUNS_AS', from: 'Deployment:payments/api', to: 'ServiceAccount:payments/api', evidence: ['Deployment:payments/api'], explanation: '' });
    expect(token).toEqual([expect.objectContaining({ action: 'disable-token-automount', object: 'Deployment:payments/api' })]);
  });

  it.each([
    { name: 'only the dangerous pair', verbs: ['create'], resources: ['pods'], rest: [] },
    { name: 'other verbs stay', verbs: ['create', 'get'], resources: ['pods'], rest: [{ verbs: ['get'], resources: ['pods'] }] },
    { name: 'other resources keep every verb', verbs: ['create'], resources: ['pods', 'configmaps'], rest: [{ verbs: ['create'], resources: ['configmaps'] }] },
    { name: 'pods/* is a literal, not pods', verbs: ['create'], resources: ['pods/*'], rest: null },
  ])('narrowRule: $name', ({ verbs, resources, rest }) => {
    const rule = { verbs, apiGroups: [''], resources, resourceNames: [], nonResourceURLs: [] };
    const n = narrowRule(rule, [resourceRequest('create', '', 'pods')]);
    if (rest === null) {
      expect(n.removed).toEqual([]);
      return;
    }
    expect(n.rest?.map((r) => ({ verbs: r.verbs, resources: r.resources }))).toEqual(rest);
  });

  it('cannot narrow a resource wildcard mechanically', () => {
    const rule = { verbs: ['create'], apiGroups: [''], resources: ['*'], resourceNames: [], nonResourceURLs: [] };
    expect(narrowRule(rule, [resourceRequest('create', '', 'pods')])).toEqual({ removed: ['create on every resource'], rest: null });
  });
});

describe('exposed secrets and dangerous grants', () => {
  it('ranks the secret a non-admin can read, with that reader as the example', () => {
    expect(report.exposedSecrets).toHaveLength(1);
    const s = report.exposedSecrets[0];
    expect(s).toMatchObject({ secret: 'Secret:payments/stripe-key', readers: 7, viaClusterAdmin: 6, everyone: false, severity: 'high' });
    expect(s.example?.from).toBe('User:bob');
    expect(s.example?.steps.map((x) => x.technique)).toEqual(['SECRET_READ']);
    expect(s.remediations.map((r) => [r.action, r.object])).toEqual([
      ['delete-binding', 'RoleBinding:payments/read-secrets'],
      ['narrow-rules', 'Role:payments/secret-reader'],
    ]);
  });

  it('counts the paths through each binding and lists the most used first', () => {
    expect(report.dangerousGrants.map((g) => [g.binding, g.paths, g.techniques])).toEqual([
      ['ClusterRoleBinding:bot-admin', 2, ['RBAC']],
      ['ClusterRoleBinding:deployer-admin', 2, ['RBAC']],
      ['RoleBinding:dev/ci', 2, ['POD_CREATE']],
      ['RoleBinding:ops/runner-deploy', 2, ['POD_CREATE']],
      ['ClusterRoleBinding:alice-admin', 1, ['RBAC']],
      ['ClusterRoleBinding:ops-admins', 1, ['RBAC']],
    ]);
    expect(report.dangerousGrants[1].starts).toEqual(['ServiceAccount:dev/ci', 'ServiceAccount:dev/deployer']);
    // A cluster-admin grant is fixed by the binding; narrowing one technique out of it would mean nothing.
    expect(report.dangerousGrants[0].remediations.map((r) => r.action)).toEqual(['delete-binding']);
  });

  it('honours --top and summarises by severity', () => {
    const small = buildReport(analyzeFixture(CLUSTER), { top: 2 });
    expect(small.dangerousGrants).toHaveLength(2);
    expect(report.summary).toMatchObject({ reachClusterAdmin: 6, directClusterAdmin: 4, exposedSecrets: 1, secrets: 1, maxSeverity: 'critical' });
    const total = Object.values(report.summary.bySeverity).reduce((a, b) => a + b, 0);
    expect(total).toBe(report.summary.findings);
    expect(findingsAtOrAbove(report, 'critical').every((f) => f.severity === 'critical')).toBe(true);
  });

  it('finds nothing in a cluster without dangerous grants', () => {
    const clean = buildReport(analyzeFixture(CLEAN));
    expect(reportFindings(clean)).toEqual([]);
    expect(clean.summary.maxSeverity).toBeNull();
  });
});
