// Live scans through the stand-in kube-apiserver: same snapshot as the files, metadata-only secrets, coverage gaps, retries.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/files.js';
import { collectSnapshot } from '../../src/ingest/kube.js';
import { resolveCluster } from '../../src/ingest/kube-config.js';
import { runCli } from '../support/cli.js';
import { READ_ALL, StandInApiServer, type TokenRule } from '../support/fake-apiserver.js';

const FIXTURE = 'test/fixtures/live/cluster';
const DEMO = 'fixtures/demo';
const MARKER = 'STANDIN-SECRET-VALUE';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const run = (argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> => runCli(argv, { env });

const ALL_BUT_PODS: TokenRule[] = [
  { verbs: ['get', 'list', 'watch'], resources: ['namespaces', 'nodes', 'serviceaccounts', 'secrets', 'persistentvolumes', 'persistentvolumeclaims', 'replicationcontrollers', 'configmaps'] },
  { verbs: ['list', 'watch'], resources: ['roles.rbac.authorization.k8s.io', 'clusterroles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io'] },
  { verbs: ['list', 'watch'], resources: ['networkpolicies.networking.k8s.io', 'mutatingwebhookconfigurations.admissionregistration.k8s.io', 'validatingwebhookconfigurations.admissionregistration.k8s.io'] },
  { verbs: ['list', 'watch'], resources: ['deployments.apps', 'daemonsets.apps', 'statefulsets.apps', 'replicasets.apps', 'jobs.batch', 'cronjobs.batch'] },
];

describe('stand-in kube-apiserver: scan --kubeconfig', () => {
  let server: StandInApiServer;
  let kubeconfig: string;
  let work: string;
  const fileHash = ingestPaths([FIXTURE]).snapshot.hash;

  beforeAll(async () => {
    server = await StandInApiServer.start({
      fixtures: [FIXTURE],
      tokens: {
        'reader-token': { user: 'reader', rules: READ_ALL },
        'no-pods-token': { user: 'no-pods', rules: ALL_BUT_PODS },
      },
    });
    kubeconfig = server.writeKubeconfig(['reader-token', 'no-pods-token']);
    work = mkdtempSync(join(tmpdir(), 'rbacgraph-live-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it.each([1, 2, 500])('stand-in kube-apiserver: a scan with page size %i equals a scan of the same files (content hash)', async (pageSize) => {
    const before = server.log.length;
    const live = await run(['scan', '--kubeconfig', kubeconfig, '--page-size', String(pageSize), '-o', 'json']);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    const files = await run(['scan', '--input', FIXTURE, '-o', 'json']);
    expect(files.code).toBe(0);
    const l = JSON.parse(live.stdout);
    const f = JSON.parse(files.stdout);
    expect(l.snapshot).toBe(fileHash);
    expect(l.snapshot).toBe(f.snapshot);
    expect(l.counts).toEqual(f.counts);
    expect(l.kubernetesVersion).toBe('v1.30.2');
    expect(l.coverage).toEqual([]);
    expect(l.source).toMatchObject({ type: 'cluster', server: server.url, context: 'stand-in-reader-token' });
    // Paging as asked: every list carried the limit, and small pages were continued.
    const lists = server.log.slice(before).filter((r) => r.verb === 'list');
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.limit === String(pageSize))).toBe(true);
    const continued = lists.filter((r) => r.query.continue);
    if (pageSize < 3) expect(continued.length).toBeGreaterThan(5);
    else expect(continued).toEqual([]);
  });

  it('stand-in kube-apiserver: every secrets request asks for metadata only, and no secret value reaches any output', async () => {
    const before = server.log.length;
    const out = join(work, 'snap.json');
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--page-size', '2', '--out', out, '-o', 'json']);
    expect(r.code).toBe(0);
    const secretRequests = server.log.slice(before).filter((x) => x.resource === 'secrets');
    expect(secretRequests.length).toBeGreaterThanOrEqual(3); // two lists, paged by 2 over 5 secrets
    for (const x of secretRequests) {
      expect(x.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
      expect(x.verb).toBe('list');
    }
    // Token secrets are listed apart, so that their type is known.
    expect(secretRequests.some((x) => x.query.fieldSelector === 'type=kubernetes.io/service-account-token')).toBe(true);
    const written = readFileSync(out, 'utf8');
    const table = await run(['scan', '--kubeconfig', kubeconfig]);
    const values = server.secretValues();
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const text of [r.stdout, r.stderr, written, table.stdout, table.stderr]) {
      expect(text).not.toContain(MARKER);
      for (const v of values) expect(text).not.toContain(v);
    }
    // The token secrets keep their type; last-applied-configuration (which holds the values) is gone.
    const snap = JSON.parse(written);
    const secrets = snap.objects.secrets as { id: string; type: string | null; annotations: Record<string, string> }[];
    expect(secrets.map((s) => [s.id, s.type])).toEqual([
      ['Secret:dev/ci-token', 'kubernetes.io/service-account-token'],
      ['Secret:dev/plain', null],
      ['Secret:kube-system/prometheus-token', 'kubernetes.io/service-account-token'],
      ['Secret:prod/db-creds', null],
      ['Secret:prod/registry', null],
    ]);
    expect(secrets.find((s) => s.id === 'Secret:prod/db-creds')!.annotations).toEqual({ owner: 'payments' });
  });

  it('stand-in kube-apiserver: --out writes the snapshot atomically, and --input reads it back with the same ID', async () => {
    const out = join(work, 'roundtrip.json');
    writeFileSync(out, 'old content');
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--out', out, '--cluster', 'stand-in-test', '--env', 'staging', '-o', 'json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ snapshot: fileHash, cluster: 'stand-in-test', env: 'staging', out });
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const back = await run(['scan', '--input', out, '-o', 'json']);
    expect(JSON.parse(back.stdout).snapshot).toBe(fileHash);
    // Any command takes the written snapshot as input.
    const who = await run(['who-can', 'list', 'secrets', '-n', 'prod', '--input', out, '-o', 'json']);
    expect(JSON.parse(who.stdout).subjects.map((s: { subject: string }) => s.subject)).toContain('Group:oncall');
  });

  it('stand-in kube-apiserver: a token that may not list pods: the scan finishes, coverage and a warning say pods are missing', async () => {
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--context', 'stand-in-no-pods-token', '-o', 'json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.coverage).toEqual([{ kind: 'Pod', status: 'forbidden', message: expect.stringContaining('403') }]);
    expect(s.counts.Pod).toBe(0);
    expect(s.counts.Deployment).toBe(1);
    const w = s.warnings.filter((x: { code: string }) => x.code === 'COVERAGE_FORBIDDEN');
    expect(w).toHaveLength(1);
    expect(w[0].message).toMatch(/^Pod objects are missing/);
    expect(w[0].message).toContain('may be incomplete');
    expect(r.stderr).toContain('Pod objects are missing');
    // The snapshot records the gap, so its ID differs from a complete scan's.
    expect(s.snapshot).not.toBe(fileHash);
    // Every command prints the warning when it reads the cluster.
    const paths = await run(['paths', '--kubeconfig', kubeconfig, '--context', 'stand-in-no-pods-token', '-o', 'json']);
    expect(paths.code).toBe(0);
    expect(JSON.parse(paths.stdout).warnings.map((x: { code: string }) => x.code)).toContain('COVERAGE_FORBIDDEN');
    // --strict makes the gap fatal.
    const strict = await run(['scan', '--kubeconfig', kubeconfig, '--context', 'stand-in-no-pods-token', '--strict']);
    expect(strict.code).toBe(2);
  });

  it('stand-in kube-apiserver: 429 with Retry-After is retried after the time it asks, and 503 is retried with backoff', async () => {
    server.failNext('pods', { status: 429, retryAfter: 1, times: 2 });
    server.failNext('roles.rbac.authorization.k8s.io', { status: 503, times: 2 });
    const before = server.log.length;
    const t0 = Date.now();
    const r = await run(['scan', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).snapshot).toBe(fileHash);
    expect(JSON.parse(r.stdout).source.retries).toBe(4);
    const pods = server.log.slice(before).filter((x) => x.resource === 'pods');
    expect(pods.map((x) => x.status)).toEqual([429, 429, 200]);
    expect(pods[1].at - pods[0].at).toBeGreaterThanOrEqual(950);
    expect(pods[2].at - pods[1].at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    const roles = server.log.slice(before).filter((x) => x.resource === 'roles.rbac.authorization.k8s.io');
    expect(roles.map((x) => x.status)).toEqual([503, 503, 200]);
  });

  it('stand-in kube-apiserver: a continue token that expires (410) restarts that list, without duplicates', async () => {
    server.failNext('serviceaccounts', { status: 410, times: 1, onlyContinued: true });
    const before = server.log.length;
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--page-size', '1', '-o', 'json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.snapshot).toBe(fileHash);
    expect(s.warnings).toEqual([]);
    const sa = server.log.slice(before).filter((x) => x.resource === 'serviceaccounts');
    expect(sa.map((x) => x.status)).toContain(410);
    expect(sa.filter((x) => !x.query.continue)).toHaveLength(2); // started twice
  });

  it('stand-in kube-apiserver: too many 429s within --request-timeout become an error gap, not a crash', async () => {
    server.failNext('nodes', { status: 429, retryAfter: 30, times: 1 });
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--request-timeout', '5s', '-o', 'json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.coverage).toEqual([{ kind: 'Node', status: 'error', message: expect.stringContaining('429') }]);
    expect(s.warnings.map((w: { code: string }) => w.code)).toEqual(['COVERAGE_ERROR']);
  });

  it('stand-in kube-apiserver: KUBECONFIG and --context select the cluster as kubectl does', async () => {
    const r = await run(['scan', '--context', 'stand-in-no-pods-token', '-o', 'json'], { KUBECONFIG: kubeconfig });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).source.context).toBe('stand-in-no-pods-token');
    const bad = await run(['scan', '--kubeconfig', kubeconfig, '--context', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('context "nope" is not in the kubeconfig');
  });

  it('stand-in kube-apiserver: in-cluster config (service account token and CA files, KUBERNETES_SERVICE_HOST)', async () => {
    const dir = join(work, 'serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), 'reader-token');
    copyFileSync(server.caFile, join(dir, 'ca.crt'));
    const port = new URL(server.url).port;
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port };
    const explicit = resolveCluster({ kubeconfig: 'in-cluster', env, serviceAccountDir: dir });
    expect(explicit.inCluster).toBe(true);
    expect((await collectSnapshot({ cluster: explicit })).snapshot.hash).toBe(fileHash);
    // Without a kubeconfig anywhere, the default rules fall back to the pod's account.
    const fallback = resolveCluster({ env, serviceAccountDir: dir });
    expect(fallback.inCluster).toBe(true);
    expect((await collectSnapshot({ cluster: fallback, pageSize: 3 })).snapshot.hash).toBe(fileHash);
  });

  it('stand-in kube-apiserver: a progress line on a terminal, cleared at the end; none otherwise', async () => {
    const { code, stderr } = await runCli(['scan', '--kubeconfig', kubeconfig, '--page-size', '1', '-o', 'json'], { isTTY: true });
    expect(code).toBe(0);
    expect(stderr).toContain('\r\x1b[2Kscanning ');
    expect(stderr).toMatch(/scanning \d+\/23 kinds, \d+ objects/);
    expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect((await run(['scan', '--kubeconfig', kubeconfig])).stderr).toBe('');
  });

  it('stand-in kube-apiserver: --store is refused until the history store exists', async () => {
    const r = await run(['scan', '--kubeconfig', kubeconfig, '--store', join(work, 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('history store is not available');
  });
});

describe('stand-in kube-apiserver: failures that end a scan', () => {
  it('stand-in kube-apiserver: an unknown token is a clear 401 error (exit 2)', async () => {
    const server = await StandInApiServer.start({ fixtures: [FIXTURE] });
    try {
      const r = await run(['scan', '--kubeconfig', server.writeKubeconfig('wrong-token')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('rejected the credentials');
      expect(r.stderr).toContain('401');
      expect(server.log.every((x) => x.status === 401)).toBe(true);
      expect(server.log).toHaveLength(1); // no retries of a 401
    } finally {
      await server.close();
    }
  });

  it('a kubeconfig that does not parse: exit 2 naming the place, never quoting its lines (they hold tokens)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbacgraph-kc-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(file, 'apiVersion: v1\nusers:\n- name: u\n  user:\n    token: TOKEN-MUST-NOT-PRINT\n   bad: : x\n');
      const r = await run(['scan', '--kubeconfig', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot be read: bad indentation');
      expect(r.stderr).not.toContain('TOKEN-MUST-NOT-PRINT');
      const missing = await run(['scan', '--kubeconfig', join(dir, 'nope')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('kubeconfig not found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stand-in kube-apiserver: an untrusted certificate is a clear TLS error (exit 2)', async () => {
    const server = await StandInApiServer.start({ fixtures: [FIXTURE] });
    try {
      const file = join(server.dir, 'no-ca.json');
      writeFileSync(file, JSON.stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
        clusters: [{ name: 'c', cluster: { server: server.url } }],
        users: [{ name: 'u', user: { token: 'reader-token' } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      }));
      const r = await run(['scan', '--kubeconfig', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/TLS with 127\.0\.0\.1:\d+ failed/);
      expect(r.stderr).toContain('certificate-authority');
    } finally {
      await server.close();
    }
  });

  it('stand-in kube-apiserver: a server that is gone: retries until --request-timeout, then exit 2', async () => {
    const server = await StandInApiServer.start({ fixtures: [FIXTURE] });
    const file = join(tmpdir(), `rbacgraph-gone-${process.pid}.json`);
    writeFileSync(file, readFileSync(server.writeKubeconfig('reader-token')));
    const ca = join(tmpdir(), `rbacgraph-gone-ca-${process.pid}.crt`);
    copyFileSync(server.caFile, ca);
    writeFileSync(file, readFileSync(file, 'utf8').replace(server.caFile, ca));
    await server.close();
    try {
      const t0 = Date.now();
      const r = await run(['scan', '--kubeconfig', file, '--request-timeout', '2s']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ECONNREFUSED');
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      rmSync(file, { force: true });
      rmSync(ca, { force: true });
    }
  });

  it('stand-in kube-apiserver: a kind the server does not serve (404) is a not-found gap', async () => {
    const server = await StandInApiServer.start({ fixtures: [FIXTURE], missing: ['cronjobs.batch'] });
    try {
      const r = await run(['scan', '--kubeconfig', server.writeKubeconfig('reader-token'), '-o', 'json']);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(s.coverage).toEqual([{ kind: 'CronJob', status: 'not-found', message: expect.stringContaining('404') }]);
      expect(s.warnings.map((w: { code: string }) => w.code)).toEqual(['COVERAGE_NOT_FOUND']);
    } finally {
      await server.close();
    }
  });

  it('stand-in kube-apiserver: --skip-secrets never asks for secrets and records the choice', async () => {
    const server = await StandInApiServer.start({ fixtures: [FIXTURE] });
    try {
      const r = await run(['scan', '--kubeconfig', server.writeKubeconfig('reader-token'), '--skip-secrets', '-o', 'json']);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(server.log.filter((x) => x.resource === 'secrets')).toEqual([]);
      expect(s.counts.Secret).toBe(0);
      expect(s.coverage).toEqual([expect.objectContaining({ kind: 'Secret', status: 'skipped' })]);
      expect(s.warnings).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!existsSync(DEMO))('stand-in kube-apiserver: the demo cluster', () => {
  it('stand-in kube-apiserver: a scan of fixtures/demo served live equals the file scan, page sizes 1 and 500', async () => {
    const server = await StandInApiServer.start({ fixtures: [DEMO] });
    try {
      const kc = server.writeKubeconfig('reader-token');
      const files = await run(['scan', '--input', DEMO, '-o', 'json']);
      for (const size of ['1', '500']) {
        const live = await run(['scan', '--kubeconfig', kc, '--page-size', size, '-o', 'json']);
        expect(live.code).toBe(0);
        expect(JSON.parse(live.stdout).snapshot).toBe(JSON.parse(files.stdout).snapshot);
        // Short values ("admin") may be names too; long ones must never appear.
        for (const v of server.secretValues().filter((x) => x.length >= 12)) expect(live.stdout + live.stderr).not.toContain(v);
      }
    } finally {
      await server.close();
    }
  });
});
