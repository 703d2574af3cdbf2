// Watch mode through the stand-in kube-apiserver: drift events within seconds, relist after 410 Gone, metadata-only secrets.
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { registerWatch, startLiveWatch, type LiveWatch, type WatchOutput } from '../../src/cli/watch.js';
import { ingestPaths } from '../../src/ingest/files.js';
import { collectSnapshot } from '../../src/ingest/kube.js';
import { resolveCluster } from '../../src/ingest/kube-config.js';
import { ClusterWatcher } from '../../src/ingest/kube-watch.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { ADMIN_BINDING, READ_ALL, StandInApiServer } from '../support/fake-apiserver.js';

const FIXTURE = 'test/fixtures/live/cluster';

function io(env: Record<string, string | undefined> = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), stdin: () => '', isTTY: false, env };
}

async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const WATCHABLE_BUT_PODS = [
  'namespaces', 'nodes', 'serviceaccounts', 'secrets', 'configmaps', 'persistentvolumes', 'persistentvolumeclaims', 'replicationcontrollers',
  'roles.rbac.authorization.k8s.io', 'clusterroles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io',
  'clusterrolebindings.rbac.authorization.k8s.io', 'networkpolicies.networking.k8s.io',
  'mutatingwebhookconfigurations.admissionregistration.k8s.io', 'validatingwebhookconfigurations.admissionregistration.k8s.io',
  'deployments.apps', 'daemonsets.apps', 'statefulsets.apps', 'replicasets.apps', 'jobs.batch', 'cronjobs.batch',
];


describe('stand-in kube-apiserver: watch mode', () => {
  let server: StandInApiServer;
  let kubeconfig: string;
  let live: LiveWatch | null = null;
  const events: WatchOutput[] = [];

  beforeEach(async () => {
    server = await StandInApiServer.start({
      fixtures: [FIXTURE],
      bookmarkIntervalMs: 200,
      tokens: {
        'reader-token': { user: 'reader', rules: READ_ALL },
        // May list everything, and watch everything but pods.
        'no-pod-watch-token': {
          user: 'no-pod-watch',
          rules: [
            { verbs: ['get', 'list'], resources: ['*'] },
            { verbs: ['watch'], resources: WATCHABLE_BUT_PODS },
          ],
        },
      },
    });
    kubeconfig = server.writeKubeconfig('reader-token');
    events.length = 0;
  });
  afterEach(async () => {
    await live?.stop();
    live = null;
    await server.close();
  });

  /** A fresh scan of whatever the stand-in holds now: what the watcher must converge to. */
  async function freshScan(): Promise<Snapshot> {
    return (await collectSnapshot({ cluster: resolveCluster({ kubeconfig, env: {} }) })).snapshot;
  }

  it('stand-in kube-apiserver: a ClusterRoleBinding to cluster-admin gives a path-added event within 2 s; deleting it, path-removed', async () => {
    const out = io();
    live = await startLiveWatch({ kubeconfig }, out, (e) => events.push(e));
    const synced = await waitFor('synced', () => events.find((e) => e.event === 'synced'));
    expect(synced).toMatchObject({ event: 'synced', snapshot: ingestPaths([FIXTURE]).snapshot.hash, kubernetesVersion: 'v1.30.2', coverage: [] });
    expect(events.filter((e) => e.event === 'path-added')).toEqual([]);

    const t0 = Date.now();
    server.apply(ADMIN_BINDING);
    const added = await waitFor('path-added', () => events.find((e) => e.event === 'path-added'), 2000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(added).toMatchObject({ event: 'path-added', target: 'cluster-admin', from: 'ServiceAccount:dev/ci' });
    if (added.event !== 'path-added') throw new Error('unreachable');
    expect(added.path.steps.map((s) => s.technique)).toEqual(['RBAC']);
    expect(added.path.steps[0].evidence).toContain('ClusterRoleBinding:ci-is-admin');
    // Everything that can become dev/ci (alice creates pods in dev) now reaches cluster-admin too.
    const from = events.filter((e) => e.event === 'path-added').map((e) => ('from' in e ? e.from : ''));
    expect(from).toContain('User:alice');

    const t1 = Date.now();
    server.remove('ClusterRoleBinding', 'ci-is-admin');
    const removed = await waitFor('path-removed', () => events.find((e) => e.event === 'path-removed' && 'from' in e && e.from === 'ServiceAccount:dev/ci'), 2000);
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(removed).toMatchObject({ target: 'cluster-admin', from: 'ServiceAccount:dev/ci' });
    expect(events.filter((e) => e.event === 'path-removed').map((e) => ('from' in e ? e.from : ''))).toContain('User:alice');
    // Back where it started.
    await waitFor('state', () => live!.state()?.snapshot.hash === ingestPaths([FIXTURE]).snapshot.hash);
    expect(out.err).toEqual([]);
  });

  it('stand-in kube-apiserver: a new reader of a secret, and the reader removed', async () => {
    live = await startLiveWatch({ kubeconfig }, io(), (e) => events.push(e));
    await waitFor('synced', () => events.find((e) => e.event === 'synced'));
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'mallory-secrets', namespace: 'prod' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'User', name: 'mallory' }],
    };
    server.apply(binding);
    await waitFor('reader events', () => events.filter((e) => e.event === 'secret-reader-added').length >= 2, 2000);
    const added = events.filter((e) => e.event === 'secret-reader-added');
    expect(added.map((e) => ('secret' in e ? [e.secret, e.reader] : []))).toEqual([
      ['Secret:prod/db-creds', 'User:mallory'],
      ['Secret:prod/registry', 'User:mallory'],
    ]);
    expect(added[0]).toMatchObject({ length: 1, steps: [expect.objectContaining({ technique: 'SECRET_READ' })] });
    server.remove('RoleBinding', 'mallory-secrets', 'prod');
    await waitFor('reader removed', () => events.filter((e) => e.event === 'secret-reader-removed').length >= 2, 2000);
    expect(events.filter((e) => e.event === 'secret-reader-removed').map((e) => ('reader' in e ? e.reader : ''))).toEqual(['User:mallory', 'User:mallory']);
    expect(events.some((e) => e.event === 'path-added')).toBe(false);
  });

  it('stand-in kube-apiserver: 410 Gone mid-watch: the watcher relists without losing or duplicating objects', async () => {
    const batches: Snapshot[] = [];
    const watcher = new ClusterWatcher({ cluster: resolveCluster({ kubeconfig, env: {} }), onSnapshot: (s) => batches.push(s), debounceMs: 50 });
    try {
      await watcher.start();
      await watcher.synced;
      expect(batches[0].hash).toBe(ingestPaths([FIXTURE]).snapshot.hash);
      const listsBefore = watcher.stats().find((s) => s.resource === 'pods')!.lists;

      // 1. ERROR 410 on every open watch (compaction), with changes made right after it.
      const informers = watcher.stats().length;
      await waitFor('every watch open', () => server.openWatches === informers);
      server.expireWatches();
      server.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'new-pod', namespace: 'dev' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }] } });
      server.remove('ServiceAccount', 'deployer', 'dev');
      let expected = await freshScan();
      await waitFor('every informer relisted after ERROR 410', () => watcher.stats().every((x) => x.gone >= 1), 5000);
      await waitFor('relist after ERROR 410', () => watcher.snapshot().hash === expected.hash, 5000);
      const pods = watcher.stats().find((s) => s.resource === 'pods')!;
      expect(pods.gone).toBeGreaterThanOrEqual(1);
      expect(pods.lists).toBe(listsBefore + 1);

      // 2. A dropped stream whose resourceVersion is compacted before the watcher resumes: the
      //    resume gets 410, the relist sees the deletion that no event reported.
      await waitFor('watches reopened', () => server.openWatches === informers);
      server.dropWatches();
      server.remove('Pod', 'debug', 'dev');
      server.apply({ ...ADMIN_BINDING, metadata: { name: 'during-gap' } });
      server.compact();
      expected = await freshScan();
      await waitFor('every informer relisted after its compacted resume', () => watcher.stats().every((x) => x.gone >= 2), 5000);
      await waitFor('relist after a compacted resume', () => watcher.snapshot().hash === expected.hash, 5000);
      const snap = watcher.snapshot();
      expect(snap.pods.map((p) => p.id)).toEqual(['Pod:default/pending', 'Pod:dev/new-pod', 'Pod:prod/web-0']);
      expect(snap.serviceAccounts.map((s) => s.id)).not.toContain('ServiceAccount:dev/deployer');
      expect(snap.bindings.map((b) => b.id)).toContain('ClusterRoleBinding:during-gap');
      // The batches handed out converge too.
      await waitFor('last batch', () => batches[batches.length - 1].hash === expected.hash, 3000);
    } finally {
      await watcher.stop();
    }
  });

  it('stand-in kube-apiserver: watch asks for secrets as metadata only, and no value reaches an event', async () => {
    const out = io();
    live = await startLiveWatch({ kubeconfig }, out, (e) => events.push(e));
    await waitFor('synced', () => events.find((e) => e.event === 'synced'));
    server.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'late', namespace: 'prod' }, data: { k: Buffer.from('STANDIN-SECRET-VALUE-late').toString('base64') } });
    server.apply({ ...ADMIN_BINDING });
    await waitFor('path-added', () => events.find((e) => e.event === 'path-added'), 2000);
    await waitFor('late secret', () => live!.state()?.snapshot.secrets.some((s) => s.id === 'Secret:prod/late'), 2000);
    const secretRequests = server.log.filter((r) => r.resource === 'secrets');
    expect(secretRequests.filter((r) => r.watch).length).toBeGreaterThanOrEqual(2);
    for (const r of secretRequests) {
      expect(r.accept).toBe(r.watch
        ? 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1'
        : 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    }
    const text = JSON.stringify(events) + out.err.join('') + JSON.stringify(live.state()!.snapshot);
    expect(text).not.toContain('STANDIN-SECRET-VALUE');
    for (const v of server.secretValues()) expect(text).not.toContain(v);
  });

  it('stand-in kube-apiserver: a kind that may be listed but not watched is kept current by relisting', async () => {
    const warnings: string[] = [];
    const watcher = new ClusterWatcher({
      cluster: resolveCluster({ kubeconfig: server.writeKubeconfig('no-pod-watch-token'), env: {} }),
      onSnapshot: () => undefined,
      onWarning: (w) => warnings.push(w.message),
      resyncMs: 300,
      debounceMs: 20,
    });
    try {
      await watcher.start();
      await watcher.synced;
      await waitFor('poll warning', () => warnings.some((w) => w.includes('may list but not watch pods')));
      server.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'polled', namespace: 'dev' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
      await waitFor('polled pod', () => watcher.snapshot().pods.some((p) => p.id === 'Pod:dev/polled'), 3000);
      expect(watcher.snapshot().coverage).toEqual([]);
    } finally {
      await watcher.stop();
    }
  });

  it('stand-in kube-apiserver: `rbacgraph watch` prints JSON lines and stops on its signal', async () => {
    const out = io();
    const controller = new AbortController();
    let code = -1;
    const program = new Command().exitOverride();
    registerWatch(program, out, (c) => {
      code = c;
    }, { signal: controller.signal });
    const done = program.parseAsync(['watch', '--kubeconfig', kubeconfig, '--debounce', '50ms'], { from: 'user' });
    await waitFor('synced line', () => out.out.some((l) => l.includes('"event":"synced"')), 5000);
    server.apply(ADMIN_BINDING);
    await waitFor('path-added line', () => out.out.some((l) => l.includes('"event":"path-added"')), 2000);
    controller.abort();
    await done;
    expect(code).toBe(0);
    const lines = out.out.join('').trim().split('\n').map((l) => JSON.parse(l) as { event: string; time: string });
    expect(lines[0].event).toBe('synced');
    expect(lines.every((l) => typeof l.time === 'string')).toBe(true);
    expect(lines.find((l) => l.event === 'path-added')).toMatchObject({ target: 'cluster-admin', from: 'ServiceAccount:dev/ci' });
  });
});
