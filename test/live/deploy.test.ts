// deploy/: the manifests parse with rbacgraph's own ingest, grant exactly what the collector asks for, and open no escalation path.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { ingestPaths } from '../../src/ingest/files.js';
import { neededPermissions } from '../../src/ingest/kube-resources.js';
import { RbacIndex } from '../../src/rbac/authorizer.js';
import { resourceRequest } from '../../src/rbac/request.js';
import { identityOf } from '../../src/rbac/subjects.js';

const SA = 'ServiceAccount:rbacgraph/rbacgraph';
const READ_VERBS = new Set(['get', 'list', 'watch']);

describe('deploy/ manifests', () => {
  const { snapshot, warnings } = ingestPaths(['deploy']);
  const index = new RbacIndex(snapshot);
  const user = identityOf(SA);

  it('parse with the project\'s own ingest, without warnings', () => {
    expect(warnings).toEqual([]);
    expect(snapshot.namespaces.map((n) => n.id)).toEqual(['Namespace:rbacgraph']);
    expect(snapshot.serviceAccounts.map((s) => s.id)).toEqual([SA]);
    expect(snapshot.workloads.map((w) => w.id).sort()).toEqual(['CronJob:rbacgraph/rbacgraph-scan', 'Deployment:rbacgraph/rbacgraph']);
    expect(snapshot.bindings.map((b) => b.id).sort()).toEqual(['ClusterRoleBinding:rbacgraph-reader', 'RoleBinding:kube-system/rbacgraph-aws-auth-reader']);
  });

  it('the ClusterRole and Role grant read verbs only, on no subresource, and secrets without get', () => {
    const roles = snapshot.roles.filter((r) => r.id === 'ClusterRole:rbacgraph-reader' || r.id === 'Role:kube-system/rbacgraph-aws-auth-reader');
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      for (const rule of role.rules) {
        for (const v of rule.verbs) expect(READ_VERBS.has(v), `${role.id} grants ${v}`).toBe(true);
        expect(rule.resources.every((r) => !r.includes('/') && r !== '*')).toBe(true);
        expect(rule.apiGroups).not.toContain('*');
        expect(rule.nonResourceURLs).toEqual([]);
      }
    }
    const secretRules = roles.flatMap((r) => r.rules).filter((r) => r.resources.includes('secrets'));
    expect(secretRules).toHaveLength(1);
    expect(secretRules[0].verbs.sort()).toEqual(['list', 'watch']);
    expect(index.authorize(user, resourceRequest('get', '', 'secrets', { name: 'x', namespace: 'default' })).allowed).toBe(false);
    // aws-auth and nothing else among ConfigMaps.
    expect(index.authorize(user, resourceRequest('get', '', 'configmaps', { name: 'aws-auth', namespace: 'kube-system' })).allowed).toBe(true);
    expect(index.authorize(user, resourceRequest('get', '', 'configmaps', { name: 'kubeadm-config', namespace: 'kube-system' })).allowed).toBe(false);
    expect(index.authorize(user, resourceRequest('list', '', 'configmaps', { namespace: 'kube-system' })).allowed).toBe(false);
  });

  it.each(neededPermissions().map((p) => [`${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}${p.name ? ` ${p.name}` : ''}`, p]))(
    'grant what the collector asks: %s',
    (_label, p) => {
      const req = resourceRequest(p.verb, p.group, p.resource, { name: p.name ?? null, namespace: p.namespace ?? null });
      expect(index.authorize(user, req).allowed).toBe(true);
    },
  );

  it('and nothing more: every rule names only kinds the collector reads', () => {
    const needed = new Set(neededPermissions().map((p) => `${p.group}/${p.resource}`));
    const role = snapshot.roles.find((r) => r.id === 'ClusterRole:rbacgraph-reader')!;
    for (const rule of role.rules) {
      for (const g of rule.apiGroups) for (const r of rule.resources) expect(needed.has(`${g}/${r}`), `${g}/${r}`).toBe(true);
    }
  });

  it("rbacgraph's analysis finds no escalation path from rbacgraph's own service account", () => {
    const a = analyze(snapshot);
    expect(a.paths({ from: [SA], to: 'cluster-admin' }).paths).toEqual([]);
    expect(a.paths({ from: [SA], to: 'nodes' }).paths).toEqual([]);
    expect(a.paths({ to: 'cluster-admin' }).paths).toEqual([]);
  });

  it('pods run as non-root with a read-only root filesystem and no capabilities, token mounted', async () => {
    const { parseAllDocuments } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    for (const file of ['deploy/deployment-serve.yaml', 'deploy/cronjob-scan.yaml']) {
      const doc = parseAllDocuments(readFileSync(file, 'utf8'))[0].toJS() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const spec = doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
      expect(spec.serviceAccountName).toBe('rbacgraph');
      expect(spec.automountServiceAccountToken).toBe(true);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.args[0]).toBe(doc.kind === 'CronJob' ? 'scan' : 'serve');
        expect(c.args).toContain('in-cluster');
      }
    }
  });
});
