// `rbacgraph serve --input`: a real HTTP server on an ephemeral port; each answer is the CLI's `-o json` for the same question.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/files.js';
import { ApiServer } from '../../src/server/http.js';
import { runCli } from '../support/cli.js';
import { getJson, request, startServe, subscribe, waitFor, type Served } from './support.js';

const DEMO = 'fixtures/demo';
/** The demo's fake secret value, and its base64 (fixtures/demo/README.md): never in an answer. */
const SECRET_VALUES = ['demo-only', 'ZGVtby1vbmx5'];

describe('rbacgraph serve --input fixtures/demo', () => {
  let s: Served;
  const bodies: string[] = [];
  const get = async (path: string, headers?: Record<string, string>) => {
    const a = await request(`${s.url}${path}`, { headers });
    bodies.push(a.body);
    return a;
  };

  beforeAll(async () => {
    s = await startServe(['--input', DEMO, '--port', '0']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('logs one line when listening, on loopback, with the snapshot', () => {
    const hash = ingestPaths([DEMO]).snapshot.hash;
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.err.join('')).toContain(`rbacgraph serve: listening on ${s.url} (snapshot ${hash})\n`);
    // The input's warnings are printed once at start, as the CLI prints them.
    expect(s.err.join('')).toContain('fixtures/demo/70-decoys.yaml:63: RoleBinding:staging/legacy-deployers');
    expect(s.out).toEqual([]);
  });

  it('GET /healthz: 200 with the snapshot ID', async () => {
    const r = await getJson(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.json).toMatchObject({ status: 'ok', snapshot: ingestPaths([DEMO]).snapshot.hash });
  });

  it('GET /metrics: Prometheus text with objects, paths to cluster-admin, analysis time and events', async () => {
    await get('/healthz');
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const paths = JSON.parse((await runCli(['paths', '--input', DEMO, '-o', 'json'])).stdout) as { paths: unknown[] };
    expect(r.body).toContain('# TYPE rbacgraph_snapshot_objects gauge\n');
    expect(r.body).toContain('rbacgraph_snapshot_objects{collection="nodes"} 4\n');
    expect(r.body).toContain(`rbacgraph_paths_to_cluster_admin ${paths.paths.length}\n`);
    expect(r.body).toMatch(/^rbacgraph_analysis_duration_seconds \d+(\.\d+)?(e-\d+)?$/m);
    expect(r.body).toContain('rbacgraph_events_total{event="path-added"} 0\n');
    expect(r.body).toContain('rbacgraph_ready 1\n');
    expect(r.body).toMatch(/^rbacgraph_http_requests_total\{route="\/healthz",code="200"\} [1-9]\d*$/m);
    expect(r.body).not.toContain('rbacgraph_watch_'); // no informers without --watch
    // Every sample line is `name{labels} value`, every family has HELP and TYPE.
    for (const line of r.body.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) rbacgraph_\w+ .+|rbacgraph_\w+(\{(\w+="[^"]*",?)+\})? [-+.\deE]+|rbacgraph_\w+(\{(\w+="[^"]*",?)+\})? NaN)$/);
    }
  });

  // Each REST question and the CLI command asking the same: byte-identical JSON.
  it.each([
    ['/api/v1/who-can?verb=get&resource=secrets&namespace=payments', ['who-can', 'get', 'secrets', '-n', 'payments']],
    ['/api/v1/who-can?verb=list&resource=secrets&allNamespaces=true', ['who-can', 'list', 'secrets', '-A']],
    ['/api/v1/who-can?verb=create&resource=pods/exec&name=payments-api-0&namespace=payments', ['who-can', 'create', 'pods/exec', 'payments-api-0', '-n', 'payments']],
    ['/api/v1/who-can?verb=get&resource=widgets', ['who-can', 'get', 'widgets']],
    ['/api/v1/who-can?verb=list&resource=nodes&namespace=dev', ['who-can', 'list', 'nodes', '-n', 'dev']],
    ['/api/v1/who-can?verb=get&nonResourceUrl=/metrics', ['who-can', 'get', '--non-resource-url', '/metrics']],
    ['/api/v1/can-i?verb=create&resource=deployments&namespace=platform-operator&as=system:serviceaccount:ci:deployer', ['can-i', 'create', 'deployments', '-n', 'platform-operator', '--as', 'system:serviceaccount:ci:deployer']],
    ['/api/v1/can-i?verb=get&resource=secrets&namespace=kube-system&as=User:alice', ['can-i', 'get', 'secrets', '-n', 'kube-system', '--as', 'User:alice']],
    ['/api/v1/can-i?verb=list&resource=pods&as=User:x&asGroup=developers&asGroup=readonly-auditors', ['can-i', 'list', 'pods', '--as', 'User:x', '--as-group', 'developers', '--as-group', 'readonly-auditors']],
    ['/api/v1/can-i?verb=get&resource=nodes&as=Node:worker-1', ['can-i', 'get', 'nodes', '--as', 'Node:worker-1']],
    ['/api/v1/paths', ['paths']],
    ['/api/v1/paths?from=User:alice&from=ServiceAccount:ci/deployer&limit=3', ['paths', '--from', 'User:alice', '--from', 'ServiceAccount:ci/deployer', '--limit', '3']],
    ['/api/v1/paths?to=nodes&maxHops=2', ['paths', '--to', 'nodes', '--max-hops', '2']],
    ['/api/v1/paths?to=cluster-admin&includeSystem=true', ['paths', '--to', 'cluster-admin', '--include-system']],
    ['/api/v1/paths?from=User:nobody', ['paths', '--from', 'User:nobody']],
    ['/api/v1/paths?to=Secret:payments/stripe-api-key', ['paths', '--to', 'Secret:payments/stripe-api-key']],
    ['/api/v1/secret-access?secret=Secret:kube-system/legacy-admin-token', ['secret-access', 'kube-system/legacy-admin-token']],
    ['/api/v1/secret-access?secret=payments/stripe-api-key&maxHops=3', ['secret-access', 'payments/stripe-api-key', '--max-hops', '3']],
  ])('GET %s is the JSON of `rbacgraph %s -o json`', async (path, argv) => {
    const cli = await runCli([...argv, '--input', DEMO, '-o', 'json']);
    expect(cli.code === 0 || (argv[0] === 'can-i' && cli.code === 1)).toBe(true);
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toBe(cli.stdout);
  });

  it.each([
    ['/api/v1/who-can?resource=pods', 'verb'],
    ['/api/v1/who-can?verb=get', 'resource'],
    ['/api/v1/who-can?verb=get&resource=pods&namespace=dev&allNamespaces=true', 'allNamespaces'],
    ['/api/v1/who-can?verb=get&resource=pods&allNamespaces=perhaps', 'allNamespaces'],
    ['/api/v1/who-can?verb=get&resource=pods&namespace=', 'namespace'],
    ['/api/v1/who-can?verb=get&nonResourceUrl=metrics', 'nonResourceUrl'],
    ['/api/v1/who-can?verb=get&resource=pods&nonResourceUrl=/metrics', 'nonResourceUrl'],
    ['/api/v1/who-can?verb=get&nonResourceUrl=/metrics&namespace=dev', 'namespace'],
    ['/api/v1/who-can?verb=get&verb=list&resource=pods', 'verb'],
    ['/api/v1/who-can?verb=get&resource=pods&ns=dev', 'ns'],
    ['/api/v1/can-i?verb=get&resource=pods', 'as'],
    ['/api/v1/can-i?verb=get&resource=pods&as=ClusterRole:admin', 'as'],
    ['/api/v1/can-i?verb=get&resource=pods&as=User:a&allNamespaces=true', 'allNamespaces'],
    ['/api/v1/paths?maxHops=0', 'maxHops'],
    ['/api/v1/paths?limit=many', 'limit'],
    ['/api/v1/paths?from=Pod:dev/web', 'from'],
    ['/api/v1/paths?to=Role:dev/x', 'to'],
    ['/api/v1/paths?to=cluster-admin&to=nodes', 'to'],
    ['/api/v1/secret-access', 'secret'],
    ['/api/v1/secret-access?secret=just-a-name', 'secret'],
    ['/api/v1/secret-access?secret=payments/stripe-api-key&maxHops=-1', 'maxHops'],
  ])('GET %s: 400 naming %s', async (path, param) => {
    const r = await getJson<{ error: { code: string; message: string; parameter?: string } }>(`${s.url}${path}`);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('USAGE');
    expect(r.json.error.parameter).toBe(param);
    expect(r.json.error.message).toContain(param);
  });

  it.each(['/', '/nope', '/api/v1/nope', '/api/v2/who-can', '/api/v1/who-can/extra', '/healthz/x'])('GET %s: 404 JSON', async (path) => {
    const r = await getJson<{ error: { code: string } }>(`${s.url}${path}`);
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('NOT_FOUND');
  });

  it('only reads: POST is 405; HEAD answers headers only', async () => {
    const post = await request(`${s.url}/api/v1/paths`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await request(`${s.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('without a token, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    for (const host of ['localhost:4000', '127.0.0.1', '[::1]:4000', 'LOCALHOST']) expect((await get('/healthz', { Host: host })).status).toBe(200);
    for (const host of ['attacker.example', 'attacker.example:4000', '10.0.0.1:4000']) {
      const r = await get('/api/v1/paths', { Host: host });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
  });

  it('GET /api/v1/events without --watch: an open stream that says which snapshot it serves', async () => {
    const sse = await subscribe(`${s.url}/api/v1/events`);
    expect(sse.status).toBe(200);
    await waitFor('hello comment', () => sse.raw().includes('\n\n'));
    expect(sse.raw()).toContain(`: rbacgraph events; snapshot ${ingestPaths([DEMO]).snapshot.hash}`);
    expect(sse.events).toEqual([]);
    sse.close();
    expect((await getJson(`${s.url}/api/v1/events?since=1`)).status).toBe(400);
  });

  it('no answer holds a secret value', () => {
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) for (const v of SECRET_VALUES) expect(b).not.toContain(v);
  });
});

describe('the API server before its first snapshot', () => {
  it('answers 503 on /healthz and on questions, ready 0 in /metrics, 404 for unknown paths', async () => {
    const server = new ApiServer({ host: '127.0.0.1', port: 0, token: null, log: () => undefined });
    await server.listen();
    try {
      const h = await getJson(`${server.url()}/healthz`);
      expect(h.status).toBe(503);
      expect(h.json).toMatchObject({ status: 'starting', snapshot: null });
      const q = await getJson<{ error: { code: string } }>(`${server.url()}/api/v1/paths`);
      expect(q.status).toBe(503);
      expect(q.headers['retry-after']).toBe('5');
      expect(q.json.error.code).toBe('NOT_READY');
      expect((await request(`${server.url()}/api/v1/nope`)).status).toBe(404);
      expect((await request(`${server.url()}/metrics`)).body).toContain('rbacgraph_ready 0\n');
    } finally {
      await server.close();
    }
  });
});

describe('serve: options, exit codes and the bearer token', () => {
  const TOKEN = 'test-token-0123456789abcdef';

  it.each([
    ['--store', ['--store', 'x.db', '--input', DEMO], 'history store is not built yet'],
    ['--host 0.0.0.0 without a token', ['--host', '0.0.0.0', '--input', DEMO], '--token-env'],
    ['an unset --token-env variable', ['--host', '0.0.0.0', '--token-env', 'NOT_SET_ANYWHERE', '--input', DEMO], 'NOT_SET_ANYWHERE'],
    ['a short token', ['--token-env', 'SHORT', '--input', DEMO], 'at least 16 characters'],
    ['--watch with --input', ['--watch', '--input', DEMO], '--kubeconfig'],
    ['--debounce without --watch', ['--debounce', '1s', '--input', DEMO], '--debounce applies to --watch only'],
    ['a bad port', ['--port', '70000', '--input', DEMO], '--port'],
    ['no input', [], 'no input'],
    ['a missing input', ['--input', 'does/not/exist'], 'does/not/exist'],
  ])('%s: exit 2 with a message', async (_what, argv, message) => {
    const r = await runCli(['serve', ...argv], { env: { SHORT: 'abc' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('a port in use: exit 2', async () => {
    const first = await startServe(['--input', DEMO, '--port', '0']);
    try {
      const port = new URL(first.url).port;
      const r = await runCli(['serve', '--input', DEMO, '--port', port], { env: {} });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it('off loopback (--host 0.0.0.0): every path but /healthz needs the bearer token', async () => {
    const s = await startServe(['--input', DEMO, '--host', '0.0.0.0', '--port', '0', '--token-env', 'RBACGRAPH_TOKEN'], { RBACGRAPH_TOKEN: `${TOKEN}\n` });
    try {
      expect(s.err.join('')).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+ \(snapshot sha256:[0-9a-f]{64}\); bearer token required\n/);
      const url = s.url.replace('0.0.0.0', '127.0.0.1');
      for (const path of ['/api/v1/paths', '/metrics', '/api/v1/events', '/nope']) {
        for (const auth of [undefined, 'Bearer wrong-token-0123456789abcdef', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
          const r = await request(`${url}${path}`, { headers: auth ? { Authorization: auth } : {} });
          expect(r.status, `${path} with ${auth}`).toBe(401);
          expect(r.headers['www-authenticate']).toBe('Bearer realm="rbacgraph"');
          expect(r.body).not.toContain(TOKEN);
        }
      }
      // Any Host header is fine once authenticated.
      const ok = await request(`${url}/api/v1/paths?from=User:alice`, { headers: { Authorization: `Bearer ${TOKEN}`, Host: 'rbacgraph.example' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe((await runCli(['paths', '--from', 'User:alice', '--input', DEMO, '-o', 'json'])).stdout);
      expect((await request(`${url}/healthz`)).status).toBe(200);
      expect(s.err.join('') + s.out.join('')).not.toContain(TOKEN);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('a token on loopback is required too', async () => {
    const s = await startServe(['--input', DEMO, '--port', '0', '--token-env', 'T'], { T: TOKEN });
    try {
      expect((await request(`${s.url}/api/v1/paths`)).status).toBe(401);
      expect((await request(`${s.url}/api/v1/paths`, { headers: { Authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('stops on its signal: exit 0, event streams end, the port is closed', async () => {
    const s = await startServe(['--input', DEMO, '--port', '0']);
    const sse = await subscribe(`${s.url}/api/v1/events`);
    expect(await s.stop()).toBe(0);
    await waitFor('stream end', () => sse.ended());
    expect(s.err.join('')).toContain('rbacgraph serve: stopped\n');
    await expect(request(`${s.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
