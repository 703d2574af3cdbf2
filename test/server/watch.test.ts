// `rbacgraph serve --watch` through the stand-in kube-apiserver: events on the SSE stream and on stdout, queries on the new snapshot.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/files.js';
import { runCli } from '../support/cli.js';
import { ADMIN_BINDING, READ_ALL, StandInApiServer } from '../support/fake-apiserver.js';
import { getJson, request, startServe, subscribe, waitFor, type Served } from './support.js';

const FIXTURE = 'test/fixtures/live/cluster';


interface Health {
  status: string;
  snapshot: string | null;
}

describe('stand-in kube-apiserver: rbacgraph serve --watch', () => {
  let apiserver: StandInApiServer;
  let kubeconfig: string;
  let s: Served | null = null;

  beforeEach(async () => {
    apiserver = await StandInApiServer.start({ fixtures: [FIXTURE], bookmarkIntervalMs: 200, tokens: { 'reader-token': { user: 'reader', rules: READ_ALL } } });
    kubeconfig = apiserver.writeKubeconfig('reader-token');
  });
  afterEach(async () => {
    await s?.stop();
    s = null;
    await apiserver.close();
  });

  it('stand-in kube-apiserver: a ClusterRoleBinding to cluster-admin gives path-added on /api/v1/events, and /healthz reports the new snapshot', async () => {
    s = await startServe(['--kubeconfig', kubeconfig, '--watch', '--port', '0', '--debounce', '50ms']);
    const url = s.url;
    const initial = ingestPaths([FIXTURE]).snapshot.hash;
    const health = await waitFor('the first snapshot', async () => {
      const h = await getJson<Health>(`${url}/healthz`);
      return h.status === 200 ? h.json : null;
    });
    expect(health).toMatchObject({ status: 'ok', snapshot: initial });

    const sse = await subscribe(`${url}/api/v1/events`);
    expect(sse.status).toBe(200);
    await waitFor('the hello comment', () => sse.raw().includes(`: rbacgraph events; snapshot ${initial}`));

    apiserver.apply(ADMIN_BINDING);
    const added = await waitFor('path-added on the stream', () => sse.events.find((e) => e.data.event === 'path-added' && e.data.from === 'ServiceAccount:dev/ci'), 3000);
    expect(added.data).toMatchObject({ event: 'path-added', target: 'cluster-admin', from: 'ServiceAccount:dev/ci' });
    const next = added.data.snapshot as string;
    expect(next).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(next).not.toBe(initial);
    // The state is swapped before its events go out: the snapshot an event names is already served.
    expect((await getJson<Health>(`${url}/healthz`)).json).toMatchObject({ status: 'ok', snapshot: next });

    // Queries answer from the new snapshot.
    const paths = await getJson<{ paths: { from: string; steps: { technique: string; evidence: string[] }[] }[] }>(`${url}/api/v1/paths?from=ServiceAccount:dev/ci`);
    expect(paths.json.paths).toHaveLength(1);
    expect(paths.json.paths[0].steps[0]).toMatchObject({ technique: 'RBAC', evidence: expect.arrayContaining(['ClusterRoleBinding:ci-is-admin']) });
    // ... with the JSON the CLI gives for the same cluster.
    const cli = await runCli(['who-can', 'create', 'clusterrolebindings', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(cli.code).toBe(0);
    expect((await request(`${url}/api/v1/who-can?verb=create&resource=clusterrolebindings`)).body).toBe(cli.stdout);

    // Ids are a sequence; the same objects are printed on stdout as JSON lines, as `rbacgraph watch` does.
    expect(sse.events.map((e) => e.id)).toEqual(sse.events.map((_, i) => sse.events[0].id + i));
    const lines = s.out.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'synced', snapshot: initial });
    expect(lines).toContainEqual(added.data);

    const metrics = (await request(`${url}/metrics`)).body;
    expect(metrics).toContain('rbacgraph_events_total{event="synced"} 1\n');
    expect(metrics).toMatch(/^rbacgraph_events_total\{event="path-added"\} [1-9]\d*$/m);
    expect(metrics).toContain(`rbacgraph_snapshot_info{snapshot="${next}",kubernetes_version="v1.30.2"} 1\n`);
    expect(metrics).toMatch(/^rbacgraph_analyses_total [2-9]\d*$/m);
    expect(metrics).toMatch(/^rbacgraph_watch_lists_total\{resource="pods"\} 1$/m);
    expect(metrics).toMatch(/^rbacgraph_watch_relists_gone_total\{resource="clusterrolebindings.rbac.authorization.k8s.io"\} 0$/m);
    expect(metrics).toContain('rbacgraph_event_subscribers 1\n');

    // A subscriber that reconnects with Last-Event-ID gets what it missed.
    const again = await subscribe(`${url}/api/v1/events`, { 'Last-Event-ID': String(added.id - 1) });
    await waitFor('replay', () => again.events.length > 0);
    expect(again.events[0]).toEqual(added);
    again.close();
    sse.close();

    expect(await s.stop()).toBe(0);
    s = null;
    // The informers are stopped: the stand-in sees every watch closed.
    await waitFor('watches closed', () => apiserver.openWatches === 0);
  });

  it('stand-in kube-apiserver: /healthz is 503 until the first snapshot is analysed', async () => {
    // A stand-in that answers /version but is slow to list: serve listens before its first snapshot.
    const slow = await StandInApiServer.start({ fixtures: [FIXTURE], tokens: { t: { user: 'reader', rules: READ_ALL } } });
    try {
      slow.failNext('pods', { status: 503, times: 3 });
      s = await startServe(['--kubeconfig', slow.writeKubeconfig('t'), '--watch', '--port', '0']);
      expect(s.err.join('')).toContain('reading the cluster: /healthz is 503 until the first snapshot is analysed');
      const first = await getJson<Health>(`${s.url}/healthz`);
      expect(first.status).toBe(503);
      expect(first.json).toMatchObject({ status: 'starting', snapshot: null });
      await waitFor('ready', async () => (await request(`${s!.url}/healthz`)).status === 200, 10_000);
      await s.stop();
      s = null;
    } finally {
      await slow.close();
    }
  });
});
