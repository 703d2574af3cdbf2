// self-check through the stand-in kube-apiserver: one SelfSubjectAccessReview per permission, missing ones listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neededPermissions } from '../../src/ingest/kube-resources.js';
import { runCli, type CliRun } from '../support/cli.js';
import { READ_ALL, StandInApiServer } from '../support/fake-apiserver.js';

const run = (argv: string[]): Promise<CliRun> => runCli(argv);

describe('stand-in kube-apiserver: self-check', () => {
  let server: StandInApiServer;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await StandInApiServer.start({
      tokens: {
        'full-token': { user: 'full', rules: READ_ALL },
        // Everything but watch on secrets and the aws-auth ConfigMap.
        'partial-token': {
          user: 'partial',
          rules: [
            { verbs: ['list', 'watch'], resources: ['*'] },
            { verbs: ['list'], resources: ['secrets'] },
          ],
        },
      },
    });
    kubeconfig = server.writeKubeconfig(['full-token', 'partial-token']);
  });
  afterAll(async () => {
    await server.close();
  });

  it('stand-in kube-apiserver: full read access: every permission granted, exit 0', async () => {
    const r = await run(['self-check', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.complete).toBe(true);
    expect(out.missing).toEqual([]);
    expect(out.permissions).toHaveLength(neededPermissions().length);
    const reviews = server.log.filter((x) => x.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(reviews.length).toBeGreaterThanOrEqual(neededPermissions().length);
    expect(reviews.every((x) => x.method === 'POST' && x.status === 201)).toBe(true);
  });

  it('stand-in kube-apiserver: a token without get on aws-auth: self-check names what is missing, exit 1', async () => {
    const r = await run(['self-check', '--kubeconfig', kubeconfig, '--context', 'stand-in-partial-token', '-o', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.complete).toBe(false);
    expect(out.missing).toEqual(['get configmaps aws-auth -n kube-system']);
    const table = await run(['self-check', '--kubeconfig', kubeconfig, '--context', 'stand-in-partial-token']);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('1 of');
    expect(table.stdout).toContain('get configmaps aws-auth -n kube-system  (scan)');
  });

  it('stand-in kube-apiserver: --skip-secrets does not ask about secrets', async () => {
    const before = server.log.length;
    const r = await run(['self-check', '--kubeconfig', kubeconfig, '--skip-secrets', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const secrets = out.permissions.filter((p: { resource: string }) => p.resource === 'secrets');
    expect(secrets.map((p: { verb: string; allowed: unknown }) => [p.verb, p.allowed])).toEqual([['list', null], ['watch', null]]);
    expect(server.log.length - before).toBe(neededPermissions().length - 2);
  });
});
