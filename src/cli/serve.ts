// `rbacgraph serve`: the HTTP API (health, metrics, REST questions, event stream) over one snapshot, kept current with --watch.

import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { CLUSTER_ADMIN } from '../ids.js';
import type { InformerStats } from '../ingest/kube-watch.js';
import type { ApiServer } from '../server/http.js';
import { untilStopped, type CliIO } from './io.js';
import type { LiveWatch, LiveWatchOptions } from './watch.js';

interface ServeOptions extends LiveWatchOptions {
  input: string[];
  defaultNamespace: string;
  watch?: boolean;
  host: string;
  port: string;
  tokenEnv?: string;
  store?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A bearer token shorter than this is refused: it would be guessable. */
export const MIN_TOKEN_LENGTH = 16;

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (0: any free port), not "${v}"`);
  return Number(v);
}

/** The token named by --token-env, checked; null when none is asked for. */
function tokenFrom(opts: ServeOptions, io: CliIO, loopback: boolean): string | null {
  if (opts.tokenEnv === undefined) {
    if (!loopback) {
      throw new UsageError(
        `--host ${opts.host} is not a loopback address: whoever can reach it could read the cluster's attack paths. ` +
          'Give --token-env VAR (an environment variable holding a bearer token), or bind to 127.0.0.1',
      );
    }
    return null;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.tokenEnv)) throw new UsageError(`--token-env takes the name of an environment variable, not "${opts.tokenEnv}"`);
  const token = (io.env[opts.tokenEnv] ?? '').trim();
  if (token === '') throw new UsageError(`--token-env ${opts.tokenEnv}: the environment variable is not set or empty`);
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new UsageError(`--token-env ${opts.tokenEnv}: the token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`);
  }
  return token;
}

export function registerServe(program: Command, io: CliIO, setExit: (code: number) => void, runOpts: { signal?: AbortSignal } = {}): void {
  const cmd = program
    .command('serve')
    .summary('serve the questions over HTTP (REST, health, metrics, events), live with --watch')
    .description(
      'Answer who-can, can-i, paths and secret-access over HTTP, from files or a\n' +
        'live cluster; with --watch, keep the snapshot current (as `rbacgraph watch`\n' +
        'does) and stream each change of the attack graph to subscribers.\n' +
        '\n' +
        'Endpoints (GET):\n' +
        '  /healthz                 200 {"status":"ok","snapshot":"sha256:..."} once\n' +
        '                           the first snapshot is analysed, 503 before\n' +
        '  /metrics                 Prometheus text format\n' +
        '  /api/v1/who-can          ?verb=&resource=&name=&namespace=|allNamespaces=true\n' +
        '                           (or &nonResourceUrl=/path)\n' +
        '  /api/v1/can-i            ?verb=&resource=&name=&namespace=&as=&asGroup=...\n' +
        '  /api/v1/paths            ?from=...&to=&maxHops=&limit=&includeSystem=true\n' +
        '  /api/v1/secret-access    ?secret=Secret:NS/NAME&maxHops=&includeSystem=true\n' +
        '  /api/v1/events           Server-Sent Events: the JSON objects `watch` prints\n' +
        'Answers are exactly the JSON of the command with -o json. A bad parameter\n' +
        'is a 400 {"error":{"code":"USAGE","message":...,"parameter":...}}; an unknown\n' +
        'path a 404. Queries are answered from the latest analysed snapshot.\n' +
        '\n' +
        'Security: it listens on 127.0.0.1 unless --host says otherwise, and then\n' +
        'only requests whose Host header names a loopback address are answered (no\n' +
        'DNS rebinding from a browser). On any other address a bearer token is\n' +
        'required: --token-env VAR names an environment variable holding it (at\n' +
        'least 16 characters); every request but /healthz must then send\n' +
        '"Authorization: Bearer <token>". The server speaks plain HTTP: put TLS in\n' +
        'front of it (an ingress or a mesh) when it leaves the machine. Answers hold\n' +
        'no secret value (snapshots have none).',
    )
    .option('--input <path>', 'file or folder of manifests / kubectl dumps (repeatable; - for stdin)', collect, [])
    .option('--kubeconfig <path>', 'read the live cluster (a kubeconfig, or "in-cluster")')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--watch', 'keep the snapshot current (needs --kubeconfig); events on stdout too')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', '4000')
    .option('--token-env <var>', 'require "Authorization: Bearer $VAR" (needed off loopback)')
    .option('--default-namespace <ns>', 'namespace for namespaced objects that name none', 'default')
    .option('--skip-secrets', 'ignore Secret objects (reachability then covers only secrets pods reference)')
    .option('--kubernetes-version <v>', 'cluster version, e.g. 1.35 (default: the server\'s /version)')
    .option('--page-size <n>', 'items per list request (live cluster)')
    .option('--request-timeout <duration>', 'time limit of each (re)list, retries included (30s, 5m; 0 = none)')
    .option('--debounce <duration>', 'with --watch: quiet time before a batch is analysed (200ms)')
    .option('--max-hops <n>', 'with --watch: longest path the events and metrics consider (8)')
    .option('--include-system', 'with --watch: events for control-plane identities too')
    .option('--exact-secret-limit <n>', 'with --watch: compare each secret\'s readers up to this many secrets (500)')
    .addOption(new Option('--store <file>', 'the history store (not built yet: refused)').hideHelp());
  cmd.addHelpText('after', `
Exit codes: 0 stopped by SIGINT or SIGTERM; 2 usage or input error, the
address cannot be bound, or the cluster cannot be reached at start.

Examples:
  rbacgraph serve --input fixtures/demo
  curl -s 'localhost:4000/api/v1/who-can?verb=get&resource=secrets&namespace=ci'
  curl -s 'localhost:4000/api/v1/paths?from=User:alice&limit=3'
  rbacgraph serve --kubeconfig ~/.kube/config --watch --port 4000
  curl -sN localhost:4000/api/v1/events
  API_TOKEN=$(openssl rand -hex 32) rbacgraph serve --kubeconfig in-cluster \\
    --watch --host 0.0.0.0 --token-env API_TOKEN`);
  cmd.action(async (opts: ServeOptions) => {
    if (opts.store !== undefined) {
      throw new UsageError('--store: the history store is not built yet (it comes with a later issue); serve answers from --input or --kubeconfig');
    }
    const live = opts.kubeconfig !== undefined || (opts.context !== undefined && opts.input.length === 0);
    if (live && opts.input.length > 0) throw new UsageError('use either --input or --kubeconfig, not both');
    if (opts.watch && !live) throw new UsageError('--watch keeps a live cluster\'s snapshot current: give --kubeconfig PATH (or in-cluster), not --input');
    if (!opts.watch) {
      const watchOnly = (['debounce', 'maxHops', 'includeSystem', 'exactSecretLimit'] as const).find((k) => opts[k] !== undefined);
      if (watchOnly) throw new UsageError(`--${watchOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to --watch only`);
    }
    const port = parsePort(opts.port);
    if (opts.host.trim() === '') throw new UsageError('--host must not be empty');
    const { ApiServer, isLoopbackHost } = await import('../server/http.js');
    const { ServedSnapshot } = await import('../server/state.js');
    const token = tokenFrom(opts, io, isLoopbackHost(opts.host));

    const log = (l: string): void => io.stderr(`${l}\n`);
    let watch: LiveWatch | null = null;
    let server: ApiServer;
    if (opts.watch) {
      const { startLiveWatch } = await import('./watch.js');
      const { coverageWarnings } = await import('../server/coverage.js');
      let stats: () => InformerStats[] = () => [];
      const s = new ApiServer({ host: opts.host, port, token, log, watchCounters: () => stats() });
      server = s;
      watch = await startLiveWatch(opts, io, (e) => {
        s.publish(e);
        io.stdout(`${JSON.stringify(e)}\n`);
      }, {
        onState: (state, info) => s.setSnapshot(new ServedSnapshot({
          snapshot: state.snapshot,
          analysis: state.analysis,
          inputWarnings: coverageWarnings(state.snapshot),
          pathsToClusterAdmin: state.adminPaths.size,
          analysedAt: Date.now(),
          analysisSeconds: info.analysisMs / 1000,
        })),
      });
      const w = watch;
      stats = () => w.watcher.stats();
    } else {
      const { loadSnapshot, reportWarnings } = await import('./common.js');
      const { analyze } = await import('../analysis/analyze.js');
      const { snapshot, warnings } = await loadSnapshot(opts, io);
      const t0 = performance.now();
      const analysis = analyze(snapshot, { kubernetesVersion: opts.kubernetesVersion });
      const pathsToClusterAdmin = analysis.paths({ to: CLUSTER_ADMIN }).paths.length;
      reportWarnings([...warnings, ...analysis.warnings], {}, io, 0);
      server = new ApiServer({ host: opts.host, port, token, log });
      server.setSnapshot(new ServedSnapshot({
        snapshot, analysis, inputWarnings: warnings, pathsToClusterAdmin, analysedAt: Date.now(), analysisSeconds: (performance.now() - t0) / 1000,
      }));
    }

    try {
      await server.listen();
    } catch (e) {
      await watch?.stop();
      throw new UsageError(`cannot listen on ${opts.host}:${port}: ${(e as Error).message}`);
    }
    const current = server.served;
    io.stderr(`rbacgraph serve: listening on ${server.url()} (${current ? `snapshot ${current.snapshot.hash}` : 'reading the cluster: /healthz is 503 until the first snapshot is analysed'})${token ? '; bearer token required' : ''}\n`);

    await untilStopped(runOpts.signal);
    await Promise.all([server.close(), watch?.stop()]);
    io.stderr('rbacgraph serve: stopped\n');
    setExit(0);
  });
}
